"""The bytes of files kept in the database (FILE_STORE=database), so that every app server and
worker reads the same files: uploaded documents, award letters, exports. Rows that own a file
(a document, a letter) refer to it by kind and name; see portal/file_store.py."""

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import db, utcnow
from models.types import UTCDateTime


class StoredFile(db.Model):
    __tablename__ = "stored_files"
    __table_args__ = (
        UniqueConstraint("kind", "name"),
        CheckConstraint("size >= 0", name="size_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # "uploads", "letters" or "exports".
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    bytes: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
