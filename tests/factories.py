"""factory-boy factories. Rows are committed, because the app under test reads them through its
own session in each request."""

import factory
import pyotp
from argon2 import PasswordHasher
from factory.alchemy import SQLAlchemyModelFactory

from models import AuditEvent, Membership, Organisation, User, UserRole
from models.base import db, utcnow
from models.enums import STAFF_ROLES, OrganisationRole, Role

PASSWORD = "correct horse battery staple"
PASSWORD_HASH = PasswordHasher(time_cost=1).hash(PASSWORD)
# Staff made by UserFactory have an authenticator app set up with this key.
AUTHENTICATOR_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def authenticator_code(user: User) -> str:
    """The code the person's authenticator app shows now."""
    return pyotp.TOTP(user.totp_secret).now()


def _is_staff(params) -> bool:
    return not set(params.roles).isdisjoint(STAFF_ROLES)


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class UserFactory(BaseFactory):
    class Meta:
        model = User

    class Params:
        roles = (Role.APPLICANT,)

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    password_hash = PASSWORD_HASH
    email_verified_at = factory.LazyFunction(utcnow)
    role_grants = factory.LazyAttribute(lambda o: [UserRole(role=role) for role in o.roles])
    totp_secret = factory.LazyAttribute(lambda o: AUTHENTICATOR_SECRET if _is_staff(o) else None)
    totp_confirmed_at = factory.LazyAttribute(lambda o: utcnow() if _is_staff(o) else None)


class OrganisationFactory(BaseFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Community Group {n}")


class MembershipFactory(BaseFactory):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    role = OrganisationRole.MEMBER


class AuditEventFactory(BaseFactory):
    class Meta:
        model = AuditEvent

    action = "sign_in"
    actor = factory.SubFactory(UserFactory)
    details = factory.LazyFunction(dict)
    created_at = factory.LazyFunction(utcnow)
