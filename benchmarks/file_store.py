"""Saving and reading files on the folder and database file stores (portal/file_store.py): a
letter-sized file (60 kB) and a large upload (5 MB), each saved and committed, then read.

    .venv/bin/python benchmarks/file_store.py [--repeat 50]
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/portal_bench \\
      .venv/bin/python benchmarks/file_store.py
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("PORTAL_ENV", "testing")

from benchmarks.harness import bench_app
from models.base import db
from portal import file_store

SIZES = {"60 kB letter": 60 * 1024, "5 MB upload": 5 * 1024 * 1024}


def median_ms(call, repeat: int) -> float:
    timings = []
    for number in range(repeat):
        start = time.perf_counter()
        call(number)
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    repeat = parser.parse_args().repeat
    with bench_app() as (app, database), TemporaryDirectory() as folder, app.app_context():
        for setting in file_store.FOLDER_SETTINGS.values():
            app.config[setting] = os.path.join(folder, setting.lower())
        print(f"{repeat} files of each size; median per file ({database})")
        for store in ("folder", "database"):
            app.config["FILE_STORE"] = store
            for label, size in SIZES.items():
                data = os.urandom(size)
                prefix = f"{store}-{size}-"

                def save(number: int, data=data, prefix=prefix) -> None:
                    file_store.save("uploads", f"{prefix}{number}", data)
                    db.session.commit()

                def read(number: int, prefix=prefix) -> None:
                    file_store.read("uploads", f"{prefix}{number}")
                    db.session.commit()  # as a request ends its transaction

                saved, read_back = median_ms(save, repeat), median_ms(read, repeat)
                print(f"  {store:8}  {label:12}  save {saved:7.2f} ms   read {read_back:7.2f} ms")


if __name__ == "__main__":
    main()
