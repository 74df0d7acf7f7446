"""A small world to apply in: an applicant who is organisation admin of an organisation with a
complete profile, and a round open now with wards and themes."""

from dataclasses import dataclass
from datetime import date, timedelta

from models import Application, CostLine, Locality, Organisation, Round, Scheme, Theme, User, Ward
from models.base import db, utcnow
from models.enums import LegalForm, OrganisationRole, SectionStatus
from portal.applications.sections import SECTION_KEYS
from portal.dates import to_london
from tests.factories import (
    ApplicationFactory,
    MembershipFactory,
    OrganisationFactory,
    RoundFactory,
    SchemeFactory,
    ThemeFactory,
)

COMPLETE_PROFILE = {
    "legal_name": "Good Neighbours of the Valley CIO",
    "legal_form": LegalForm.CIO,
    "charity_number": "1234567",
    "address_line_1": "1 Chapel Street",
    "town": "Huddersfield",
    "postcode": "HD1 2AB",
    "annual_income_pence": 40_000_00,
    "paid_staff": 2,
    "volunteers": 12,
    "contact_name": "Sam Volunteer",
    "contact_email": "sam@example.org",
    "has_safeguarding_policy": True,
    "safeguarding_review_date": date(2024, 9, 1),
}


@dataclass
class World:
    applicant: User
    organisation: Organisation
    scheme: Scheme
    round: Round
    wards: list[Ward]
    themes: list[Theme]

    def application(self, **answers) -> Application:
        return ApplicationFactory(**{"round": self.round, "organisation": self.organisation,
                                     "created_by": self.applicant, "sections": {}, **answers})


def wards(*names: str) -> list[Ward]:
    locality = Locality(name=f"Locality of {names[0]}")
    rows = [Ward(name=name, locality=locality) for name in names]
    db.session.add_all(rows)
    db.session.commit()
    return rows


def make_world(**round_settings) -> World:
    """`round_settings` change the round (see RoundFactory); the scheme's prefix is CPG."""
    places = wards("Dalton", "Golcar", "Lindley")
    scheme = SchemeFactory(name="Community Plus Grants", reference_prefix="CPG")
    themes = [ThemeFactory(scheme=scheme, name=name)
              for name in ("Health and wellbeing", "Reducing social isolation")]
    organisation = OrganisationFactory(name="Good Neighbours", wards=[places[0]],
                                       **COMPLETE_PROFILE)
    membership = MembershipFactory(organisation=organisation, role=OrganisationRole.ADMIN)
    round_ = RoundFactory(scheme=scheme, name="Spring 2025", themes=themes,
                          **round_settings)
    return World(membership.user, organisation, scheme, round_, places, themes)


def another_member(world: World, role=OrganisationRole.MEMBER) -> User:
    return MembershipFactory(organisation=world.organisation, role=role).user


def project_dates(round_: Round) -> tuple[date, date]:
    """A start a month after the round closes and an end six months later: always valid."""
    start = to_london(round_.closes_at).date() + timedelta(days=30)
    return start, start + timedelta(days=180)


def complete(application: Application) -> Application:
    """Fill in every answer and mark every section completed (documents included)."""
    start, end = project_dates(application.round)
    application.title = "Warm welcome lunch club"
    application.summary = "A weekly lunch club for older people living alone."
    application.description = "We will run a lunch club every Wednesday in the chapel hall."
    application.start_date, application.end_date = start, end
    application.beneficiaries = 40
    application.beneficiary_description = "Older people living alone in the valley"
    application.wards = [application.organisation.wards[0]]
    application.themes = (application.round.themes or application.round.scheme.themes)[:1]
    application.cost_lines = [CostLine(description="Hall hire", amount_pence=1_200_00),
                              CostLine(description="Food", amount_pence=2_000_00)]
    application.amount_requested_pence = 3_000_00
    application.has_conflict_of_interest = False
    application.safeguarding_confirmed = True
    application.data_protection_confirmed = True
    application.sections = {key: SectionStatus.COMPLETED.value for key in SECTION_KEYS}
    db.session.commit()
    return application


def fresh(instance):
    """The row as the database has it now (the requests under test commit in their own
    sessions)."""
    db.session.expire_all()
    return db.session.get(type(instance), instance.id)


def now_plus(**delta):
    return utcnow() + timedelta(**delta)


def date_boxes(day: date) -> list[str]:
    """What a GOV.UK date input sends: the day, month and year boxes under one name."""
    return [str(day.day), str(day.month), str(day.year)]
