"""People who sign in, their roles, and the single-use tokens emailed to them."""

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import db, utcnow
from models.enums import STAFF_ROLES, Role, TokenPurpose
from models.types import UTCDateTime, enum_type

if TYPE_CHECKING:
    from models.funding import FundingPartner


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Staff sign in with a code from an authenticator app as well as their password.
    totp_secret: Mapped[str | None] = mapped_column(String(32))
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The time step of the last code accepted, so that a code cannot be used twice.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    # Wrong codes in a row, and until when codes are refused after too many: a cap per account,
    # whatever addresses the guesses come from.
    wrong_codes: Mapped[int] = mapped_column(default=0)
    codes_refused_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The funding partner a partner's member of staff works for (Role.FUNDING_PARTNER).
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("funding_partners.id"),
                                                   index=True)

    # The key of the sign-in session this copy was loaded for (see SignInSession); not stored.
    session_key = None

    partner: Mapped["FundingPartner | None"] = relationship()
    role_grants: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(grant.role for grant in self.role_grants)

    def has_role(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)

    @property
    def is_staff(self) -> bool:
        return self.has_role(*STAFF_ROLES)

    @property
    def uses_authenticator(self) -> bool:
        """Council staff and partners' staff sign in with an authenticator app's code too."""
        return self.is_staff or self.has_role(Role.FUNDING_PARTNER)

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and remember cookies: the user and the key of
        their sign-in session, so that ending that session on the server signs the cookies out."""
        return f"{self.id}:{self.session_key}"

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(enum_type(Role))

    user: Mapped[User] = relationship(back_populates="role_grants")


class AccountToken(db.Model):
    """A single-use, time-limited link sent by email. Only the token's hash is stored."""

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(enum_type(TokenPurpose))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()


class StaffInvitation(db.Model):
    """An admin's emailed invitation: the only way a staff account comes to exist."""

    __tablename__ = "staff_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(db.JSON)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # For a funding partner's member of staff: the partner they work for.
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("funding_partners.id"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    invited_by: Mapped[User] = relationship()
    partner: Mapped["FundingPartner | None"] = relationship()

    @property
    def role_list(self) -> list[Role]:
        return [Role(value) for value in self.roles]


class SignInSession(db.Model):
    """One signed-in browser. Its key is in the browser's cookies and only its hash is kept
    here: ending the row signs that browser out, even if its cookies were copied."""

    __tablename__ = "sign_in_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
