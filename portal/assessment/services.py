"""Grants officers' view of the applications that have come in: the filtered list, its exports
and one application in full. Drafts stay private to the organisation until they are submitted."""

import base64
import binascii
import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    any_,
    func,
    literal,
    select,
    tuple_,
    union,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import joinedload, selectinload

from models import Application, CostLine, Document, Organisation, Round, Theme, User, Ward
from models.associations import application_themes, application_wards
from models.enums import ApplicationStatus, LegalForm
from portal import policies
from portal.dates import format_date, to_london
from portal.exceptions import NotFound
from portal.extensions import db
from portal.money import exact_pounds, format_pounds
from portal.organisations import services as organisation_services

PER_PAGE = 25
# ?page=N skips (N - 1) pages of rows, a cost that grows with N, so numbers are honoured up to
# here (a thousand rows at most). Beyond, Next and Previous carry the row to read on from
# (keyset paging), which costs the same on any page.
NUMBERED_PAGES = 40
# Counting and adding up every matching application costs as much as there are: the list
# counts no further than this. A round's applications, which officers total against its
# budget, stay well under it; "every application ever" is simply more than this many.
COUNT_LIMIT = 10_000


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
class ListedApplication:
    """One row of the list: only the columns it shows."""

    id: int
    reference: str | None
    organisation_name: str
    title: str | None
    round_name: str
    amount_requested_pence: int | None
    submitted_at: datetime | None
    status: ApplicationStatus


@dataclass(frozen=True)
class ApplicationList:
    """One page of the list, the count and total requested of every matching application (up
    to COUNT_LIMIT of them), and the query arguments of the links to other pages (None: no
    such page)."""

    rows: list[ListedApplication]
    page: int
    # The count, total and pages are None for more than COUNT_LIMIT applications.
    pages: int | None
    count: int | None
    total_requested_pence: int | None
    previous: dict[str, Any] | None
    next: dict[str, Any] | None
    # The page numbers to link to with ?page= (None: a gap), and the current page.
    numbers: list[int | None]


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


def _named(text: str) -> Select:
    """The ids of the organisations whose name contains `text`."""
    return select(Organisation.id).where(_contains(Organisation.name, text)).correlate(None)


def _matching(filters: ApplicationFilters) -> Select:
    """Applications that are not drafts and pass every filter. Each filter on another table is
    an `id IN (...)` of that table's index (for search, a union of one per column), a shape
    the planner reads from the indexes, where an OR across a join reads every row."""
    query = select(Application).where(Application.status != ApplicationStatus.DRAFT)
    if filters.round:
        query = query.where(Application.round_id == filters.round)
    if filters.status in {status.value for status in OFFICER_STATUSES}:
        query = query.where(Application.status == ApplicationStatus(filters.status))
    if filters.ward:
        query = query.where(Application.id.in_(
            select(application_wards.c.application_id)
            .where(application_wards.c.ward_id == filters.ward)))
    if filters.theme:
        query = query.where(Application.id.in_(
            select(application_themes.c.application_id)
            .where(application_themes.c.theme_id == filters.theme)))
    if band := AMOUNT_BANDS.get(filters.amount):
        if band.above_pence is not None:
            query = query.where(Application.amount_requested_pence > band.above_pence)
        if band.up_to_pence is not None:
            query = query.where(Application.amount_requested_pence <= band.up_to_pence)
    if filters.organisation.strip():
        query = query.where(Application.organisation_id.in_(
            _named(filters.organisation.strip())))
    if search := filters.q.strip():
        found = select(Application.id).correlate(None)
        query = query.where(Application.id.in_(union(
            found.where(_contains(Application.reference, search)),
            found.where(_contains(Application.title, search)),
            found.where(Application.organisation_id.in_(_named(search))))))
    return query


def _sort(filters: ApplicationFilters) -> tuple[str, Any, bool]:
    """The sort asked for (or the default): its key, its column and whether it goes up."""
    key = filters.sort if filters.sort in SORTS else "submitted"
    return key, SORTS[key][1], filters.order == "asc"


LISTED_COLUMNS = (Application.id, Application.reference,
                  Organisation.name.label("organisation_name"), Application.title,
                  Round.name.label("round_name"), Application.amount_requested_pence,
                  Application.submitted_at, Application.status)


@dataclass(frozen=True)
class _Cursor:
    """A row to read on from: its sort value (None for a null) and id, and the number of the
    page that starts there."""

    page: int
    value: Any
    id: int


def _read_from(filters: ApplicationFilters, cursor: _Cursor | None, forwards: bool,
               offset: int, limit: int, columns: tuple = LISTED_COLUMNS) -> Select:
    """Up to `limit` rows of `columns` (of an application, its organisation and round) in the
    list's order (or backwards: the reverse order) after the cursor's row, skipping `offset`
    rows. The rows with no sort value, last in the list, are
    read apart from the others, so that each part is an index read in order from the cursor
    (the seek), never a sort of every matching row. The rows carry their sort value, for the
    cursors of the links, and their part, to keep the parts in order."""
    _, column, ascending = _sort(filters)
    up = ascending == forwards
    listed = (_matching(filters).join(Application.organisation).join(Application.round)
              .with_only_columns(*columns, column.label("sort_value")))

    def part(number: int, query: Select, *order: Any) -> Select:
        query = query.add_columns(literal(number).label("part"))
        return select(query.order_by(*(c.asc() if up else c.desc() for c in order))
                      .limit(offset + limit).subquery())

    with_value = listed.where(column.is_not(None))
    without = listed.where(column.is_(None))
    if cursor is not None and cursor.value is None:
        without = without.where(Application.id > cursor.id if up else Application.id < cursor.id)
    elif cursor is not None:
        value = literal(cursor.value, column.type)
        key, seek = tuple_(column, Application.id), tuple_(value, literal(cursor.id))
        # The row comparison says it all; the value alone again lets the organisation's name
        # index seek too, where the comparison spans two tables.
        with_value = with_value.where(key > seek if up else key < seek,
                                      column >= value if up else column <= value)
    # After a null there are only nulls; before a value there are only values.
    parts = []
    if cursor is None or cursor.value is not None or not forwards:
        parts.append((with_value, column, Application.id))
    if cursor is None or cursor.value is None or forwards:
        parts.append((without, Application.id))
    if not forwards:
        parts.reverse()
    both = union_all(*(part(number, query, *order)
                       for number, (query, *order) in enumerate(parts))).subquery()
    sort_value, id_ = both.c.sort_value, both.c.id
    return (select(both).order_by(both.c.part, sort_value.asc() if up else sort_value.desc(),
                                  id_.asc() if up else id_.desc())
            .offset(offset).limit(limit))


def applications_page(officer: User, filters: ApplicationFilters, page: int = 1,
                      after: str = "", before: str = "") -> ApplicationList:
    """One page of matching applications with the count and total requested of all of them:
    page `page`, or the page after (or before) the row a Next (or Previous) link's cursor
    names. Two queries: the count and total, and the page's rows."""
    policies.require(policies.can_view_submitted_applications(officer))
    count, total = _count_and_total(filters)
    pages = max(-(-count // PER_PAGE), 1) if count is not None else None
    after_row = _decode(filters, after)
    before_row = None if after_row else _decode(filters, before)
    cursor = after_row or before_row
    page = min(cursor.page, pages or cursor.page) if cursor else page
    if cursor is None and page > NUMBERED_PAGES:
        # Beyond the numbered pages, ?page= reads nothing (its OFFSET would grow unbounded).
        back = {"page": min(pages or NUMBERED_PAGES, NUMBERED_PAGES)}
        return ApplicationList([], page, pages, count, total, back, None, [])
    rows = db.session.execute(_read_from(
        filters, cursor, forwards=before_row is None,
        offset=0 if cursor else (page - 1) * PER_PAGE, limit=PER_PAGE + 1)).all()
    more = len(rows) > PER_PAGE  # another page beyond, in the direction read
    rows = rows[:PER_PAGE]
    if before_row:
        rows.reverse()
        # Reading back to the start of the list means page 1, whatever the link said.
        page = page if more else 1
    has_previous = more if before_row else page > 1
    has_next = True if before_row else more
    return ApplicationList([ListedApplication(*row[:len(LISTED_COLUMNS)]) for row in rows],
                           page, pages, count, total,
                           _previous(filters, page, pages, rows) if has_previous else None,
                           _next(filters, page, rows) if has_next and rows else None,
                           _numbers(page, pages))


def _count_and_total(filters: ApplicationFilters) -> tuple[int | None, int | None]:
    """How many applications match and the amount they request, or (None, None) for more
    than COUNT_LIMIT: the query reads no more rows than that."""
    amounts = (_matching(filters).with_only_columns(Application.amount_requested_pence)
               .limit(COUNT_LIMIT + 1).subquery())
    count, total = db.session.execute(select(
        func.count(), func.coalesce(func.sum(amounts.c.amount_requested_pence), 0))).one()
    return (count, total) if count <= COUNT_LIMIT else (None, None)


def _previous(filters: ApplicationFilters, page: int, pages: int | None,
              rows: list) -> dict[str, Any]:
    """The query arguments of the Previous link: a page number while ?page= reaches it, else
    a cursor from this page's first row."""
    if rows and page - 1 > NUMBERED_PAGES:
        return {"before": _encode(filters, page - 1, rows[0])}
    return {"page": min(page - 1, pages or NUMBERED_PAGES, NUMBERED_PAGES)}


def _next(filters: ApplicationFilters, page: int, rows: list) -> dict[str, Any]:
    """The query arguments of the Next link: a page number while ?page= reaches it, else a
    cursor from this page's last row."""
    if page + 1 <= NUMBERED_PAGES:
        return {"page": page + 1}
    return {"after": _encode(filters, page + 1, rows[-1])}


def _numbers(page: int, pages: int | None) -> list[int | None]:
    """The page numbers the links show, as GOV.UK pagination does (the first and last, the
    current page and its neighbours; None for a gap), of those ?page= reaches."""
    reachable = min(pages or NUMBERED_PAGES, NUMBERED_PAGES)
    wanted = sorted({1, reachable, page} | {n for n in range(page - 1, page + 3)
                                            if 1 <= n <= reachable})
    numbers: list[int | None] = []
    for number in wanted:
        if numbers and number - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


def _encode(filters: ApplicationFilters, page: int, row: Any) -> str:
    """The cursor of a link to the page `page` that starts after (or ends before) `row`: the
    sort it was made for, the page number, and the row's sort value and id."""
    value = row.sort_value.isoformat() if isinstance(row.sort_value, datetime) else row.sort_value
    key, _, ascending = _sort(filters)
    text = json.dumps([key, ascending, page, value, row.id], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


LARGEST_INTEGER = 2**63 - 1  # PostgreSQL's bigint


def _decode(filters: ApplicationFilters, token: str) -> _Cursor | None:
    """The cursor a link carried, or None for none, one not well formed (typed by hand) or
    one made for another sort (a link kept from before the sort changed): the list then
    starts at the page number."""
    if not token or len(token) > 1000:
        return None
    key, _, ascending = _sort(filters)
    try:
        made_for, went_up, page, value, id_ = json.loads(
            base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        value = _sort_value(key, value)
    except (ValueError, TypeError, binascii.Error):
        return None
    if (made_for, went_up) != (key, ascending) or not all(
            isinstance(n, int) and not isinstance(n, bool) and 0 < n <= LARGEST_INTEGER
            for n in (page, id_)):
        return None
    return _Cursor(page, value, id_)


def _sort_value(key: str, value: Any) -> Any:
    """A cursor's sort value as the column holds it; ValueError if it cannot be one."""
    if value is None:
        return None
    if key == "submitted" and isinstance(value, str):
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is not None:
            return moment
    elif key == "amount" and isinstance(value, int) and not isinstance(value, bool):
        if abs(value) <= LARGEST_INTEGER:
            return value
    elif key in {"reference", "organisation"} and isinstance(value, str) and len(value) <= 200:
        return value
    raise ValueError(value)


EXPORT_HEADINGS = ["Reference", "Organisation", "Legal name", "Title", "Round", "Financial year",
                   "Amount requested", "Total cost", "Wards", "Themes", "Submitted at",
                   "Status"]
MONEY_COLUMNS = {"Amount requested", "Total cost"}


# Rows read (and written out) at a time: a chunk's rows and their wards and themes are all that
# is held, whatever the number of rows; each chunk is a seek from the last (see `_read_from`).
EXPORT_CHUNK = 1000
EXPORT_COLUMNS = (*LISTED_COLUMNS, Organisation.legal_name, Round.financial_year)


def export_chunks(officer: User, filters: ApplicationFilters) -> Iterator[list[list[Any]]]:
    """Every matching application (not only one page) in the list's order, one row each with
    money in pounds and times in UK time, in chunks of up to EXPORT_CHUNK rows: four queries
    a chunk. Who may export is checked now, before the first chunk is asked for."""
    policies.require(policies.can_view_submitted_applications(officer))
    return _chunks(filters, EXPORT_CHUNK)


def _chunks(filters: ApplicationFilters, size: int) -> Iterator[list[list[Any]]]:
    cursor = None
    while True:
        chunk = _read_from(filters, cursor, forwards=True, offset=0, limit=size,
                           columns=EXPORT_COLUMNS)
        rows = db.session.execute(chunk).all()
        if rows:
            yield _export_chunk(rows)
        if len(rows) < size:
            return
        cursor = _Cursor(0, rows[-1].sort_value, rows[-1].id)


def _export_chunk(rows: list) -> list[list[Any]]:
    """The export's rows for a chunk of the list's rows, with their total costs, wards and
    themes (a query each, for the chunk's ids)."""
    ids = [row.id for row in rows]
    costs = dict(db.session.execute(
        select(CostLine.application_id, func.sum(CostLine.amount_pence))
        .where(_among(CostLine.application_id, ids)).group_by(CostLine.application_id)).all())
    wards = _names_by_application(application_wards, Ward.name, ids)
    themes = _names_by_application(application_themes, Theme.name, ids)
    return [[row.reference, row.organisation_name, row.legal_name, row.title, row.round_name,
             row.financial_year, exact_pounds(row.amount_requested_pence),
             exact_pounds(costs.get(row.id)),
             ", ".join(wards[row.id]), ", ".join(themes[row.id]),
             to_london(row.submitted_at) if row.submitted_at else None, row.status.label]
            for row in rows]


def export_count(filters: ApplicationFilters) -> int:
    """How many applications an export of `filters` holds (for its progress)."""
    return db.session.scalar(select(func.count()).select_from(
        _matching(filters).with_only_columns(Application.id).subquery()))


def _among(column, ids: list[int]) -> ColumnElement[bool]:
    """`column IN ids`, on PostgreSQL as `column = ANY(array)`: one parameter, where a list of
    a thousand is a 35 KB statement that psycopg and PostgreSQL parse and plan every time (it
    halved the export's speed)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(literal(ids, ARRAY(Integer)))
    return column.in_(ids)


def _names_by_application(link, name, ids: list[int]) -> defaultdict[int, list[str]]:
    """The names of the wards (or themes) of the applications `ids`, by application, in
    alphabetical order, in one query: `link` is the association table (read without the
    applications, which have nothing to add)."""
    names = defaultdict(list)
    query = (select(link.c.application_id, name).join(name.class_)
             .where(_among(link.c.application_id, ids)).order_by(name))
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
