"""Registering an address that has an account must take as long as registering a new one, or
the response time tells an attacker who has an account. Prints both, with the production
password-hashing cost (PASSWORD_HASH_TIME_COST's default).

    .venv/bin/python benchmarks/registration.py [--repeat 20]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("PORTAL_ENV", "testing")

from benchmarks.harness import bench_app
from models import User
from models.base import db
from portal.accounts.passwords import hash_password


def time_registrations(client, emails: list[str]) -> list[float]:
    timings = []
    for email in emails:
        start = time.perf_counter()
        response = client.post("/register", data={
            "full_name": "Sam Volunteer", "email": email, "password": "kettle purple harbour"})
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 302, response.status_code
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    repeat = parser.parse_args().repeat
    with bench_app() as (app, database):
        app.config["WTF_CSRF_ENABLED"] = False
        with app.app_context():
            db.session.add(User(email="taken@bench.example.org", full_name="Taken",
                                password_hash=hash_password("lantern walnut gravel")))
            db.session.commit()
        client = app.test_client()
        time_registrations(client, ["taken@bench.example.org", "warm@bench.example.org"])
        known = time_registrations(client, ["taken@bench.example.org"] * repeat)
        new = time_registrations(client, [f"new{n}@bench.example.org" for n in range(repeat)])
    print(f"Registering, {repeat} times each ({database}):")
    for label, timings in (("address with an account", known), ("new address", new)):
        print(f"  {label:24}  median {statistics.median(timings):7.1f} ms   "
              f"max {max(timings):7.1f} ms")


if __name__ == "__main__":
    main()
