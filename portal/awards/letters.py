"""Award letters as PDFs: the offer letter and each variation letter, rendered from plain data,
stored once under their sha256 and served only to the organisation and to staff; and a round's
letters produced in bulk by background jobs of LETTER_BATCH_CHUNK letters each, so that every
worker takes a share of one round, each job loading its awards in a few queries and committing
once.

A letter is rendered from `letter_data`, plain data with no database objects. Its fingerprint
(`data_sha256`, over the canonical JSON of that data) decides whether anything changed since
the newest stored letter: unchanged data reuses the stored file, changed data makes the next
version. WeasyPrint renders the same HTML to the same bytes, which is what lets a missing file
be restored.
"""

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app, render_template
from num2words import num2words
from sqlalchemy import Select, func, select, tuple_, update
from sqlalchemy.orm import joinedload, selectinload

from models import (
    Allocation,
    Application,
    Award,
    AwardLetter,
    AwardVersion,
    FundingPot,
    LetterBatch,
    Organisation,
    Round,
    User,
)
from models.base import utcnow
from models.enums import AwardChange, JobStatus
from portal import audit, file_store, jobs, policies
from portal.awards.lifecycle import COMMITTED, LETTER_BATCH, is_unfinished, letters_ready
from portal.dates import format_date, to_london
from portal.exceptions import NotAllowed, NotFound
from portal.extensions import db
from portal.funding import attribution
from portal.mail import public_url
from portal.money import format_pounds
from portal.pdf import STATIC, render_pdf

TEMPLATE = "pdf/award_letter.html"


class LetterUnavailable(Exception):
    """A stored letter's file is missing or damaged and cannot be made again as it was."""


# The letter's content ------------------------------------------------------------------------


def amount_in_words(pence: int) -> str:
    """£1,250.50 as "One thousand, two hundred and fifty pounds and fifty pence"."""
    pounds, pennies = divmod(pence, 100)
    parts = []
    if pounds:
        parts.append(f"{num2words(pounds, lang='en_GB')} pound{'' if pounds == 1 else 's'}")
    if pennies or not pounds:
        parts.append(f"{num2words(pennies, lang='en_GB')} "
                     f"{'penny' if pennies == 1 else 'pence'}")
    words = " and ".join(parts)
    return words[0].upper() + words[1:]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _organisation_address(organisation: Organisation) -> list[str]:
    parts = (organisation.address_line_1, organisation.address_line_2, organisation.town,
             organisation.postcode)
    return [part for part in parts if part]


def _letterhead() -> dict[str, Any]:
    config = current_app.config
    logo = config["LETTER_LOGO"]
    # A logo that is not a file under static/ is left out rather than failing every letter.
    logo_ok = bool(logo) and (STATIC / logo).resolve().is_relative_to(STATIC) \
        and (STATIC / logo).is_file()
    return {"name": config["COUNCIL_NAME"],
            "address": [line.strip() for line in config["COUNCIL_ADDRESS"].split("|")
                        if line.strip()],
            "logo": logo if logo_ok else "",
            "contact_email": config["COUNCIL_CONTACT_EMAIL"]}


def _changes(before: dict, after: dict, pot_names: dict[str, str]) -> list[str]:
    """What a variation changed, in words, from the previous version's terms snapshot."""
    changes = []
    if before["amount_pence"] != after["amount_pence"]:
        changes.append(f"The amount changes from {format_pounds(before['amount_pence'])} to "
                       f"{format_pounds(after['amount_pence'])}.")
    if (before["start_date"], before["end_date"]) != (after["start_date"], after["end_date"]):
        changes.append(
            "The grant period changes from "
            f"{_period(before['start_date'], before['end_date'])} to "
            f"{_period(after['start_date'], after['end_date'])}.")
    schedule = ("instalments", "payment_timing")
    if [before[key] for key in schedule] != [after[key] for key in schedule]:
        changes.append("The payment schedule changes: the schedule below replaces the "
                       "previous one.")
    if before["allocations"] != after["allocations"]:
        split = ", ".join(f"{format_pounds(pence)} from {pot_names.get(pot_id, 'a pot')}"
                          for pot_id, pence in sorted(after["allocations"].items()))
        changes.append(f"The funding is now split as follows: {split}.")
    return changes


def _period(start: str, end: str) -> str:
    return f"{format_date(date.fromisoformat(start))} to {format_date(date.fromisoformat(end))}"


@dataclass(frozen=True)
class Lookups:
    """What the letters of some awards need besides the awards and their loaded relations,
    looked up for all of them at once: each award's current and previous version of its terms
    (by award id and number), the names of the pots their variations mention, and the
    letterhead."""

    versions: dict[tuple[int, int], AwardVersion]
    pot_names: dict[str, str]
    letterhead: dict[str, Any]
    # The partners of the pooled pots paying for the awards, by pot id.
    contributions: dict[int, list[attribution.Contribution]]

    def current_and_previous(self, award: Award) -> tuple[AwardVersion | None,
                                                         AwardVersion | None]:
        """Awards offered before versions were kept have neither."""
        return (self.versions.get((award.id, award.version)),
                self.versions.get((award.id, award.version - 1)))


def lookups(awards: list[Award]) -> Lookups:
    """The Lookups for the awards' letters, in one query (one more when one is a variation,
    and one when a pooled pot pays for one)."""
    wanted = [(award.id, number) for award in awards
              for number in (award.version, award.version - 1)]
    versions = {(version.award_id, version.number): version for version in db.session.scalars(
        select(AwardVersion).where(tuple_(AwardVersion.award_id, AwardVersion.number)
                                   .in_(wanted)))} if wanted else {}
    pooled = {allocation.pot_id for award in awards for allocation in award.allocations
              if allocation.pot.pooled}
    found = Lookups(versions, {}, _letterhead(),
                    attribution.contributions(pooled) if pooled else {})
    pot_ids = set()
    for award in awards:
        current, previous = found.current_and_previous(award)
        if current is not None and current.change is AwardChange.VARIATION:
            before = previous.terms if previous else current.terms
            pot_ids |= {int(pot_id) for pot_id in [*before["allocations"],
                                                   *current.terms["allocations"]]}
    if pot_ids:
        found.pot_names.update((str(pot.id), pot.name) for pot in db.session.scalars(
            select(FundingPot).where(FundingPot.id.in_(pot_ids))))
    return found


def _variation(current: AwardVersion | None, previous: AwardVersion | None,
               pot_names: dict[str, str]) -> dict | None:
    if current is None or current.change is not AwardChange.VARIATION:
        return None
    before = previous.terms if previous else current.terms
    return {"reason": current.reason,
            "changes": _changes(before, current.terms, pot_names)}


def _funding(allocation: Allocation, known: Lookups) -> dict[str, Any]:
    """Who pays one part of the grant; a pooled pot's partners too, each with the
    acknowledgement it asks for."""
    pot = allocation.pot
    share = {"funder": pot.funder_name, "pot": pot.name,
             "amount": format_pounds(allocation.amount_pence),
             "acknowledgement": pot.acknowledgement}
    if pot.pooled:
        share["partners"] = [{"name": given.partner.name,
                              "acknowledgement": given.partner.acknowledgement}
                             for given in known.contributions.get(pot.id, [])]
    return share


def letter_data(award: Award, known: Lookups | None = None) -> dict[str, Any]:
    """Everything the letter for the award's current version says, as plain data (the
    template never touches the database). It depends on the award's terms and the council's
    settings only, never on who asks or when, so its fingerprint changes only when the
    letter would. `known` is the award's Lookups when they were made for many awards."""
    known = known or lookups([award])
    current, previous = known.current_and_previous(award)
    application = award.application
    organisation = application.organisation
    config = current_app.config
    # Without a version row (an award offered before versions were kept) the letter is the
    # offer, dated when it was made.
    change = current.change if current else AwardChange.OFFER
    offer = change is AwardChange.OFFER
    closure = current.terms.get("closure") if change is AwardChange.CLOSURE else None
    return {
        "council": known.letterhead,
        "service_name": config["SERVICE_NAME"],
        "date": format_date(to_london(current.created_at if current else award.offered_at)),
        "change": change.value,
        "award_version": award.version,
        "variation": _variation(current, previous, known.pot_names),
        "closure": {key.removesuffix("_pence"): format_pounds(pence)
                    for key, pence in closure.items()} | {"note": current.reason}
        if closure else None,
        "reference": award.reference,
        "organisation": {"name": organisation.legal_name or organisation.name,
                         "address": _organisation_address(organisation)},
        "project_title": application.title or "",
        "amount": format_pounds(award.amount_pence),
        "amount_words": amount_in_words(award.amount_pence),
        "funding": [_funding(allocation, known) for allocation in award.allocations],
        "period": {"start": format_date(award.start_date), "end": format_date(award.end_date)}
        if award.start_date and award.end_date else None,
        "payment_timing": award.payment_timing.label.lower(),
        "instalments": [{"number": instalment.number, "due_on": format_date(instalment.due_on),
                         "amount": format_pounds(instalment.amount_pence)}
                        for instalment in award.instalments],
        "standard_conditions": _lines(award.standard_conditions),
        "special_conditions": _lines(award.special_conditions),
        "monitoring_returns": [{"title": due.title, "due_on": format_date(due.due_on)}
                               for due in award.monitoring_returns],
        "subsidy_statement": award.subsidy_statement,
        "accept": {"link": public_url("awards.offer", award_id=award.id),
                   "accept_by": format_date(award.accept_by)} if offer else None,
        "signatory": {"name": config["LETTER_SIGNATORY_NAME"],
                      "position": config["LETTER_SIGNATORY_POSITION"]},
    }


def fingerprint(data: dict[str, Any]) -> str:
    """The sha256 of the data's canonical JSON (sorted keys, no spaces)."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def render(data: dict[str, Any]) -> bytes:
    return render_pdf(TEMPLATE, letter=data, council_name=data["council"]["name"])


def render_html(data: dict[str, Any]) -> str:
    """The letter's final HTML, as WeasyPrint is given it (for the benchmark)."""
    return render_template(TEMPLATE, letter=data, council_name=data["council"]["name"],
                           service_name=data["service_name"])


# Storing and reading letters -----------------------------------------------------------------


def _name(sha256: str) -> str:
    return f"{sha256}.pdf"


def _matching(pdf: bytes | None, sha256: str) -> bytes | None:
    return pdf if pdf is not None and hashlib.sha256(pdf).hexdigest() == sha256 else None


def _store(pdf: bytes) -> str:
    """Keep the PDF under its sha256 in the file store (unless a sound copy is there already);
    on the database store, in the caller's transaction."""
    sha256 = hashlib.sha256(pdf).hexdigest()
    if _matching(file_store.read(file_store.LETTERS, _name(sha256)), sha256) is None:
        file_store.save(file_store.LETTERS, _name(sha256), pdf)
    return sha256


def _stored_bytes(stored: AwardLetter) -> bytes | None:
    """The stored file, or None when it is missing or does not match its sha256."""
    return _matching(file_store.read(file_store.LETTERS, _name(stored.sha256)), stored.sha256)


def _newest_numbers(award_ids: list[int]):
    """A subquery: each of the awards' newest letter number, by award id."""
    return (select(AwardLetter.award_id, func.max(AwardLetter.number).label("number"))
            .where(AwardLetter.award_id.in_(award_ids)).group_by(AwardLetter.award_id)
            .subquery())


def _newest(award_ids: list[int]) -> dict[int, AwardLetter]:
    """Each award's newest stored letter, read afresh, by award id (awards without one are
    left out)."""
    newest = _newest_numbers(award_ids)
    return {stored.award_id: stored for stored in db.session.scalars(
        select(AwardLetter).join(newest, (newest.c.award_id == AwardLetter.award_id)
                                 & (newest.c.number == AwardLetter.number))
        .execution_options(populate_existing=True))}


@dataclass(frozen=True)
class _Rendered:
    award: Award
    data: dict[str, Any]
    data_sha256: str
    sha256: str
    pdf: bytes


def _produce(award: Award, actor: User | None) -> tuple[AwardLetter, bytes]:
    """The letter for the award's current data and its PDF: the newest stored one when
    nothing changed and its file is sound, else a new version rendered, stored and audited
    (committed)."""
    [(stored, pdf)], rendered = _produce_all([award], actor)
    if rendered:
        db.session.commit()
    return stored, pdf


def _produce_all(awards: list[Award], actor: User | None
                 ) -> tuple[list[tuple[AwardLetter, bytes]], int]:
    """Each award's letter and PDF, as `_produce` makes one, in a few queries for all of them
    (not a few each), and how many were rendered. New letters are added to the session and
    flushed: the caller commits."""
    known = lookups(awards)
    newest = _newest([award.id for award in awards])
    found, rendered = {}, []
    for award in awards:
        data = letter_data(award, known)
        data_sha256 = fingerprint(data)
        stored = newest.get(award.id)
        if stored is not None and stored.data_sha256 == data_sha256 \
                and (pdf := _stored_bytes(stored)) is not None:
            found[award.id] = (stored, pdf)
            continue
        pdf = render(data)
        rendered.append(_Rendered(award, data, data_sha256, _store(pdf), pdf))
    if rendered:
        found |= _keep(rendered, actor)
    return [found[award.id] for award in awards], len(rendered)


def _keep(rendered: list[_Rendered], actor: User | None) -> dict[int, tuple[AwardLetter, bytes]]:
    """A new version of each rendered letter (unless another request has just kept the same
    one), audited; by award id."""
    award_ids = sorted(item.award.id for item in rendered)
    # Lock the awards so that two requests rendering at once cannot take the same number; in
    # id order, so that two batches over the same awards cannot deadlock.
    db.session.execute(select(Award.id).where(Award.id.in_(award_ids)).order_by(Award.id)
                       .with_for_update())
    newest, kept = _newest(award_ids), {}
    for item in rendered:
        stored = newest.get(item.award.id)
        if stored is None or (stored.data_sha256, stored.sha256) != (item.data_sha256,
                                                                    item.sha256):
            stored = AwardLetter(
                award_id=item.award.id, number=(stored.number + 1) if stored else 1,
                award_version=item.data["award_version"],
                change=AwardChange(item.data["change"]), data_sha256=item.data_sha256,
                sha256=item.sha256, size=len(item.pdf), created_at=utcnow())
            db.session.add(stored)
            audit.record("award.letter_produced", actor=actor, subject=item.award, details={
                "number": stored.number, "award_version": stored.award_version,
                "sha256": item.sha256})
        kept[item.award.id] = (stored, item.pdf)
    db.session.flush()
    return kept


def _award_for_letters(user: User, award_id: int) -> Award:
    """An award whose letters the user may read; any other id, known or not, is refused
    alike, so guessing ids reveals nothing."""
    found = db.session.scalar(_award_query().where(Award.id == award_id))
    if found is None or not policies.can_read_award_letters(user, found):
        raise NotAllowed
    return found


def _letter_query() -> Select:
    """Awards with what their letters say loaded with them."""
    return (select(Award)
            .options(joinedload(Award.application).joinedload(Application.organisation),
                     selectinload(Award.allocations).joinedload(Allocation.pot),
                     selectinload(Award.instalments), selectinload(Award.monitoring_returns))
            .execution_options(populate_existing=True))


def _award_query() -> Select:
    """Awards for letters and for deciding who may read them."""
    return _letter_query().options(joinedload(Award.application)
                                   .joinedload(Application.organisation)
                                   .selectinload(Organisation.memberships))


def letter(user: User, award_id: int) -> tuple[AwardLetter, bytes]:
    """The letter for the award as it stands now, and its PDF. Staff and the organisation's
    members may read it whatever became of the offer: it is what the organisation was
    sent."""
    found = _award_for_letters(user, award_id)
    return _produce(found, user)


def system_letter(reference: str) -> tuple[AwardLetter, bytes]:
    """The current letter of the award with this reference, WITHOUT ANY USER CHECK: for the
    command line and background jobs only, where no one is signed in."""
    found = db.session.scalar(_award_query().where(Award.reference == reference.strip()))
    if found is None:
        raise NotFound(reference)
    return _produce(found, None)


def letter_version(user: User, award_id: int, number: int) -> tuple[AwardLetter, bytes]:
    """One stored version of the award's letter and its PDF; an unknown number is
    NotFound."""
    found = _award_for_letters(user, award_id)
    stored = db.session.scalar(select(AwardLetter).where(AwardLetter.award_id == found.id,
                                                         AwardLetter.number == number))
    if stored is None:
        raise NotFound(number)
    return stored, read(stored, found)


def read(stored: AwardLetter, award: Award | None = None) -> bytes:
    """The stored letter's bytes, checked against its sha256. A missing or damaged file is
    rendered again when the award's data is still what it was made from (rendering is
    deterministic, so the bytes are the same); otherwise LetterUnavailable."""
    pdf = _stored_bytes(stored)
    if pdf is not None:
        return pdf
    award = award or db.session.scalar(_award_query().where(Award.id == stored.award_id))
    data = letter_data(award)
    if fingerprint(data) == stored.data_sha256:
        pdf = render(data)
        if hashlib.sha256(pdf).hexdigest() == stored.sha256:
            _store(pdf)
            db.session.commit()  # on the database file store, the restored file is a row
            return pdf
    current_app.logger.error("Letter %s of award %s is missing or damaged", stored.number,
                             stored.award_id)
    raise LetterUnavailable(
        f"Version {stored.number} of the letter for {award.reference} cannot be found. "
        "Download the current letter, or ask the grants team for a copy.")


def letters(user: User, award_id: int) -> list[AwardLetter]:
    """The award's stored letters, newest first."""
    found = _award_for_letters(user, award_id)
    return list(db.session.scalars(select(AwardLetter).where(AwardLetter.award_id == found.id)
                                   .order_by(AwardLetter.number.desc())))


def filename(reference: str, stored: AwardLetter) -> str:
    """The download's name: `<reference>-letter-v<number>.pdf`."""
    return f"{reference}-letter-v{stored.number}.pdf"


# A round's letters in bulk -------------------------------------------------------------------


def _round_award_ids(round_id: int) -> list[int]:
    """The round's awards that letters go to: offered or accepted."""
    return list(db.session.scalars(
        select(Award.id).join(Award.application)
        .where(Application.round_id == round_id, Award.status.in_(COMMITTED))
        .order_by(Award.reference)))


NOT_QUEUED = ("The background job service could not be reached, so the letters were not "
              "started. Wait a few minutes, then select ‘Produce the letters again’. If this "
              "keeps happening, tell the portal’s administrators.")
JOB_LOST = ("The background job producing the letters stopped before it finished. The "
            "letters it produced are kept: select ‘Produce the letters again’ to finish them. "
            "If this keeps happening, tell the portal’s administrators.")


def _fail_unfinished(user: User | None, batch_id: int, error: str,
                     reason: str | None = None) -> None:
    """Mark the batch failed, unless it has finished meanwhile (committed): audited as noticed
    by the user with the reason, or quietly when a job failed (its page shows it). The row is
    locked first, so a job finishing at this moment either finishes first or waits."""
    found = db.session.get(LetterBatch, batch_id, with_for_update=True, populate_existing=True)
    if LETTER_BATCH.may_move(found, JobStatus.FAILED):
        LETTER_BATCH.move(found, JobStatus.FAILED, actor=user, quietly=reason is None,
                          details={"reason": reason})
        found.error, found.finished_at = error, utcnow()
    db.session.commit()


def _chunks(award_ids: list[int]) -> list[list[int]]:
    """The awards in jobs of LETTER_BATCH_CHUNK; a round without awards still has one job, to
    mark its batch done."""
    size = current_app.config["LETTER_BATCH_CHUNK"]
    return [award_ids[start:start + size] for start in range(0, len(award_ids), size)] or [[]]


def start_batch(user: User, round_id: int) -> LetterBatch:
    """Ask for every letter of the round: a batch to follow, run as jobs of a few dozen
    letters each, so that every worker takes a share (on workers when Redis is configured,
    otherwise here and now). When Redis cannot be reached the batch comes back failed, saying
    so, to be started again later."""
    policies.require(policies.can_make_awards(user))
    if db.session.get(Round, round_id) is None:
        raise NotFound(round_id)
    award_ids = _round_award_ids(round_id)
    started = LetterBatch(round_id=round_id, requested_by=user, requested_at=utcnow(),
                          status=JobStatus.QUEUED, total=len(award_ids))
    db.session.add(started)
    db.session.flush()
    audit.record("letters.batch_started", actor=user, subject=started,
                 details={"round_id": round_id, "total": started.total})
    db.session.commit()
    batch_id, job_ids = started.id, []
    try:
        for chunk in _chunks(award_ids):
            job_ids.append(jobs.enqueue("portal.awards.letters.run_chunk", batch_id, chunk))
    except jobs.JobsUnavailable:
        # Any chunk queued already finds the batch failed and leaves it.
        current_app.logger.exception("Letter batch %s could not be queued", batch_id)
        _fail_unfinished(user, batch_id, NOT_QUEUED, "not_queued")
    if job_ids := [job_id for job_id in job_ids if job_id]:  # none when run in-process
        db.session.execute(update(LetterBatch).where(LetterBatch.id == batch_id)
                           .values(job_ids=job_ids))
        db.session.commit()
    return db.session.get(LetterBatch, batch_id, populate_existing=True)


def run_chunk(batch_id: int, award_ids: list[int]) -> None:
    """The job for some of a batch's letters: produce them (reusing unchanged ones) and count
    them done in one transaction; the chunk that brings the count to the total marks the
    batch done. A failure marks the batch failed with its error, not raised; the letters of
    the chunks before stay made. A batch failed already is left alone."""
    if not _start(batch_id):
        return
    try:
        running = db.session.get(LetterBatch, batch_id)
        awards = list(db.session.scalars(_letter_query().where(
            Award.id.in_(award_ids), Award.status.in_(COMMITTED)).order_by(Award.id)))
        _produce_all(awards, running.requested_by)
        _count_done(batch_id, len(award_ids))
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        current_app.logger.exception("Letter batch %s failed", batch_id)
        _fail_unfinished(None, batch_id, str(error) or type(error).__name__)


def _start(batch_id: int) -> bool:
    """Whether the batch is running, moving it from queued if this is its first chunk
    (committed)."""
    found = db.session.get(LetterBatch, batch_id, with_for_update=True, populate_existing=True)
    if found is not None and found.status is JobStatus.QUEUED:
        LETTER_BATCH.move(found, JobStatus.RUNNING, quietly=True)
    running = found is not None and found.status is JobStatus.RUNNING
    db.session.commit()
    return running


def _count_done(batch_id: int, count: int) -> None:
    """Add `count` letters to the batch's done, in SQL, so that chunks finishing at once each
    add theirs; the UPDATE locks the row until the commit, so exactly one chunk sees the total
    reached, and marks the batch done. One marked failed meanwhile stays failed."""
    done, total = db.session.execute(
        update(LetterBatch).where(LetterBatch.id == batch_id)
        .values(done=LetterBatch.done + count).returning(LetterBatch.done, LetterBatch.total)
        .execution_options(synchronize_session=False)).one()
    if done < total:
        return
    found = db.session.get(LetterBatch, batch_id, populate_existing=True)
    if LETTER_BATCH.may_move(found, JobStatus.DONE):
        LETTER_BATCH.move(found, JobStatus.DONE, quietly=True)
        found.finished_at = utcnow()


def batch(user: User, round_id: int, batch_id: int) -> LetterBatch:
    """A batch of the round's letters; one of another round is NotFound, as unknown. An
    unfinished batch whose job has died is marked failed first (see `jobs.lost_reason`)."""
    policies.require(policies.can_make_awards(user))
    found = db.session.scalar(
        select(LetterBatch).where(LetterBatch.id == batch_id, LetterBatch.round_id == round_id)
        .options(joinedload(LetterBatch.round)).execution_options(populate_existing=True))
    if found is None:
        raise NotFound(batch_id)
    if is_unfinished(found) and (reason := jobs.lost_reason(found.requested_at, found.job_ids)):
        current_app.logger.warning("Letter batch %s lost its job (%s)", batch_id, reason)
        _fail_unfinished(user, batch_id, JOB_LOST, reason)
    return found


def batch_zip(user: User, round_id: int, batch_id: int) -> tuple[LetterBatch, bytes]:
    """A ZIP of the round's current letters, one `<reference>.pdf` per award, once the batch
    is done; NotFound before that."""
    found = batch(user, round_id, batch_id)
    if not letters_ready(found):
        raise NotFound(batch_id)
    newest = _newest_numbers(_round_award_ids(round_id))
    rows = db.session.execute(
        select(Award.reference, AwardLetter)
        .join(newest, (newest.c.award_id == AwardLetter.award_id)
              & (newest.c.number == AwardLetter.number))
        .join(Award, Award.id == AwardLetter.award_id).order_by(Award.reference)).all()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for reference, stored in rows:
            archive.writestr(f"{reference}.pdf", read(stored))
    return found, buffer.getvalue()
