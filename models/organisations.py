"""Voluntary and community sector organisations and the people who act for them."""

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.accounts import User
from models.associations import organisation_wards
from models.base import db, utcnow
from models.enums import LegalForm, OrganisationRole
from models.places import Ward
from models.types import UTCDateTime, enum_type


class Organisation(db.Model):
    """An organisation and its profile. `name` is the name it is known as; identifiers and the
    postcode are stored normalised (see portal.organisations.identifiers)."""

    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint("annual_income_pence IS NULL OR annual_income_pence >= 0",
                        name="income_not_negative"),
        CheckConstraint("paid_staff IS NULL OR paid_staff >= 0", name="staff_not_negative"),
        CheckConstraint("volunteers IS NULL OR volunteers >= 0", name="volunteers_not_negative"),
        # The officers' list sorts by name whatever its case.
        Index("ix_organisations_lower_name", text("lower(name)")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    legal_name: Mapped[str | None] = mapped_column(String(200))
    legal_form: Mapped[LegalForm | None] = mapped_column(enum_type(LegalForm))
    charity_number: Mapped[str | None] = mapped_column(String(12))
    company_number: Mapped[str | None] = mapped_column(String(8))
    address_line_1: Mapped[str | None] = mapped_column(String(200))
    address_line_2: Mapped[str | None] = mapped_column(String(200))
    town: Mapped[str | None] = mapped_column(String(100))
    postcode: Mapped[str | None] = mapped_column(String(8))
    annual_income_pence: Mapped[int | None] = mapped_column(BigInteger)
    paid_staff: Mapped[int | None]
    volunteers: Mapped[int | None]
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    has_safeguarding_policy: Mapped[bool | None]
    safeguarding_review_date: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )
    wards: Mapped[list[Ward]] = relationship(secondary=organisation_wards, order_by=Ward.name)

    def __repr__(self) -> str:
        return f"<Organisation {self.id}>"


class Membership(db.Model):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("organisation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[OrganisationRole] = mapped_column(enum_type(OrganisationRole))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()


class OrganisationInvitation(db.Model):
    """An organisation admin's emailed invitation for someone to join the organisation."""

    __tablename__ = "organisation_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254), index=True)
    role: Mapped[OrganisationRole] = mapped_column(enum_type(OrganisationRole))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    invited_by: Mapped[User] = relationship()
