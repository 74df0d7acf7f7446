"""Grant monitoring returns: the organisation writes, checks and sends a return with evidence;
an officer accepts or queries it and the organisation answers; overdue returns are flagged;
a payment held for a return is refused until it is accepted; paying early or with special
conditions unmet warns the officer. Refusals change nothing, and no one else reaches a return
by guessing its id."""

import io
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models import AuditEvent, MonitoringReturn, Payment, ReturnEvidence
from models.base import db, utcnow
from models.enums import GrantReturnStatus, OrganisationRole, Role
from portal.awards import lifecycle, payments, returns, services, variations
from portal.awards.return_details import Answers, Review
from portal.awards.terms import ReturnDue, ScheduledPayment, terms_of
from portal.exceptions import NotAllowed, RuleBroken
from portal.funding.payments import PaymentDetails
from tests.awards.conftest import Offered, accepted_grant, make, today
from tests.conftest import FILE_STORES, sign_in_as
from tests.documents import samples
from tests.factories import MembershipFactory, UserFactory
from tests.html import error_messages, form_data, soup
from tests.querycount import count_queries


def officer():
    return UserFactory(roles=(Role.GRANTS_OFFICER,))


@pytest.fixture
def grant(round_) -> Offered:
    return accepted_grant(round_)


def the_return(made: Offered) -> MonitoringReturn:
    return made.award.monitoring_returns[0]


def answers(made: Offered, **changes) -> Answers:
    application = made.award.application
    room, expenses = application.cost_lines
    return replace(Answers(
        progress="Twelve lunch clubs ran.", outcomes="Members say they feel less alone.",
        people_reached=95, people_by_theme={application.themes[0].id: 95},
        people_by_ward={application.wards[0].id: 60, application.wards[1].id: 35},
        spend_by_line={room.id: 600_00, expenses.id: 350_00},
        difference_made="Older people meet every week.", lessons_learned="Book rooms early.",
        underspend_pence=50_00), **changes)


def sent(made: Offered, **changes) -> MonitoringReturn:
    """The return written and sent by the plain member who sent the application."""
    returns.save_answers(made.member, the_return(made).id, answers(made, **changes), utcnow())
    return returns.submit(made.member, the_return(made).id, "", utcnow())


# The rules, through the services ------------------------------------------------------------


def test_a_return_is_written_sent_and_accepted(grant):
    found = sent(grant)
    assert found.status is GrantReturnStatus.SUBMITTED
    assert found.submitted_by == grant.member
    assert found.people_by_ward == {str(ward.id): count for ward, count
                                    in zip(grant.award.application.wards, (60, 35), strict=True)}
    assert sum(found.spend_by_line.values()) == 950_00
    assert found.underspend_pence == 50_00
    accepted = returns.review(officer(), found.id, Review(accept=True), utcnow())
    assert accepted.status is GrantReturnStatus.ACCEPTED
    actions = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.action.like("grant_return.%")).order_by(AuditEvent.id)).all()
    assert actions == ["grant_return.submitted", "grant_return.accepted"]
    with pytest.raises(RuleBroken, match="cannot be changed"):
        returns.save_answers(grant.member, found.id, answers(grant), utcnow())


def test_a_query_is_answered_by_sending_again_and_lateness_is_judged_on_the_first(grant, outbox):
    found = sent(grant)
    first_sent = found.submitted_at
    with pytest.raises(RuleBroken) as refused:
        returns.review(officer(), found.id, Review(accept=False, note="  "), utcnow())
    assert refused.value.field == "note"
    returns.review(officer(), found.id, Review(accept=False, note="Send the room invoice."),
                   utcnow())
    assert the_return(grant).status is GrantReturnStatus.QUERIED
    told = outbox.to(grant.admin.email)
    assert told and "Send the room invoice." in told[-1].get_body(("plain",)).get_content()
    with pytest.raises(RuleBroken) as refused:
        returns.submit(grant.member, found.id, "", utcnow())
    assert refused.value.field == "query_answer"
    again = returns.submit(grant.member, found.id, "Invoice added.", utcnow() + timedelta(days=1))
    assert (again.status, again.query_answer) == (GrantReturnStatus.SUBMITTED, "Invoice added.")
    assert again.submitted_at == first_sent


@pytest.mark.parametrize(("changes", "field"), [
    ({"progress": " "}, "progress"),
    ({"people_reached": -1}, "people_reached"),
    ({"difference_made": ""}, "difference_made"),
    ({"underspend_pence": None}, "underspend"),
    ({"underspend_pence": 1_000_01}, "underspend"),
    ({"people_by_theme": {987654: 3}}, "people_by_theme"),
    ({"spend_by_line": {987654: 3}}, "spend_by_line"),
])
def test_answers_that_do_not_hold_together_are_refused_and_nothing_is_saved(grant, changes,
                                                                             field):
    with pytest.raises(RuleBroken) as refused:
        returns.save_answers(grant.member, the_return(grant).id, answers(grant, **changes),
                             utcnow())
    assert refused.value.field == field
    db.session.rollback()
    assert not the_return(grant).has_answers


def test_nothing_is_sent_before_it_is_written_or_before_the_offer_is_accepted(round_, grant):
    with pytest.raises(RuleBroken, match="save them before sending"):
        returns.submit(grant.member, the_return(grant).id, "", utcnow())
    offered = make(round_)
    with pytest.raises(RuleBroken, match="cannot be changed"):
        returns.save_answers(offered.member, the_return(offered).id, answers(grant), utcnow())


def test_only_the_organisation_writes_and_only_officers_review(grant):
    stranger = MembershipFactory(role=OrganisationRole.ADMIN).user
    with pytest.raises(NotAllowed):
        returns.get_return(stranger, the_return(grant).id)
    with pytest.raises(NotAllowed):
        returns.get_return(stranger, 987654)  # unknown and not theirs look the same
    with pytest.raises(NotAllowed):
        returns.save_answers(officer(), the_return(grant).id, answers(grant), utcnow())
    sent(grant)
    with pytest.raises(NotAllowed):
        returns.review(grant.admin, the_return(grant).id, Review(accept=True), utcnow())


def test_a_return_not_sent_by_its_due_date_is_overdue_until_it_is_sent(grant):
    found = the_return(grant)
    assert not lifecycle.is_overdue(found, found.due_on)
    assert lifecycle.is_overdue(found, found.due_on + timedelta(days=1))
    listed = returns.officers_list(officer(), returns.Show.OVERDUE, 1,
                                   found.due_on + timedelta(days=1))
    assert [each.id for each in listed.items] == [found.id]
    sent(grant)
    assert not lifecycle.is_overdue(found, found.due_on + timedelta(days=1))
    to_review = returns.officers_list(officer(), returns.Show.TO_REVIEW, 1, today())
    assert [each.id for each in to_review.items] == [found.id]


# Payments held for a return, and the officer's warnings -------------------------------------


def hold_second_payment(made: Offered):
    """Vary the award to pay £600 now and £400 once the end-of-grant report is accepted."""
    current = terms_of(made.award)
    first = current.instalments[0]
    terms = replace(current, instalments=(
        ScheduledPayment(first.due_on, 600_00),
        ScheduledPayment(current.end_date, 400_00, held_for=1)))
    variations.vary(officer(), made.award.id, variations.Variation(
        amount_pence=made.award.amount_pence,
        allocations={each.pot_id: each.amount_pence for each in made.award.allocations},
        terms=terms, reason="Hold the last payment for the report"), utcnow())


def pay_second(made: Offered) -> Payment:
    second = made.award.instalments[1]
    return payments.record_payment(officer(), made.award.id, PaymentDetails(
        second.id, today(), 400_00, "BACS-2"), utcnow())


def test_a_held_payment_is_refused_with_the_reason_until_its_return_is_accepted(grant):
    hold_second_payment(grant)
    assert grant.award.instalments[1].held_for_return == the_return(grant)
    with pytest.raises(RuleBroken, match="held until the return End of grant report") as held:
        pay_second(grant)
    assert "has not been sent yet" in held.value.message
    db.session.rollback()
    sent(grant)
    with pytest.raises(RuleBroken, match="waiting to be reviewed"):
        pay_second(grant)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Payment.id))) == 0
    returns.review(officer(), the_return(grant).id, Review(accept=True), utcnow())
    assert pay_second(grant).amount_pence == 400_00


def vary_returns(made: Offered, *dues: ReturnDue, reason: str) -> None:
    current = terms_of(made.award)
    variations.vary(officer(), made.award.id, variations.Variation(
        amount_pence=made.award.amount_pence,
        allocations={each.pot_id: each.amount_pence for each in made.award.allocations},
        terms=replace(current, monitoring_returns=dues), reason=reason), utcnow())


def test_varying_the_terms_keeps_a_return_and_its_answers_and_never_drops_a_sent_one(grant):
    final = the_return(grant)
    returns.save_answers(grant.member, final.id, answers(grant), utcnow())
    report = ReturnDue(final.title, final.due_on)
    interim = ReturnDue("Six-month report", final.due_on - timedelta(days=180))
    vary_returns(grant, report, interim, reason="Add an interim report")
    # Listed in due order: the interim report first, and the final one keeps its answers.
    added, kept = grant.award.monitoring_returns
    assert (kept.id, kept.progress) == (final.id, "Twelve lunch clubs ran.")
    assert kept.end_of_grant and not added.end_of_grant  # the one due last is the final
    returns.save_answers(grant.member, added.id, answers(grant), utcnow())
    returns.submit(grant.member, added.id, "", utcnow())
    with pytest.raises(RuleBroken, match="The return Six-month report has been sent, so it "
                                         "must stay"):
        vary_returns(grant, report, reason="Drop the interim report")
    db.session.rollback()
    assert len(grant.award.monitoring_returns) == 2


def test_paying_early_or_with_special_conditions_unmet_warns_the_officer(grant):
    hold_second_payment(grant)
    view = payments.payments_view(officer(), grant.award)
    warnings = view.warnings(today())
    assert any("special conditions" in each and "Send receipts." in each for each in warnings)
    assert any(each.startswith("Payment 2 is not due until") for each in warnings)
    services.record_conditions_met(officer(), grant.award.id, utcnow())
    with pytest.raises(RuleBroken, match="already"):
        services.record_conditions_met(officer(), grant.award.id, utcnow())
    db.session.rollback()
    later = payments.payments_view(officer(), grant.award).warnings(today())
    assert not any("special conditions" in each for each in later)


# Through the pages ---------------------------------------------------------------------------


def test_the_organisation_writes_checks_and_sends_a_return_through_the_pages(client, grant):
    sign_in_as(client, grant.member)
    found = the_return(grant)
    application = grant.award.application
    offer = soup(client.get(f"/awards/offers/{grant.award.id}"))
    assert offer.select_one("#monitoring-returns a")["href"] == f"/awards/returns/{found.id}"
    page = client.get(f"/awards/returns/{found.id}/answers")
    assert "Your application said about 120 people" in soup(page).get_text()
    room, expenses = application.cost_lines
    data = {**form_data(page), "progress": "Twelve lunch clubs ran.",
            "outcomes": "Members feel less alone.", "people_reached": "1,095",
            f"theme_{application.themes[0].id}": "95", f"ward_{application.wards[0].id}": "60",
            f"line_{room.id}": "£600", f"line_{expenses.id}": "not money",
            "difference_made": "Weekly meetings.", "underspend": "50"}
    refused = client.post(f"/awards/returns/{found.id}/answers", data=data)
    assert error_messages(refused) == {
        f"line_{expenses.id}": "Enter the spending on Volunteer expenses in pounds, like £5,000"}
    assert soup(refused).select_one("#progress").text.strip() == "Twelve lunch clubs ran."
    saved = client.post(f"/awards/returns/{found.id}/answers",
                        data={**data, f"line_{expenses.id}": "350"})
    assert saved.headers["Location"] == f"/awards/returns/{found.id}/check"
    check = soup(client.get(f"/awards/returns/{found.id}/check"))
    assert "1,095" in check.select_one("#answers").get_text()
    assert "£350.00" in check.select_one("#spending").get_text()
    change = check.select_one("#spending a")["href"]
    assert change == f"/awards/returns/{found.id}/answers#line_{room.id}"
    sent_page = client.post(f"/awards/returns/{found.id}/check", data={}, follow_redirects=True)
    assert "has been sent" in soup(sent_page).get_text()
    db.session.expire_all()
    assert the_return(grant).status is GrantReturnStatus.SUBMITTED


@pytest.mark.parametrize("store", FILE_STORES, indirect=True)
def test_evidence_is_checked_kept_and_served_only_to_those_who_may_see_the_return(client, grant,
                                                                                 store):
    sign_in_as(client, grant.member)
    found = the_return(grant)
    room = grant.award.application.cost_lines[0]
    refused = client.post(f"/awards/returns/{found.id}/evidence", data={
        "cost_line": str(room.id), "file": (io.BytesIO(b"MZ\x90\x00not a pdf"), "receipt.pdf")})
    assert "file" in error_messages(refused)
    added = client.post(f"/awards/returns/{found.id}/evidence", data={
        "cost_line": str(room.id), "file": (io.BytesIO(samples.PDF), "receipt.pdf")})
    assert added.status_code == 302
    evidence = db.session.scalars(select(ReturnEvidence)).one()
    assert evidence.cost_line == room
    assert store.names("uploads") == [evidence.stored_name]
    download = client.get(f"/awards/returns/{found.id}/evidence/{evidence.id}")
    assert download.data == samples.PDF
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"] == "attachment; filename=receipt.pdf"
    sign_in_as(client, MembershipFactory(role=OrganisationRole.ADMIN).user)
    assert client.get(f"/awards/returns/{found.id}/evidence/{evidence.id}").status_code == 403
    assert client.get(f"/awards/returns/{found.id}").status_code == 403
    # Another return's id with this evidence's id is not found.
    other = make(grant.award.application.round)
    sign_in_as(client, officer())
    assert client.get(f"/awards/returns/{the_return(other).id}/evidence/"
                      f"{evidence.id}").status_code == 404
    # The organisation removes it while the return may still be changed: the file goes too.
    sign_in_as(client, grant.member)
    removed = client.post(f"/awards/returns/{found.id}/evidence/{evidence.id}/remove")
    assert removed.status_code == 302
    assert store.names("uploads") == []


def test_an_officer_queries_a_return_from_its_page(client, grant):
    found = sent(grant)
    sign_in_as(client, officer())
    blank = client.post(f"/awards/returns/{found.id}/review", data={"outcome": "query"})
    assert error_messages(blank) == {
        "note": "Enter what the organisation needs to explain or correct"}
    client.post(f"/awards/returns/{found.id}/review",
                data={"outcome": "query", "note": "Which rooms?"})
    page = soup(client.get(f"/awards/returns/{found.id}"))
    assert "Which rooms?" in page.select_one("#summary").get_text()
    assert page.select_one("form[action$='/review']") is None


def test_the_officers_list_takes_the_same_queries_however_many_returns(client, round_):
    sign_in_as(client, officer())

    def queries() -> int:
        with count_queries() as statements:
            assert client.get("/awards/returns?show=to-review").status_code == 200
        return len(statements)

    for _ in range(2):
        sent(accepted_grant(round_))
    few = queries()
    for _ in range(3):
        sent(accepted_grant(round_))
    assert queries() == few
