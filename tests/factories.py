"""factory-boy factories. Rows are committed, because the app under test reads them through its
own session in each request."""

import factory
from argon2 import PasswordHasher
from factory.alchemy import SQLAlchemyModelFactory

from models import AuditEvent, Membership, Organisation, User, UserRole
from models.base import db, utcnow
from models.enums import OrganisationRole, Role

PASSWORD = "correct horse battery staple"
PASSWORD_HASH = PasswordHasher(time_cost=1).hash(PASSWORD)


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
