"""Demo grants: organisation profiles and contacts, the Community Plus Grants scheme, the
closed 2024/25 round full of submitted applications, and a round open on the day of loading,
in that day's financial year, with some drafts. Idempotent: each part is created only when it
is missing."""

import random
import re
import tomllib
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import func, select

from models import (
    Application,
    CostLine,
    Locality,
    Membership,
    Organisation,
    OtherFunding,
    PublicFunding,
    Round,
    Scheme,
    StatusChange,
    Theme,
    User,
    UserRole,
)
from models.base import utcnow
from models.enums import (
    ApplicationStatus,
    FundingStatus,
    LegalForm,
    OrganisationRole,
    Role,
    RoundStatus,
    SectionStatus,
)
from portal.applications.sections import SECTION_KEYS
from portal.dates import london_to_utc, to_london
from portal.demo.assessment import load_assessment
from portal.extensions import db
from portal.financial_years import FinancialYear
from portal.schemes.services import criterion_rows, default_criteria

DATA_FILE = Path(__file__).with_name("community_plus.toml")
COMPLETED = {key: SectionStatus.COMPLETED.value for key in SECTION_KEYS}
# Registered charity and company numbers this high have not been issued, so the demo's
# numbers cannot belong to a real organisation.
FICTIONAL_CHARITY_BASE, FICTIONAL_COMPANY_BASE = 1_990_000, 19_900_000


def load_grants(password_hash: str, now: datetime) -> dict[str, int]:
    data = tomllib.loads(DATA_FILE.read_text())
    rng = random.Random(2425)  # noqa: S311 (the same demo world every time, not a secret)
    contacts = _load_profiles_and_contacts(rng, password_hash)
    scheme = _load_scheme(data["scheme"])
    closed = _load_round(scheme, data["closed_round"], data["required_documents"],
                         *_fixed_times(data["closed_round"]), one_per_organisation=False)
    present = _present_round(data["open_round"], data["closed_round"], now)
    open_ = _load_round(scheme, present, data["required_documents"],
                        *_times_around(present, now))
    added = 0
    if not _count(closed):
        organisations = list(db.session.scalars(select(Organisation).order_by(Organisation.id)))
        added += _load_applications(closed, data, rng, submitted=True, organisations=[
            organisations[(number * 7) % len(organisations)]
            for number in range(data["closed_round"]["applications"])])
    if not _count(open_):
        added += _load_applications(open_, data, rng, submitted=False, organisations=[
            db.session.scalar(select(Organisation).where(Organisation.name == name))
            for name in data["open_round"]["draft_organisations"]])
    return {"contacts": contacts, "applications": added, "decisions": load_assessment(closed)}


def _count(round_: Round) -> int:
    return db.session.scalar(select(func.count(Application.id))
                             .where(Application.round_id == round_.id))


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _load_profiles_and_contacts(rng: random.Random, password_hash: str) -> int:
    """Give every demo organisation a full profile and, if it has nobody, an organisation admin
    (password: the demo password; email: <organisation>@demo.example.org)."""
    localities = list(db.session.scalars(select(Locality).order_by(Locality.name)))
    forms = list(LegalForm)
    added = 0
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.id))
    for index, organisation in enumerate(organisations):
        if organisation.legal_form is None:
            _fill_profile(organisation, index, forms[index % len(forms)],
                          localities[index % len(localities)], rng)
        if not organisation.memberships:
            user = User(email=f"{_slug(organisation.name)}@demo.example.org",
                        full_name=f"{organisation.name} contact", password_hash=password_hash,
                        email_verified_at=utcnow(),
                        role_grants=[UserRole(role=Role.APPLICANT)])
            organisation.memberships.append(Membership(user=user, role=OrganisationRole.ADMIN))
            added += 1
    db.session.flush()
    return added


def _fill_profile(organisation: Organisation, index: int, legal_form: LegalForm,
                  locality: Locality, rng: random.Random) -> None:
    organisation.legal_name = f"{organisation.name} Limited" if legal_form in {
        LegalForm.CIC, LegalForm.COMPANY_LIMITED_BY_GUARANTEE} else organisation.name
    organisation.legal_form = legal_form
    if legal_form in {LegalForm.CHARITY, LegalForm.CIO}:
        organisation.charity_number = str(FICTIONAL_CHARITY_BASE + index)
    if legal_form in {LegalForm.CIC, LegalForm.COMPANY_LIMITED_BY_GUARANTEE,
                      LegalForm.COMMUNITY_BENEFIT_SOCIETY}:
        organisation.company_number = str(FICTIONAL_COMPANY_BASE + index)
    organisation.address_line_1 = f"{rng.randint(1, 120)} {rng.choice(STREETS)}"
    organisation.town = locality.name.split(" and ")[0].replace("Kirklees Rural", "Holmfirth")
    organisation.postcode = f"HD{rng.randint(1, 9)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}" \
                            f"{rng.choice('LNPQRSTUWXY')}"
    organisation.annual_income_pence = rng.randrange(8_000, 240_000, 500) * 100
    organisation.paid_staff = rng.randint(0, 6)
    organisation.volunteers = rng.randint(4, 60)
    organisation.wards = rng.sample(locality.wards, k=min(len(locality.wards), rng.randint(1, 3)))
    organisation.contact_name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    organisation.contact_email = f"hello@{_slug(organisation.name)}.example.org"
    organisation.has_safeguarding_policy = True
    organisation.safeguarding_review_date = date(2024, rng.randint(1, 3), rng.randint(1, 28))
    organisation.updated_at = utcnow()


STREETS = ["Market Street", "Chapel Lane", "Station Road", "Mill Street", "Church Walk",
           "Victoria Road", "Bradford Road", "Westgate", "New Street", "Wakefield Road"]
FIRST_NAMES = ["Amira", "Ben", "Chloe", "Dev", "Elaine", "Farhan", "Grace", "Harpreet",
               "Imran", "Joan", "Kasia", "Liam", "Maryam", "Neil", "Olu", "Priti"]
LAST_NAMES = ["Ahmed", "Brook", "Clarke", "Dobson", "Evans", "Haigh", "Iqbal", "Kaur",
              "Lodge", "Mistry", "Shaw", "Taylor", "Walker", "Yates"]


def _load_scheme(spec: dict) -> Scheme:
    scheme = db.session.scalar(select(Scheme).where(Scheme.name == spec["name"]))
    if scheme is None:
        scheme = Scheme(name=spec["name"], reference_prefix=spec["reference_prefix"],
                        description=spec["description"],
                        themes=[Theme(name=name) for name in spec["themes"]])
        db.session.add(scheme)
        db.session.flush()
    return scheme


def _fixed_times(spec: dict) -> tuple[datetime, datetime]:
    opens, closes = (datetime.fromisoformat(spec[key]) for key in ("opens", "closes"))
    return london_to_utc(opens.date(), opens.time()), london_to_utc(closes.date(), closes.time())


def _present_round(spec: dict, closed: dict, now: datetime) -> dict:
    """The open round's settings, named for the financial year of `now`."""
    year = FinancialYear.containing(now).label
    number = 2 if year == closed["financial_year"] else 1
    return {**spec, "name": spec["name"].format(year=year, number=number),
            "financial_year": year}


def _times_around(spec: dict, now: datetime) -> tuple[datetime, datetime]:
    today = to_london(now).date()
    return (london_to_utc(today - timedelta(days=spec["open_days_ago"]), time(9)),
            london_to_utc(today + timedelta(days=spec["closes_in_days"]), time(17)))


def _load_round(scheme: Scheme, spec: dict, documents: list[str], opens_at: datetime,
                closes_at: datetime, one_per_organisation: bool = True) -> Round:
    round_ = db.session.scalar(select(Round).where(Round.name == spec["name"]))
    if round_ is None:
        round_ = Round(
            scheme=scheme, name=spec["name"], financial_year=spec["financial_year"],
            opens_at=opens_at, closes_at=closes_at, budget_pence=spec["budget_pounds"] * 100,
            min_award_pence=spec["min_award_pounds"] * 100,
            max_award_pence=spec["max_award_pounds"] * 100,
            max_project_months=spec["max_project_months"],
            eligible_legal_forms=[form.value for form in LegalForm],
            max_annual_income_pence=spec["max_income_pounds"] * 100, any_ward=True,
            guidance=spec["guidance"], required_documents=documents,
            one_application_per_organisation=one_per_organisation,
            status=RoundStatus.PUBLISHED, themes=list(scheme.themes),
            criteria=criterion_rows(default_criteria()))
        db.session.add(round_)
        db.session.flush()
    return round_


def _load_applications(round_: Round, data: dict, rng: random.Random, submitted: bool,
                       organisations: list[Organisation]) -> int:
    from portal.applications.services import take_reference
    from portal.organisations.services import profile_snapshot

    themes = {theme.name: theme for theme in round_.themes}
    year = FinancialYear.parse(round_.financial_year)
    for number, organisation in enumerate(organisations):
        idea = data["projects"][number % len(data["projects"])]
        application = _demo_application(round_, organisation, idea, themes, year, rng)
        if submitted:
            application.status = ApplicationStatus.SUBMITTED
            application.sections = dict(COMPLETED)
            application.submitted_at = round_.opens_at + (round_.closes_at - round_.opens_at) \
                * rng.random()
            application.submitted_by = application.created_by
            application.status_changes.append(StatusChange(
                from_status=ApplicationStatus.DRAFT, to_status=ApplicationStatus.SUBMITTED,
                at=application.submitted_at, by=application.created_by))
            application.organisation_snapshot = profile_snapshot(organisation)
            db.session.add(application)
            db.session.flush()
            application.reference = take_reference(round_)
        else:
            application.sections = {key: SectionStatus.COMPLETED.value
                                    for key in SECTION_KEYS[: number % 4 + 1]}
            db.session.add(application)
    db.session.flush()
    return len(organisations)


def _demo_application(round_: Round, organisation: Organisation, idea: dict,
                      themes: dict[str, Theme], year: FinancialYear,
                      rng: random.Random) -> Application:
    costs = [CostLine(description=item, amount_pence=rng.randrange(300, 2_500, 50) * 100)
             for item in idea["costs"]]
    total = sum(line.amount_pence for line in costs)
    requested = min(total, round_.max_award_pence)
    start = year.starts_on + timedelta(days=rng.randint(90, 150))
    application = Application(
        round=round_, organisation=organisation,
        created_by=organisation.memberships[0].user, created_at=round_.opens_at,
        title=idea["title"], summary=idea["summary"],
        description=f"{idea['summary']} {organisation.name} has run activities in the area "
                    f"for {rng.randint(2, 25)} years and will use volunteers and local "
                    "partners to reach people who need it most.",
        start_date=start, end_date=start + timedelta(days=rng.choice([180, 270, 360])),
        beneficiaries=rng.randint(20, 400),
        beneficiary_description="Local residents, including older people, families on low "
                                "incomes and people who are new to the area.",
        amount_requested_pence=requested, cost_lines=costs,
        has_conflict_of_interest=False, safeguarding_confirmed=True,
        data_protection_confirmed=True,
        wards=list(organisation.wards), themes=[themes[idea["theme"]]])
    if rng.random() < 0.4:
        application.other_funding.append(OtherFunding(
            source="Local community foundation", amount_pence=rng.randrange(200, 1_500, 50) * 100,
            status=rng.choice(list(FundingStatus))))
    if rng.random() < 0.3:
        application.public_funding.append(PublicFunding(
            funder="Town council", purpose="Running costs", financial_year=year.previous().label,
            amount_pence=rng.randrange(500, 5_000, 100) * 100))
    return application
