"""Reference data for the places the council serves: wards grouped into localities."""

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import db


class Locality(db.Model):
    __tablename__ = "localities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)

    wards: Mapped[list["Ward"]] = relationship(back_populates="locality", order_by="Ward.name")


class Ward(db.Model):
    __tablename__ = "wards"
    __table_args__ = (CheckConstraint("population >= 0", name="population_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    locality_id: Mapped[int] = mapped_column(ForeignKey("localities.id"), index=True)
    # The ONS (GSS) code of an electoral ward, e.g. E05001313, for open data; "" if not set.
    ons_code: Mapped[str] = mapped_column(String(9), default="", server_default="")
    # How many people live in the ward, for the funding by place report's per head figures;
    # None until configured (`flask places populations`).
    population: Mapped[int | None]

    locality: Mapped[Locality] = relationship(back_populates="wards")
