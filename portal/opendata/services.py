"""Publishing open data: a grants officer reviews what a financial year's files would hold
(with the grants withheld and why, and anything stopping publication), approves it, and the
files are kept as that year's next publication; the public open-data page lists them all.

A publication is exactly what was reviewed: approving rebuilds the file and refuses if its
digest differs from the one on the review page. Its files are stored, never rebuilt, so every
version in the history can still be downloaded as it was published."""

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from models import Application, Award, Publication, Round, User, WithheldGrant
from models.base import utcnow
from portal import audit, exports, file_store, policies, wards
from portal.exceptions import NotFound, RuleBroken
from portal.extensions import db
from portal.financial_years import FinancialYear
from portal.funding import attribution, ledger
from portal.funding import services as funding
from portal.opendata import threesixtygiving, transparency
from portal.opendata.grants import REASON_LIMIT, financial_years, ledger_spends
from portal.paging import ListPage

PER_PAGE = 50


@dataclass(frozen=True)
class PublishedFile:
    """One of a publication's files: its name in links, how it is stored, and its type."""

    name: str
    label: str
    suffix: str
    mimetype: str


FILES = (
    PublishedFile("grants.json", "360Giving JSON", ".json", "application/json"),
    PublishedFile("grants.xlsx", "360Giving spreadsheet (XLSX)", ".xlsx", exports.XLSX_TYPE),
    PublishedFile("grants.csv", "360Giving spreadsheet, grants sheet (CSV)", ".csv", "text/csv"),
    PublishedFile("grants-csv.zip", "360Giving spreadsheet, every sheet (ZIP of CSV files)",
                  "-sheets.zip", "application/zip"),
    PublishedFile("transparency.csv", "Transparency Code grants (CSV)", "-transparency.csv",
                  "text/csv"),
)
FILES_BY_NAME = {file.name: file for file in FILES}


def _publisher() -> threesixtygiving.Publisher:
    config = current_app.config
    return threesixtygiving.Publisher(name=config["COUNCIL_NAME"],
                                      org_id=config["COUNCIL_ORG_ID"],
                                      prefix=config["GRANT_ID_PREFIX"])


def _year(label_or_slug: str) -> str:
    try:
        return FinancialYear.from_slug(label_or_slug).label
    except ValueError:
        raise NotFound(label_or_slug) from None


# What would be published ---------------------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    """A year's files as they would be published now, and what stops them being published."""

    year: str
    awards: list[Award]
    package: dict[str, Any]
    spends: dict[int, ledger.Spend]  # by award id, from the ledger
    problems: list[str]

    @property
    def grants(self) -> list[dict[str, Any]]:
        return self.package["grants"]

    @cached_property
    def digest(self) -> str:
        return threesixtygiving.digest(self.grants)

    @property
    def awarded_pence(self) -> int:
        return sum(spend.committed_pence for spend in self.spends.values())

    @property
    def disbursed_pence(self) -> int:
        return sum(spend.paid_pence for spend in self.spends.values())


def _dataset(year: str, issued: datetime) -> Dataset:
    publisher = _publisher()
    awards = threesixtygiving.year_awards(year)
    found = ledger_spends([award.id for award in awards])
    spends = {award.id: found.get(award.id, ledger.Spend()) for award in awards}
    pooled = attribution.contributions({allocation.pot_id for award in awards
                                        for allocation in award.allocations
                                        if allocation.pot.pooled})
    grants = [threesixtygiving.grant(award, spends[award.id], publisher, pooled)
              for award in awards]
    package = threesixtygiving.package(
        grants, publisher, f"{publisher.name}: grants awarded in {year}",
        current_app.config["OPEN_DATA_LICENCE_URL"], issued)
    problems = [*publisher.problems, *threesixtygiving.funder_problems(awards)]
    if not grants:
        problems.append(f"There are no grants to publish for {year}")
    elif not problems:
        problems = threesixtygiving.schema_errors(package)
    return Dataset(year, awards, package, spends, problems)


@dataclass(frozen=True)
class SchemeFigures:
    """One scheme's money from the year's pots as the funding dashboard shows it, and how
    much of it the publication and the withheld grants account for; the rest is committed to
    offers not yet accepted."""

    name: str
    dashboard: ledger.Spend
    published: ledger.Spend
    withheld: ledger.Spend

    @property
    def other(self) -> ledger.Spend:
        return self.dashboard - self.published - self.withheld


def _by_scheme(awards: list[Award], spends: dict[int, ledger.Spend]) -> dict[int, ledger.Spend]:
    totals: dict[int, ledger.Spend] = {}
    for award in awards:
        scheme_id = award.application.round.scheme_id
        totals[scheme_id] = totals.get(scheme_id, ledger.Spend()) + spends.get(award.id,
                                                                               ledger.Spend())
    return totals


def _figures(user: User, dataset: Dataset, withheld: list[WithheldGrant]) -> list[SchemeFigures]:
    """The year's figures by scheme, agreeing with the funding dashboard to the penny."""
    held_awards = [each.award for each in withheld]
    published = _by_scheme(dataset.awards, dataset.spends)
    held = _by_scheme(held_awards, ledger_spends(
        [award.id for award in held_awards]))
    rows = [row for group in funding.dashboard(user, dataset.year).groups
            for row in group.schemes]
    return [SchemeFigures(row.name, row.total, published.get(row.scheme_id, ledger.Spend()),
                          held.get(row.scheme_id, ledger.Spend())) for row in rows]


@dataclass(frozen=True)
class Review:
    dataset: Dataset
    withheld: list[WithheldGrant]
    figures: list[SchemeFigures]
    latest: Publication | None
    page: Pagination

    @property
    def unchanged_since_latest(self) -> bool:
        return self.latest is not None and self.latest.digest == self.dataset.digest


def _withheld(year: str) -> list[WithheldGrant]:
    query = (select(WithheldGrant).join(WithheldGrant.award).join(Award.application)
             .join(Application.round).where(Round.financial_year == year)
             .options(joinedload(WithheldGrant.award).joinedload(Award.application)
                      .options(joinedload(Application.organisation),
                               joinedload(Application.round)),
                      joinedload(WithheldGrant.withheld_by))
             .order_by(Award.reference))
    return list(db.session.scalars(query))


def _latest_of_each_year() -> list[Publication]:
    """Each financial year's newest publication, newest year first: one query."""
    newest = (select(Publication.financial_year, func.max(Publication.version).label("version"))
              .group_by(Publication.financial_year).subquery())
    return list(db.session.scalars(
        select(Publication).join(newest, (Publication.financial_year == newest.c.financial_year)
                                 & (Publication.version == newest.c.version))
        .order_by(Publication.financial_year.desc())))


def _latest(year: str) -> Publication | None:
    return db.session.scalar(select(Publication).where(Publication.financial_year == year)
                             .order_by(Publication.version.desc()).limit(1))


def review(user: User, year_slug: str, page: int = 1) -> Review:
    """What publishing the year would publish now, a page of its grants at a time."""
    policies.require(policies.can_publish_open_data(user))
    dataset = _dataset(_year(year_slug), utcnow())
    withheld = _withheld(dataset.year)
    return Review(dataset, withheld, _figures(user, dataset, withheld), _latest(dataset.year),
                  ListPage(page=page, per_page=PER_PAGE, error_out=False,
                            items=list(zip(dataset.awards, dataset.grants, strict=True))))


@dataclass(frozen=True)
class YearStatus:
    year: str
    latest: Publication | None

    @property
    def slug(self) -> str:
        return FinancialYear.parse(self.year).slug


def years(user: User) -> list[YearStatus]:
    """Each financial year with grants to publish or published, latest first: two queries."""
    policies.require(policies.can_publish_open_data(user))
    latest = {publication.financial_year: publication
              for publication in _latest_of_each_year()}
    labels = sorted(latest.keys() | set(financial_years()), reverse=True)
    return [YearStatus(label, latest.get(label)) for label in labels]


# Approving -----------------------------------------------------------------------------------


def publish(user: User, year_slug: str, reviewed_digest: str) -> Publication:
    """Publish the year's files as reviewed: its next version, stored and audited."""
    policies.require(policies.can_publish_open_data(user))
    now = utcnow()
    dataset = _dataset(_year(year_slug), now)
    if dataset.digest != reviewed_digest:
        raise RuleBroken("The grants have changed since this page was opened. Check them "
                         "again below before you publish.")
    if dataset.problems:
        raise RuleBroken(f"The grants cannot be published yet: {dataset.problems[0]}")
    latest = _latest(dataset.year)
    publication = Publication(
        financial_year=dataset.year, version=latest.version + 1 if latest else 1,
        published_at=now, approved_by=user, grant_count=len(dataset.grants),
        withheld_count=len(_withheld(dataset.year)), awarded_pence=dataset.awarded_pence,
        disbursed_pence=dataset.disbursed_pence,
        licence_name=current_app.config["OPEN_DATA_LICENCE_NAME"],
        licence_url=current_app.config["OPEN_DATA_LICENCE_URL"], digest=dataset.digest,
        file_stem=secrets.token_hex(16))
    _store_files(publication, dataset)
    db.session.add(publication)
    try:
        db.session.flush()
    except IntegrityError:
        # Someone published the same version a moment ago; the files left behind are harmless.
        db.session.rollback()
        raise RuleBroken("Someone else has just published these grants. Check them again "
                         "below before you publish.") from None
    audit.record("opendata.published", actor=user, subject=publication, details={
        "financial_year": publication.financial_year, "version": publication.version,
        "grants": publication.grant_count, "awarded_pence": publication.awarded_pence,
        "digest": publication.digest})
    db.session.commit()
    return publication


def _store_files(publication: Publication, dataset: Dataset) -> None:
    sheets = threesixtygiving.spreadsheets(dataset.package)
    grant_ids = [grant["id"] for grant in dataset.grants]
    contents = {
        "grants.json": threesixtygiving.to_json(dataset.package),
        "grants.xlsx": sheets.xlsx,
        "grants.csv": sheets.csv,
        "grants-csv.zip": sheets.csv_zip,
        "transparency.csv": transparency.csv_file(
            dataset.awards, grant_ids,
            {award_id: spend.committed_pence for award_id, spend in dataset.spends.items()},
            current_app.config["OPEN_DATA_DEPARTMENT"]),
    }
    for name, data in contents.items():
        file_store.save(file_store.OPEN_DATA, _stored_name(publication, name), data)


def _stored_name(publication: Publication, name: str) -> str:
    return publication.file_stem + FILES_BY_NAME[name].suffix


# Withholding ---------------------------------------------------------------------------------


def award_to_withhold(user: User, award_id: int) -> Award:
    policies.require(policies.can_publish_open_data(user))
    award = db.session.scalar(
        select(Award).where(Award.id == award_id)
        .options(joinedload(Award.application).joinedload(Application.organisation),
                 joinedload(Award.application).joinedload(Application.round)))
    if award is None:
        raise NotFound(award_id)
    return award


def withhold(user: User, award: Award, reason: str) -> WithheldGrant:
    """Leave the grant out of open data and the public register, for the reason given."""
    policies.require(policies.can_publish_open_data(user))
    reason = reason.strip()
    if not reason:
        raise RuleBroken("Enter why this grant must not be published", "reason")
    if len(reason) > REASON_LIMIT:
        raise RuleBroken(f"The reason must be {REASON_LIMIT} characters or fewer", "reason")
    if db.session.scalar(select(WithheldGrant.id).where(WithheldGrant.award_id == award.id)):
        raise RuleBroken("This grant is already withheld from publication", "reason")
    withheld = WithheldGrant(award=award, reason=reason, withheld_by=user)
    db.session.add(withheld)
    audit.record("opendata.withheld", actor=user, subject=award, details={"reason": reason})
    db.session.commit()
    return withheld


def release(user: User, award: Award) -> None:
    """Publish a withheld grant again, from the next publication on."""
    policies.require(policies.can_publish_open_data(user))
    withheld = db.session.scalar(select(WithheldGrant).where(WithheldGrant.award_id == award.id))
    if withheld is None:
        raise NotFound(award.id)
    audit.record("opendata.released", actor=user, subject=award,
                 details={"withheld_for": withheld.reason})
    db.session.delete(withheld)
    db.session.commit()


# The public open-data page -------------------------------------------------------------------


@dataclass(frozen=True)
class OpenData:
    latest: list[Publication]
    history: Pagination


def open_data(page: int = 1) -> OpenData:
    """Every year's latest publication, and every publication, newest first. Public."""
    history = db.paginate(select(Publication).order_by(Publication.published_at.desc(),
                                                       Publication.id.desc()),
                          page=page, per_page=PER_PAGE, error_out=False)
    return OpenData(_latest_of_each_year(), history)


def published_file(year_slug: str, name: str, version: int | None = None
                   ) -> tuple[Publication, PublishedFile, bytes | None]:
    """A publication's file: the year's latest version's, or the version asked for. Public."""
    file = FILES_BY_NAME.get(name)
    if file is None:
        raise NotFound(name)
    query = select(Publication).where(Publication.financial_year == _year(year_slug))
    if version is not None:
        query = query.where(Publication.version == version)
    publication = db.session.scalar(query.order_by(Publication.version.desc()).limit(1))
    if publication is None:
        raise NotFound(year_slug)
    return publication, file, file_store.read(file_store.OPEN_DATA,
                                              _stored_name(publication, name))


# Wards' ONS codes ----------------------------------------------------------------------------


WARD_CODE = re.compile(r"[EWSN]05\d{6}")


@dataclass(frozen=True)
class WardCodes:
    set: list[str]  # the wards whose code was set or changed
    unknown: list[str]  # names in the file that are none of the council's wards


def set_ward_codes(codes: dict[str, str]) -> WardCodes:
    """Give the council's wards their ONS (GSS) codes, by ward name in any case, from a lookup
    such as the ONS's ward-to-local-authority file; a malformed code is refused whole."""
    bad = sorted(f"{name}: {code!r}" for name, code in codes.items()
                 if not WARD_CODE.fullmatch(code))
    if bad:
        raise RuleBroken(f"These are not ONS ward codes (like E05001313): {', '.join(bad)}")
    found, unknown = wards.by_name(codes)
    changed = []
    for name, ward in found.items():
        if ward.ons_code != codes[name]:
            ward.ons_code = codes[name]
            changed.append(ward.name)
    audit.record("opendata.ward_codes_set", details={"wards": changed})
    db.session.commit()
    return WardCodes(sorted(changed), unknown)
