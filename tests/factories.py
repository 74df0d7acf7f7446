"""factory-boy factories. Rows are committed, because the app under test reads them through its
own session in each request."""

from datetime import date, timedelta

import factory
import pyotp
from argon2 import PasswordHasher
from factory.alchemy import SQLAlchemyModelFactory

from models import (
    Application,
    Assignment,
    AuditEvent,
    Award,
    Contract,
    CriterionScore,
    Decision,
    FundingPartner,
    FundingPot,
    Membership,
    Organisation,
    Programme,
    Round,
    Scheme,
    Scoresheet,
    ScoringCriterion,
    Theme,
    User,
    UserRole,
)
from models.base import db, utcnow
from models.enums import (
    STAFF_ROLES,
    ApplicationStatus,
    AwardStatus,
    ContractLot,
    DecisionAuthority,
    DecisionOutcome,
    FundingSource,
    LegalForm,
    OrganisationRole,
    Role,
    RoundStatus,
    ScoreScale,
    ScoresheetStatus,
)

PASSWORD = "correct horse battery staple"
PASSWORD_HASH = PasswordHasher(time_cost=1).hash(PASSWORD)
# Staff made by UserFactory have an authenticator app set up with this key.
AUTHENTICATOR_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def authenticator_code(user: User) -> str:
    """The code the person's authenticator app shows now."""
    return pyotp.TOTP(user.totp_secret).now()


def _is_staff(params) -> bool:
    """Whether the person signs in with an authenticator app (User.uses_authenticator)."""
    return not set(params.roles).isdisjoint((*STAFF_ROLES, Role.FUNDING_PARTNER))


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


class SchemeFactory(BaseFactory):
    class Meta:
        model = Scheme

    name = factory.Sequence(lambda n: f"Community Grants {n}")
    description = "Small grants for voluntary and community groups."
    # Capital letters only, as the scheme form requires: digits 0-9 spelt A-J (GAAAB, ...).
    reference_prefix = factory.Sequence(
        lambda n: "G" + "".join(chr(ord("A") + int(digit)) for digit in f"{n:04d}"))


class ThemeFactory(BaseFactory):
    class Meta:
        model = Theme

    scheme = factory.SubFactory(SchemeFactory)
    name = factory.Sequence(lambda n: f"Theme {n}")


class RoundFactory(BaseFactory):
    """A published round that is open now, for any legal form and ward."""

    class Meta:
        model = Round

    scheme = factory.SubFactory(SchemeFactory)
    name = factory.Sequence(lambda n: f"Round {n}")
    financial_year = "2024/25"
    opens_at = factory.LazyFunction(lambda: utcnow() - timedelta(days=7))
    closes_at = factory.LazyFunction(lambda: utcnow() + timedelta(days=30))
    budget_pence = 100_000_00
    min_award_pence = 500_00
    max_award_pence = 5_000_00
    max_project_months = 12
    eligible_legal_forms = factory.LazyFunction(lambda: [form.value for form in LegalForm])
    max_annual_income_pence = 250_000_00
    any_ward = True
    guidance = "Read the guidance before you apply."
    required_documents = factory.LazyFunction(
        lambda: ["Governing document", "Latest accounts", "Bank statement"])
    status = RoundStatus.PUBLISHED

    class Params:
        # Closed an hour ago: a competitive round takes decisions and offers only then.
        closed = factory.Trait(
            opens_at=factory.LazyFunction(lambda: utcnow() - timedelta(days=37)),
            closes_at=factory.LazyFunction(lambda: utcnow() - timedelta(hours=1)))


class ApplicationFactory(BaseFactory):
    """A draft application by an organisation admin."""

    class Meta:
        model = Application

    round = factory.SubFactory(RoundFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    created_by = factory.SubFactory(UserFactory)
    status = ApplicationStatus.DRAFT


# The default Community Plus criteria (name, weight), all scored 0 to 3.
COMMUNITY_PLUS_CRITERIA = [
    ("Need is shown", 25), ("The project is clear", 15),
    ("Well costed and value for money", 20), ("The group can deliver", 20),
    ("Sustainable", 10), ("Partnerships and referrals", 10),
]


class ScoringCriterionFactory(BaseFactory):
    class Meta:
        model = ScoringCriterion

    round = factory.SubFactory(RoundFactory)
    position = factory.Sequence(lambda n: n)
    name = factory.Sequence(lambda n: f"Criterion {n}")
    guidance = "What a good answer shows."
    weight_percent = 20
    scale = ScoreScale.ZERO_TO_THREE
    minimum_score = None


def community_plus_criteria(round_: Round) -> list[ScoringCriterion]:
    """The six default Community Plus criteria on `round_`, weighted to 100%."""
    return [ScoringCriterionFactory(round=round_, position=position, name=name,
                                    weight_percent=weight)
            for position, (name, weight) in enumerate(COMMUNITY_PLUS_CRITERIA)]


class AssignmentFactory(BaseFactory):
    """An assessor assigned to an application (which is being assessed), not yet declared."""

    class Meta:
        model = Assignment

    application = factory.SubFactory(ApplicationFactory,
                                      status=ApplicationStatus.UNDER_ASSESSMENT)
    assessor = factory.SubFactory(UserFactory, roles=(Role.ASSESSOR,))
    assigned_by = factory.SubFactory(UserFactory, roles=(Role.GRANTS_OFFICER,))
    declaration = None


class ScoresheetFactory(BaseFactory):
    class Meta:
        model = Scoresheet

    assignment = factory.SubFactory(AssignmentFactory)
    version = 1
    status = ScoresheetStatus.DRAFT


class CriterionScoreFactory(BaseFactory):
    class Meta:
        model = CriterionScore

    scoresheet = factory.SubFactory(ScoresheetFactory)
    criterion = factory.SubFactory(ScoringCriterionFactory)
    score = 2
    justification = "Shown clearly in the answers."


class FundingPartnerFactory(BaseFactory):
    """A partner body that funds pots: an integrated care board."""

    class Meta:
        model = FundingPartner

    name = factory.Sequence(lambda n: f"Example Integrated Care Board {n}")
    org_id = factory.Sequence(lambda n: f"GB-EXAMPLE-P{n:04d}")
    acknowledgement = factory.LazyAttribute(lambda partner: f"Funded in part by {partner.name}.")


class FundingPotFactory(BaseFactory):
    """An open, unrestricted external pot for 2024/25, with no budget yet: give it one with
    portal.funding.ledger.post (budgets are ledger entries; only the ledger writes a pot's
    stored figures)."""

    class Meta:
        model = FundingPot

    name = factory.Sequence(lambda n: f"Partnership pot {n}")
    financial_year = "2024/25"
    source = FundingSource.EXTERNAL
    funder_name = "West Yorkshire Health Partnership"
    funder_org_id = "GB-EXAMPLE-0001"
    acknowledgement = "Funded by the West Yorkshire Health Partnership."


class DecisionFactory(BaseFactory):
    """A panel's approval of an application for £2,000."""

    class Meta:
        model = Decision

    application = factory.SubFactory(ApplicationFactory, status=ApplicationStatus.APPROVED)
    outcome = DecisionOutcome.APPROVED
    amount_pence = 2_000_00
    authority = DecisionAuthority.PANEL
    decided_on = factory.LazyFunction(lambda: utcnow().date())
    recorded_by = factory.SubFactory(UserFactory, roles=(Role.GRANTS_OFFICER,))


class AwardFactory(BaseFactory):
    """An award offered from an approval, with no allocations: make real offers, whose money
    is committed in the ledger, through portal.awards.services."""

    class Meta:
        model = Award

    decision = factory.SubFactory(DecisionFactory)
    application = factory.SelfAttribute("decision.application")
    reference = factory.Sequence(lambda n: f"AWD-{n:04d}")
    amount_pence = factory.SelfAttribute("decision.amount_pence")
    status = AwardStatus.OFFERED
    offered_by = factory.SelfAttribute("decision.recorded_by")
    accept_by = factory.LazyFunction(lambda: utcnow().date() + timedelta(days=28))


class ProgrammeFactory(BaseFactory):
    class Meta:
        model = Programme

    code = factory.Sequence(lambda n: f"PRG{n}")
    name = factory.Sequence(lambda n: f"Community Anchors {n}")


class ContractFactory(BaseFactory):
    """A draft local anchor contract for 2024/25 to 2026/27, with no years planned yet."""

    class Meta:
        model = Contract

    programme = factory.SubFactory(ProgrammeFactory)
    reference = factory.Sequence(lambda n: f"CA-{n:04d}")
    title = factory.Sequence(lambda n: f"Local anchor {n}")
    provider = factory.SubFactory(OrganisationFactory)
    lot = ContractLot.LOCAL_ANCHOR
    starts_on = date(2024, 4, 1)
    ends_on = date(2027, 3, 31)
    created_by = factory.SubFactory(UserFactory, roles=(Role.COMMISSIONER,))
