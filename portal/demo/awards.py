"""Demo award offers and the grants' lives to date: each approval of the decided Community Plus
round is offered through the awards service, its amount split across the 2024/25 pots by the
scheme's policy (external first, within each pot's restrictions) and committed in the ledger.
An approval the pots cannot cover is left without an offer, as it would be in life. Awards of
£4,000 or more are paid in two instalments, the rest in one. The organisations accept all but
two: one declines and one lets its offer expire, and their money goes back to the pots. One
award is varied: £500 more, paid in a new instalment.

Then everything due by the day of loading happens, through the same services: each
instalment is paid on its due date; each end-of-grant report due is sent a week early and
accepted, except the one due last, which is overdue, and the one before it, which is queried;
and all but the last two awards with an accepted report are closed (one returning unspent
money). Idempotent: approvals that already have an award are skipped."""

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from models import Application, Award, MonitoringReturn, User
from models.enums import ApplicationStatus, AwardStatus, GrantReturnStatus
from portal.awards import closure, payments, returns, variations
from portal.awards import services as awards
from portal.awards.return_details import Answers, Review
from portal.awards.terms import ScheduledPayment, Terms, terms_of
from portal.dates import to_london
from portal.extensions import db

OFFICER = "officer@demo.example.org"
OFFERED_ON = datetime(2024, 7, 25, 10, tzinfo=UTC)
ACCEPT_BY = date(2024, 8, 22)
ANSWERED_ON = datetime(2024, 8, 1, 14, tzinfo=UTC)
FIRST_PAID_ON = date(2024, 8, 5)  # after the acceptances had been checked
DEMO_IP = "192.0.2.10"  # an address reserved for documentation
TWO_INSTALMENTS_FROM = 4_000_00
VARIED_ON = datetime(2024, 10, 10, 11, tzinfo=UTC)
VARIATION_PENCE = 500_00
SENT_EARLY, REVIEWED_AFTER, CLOSED_AFTER = (timedelta(days=7), timedelta(days=12),
                                            timedelta(days=7))
UNDERSPEND_PENCE = 150_00
LEFT_TO_CLOSE = 2  # accepted reports whose awards the officers have still to close
QUERY = ("The spending adds up to less than was paid, but no underspend is declared. Please "
         "check the figures and tell us what the rest was spent on.")


def load_awards(now: datetime) -> int:
    """Offer every approved demo application that has no award yet, and live the awards'
    lives up to `now`; returns how many offers were made."""
    officer = db.session.scalar(select(User).where(User.email == OFFICER))
    approved = db.session.scalars(
        select(Application.id).where(Application.status == ApplicationStatus.APPROVED,
                                     ~Application.id.in_(select(Award.application_id)))
        .order_by(Application.reference)).all()
    offers = []
    for application_id in approved:
        page = awards.offer_page(officer, application_id, OFFERED_ON)
        if page.why_not or page.shortfall_pence:
            continue
        offers.append(awards.make_offer(officer, application_id, awards.OfferDetails(
            allocations=page.proposal, standard_conditions=awards.standard_conditions(),
            special_conditions="", accept_by=ACCEPT_BY, terms=_schedule(page.terms)),
            OFFERED_ON))
    _answer(offers)
    accepted = [award for award in offers if award.status is AwardStatus.ACCEPTED]
    _pay_due(officer, accepted, VARIED_ON)
    if accepted:
        _vary(officer, accepted[0])
    _pay_due(officer, accepted, now)
    _send_reports(officer, accepted, now)
    _close(officer, accepted, now)
    return len(offers)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10), UTC)


def _schedule(terms: Terms) -> Terms:
    """Large awards in two instalments, the second three months after the first."""
    (only,) = terms.instalments
    if only.amount_pence < TWO_INSTALMENTS_FROM:
        return terms
    second = only.amount_pence // 2
    return replace(terms, instalments=(
        ScheduledPayment(only.due_on, only.amount_pence - second),
        ScheduledPayment(only.due_on + timedelta(days=91), second)))


def _pay_due(officer: User, accepted: list[Award], now: datetime) -> None:
    """Pay each instalment due by `now` and not yet paid, on its due date (or, for those due
    before the acceptances were checked, on the day they were)."""
    today = to_london(now).date()
    for award in accepted:
        paid = payments.paid_by_instalment(award.id)
        for instalment in award.instalments:
            paid_on = max(instalment.due_on, FIRST_PAID_ON)
            if instalment.id in paid or paid_on > today:
                continue
            payments.record_payment(officer, award.id, payments.PaymentDetails(
                instalment_id=instalment.id, paid_on=paid_on,
                amount_pence=instalment.amount_pence,
                reference=f"BACS-{award.reference}-{instalment.number}"), _at(paid_on))


def _vary(officer: User, award: Award) -> None:
    """£500 more for rising venue costs, from the pot that pays most of it, paid in a new
    instalment in the new year."""
    allocations = {allocation.pot_id: allocation.amount_pence
                   for allocation in award.allocations}
    largest = max(allocations, key=allocations.get)
    allocations[largest] += VARIATION_PENCE
    current = terms_of(award)
    terms = replace(current, instalments=(
        *current.instalments, ScheduledPayment(date(2025, 1, 15), VARIATION_PENCE)))
    variations.vary(officer, award.id, variations.Variation(
        amount_pence=award.amount_pence + VARIATION_PENCE, allocations=allocations,
        terms=terms, reason="The hall's hire charge rose after the offer; the panel agreed "
                            "a further £500 on 9 October 2024."), VARIED_ON)


def _answer(offers: list) -> None:
    """The organisations' admins accept all but the last two offers; the first of those is
    declined and the other expires."""
    for award in offers[:-2]:
        admin = award.application.created_by
        awards.accept(admin, award.id, awards.Acceptance(
            signatory_name=admin.full_name, signatory_position="Chair of trustees",
            confirmed=True, ip=DEMO_IP), ANSWERED_ON)
    if len(offers) >= 2:
        declined = offers[-2]
        awards.decline(declined.application.created_by, declined.id,
                       "Another funder has now paid for the whole project.", ANSWERED_ON)
        awards.expire_offers(datetime.combine(ACCEPT_BY + timedelta(days=1),
                                              datetime.min.time(), UTC))


def _reports_due(accepted: list[Award], today: date) -> list[MonitoringReturn]:
    """The accepted awards' returns due before `today`, the one due last at the end."""
    due = [each for award in accepted for each in award.monitoring_returns
           if each.due_on < today]
    return sorted(due, key=lambda each: (each.due_on, each.id))


def _send_reports(officer: User, accepted: list[Award], now: datetime) -> None:
    """Every report due is sent a week early and accepted, but the last is overdue and the
    one before it is queried. The first report declares an underspend."""
    due = _reports_due(accepted, to_london(now).date())
    for number, report in enumerate(due[:-1]):
        sent_at = _at(report.due_on - SENT_EARLY)
        underspend = UNDERSPEND_PENCE if number == 0 else 0
        member = report.award.application.created_by
        returns.save_answers(member, report.id, _answers(report, underspend), sent_at)
        returns.submit(member, report.id, "", sent_at)
        queried = number == len(due) - 2
        reviewed_at = min(sent_at + REVIEWED_AFTER, now - timedelta(hours=1))
        returns.review(officer, report.id, Review(accept=not queried,
                                                  note=QUERY if queried else ""), reviewed_at)


def _answers(report: MonitoringReturn, underspend_pence: int) -> Answers:
    """A plausible report: spending on each budget line in proportion to its cost, people
    reached spread over the application's themes and wards."""
    application = report.award.application
    spent = report.award.amount_pence - underspend_pence
    lines = application.cost_lines
    costs = sum(line.amount_pence for line in lines)
    spend = {line.id: line.amount_pence * spent // costs for line in lines}
    spend[lines[-1].id] += spent - sum(spend.values())
    people = application.beneficiaries
    wards = application.wards or []
    return Answers(
        progress=f"{application.title} ran as planned, every week of the project.",
        outcomes=f"We reached {people} people, as the application promised.",
        people_reached=people,
        people_by_theme={theme.id: people for theme in application.themes},
        people_by_ward={ward.id: people // len(wards) for ward in wards},
        spend_by_line=spend,
        difference_made="People told us they feel less alone and know where to get help.",
        lessons_learned="Word of mouth brought more people than leaflets did.",
        underspend_pence=underspend_pence)


def _close(officer: User, accepted: list[Award], now: datetime) -> None:
    """Close each award whose end-of-grant report was accepted, a week after, but the last
    ones, which the officers still have to close."""
    reports = [each for award in accepted for each in award.monitoring_returns
               if each.end_of_grant and each.status is GrantReturnStatus.ACCEPTED]
    reports.sort(key=lambda each: each.reviewed_at)
    for report in reports[:-LEFT_TO_CLOSE]:
        closed_at = min(report.reviewed_at + CLOSED_AFTER, now - timedelta(minutes=30))
        closure.close(officer, report.award_id, closure.ClosureDetails(
            received_on=to_london(closed_at).date()), closed_at)
