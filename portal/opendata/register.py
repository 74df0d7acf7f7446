"""The public register of grants awarded, and the public list of rounds open now.

The register lists the grants `grants.public_awards()` selects, the same the open-data files
publish, so a resident reading the register and a researcher reading the files see the same
grants. Its count and total add up every matching grant in the database, not one page of them.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import url_for
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from models import Application, Award, LedgerEntry, Organisation, Round, Scheme, Theme, Ward
from models.associations import application_themes, application_wards
from portal.dates import to_london
from portal.extensions import db
from portal.financial_years import FinancialYear
from portal.funding import ledger
from portal.money import pounds_for_input
from portal.opendata.grants import financial_years, ledger_spends, public_awards
from portal.schemes.services import open_rounds as rounds_open_at

PER_PAGE = 50


@dataclass(frozen=True)
class RegisterFilters:
    """What the visitor asked for; empty values mean "no filter". `year` is a slug: 2024-25."""

    q: str = ""
    scheme: int | None = None
    year: str = ""
    ward: int | None = None
    theme: int | None = None


@dataclass(frozen=True)
class RegisterPage:
    """One page of grants (awards with their application, organisation, round, scheme, wards
    and themes loaded), and the count and total amount of every grant that matches."""

    pagination: Pagination
    count: int
    total_pence: int
    # The page's grants' amounts by award id: what the ledger holds committed to each, as the
    # open-data files publish it.
    amounts: dict[int, int]


def filter_choices() -> dict[str, list[tuple[str, str]]]:
    """The options of the filter form's selects, as (value, label)."""
    themes = list(db.session.scalars(select(Theme).options(joinedload(Theme.scheme))
                                     .order_by(Theme.name, Theme.id)))
    repeated = {name for name, times in Counter(t.name for t in themes).items() if times > 1}
    return {
        "scheme": [(str(s.id), s.name)
                   for s in db.session.scalars(select(Scheme).order_by(Scheme.name))],
        "year": [(FinancialYear.parse(label).slug, label) for label in financial_years()],
        "ward": [(str(w.id), w.name) for w in db.session.scalars(select(Ward).order_by(Ward.name))],
        # Themes belong to schemes; a name two schemes share says which scheme it is.
        "theme": [(str(t.id), f"{t.name} ({t.scheme.name})" if t.name in repeated else t.name)
                  for t in themes],
    }


def _contains(column, text: str) -> ColumnElement[bool]:
    """Case-insensitive substring match; % and _ typed by the visitor match themselves."""
    return func.lower(column).contains(text.lower(), autoescape=True)


def _matching(filters: RegisterFilters) -> Select:
    """The published grants that pass every filter."""
    query = public_awards()
    if search := filters.q.strip():
        named = select(Organisation.id).where(_contains(Organisation.name, search))
        query = query.where(or_(_contains(Application.title, search),
                                Application.organisation_id.in_(named)))
    if filters.scheme:
        query = query.where(Round.scheme_id == filters.scheme)
    if filters.year:
        query = query.where(Round.financial_year == FinancialYear.from_slug(filters.year).label)
    if filters.ward:
        query = query.where(Application.id.in_(
            select(application_wards.c.application_id)
            .where(application_wards.c.ward_id == filters.ward)))
    if filters.theme:
        query = query.where(Application.id.in_(
            select(application_themes.c.application_id)
            .where(application_themes.c.theme_id == filters.theme)))
    return query


def grants_page(filters: RegisterFilters, page: int) -> RegisterPage:
    """Page `page` of the matching grants, newest award first, PER_PAGE a page. Six queries
    whatever the number of grants: the count, the total, the page's grants, their wards and
    themes, and their amounts."""
    matching = _matching(filters)
    count = db.session.scalar(matching.with_only_columns(func.count(Award.id)))
    total = db.session.scalar(select(ledger.committed_sum()).where(
        LedgerEntry.award_id.in_(matching.with_only_columns(Award.id))))
    rows = (matching.options(
        joinedload(Award.decision),
        contains_eager(Award.application).options(
            joinedload(Application.organisation), selectinload(Application.wards),
            selectinload(Application.themes),
            contains_eager(Application.round).joinedload(Round.scheme)))
        .order_by(Award.offered_at.desc(), Award.id.desc()))
    # The count above is the pagination's total too, rather than a second count of the rows.
    pagination = db.paginate(rows, page=page, per_page=PER_PAGE, error_out=False, count=False)
    pagination.total = count
    spends = ledger_spends([award.id for award in pagination.items])
    return RegisterPage(pagination, count, int(total), {
        award_id: spend.committed_pence for award_id, spend in spends.items()})


def _time(value: datetime) -> str:
    """ISO 8601 in UK time, with its offset from UTC: 2024-07-01T09:00:00+01:00."""
    return to_london(value).isoformat()


def open_rounds(now: datetime) -> list[dict[str, Any]]:
    """The rounds open at `now`, closing soonest first, as public data. Money is given in
    pence (exact integers) and as pounds in strings ("500.00"), which no JSON reader turns
    into an inexact float. Four queries whatever the number of rounds."""
    rounds = rounds_open_at(now)
    # The open rounds' wards and themes, in one query each: the rounds are the ones above.
    db.session.scalars(select(Round).where(Round.id.in_([r.id for r in rounds]))
                       .options(selectinload(Round.wards), selectinload(Round.themes))).all()
    return [{
        "id": round_.id,
        "name": round_.name,
        "scheme": round_.scheme.name,
        "financial_year": round_.financial_year,
        "opens_at": _time(round_.opens_at),
        "closes_at": _time(round_.closes_at),
        "minimum_award": pounds_for_input(round_.min_award_pence),
        "minimum_award_pence": round_.min_award_pence,
        "maximum_award": pounds_for_input(round_.max_award_pence),
        "maximum_award_pence": round_.max_award_pence,
        "themes": [theme.name for theme in round_.themes],
        "any_ward": round_.any_ward,
        "wards": [] if round_.any_ward else [
            {"name": ward.name, "ons_code": ward.ons_code or None} for ward in round_.wards],
        "guidance": round_.guidance,
        "apply_url": url_for("applications.start", round_id=round_.id, _external=True),
    } for round_ in rounds]
