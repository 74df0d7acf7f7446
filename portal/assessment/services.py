"""Grants officers' view of the applications that have come in: the filtered list, its exports
and one application in full. Drafts stay private to the organisation until they are submitted."""

from collections import Counter, defaultdict
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from models import Application, CostLine, Document, Organisation, Round, Theme, User, Ward
from models.enums import ApplicationStatus, LegalForm
from portal import policies
from portal.dates import format_date, to_london
from portal.exceptions import NotFound
from portal.extensions import db
from portal.money import format_pounds
from portal.organisations import services as organisation_services

PER_PAGE = 25


@dataclass(frozen=True)
class AmountBand:
    """Amounts above `above_pence` and up to and including `up_to_pence` (None: no limit)."""

    label: str
    above_pence: int | None
    up_to_pence: int | None


AMOUNT_BANDS = {
    "up-to-1000": AmountBand("Up to £1,000", None, 1_000_00),
    "1000-2500": AmountBand("Over £1,000 and up to £2,500", 1_000_00, 2_500_00),
    "2500-5000": AmountBand("Over £2,500 and up to £5,000", 2_500_00, 5_000_00),
    "over-5000": AmountBand("Over £5,000", 5_000_00, None),
}

# The only orders a request can ask for: a key picks a column, never SQL from the request.
SORTS: dict[str, tuple[str, Any]] = {
    "submitted": ("Date submitted", Application.submitted_at),
    "amount": ("Amount requested", Application.amount_requested_pence),
    "reference": ("Reference", Application.reference),
    "organisation": ("Organisation", func.lower(Organisation.name)),
}

# Later issues add statuses (under assessment, approved...): officers see all but drafts.
OFFICER_STATUSES = [status for status in ApplicationStatus if status is not ApplicationStatus.DRAFT]


@dataclass(frozen=True)
class ApplicationFilters:
    """What the officer asked for. Unknown values mean "no filter", never an error."""

    q: str = ""
    round: int | None = None
    status: str = ""
    ward: int | None = None
    theme: int | None = None
    amount: str = ""
    organisation: str = ""
    sort: str = "submitted"
    order: str = "desc"


@dataclass(frozen=True)
class ApplicationList:
    pagination: Pagination
    count: int
    total_requested_pence: int


def filter_choices() -> dict[str, list[tuple[str, str]]]:
    """The options of the filter form's selects, as (value, label)."""
    rounds = db.session.scalars(select(Round).options(joinedload(Round.scheme))
                                .order_by(Round.opens_at.desc(), Round.id.desc()))
    themes = list(db.session.scalars(select(Theme).options(joinedload(Theme.scheme))
                                     .order_by(Theme.name, Theme.id)))
    repeated = {name for name, times in Counter(t.name for t in themes).items() if times > 1}
    return {
        "round": [(str(r.id), f"{r.scheme.name}: {r.name}") for r in rounds],
        "status": [(status.value, status.label) for status in OFFICER_STATUSES],
        "ward": [(str(w.id), w.name) for w in db.session.scalars(select(Ward).order_by(Ward.name))],
        # Themes belong to schemes; a name two schemes share says which scheme it is.
        "theme": [(str(t.id), f"{t.name} ({t.scheme.name})" if t.name in repeated else t.name)
                  for t in themes],
        "amount": [(key, band.label) for key, band in AMOUNT_BANDS.items()],
        "sort": [(key, label) for key, (label, _) in SORTS.items()],
    }


def _contains(column, text: str) -> ColumnElement[bool]:
    """Case-insensitive substring match; % and _ typed by the officer match themselves."""
    return func.lower(column).contains(text.lower(), autoescape=True)


def _matching(filters: ApplicationFilters) -> Select:
    """Applications that are not drafts and pass every filter, joined to their organisation."""
    query = (select(Application).join(Application.organisation)
             .where(Application.status != ApplicationStatus.DRAFT))
    if filters.round:
        query = query.where(Application.round_id == filters.round)
    if filters.status in {status.value for status in OFFICER_STATUSES}:
        query = query.where(Application.status == ApplicationStatus(filters.status))
    if filters.ward:
        query = query.where(Application.wards.any(Ward.id == filters.ward))
    if filters.theme:
        query = query.where(Application.themes.any(Theme.id == filters.theme))
    if band := AMOUNT_BANDS.get(filters.amount):
        if band.above_pence is not None:
            query = query.where(Application.amount_requested_pence > band.above_pence)
        if band.up_to_pence is not None:
            query = query.where(Application.amount_requested_pence <= band.up_to_pence)
    if filters.organisation.strip():
        query = query.where(_contains(Organisation.name, filters.organisation.strip()))
    if search := filters.q.strip():
        query = query.where(or_(_contains(Application.reference, search),
                                _contains(Organisation.name, search),
                                _contains(Application.title, search)))
    return query


def _ordered(query: Select, filters: ApplicationFilters) -> Select:
    _, column = SORTS.get(filters.sort, SORTS["submitted"])
    direction = column.asc() if filters.order == "asc" else column.desc()
    # Nulls last either way, and the id breaks ties so that pages never overlap.
    tiebreak = Application.id.asc() if filters.order == "asc" else Application.id.desc()
    return query.order_by(direction.nulls_last(), tiebreak)


def applications_page(officer: User, filters: ApplicationFilters, page: int) -> ApplicationList:
    """One page of matching applications with the count and total requested of all of them."""
    policies.require(policies.can_view_submitted_applications(officer))
    query = _matching(filters)
    count, total = db.session.execute(query.with_only_columns(
        func.count(Application.id),
        func.coalesce(func.sum(Application.amount_requested_pence), 0))).one()
    items = _ordered(query, filters).options(joinedload(Application.organisation),
                                             joinedload(Application.round))
    # The count came with the total above, so the pagination need not count again.
    pagination = db.paginate(items, page=page, per_page=PER_PAGE, error_out=False, count=False)
    pagination.total = count
    return ApplicationList(pagination, count, total)


EXPORT_HEADINGS = ["Reference", "Organisation", "Legal name", "Title", "Round", "Financial year",
                   "Amount requested", "Total cost", "Wards", "Themes", "Submitted at",
                   "Status"]
MONEY_COLUMNS = {"Amount requested", "Total cost"}


def _pounds(pence: int | None) -> Decimal | None:
    """125050 -> Decimal('1250.50'): exact, with two decimals, for spreadsheets."""
    return None if pence is None else Decimal(pence).scaleb(-2)


def export_rows(officer: User, filters: ApplicationFilters) -> list[list[Any]]:
    """Every matching application (not only one page) in the list's order, one row each, with
    money in pounds and times in UK time. Plain columns rather than model objects keep
    thousands of rows quick, and three queries serve any number of them."""
    policies.require(policies.can_view_submitted_applications(officer))
    matching = _matching(filters)
    total_cost = (select(func.sum(CostLine.amount_pence))
                  .where(CostLine.application_id == Application.id).scalar_subquery())
    rows = db.session.execute(_ordered(matching, filters).join(Application.round)
                              .with_only_columns(
        Application.id, Application.reference, Organisation.name, Organisation.legal_name,
        Application.title, Round.name, Round.financial_year, Application.amount_requested_pence,
        total_cost, Application.submitted_at, Application.status))
    ids = matching.with_only_columns(Application.id)
    wards = _names_by_application(Application.wards, Ward.name, ids)
    themes = _names_by_application(Application.themes, Theme.name, ids)
    return [[reference, organisation, legal_name, title, round_name, financial_year,
             _pounds(requested), _pounds(cost), ", ".join(wards[id_]), ", ".join(themes[id_]),
             to_london(submitted) if submitted else None, status.label]
            for (id_, reference, organisation, legal_name, title, round_name, financial_year,
                 requested, cost, submitted, status) in rows]


def _names_by_application(relationship, name, ids: Select) -> defaultdict[int, list[str]]:
    """The names of the wards (or themes) of the applications `ids` selects, by application,
    in alphabetical order, in one query."""
    names = defaultdict(list)
    query = (select(Application.id, name).join(relationship).where(Application.id.in_(ids))
             .order_by(name))
    for application_id, text in db.session.execute(query):
        names[application_id].append(text)
    return names


def application_for_officer(officer: User, application_id: int) -> Application:
    """One application in full. A draft is the organisation's own business until it is sent,
    so for officers it does not exist (NotFound, shown as 404), like an unknown id."""
    policies.require(policies.can_view_submitted_applications(officer))
    application = db.session.scalar(
        select(Application).where(Application.id == application_id,
                                  Application.status != ApplicationStatus.DRAFT)
        .options(joinedload(Application.organisation).selectinload(Organisation.wards),
                 joinedload(Application.round).joinedload(Round.scheme),
                 selectinload(Application.wards), selectinload(Application.themes),
                 selectinload(Application.cost_lines), selectinload(Application.other_funding),
                 selectinload(Application.public_funding)))
    if application is None:
        raise NotFound(application_id)
    return application


def documents_of(application: Application) -> list[Document]:
    return list(db.session.scalars(select(Document)
                                   .where(Document.application_id == application.id)
                                   .order_by(Document.requirement, Document.id)))


# How each detail of the organisation's profile (organisations.services.profile_snapshot) is
# labelled, in the order a reader expects them.
ORGANISATION_LABELS = {
    "name": "Name", "legal_name": "Legal name", "legal_form": "Legal form",
    "charity_number": "Charity number", "company_number": "Company number",
    "address_line_1": "Address line 1", "address_line_2": "Address line 2",
    "town": "Town or city", "postcode": "Postcode",
    "annual_income_pence": "Income in the last accounts", "paid_staff": "Paid staff",
    "volunteers": "Volunteers", "wards": "Wards served", "contact_name": "Main contact",
    "contact_email": "Contact email address", "contact_phone": "Contact telephone number",
    "has_safeguarding_policy": "Safeguarding policy held",
    "safeguarding_review_date": "Safeguarding policy last reviewed",
}


def organisation_details(application: Application) -> tuple[list[tuple[str, str]], bool]:
    """The organisation as the application shows it, as (label, text) rows, and whether that
    is the profile kept at submission (True) or today's profile (False, for an application
    sent before snapshots were kept). A key this page does not know is shown with a readable
    name, so a new profile field never breaks it."""
    snapshot = application.organisation_snapshot
    details = snapshot or organisation_services.profile_snapshot(application.organisation)
    known = [key for key in ORGANISATION_LABELS if key in details]
    keys = known + sorted(key for key in details if key not in ORGANISATION_LABELS)
    rows = []
    for key in keys:
        label = ORGANISATION_LABELS.get(key) or key.removesuffix("_pence").replace("_", " ")
        if text := _detail_text(key, details[key]):
            rows.append((label[:1].upper() + label[1:], text))
    return rows, bool(snapshot)


def _detail_text(key: str, value: Any) -> str:
    """A snapshot value (plain JSON: pence, enum values, ISO dates, lists) as people read it."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if key.endswith("_pence") and isinstance(value, int):
        return format_pounds(value)
    if key == "legal_form" and value in {form.value for form in LegalForm}:
        return LegalForm(value).label
    if key.endswith("_date") and isinstance(value, str):
        with suppress(ValueError):
            return format_date(date.fromisoformat(value))
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)
