"""Award offers made from approved decisions, and their withdrawal.

An offer's money is committed in the funding ledger in the same transaction as the award, so
an award never exists without its money held, and withdrawing releases it the same way. The
ledger locks the pots and has the last word on whether the money is there.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import current_app, has_request_context, url_for
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from models import (
    Allocation,
    Application,
    Award,
    Decision,
    FundingPot,
    LedgerEntry,
    Organisation,
    Round,
    User,
)
from models.base import utcnow
from models.enums import (
    ApplicationStatus,
    AwardChange,
    AwardStatus,
    DecisionOutcome,
    FundingSource,
    LedgerKind,
    OrganisationRole,
    PotStatus,
)
from portal import audit, policies
from portal.awards import subsidy
from portal.awards.lifecycle import AWARD, COMMITTED, may_offer
from portal.awards.terms import Terms, apply_terms, check_terms, default_terms, record_version
from portal.dates import format_date, to_london
from portal.exceptions import NotAllowed, NotFound, RuleBroken
from portal.extensions import db
from portal.funding import ledger
from portal.funding.split import PotOption, Purpose, Restrictions, ShortOfFunds, may_fund, propose
from portal.mail import send_each
from portal.money import format_pounds
from portal.schemes.rules import decisions_wait

STANDARD_CONDITIONS_FILE = Path(__file__).with_name("standard_conditions.txt")
PER_PAGE = 25


def standard_conditions() -> str:
    """The council's standard conditions, numbered, as an offer starts with them."""
    lines = [line.strip() for line in STANDARD_CONDITIONS_FILE.read_text().splitlines()]
    conditions = [line for line in lines if line and not line.startswith("#")]
    return "\n".join(f"{number}. {text}" for number, text in enumerate(conditions, 1))


def default_accept_by(now: datetime) -> date:
    """Today in the UK plus the configured number of days to accept."""
    return to_london(now).date() + timedelta(days=current_app.config["OFFER_ACCEPTANCE_DAYS"])


# The offer page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PotChoice:
    """A pot that may fund the award, and what it has available now."""

    pot: FundingPot
    available_pence: int


@dataclass
class OfferPage:
    """What the offer page needs; `why_not` says why no offer can be made, when none can."""

    application: Application
    decision: Decision | None
    award: Award | None
    pots: list[PotChoice]
    proposal: dict[int, int]
    shortfall_pence: int = 0
    terms: Terms | None = None
    running_total: subsidy.RunningTotal | None = None
    round_wait: str | None = None  # why the round takes no offers yet, if it does not

    @property
    def why_not(self) -> str | None:
        if self.award is not None:
            return ("An award has already been offered for this application: it is "
                    f"{self.award.status.value}.")
        if self.round_wait:
            return f"{self.round_wait}."
        if may_offer(self.application) and self.decision is None:
            return "No decision approving an amount has been recorded for this application."
        if not may_offer(self.application):
            return ("Only an approved application can be offered an award. This application "
                    f"is {self.application.status.label.lower()}.")
        return None

    @property
    def amount_pence(self) -> int:
        return self.decision.amount_pence or 0 if self.decision else 0


def _application(application_id: int, *, lock: bool = False) -> Application:
    """An application sent in; drafts and unknown ids are NotFound."""
    if lock:
        db.session.execute(select(Application.id).where(Application.id == application_id)
                           .with_for_update())
    application = db.session.scalar(
        select(Application).where(Application.id == application_id,
                                  Application.status != ApplicationStatus.DRAFT)
        .options(joinedload(Application.organisation),
                 joinedload(Application.round).joinedload(Round.scheme),
                 selectinload(Application.themes), selectinload(Application.wards))
        .execution_options(populate_existing=True))
    if application is None:
        raise NotFound(application_id)
    return application


def _approval(application_id: int) -> Decision | None:
    """The newest approval: its amount is the award's."""
    return db.session.scalar(
        select(Decision).where(Decision.application_id == application_id,
                               Decision.outcome == DecisionOutcome.APPROVED)
        .order_by(Decision.recorded_at.desc(), Decision.id.desc()).limit(1))


def pots_for(application: Application) -> list[PotChoice]:
    """Open pots of the round's financial year whose restrictions allow this award, with
    what each has available (stored on the pot's row)."""
    purpose = Purpose(application.round.scheme_id,
                      frozenset(theme.id for theme in application.themes),
                      frozenset(ward.id for ward in application.wards))
    # A pot restricted to commissioning programmes is for their contracts, not for grants.
    pots = db.session.scalars(
        select(FundingPot).where(FundingPot.financial_year == application.round.financial_year,
                                 FundingPot.status == PotStatus.OPEN,
                                 ~FundingPot.programmes.any())
        .options(selectinload(FundingPot.schemes), selectinload(FundingPot.themes),
                 selectinload(FundingPot.wards))
        .order_by(FundingPot.source, FundingPot.name, FundingPot.id)).all()
    allowed = [pot for pot in pots if may_fund(Restrictions(
        frozenset(s.id for s in pot.schemes), frozenset(t.id for t in pot.themes),
        frozenset(w.id for w in pot.wards)), purpose)]
    return [PotChoice(pot, ledger.balance_of(pot).available_pence) for pot in allowed]


def offer_page(user: User, application_id: int, now: datetime | None = None) -> OfferPage:
    """The approved amount, the pots that may fund it and a proposed split by the scheme's
    policy, the terms an offer starts with as of `now` and the organisation's running total
    for subsidy control (or, when no offer can be made, why not)."""
    policies.require(policies.can_make_awards(user))
    application = _application(application_id)
    award = db.session.scalar(select(Award).where(Award.application_id == application.id))
    decision = _approval(application.id)
    page = OfferPage(application, decision, award, [], {},
                     round_wait=decisions_wait(application.round, now or utcnow()))
    if page.why_not:
        return page
    page.pots = pots_for(application)
    page.terms = default_terms(page.amount_pence, application.start_date, application.end_date,
                               to_london(now or utcnow()).date())
    page.running_total = subsidy.running_total(application, page.amount_pence)
    options = [PotOption(choice.pot.id, choice.pot.source, choice.available_pence,
                         choice.pot.spend_by) for choice in page.pots]
    try:
        page.proposal = propose(page.amount_pence, options,
                                application.round.scheme.split_policy)
    except ShortOfFunds as short:
        page.shortfall_pence = short.shortfall_pence
    return page


# Making and withdrawing offers ---------------------------------------------------------------


@dataclass(frozen=True)
class OfferDetails:
    """What the officer sent: pence from each pot (pot id -> pence), conditions, the date by
    which the organisation must accept, the period, schedule and returns, and whether the
    award is Minimal Financial Assistance (if not, on what basis it is given)."""

    allocations: dict[int, int]
    standard_conditions: str
    special_conditions: str
    accept_by: date
    terms: Terms
    minimal_financial_assistance: bool = True
    subsidy_basis: str = ""


def _subsidy(page: OfferPage, details: OfferDetails) -> subsidy.RunningTotal:
    """The running total, refused above the threshold for Minimal Financial Assistance, and
    refused without a basis when the award is not given as that."""
    total = subsidy.running_total(page.application, page.amount_pence)
    if details.minimal_financial_assistance and total.over:
        raise RuleBroken(
            f"This award would take the organisation’s public funding over {total.period} to "
            f"{format_pounds(total.total_pence)}, above the Minimal Financial Assistance limit "
            f"of {format_pounds(total.threshold_pence)}. Reduce the award or give it on another "
            "basis.", field="minimal_financial_assistance")
    if not details.minimal_financial_assistance and not details.subsidy_basis.strip():
        raise RuleBroken("Enter the basis on which the award is given, if not as Minimal "
                         "Financial Assistance", field="subsidy_basis")
    return total


def check_allocations(allocations: dict[int, int], allowed: set[int],
                      amount_pence: int) -> dict[int, int]:
    """The non-zero allocations, refused unless they use only the `allowed` pots (those that
    may fund the award) and add up exactly to `amount_pence`. Offers and variations alike."""
    chosen = {pot_id: pence for pot_id, pence in allocations.items() if pence}
    if any(pence < 0 for pence in chosen.values()) or not chosen.keys() <= allowed:
        raise RuleBroken("Enter amounts only for the pots listed, which may fund this award",
                         field="allocations")
    total = sum(chosen.values())
    if total != amount_pence:
        raise RuleBroken(f"The amounts from the pots add up to {format_pounds(total)}. They "
                         f"must add up to the award of {format_pounds(amount_pence)}.",
                         field="allocations")
    return chosen


def make_offer(user: User, application_id: int, details: OfferDetails,
               now: datetime) -> Award:
    """Offer the approved amount, paid from the chosen pots: the award, its allocations and
    the commitments in the ledger, with the audit event, in one commit. The application row
    is locked first, so two officers cannot both make an offer for it."""
    policies.require(policies.can_make_awards(user))
    _application(application_id, lock=True)
    page = offer_page(user, application_id, now)
    if page.why_not:
        raise RuleBroken(page.why_not)
    chosen = check_allocations(details.allocations, {choice.pot.id for choice in page.pots},
                               page.amount_pence)
    if details.accept_by < to_london(now).date():
        raise RuleBroken("The date to accept by must be today or in the future",
                         field="accept_by")
    if not details.standard_conditions.strip():
        raise RuleBroken("Enter the standard conditions", field="standard_conditions")
    check_terms(details.terms, page.amount_pence, to_london(now).date())
    total = _subsidy(page, details)
    application = page.application
    award = Award(application=application, decision=page.decision,
                  reference=application.reference, amount_pence=page.amount_pence,
                  status=AwardStatus.OFFERED, standard_conditions=details.standard_conditions,
                  special_conditions=details.special_conditions, offered_at=now,
                  offered_by=user, accept_by=details.accept_by,
                  minimal_financial_assistance=details.minimal_financial_assistance,
                  subsidy_total_pence=total.total_pence,
                  subsidy_statement=subsidy.statement(
                      total, details.minimal_financial_assistance, details.subsidy_basis),
                  allocations=[Allocation(pot_id=pot_id, amount_pence=pence)
                               for pot_id, pence in sorted(chosen.items())])
    apply_terms(award, details.terms)
    db.session.add(award)
    try:
        db.session.flush()
        ledger.post(user, [ledger.Posting(pot_id, LedgerKind.COMMITMENT, pence)
                           for pot_id, pence in sorted(chosen.items())],
                    reason=f"Award {award.reference}", now=now, award_id=award.id)
    except RuleBroken as refused:
        db.session.rollback()
        raise RuleBroken(refused.message, field="allocations") from refused
    record_version(user, award, AwardChange.OFFER, "Offer made", now)
    audit.record("award.offered", actor=user, subject=award, details={
        "amount_pence": award.amount_pence, "accept_by": award.accept_by.isoformat(),
        "allocations": {str(pot_id): pence for pot_id, pence in sorted(chosen.items())}})
    db.session.commit()
    tell_organisation(award, f"Your grant offer {award.reference}", "awards_offered")
    return award


def award(user: User, award_id: int) -> Award:
    """An award with its allocations and pots; an unknown id is NotFound."""
    policies.require(policies.can_make_awards(user))
    found = db.session.scalar(
        select(Award).where(Award.id == award_id)
        .options(joinedload(Award.application).joinedload(Application.organisation),
                 joinedload(Award.offered_by), joinedload(Award.answered_by),
                 selectinload(Award.allocations).joinedload(Allocation.pot))
        .execution_options(populate_existing=True))
    if found is None:
        raise NotFound(award_id)
    return found


def ledger_entries(user: User, award_id: int) -> list[LedgerEntry]:
    """The ledger entries made for an award, oldest first."""
    policies.require(policies.can_make_awards(user))
    return list(db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.award_id == award_id)
        .options(joinedload(LedgerEntry.pot), joinedload(LedgerEntry.actor))
        .order_by(LedgerEntry.created_at, LedgerEntry.id)))


def withdraw(user: User, award_id: int, reason: str, now: datetime) -> Award:
    """Withdraw an offer not yet accepted, releasing each allocation's commitment in one
    ledger posting. The application stays approved: the decision stands."""
    policies.require(policies.can_make_awards(user))
    db.session.execute(select(Award.id).where(Award.id == award_id).with_for_update())
    found = award(user, award_id)
    AWARD.check(found, AwardStatus.WITHDRAWN)
    if not reason.strip():
        raise RuleBroken("Enter the reason for withdrawing the offer", field="reason")
    ledger.post(user, [ledger.Posting(allocation.pot_id, LedgerKind.RELEASE,
                                      allocation.amount_pence)
                       for allocation in found.allocations],
                reason=f"Award {found.reference} withdrawn: {reason.strip()}", now=now,
                award_id=found.id)
    found.closed_at, found.closed_reason = now, reason.strip()
    AWARD.move(found, AwardStatus.WITHDRAWN, actor=user, details={"reason": reason.strip()})
    db.session.commit()
    return found


def record_conditions_met(user: User, award_id: int, now: datetime) -> Award:
    """Record that the award's special conditions have been met, so paying it no longer
    warns that they have not."""
    policies.require(policies.can_pay_awards(user))
    db.session.execute(select(Award.id).where(Award.id == award_id).with_for_update())
    found = award(user, award_id)
    if not found.special_conditions.strip():
        raise RuleBroken("This award has no special conditions")
    if found.conditions_met_at is not None:
        raise RuleBroken("The special conditions have been recorded as met already")
    found.conditions_met_at, found.conditions_met_by = now, user
    audit.record("award.conditions_met", actor=user, subject=found,
                 details={"special_conditions": found.special_conditions})
    db.session.commit()
    return found


# A round's awards ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AwardRow:
    """An approved application of the round, its approved amount and its award, if any."""

    application: Application
    approved_pence: int | None
    award: Award | None


@dataclass
class RoundAwards:
    round: Round
    rows: list[AwardRow]
    pagination: Pagination
    committed_pence: dict[FundingSource, int]

    @property
    def total_committed_pence(self) -> int:
        return sum(self.committed_pence.values())


def round_awards(user: User, round_id: int, page: int = 1) -> RoundAwards:
    """The round's approved applications, a page at a time, with what is committed to their
    awards from core and external pots. A fixed number of queries whatever the size of the
    round: the page, its approvals, its awards and the totals."""
    policies.require(policies.can_make_awards(user))
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        raise NotFound(round_id)
    approved = (select(Application).where(Application.round_id == round_id,
                                          Application.status == ApplicationStatus.APPROVED)
                .options(joinedload(Application.organisation))
                .order_by(Application.reference, Application.id))
    pagination = db.paginate(approved, page=page, per_page=PER_PAGE, error_out=False)
    ids = [application.id for application in pagination.items]
    amounts: dict[int, int | None] = {}
    for decision in db.session.scalars(
            select(Decision).where(Decision.application_id.in_(ids),
                                   Decision.outcome == DecisionOutcome.APPROVED)
            .order_by(Decision.recorded_at, Decision.id)):
        amounts[decision.application_id] = decision.amount_pence  # the newest wins
    awards = {found.application_id: found for found in db.session.scalars(
        select(Award).where(Award.application_id.in_(ids)))}
    committed: dict[FundingSource, int] = defaultdict(int)
    for source, pence in db.session.execute(
            select(FundingPot.source, func.sum(Allocation.amount_pence))
            .join(Allocation.pot).join(Allocation.award).join(Award.application)
            .where(Application.round_id == round_id, Award.status.in_(COMMITTED))
            .group_by(FundingPot.source)):
        committed[source] = int(pence)
    return RoundAwards(round_, [AwardRow(application, amounts.get(application.id),
                                         awards.get(application.id))
                                for application in pagination.items],
                       pagination, {source: committed[source] for source in FundingSource})


# Telling the organisation of its offer, payments and variations ------------------------------


def organisation_recipients(award: Award) -> list[User]:
    """Who hears of an offer and what becomes of it: the person who sent the application and
    the organisation's admins, each once."""
    organisation = award.application.organisation
    admins = [membership.user for membership in organisation.memberships
              if membership.role is OrganisationRole.ADMIN]
    people = [award.application.submitted_by, *admins]
    return list({person.id: person for person in people if person is not None}.values())


def tell_organisation(award: Award, subject: str, template: str, **context) -> None:
    """Email the organisation `templates/mail/<template>` about its award, linking to its
    offer page. The change is committed already: a mail server's failure is logged, never
    undoing it. Outside a request there is no host to link to, so the email says where to
    go."""
    link = (url_for("awards.offer", award_id=award.id, _external=True)
            if has_request_context() else None)
    send_each(organisation_recipients(award), subject, template, award=award, link=link, **context)


# The organisation's answer -------------------------------------------------------------------


def has_lapsed(award: Award, now: datetime) -> bool:
    """An offer lapses at the end of its accept-by day, UK time, whether or not the daily
    expiry job has run yet."""
    return AWARD.may_move(award, AwardStatus.EXPIRED) and to_london(now).date() > award.accept_by


@dataclass(frozen=True)
class OfferView:
    """An offer as its organisation sees it: the status it has now (expired once its date
    has passed) and whether this person may answer it."""

    award: Award
    status: AwardStatus
    can_answer: bool

    @property
    def open(self) -> bool:
        return self.status is AwardStatus.OFFERED


def _offer_for_member(user: User, award_id: int) -> Award:
    """An offer to one of the user's organisations; any other id, known or not, is refused
    alike, as in the applicant's area."""
    found = db.session.scalar(
        select(Award).where(Award.id == award_id)
        .options(joinedload(Award.application).joinedload(Application.organisation)
                 .selectinload(Organisation.memberships),
                 joinedload(Award.answered_by),
                 selectinload(Award.allocations).joinedload(Allocation.pot))
        .execution_options(populate_existing=True))
    if found is None or not policies.can_view_offer(user, found):
        raise NotAllowed
    return found


def offer_view(user: User, award_id: int, now: datetime) -> OfferView:
    found = _offer_for_member(user, award_id)
    status = AwardStatus.EXPIRED if has_lapsed(found, now) else found.status
    return OfferView(found, status, policies.can_answer_offer(user, found))


def _lock_for_answer(user: User, award_id: int, now: datetime, to: AwardStatus) -> Award:
    """Lock the award, then refuse anyone but an admin of its organisation, and an offer
    that is no longer open (cannot move `to`), with a message; nothing has changed."""
    db.session.execute(select(Award.id).where(Award.id == award_id).with_for_update())
    found = _offer_for_member(user, award_id)
    if not policies.can_answer_offer(user, found):
        raise RuleBroken("Only an organisation admin can accept or decline this offer")
    if has_lapsed(found, now):
        raise RuleBroken(f"This offer expired: it had to be accepted by "
                         f"{format_date(found.accept_by)}")
    AWARD.check(found, to)
    return found


@dataclass(frozen=True)
class Acceptance:
    signatory_name: str
    signatory_position: str
    confirmed: bool
    ip: str


def accept(user: User, award_id: int, answer: Acceptance, now: datetime) -> Award:
    """Accept the offer for the organisation, recording who signed, as what, when and from
    where. The money is already committed: it stays so."""
    found = _lock_for_answer(user, award_id, now, AwardStatus.ACCEPTED)
    if not answer.signatory_name.strip():
        raise RuleBroken("Enter the name of the person accepting", field="signatory_name")
    if not answer.signatory_position.strip():
        raise RuleBroken("Enter their position in the organisation", field="signatory_position")
    if not answer.confirmed:
        raise RuleBroken("Confirm that you are authorised to accept this grant",
                         field="declaration")
    found.answered_at, found.answered_by = now, user
    found.signatory_name = answer.signatory_name.strip()
    found.signatory_position = answer.signatory_position.strip()
    found.answer_ip = answer.ip[:45]
    AWARD.move(found, AwardStatus.ACCEPTED, actor=user, details={
        "signatory_name": found.signatory_name, "signatory_position": found.signatory_position,
        "ip": found.answer_ip})
    db.session.commit()
    return found


def _release(actor: User, award: Award, reason: str, now: datetime) -> None:
    """Release each allocation's commitment in one ledger posting (none for an award
    without allocations)."""
    if award.allocations:
        ledger.post(actor, [ledger.Posting(allocation.pot_id, LedgerKind.RELEASE,
                                           allocation.amount_pence)
                            for allocation in award.allocations],
                    reason=reason, now=now, award_id=award.id)


def decline(user: User, award_id: int, reason: str, now: datetime) -> Award:
    """Decline the offer for the organisation: its money goes back to the pots."""
    found = _lock_for_answer(user, award_id, now, AwardStatus.DECLINED)
    if not reason.strip():
        raise RuleBroken("Enter why the organisation is declining the offer", field="reason")
    _release(user, found, f"Award {found.reference} declined: {reason.strip()}", now)
    found.answered_at, found.answered_by = now, user
    found.declined_reason = reason.strip()
    AWARD.move(found, AwardStatus.DECLINED, actor=user,
               details={"reason": found.declined_reason})
    db.session.commit()
    return found


def expire_offers(now: datetime) -> int:
    """Close every offer not accepted by the end of its accept-by day (UK time), releasing
    its money; one transaction per award, so one refusal does not hold up the rest. Run
    daily (`flask awards expire`); running it again finds nothing more to do.

    No person acts, but every ledger entry needs one: the officer who made the offer is
    recorded, and the reason says the offer expired."""
    today = to_london(now).date()
    lapsed = list(db.session.scalars(
        select(Award.id).where(Award.status.in_(AWARD.sources(AwardStatus.EXPIRED)),
                               Award.accept_by < today)
        .order_by(Award.id)))
    expired = 0
    for award_id in lapsed:
        db.session.execute(select(Award.id).where(Award.id == award_id).with_for_update())
        found = db.session.scalar(
            select(Award).where(Award.id == award_id)
            .options(joinedload(Award.offered_by), selectinload(Award.allocations))
            .execution_options(populate_existing=True))
        if not AWARD.may_move(found, AwardStatus.EXPIRED):
            db.session.rollback()
            continue
        closed_reason = f"Not accepted by {format_date(found.accept_by)}"
        try:
            _release(found.offered_by, found,
                     f"Award {found.reference} expired: {closed_reason.lower()}", now)
        except RuleBroken:
            db.session.rollback()
            current_app.logger.exception("Could not expire the offer %s", found.reference)
            continue
        found.closed_at, found.closed_reason = now, closed_reason
        AWARD.move(found, AwardStatus.EXPIRED, details={"reason": closed_reason})
        db.session.commit()
        expired += 1
    return expired


def award_of(application: Application) -> Award | None:
    """The award made for an application the caller has already been allowed to see."""
    return db.session.scalar(select(Award).where(Award.application_id == application.id))
