"""Eligibility and due diligence (issue 4, item 2): the checks, the duplicate-funding list, the
outcome and its refusals, and who may reach the page."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from models import (
    AuditEvent,
    ClarificationRequest,
    Decision,
    DueDiligenceCheck,
    StatusChange,
)
from models.base import db, utcnow
from models.enums import (
    ApplicationStatus,
    DecisionAuthority,
    DecisionOutcome,
    DueDiligenceOutcome,
    Role,
)
from portal.assessment import due_diligence
from portal.dates import to_london
from portal.exceptions import NotAllowed, RuleBroken
from tests.assessment.conftest import submitted
from tests.conftest import sign_in_as
from tests.factories import (
    ApplicationFactory,
    MembershipFactory,
    OrganisationFactory,
    RoundFactory,
    UserFactory,
)
from tests.html import error_messages, soup, summary_errors
from tests.querycount import count_queries

ALL_CHECKS = due_diligence.Checks(
    register_checked_on=date(2024, 6, 3), register_note="Charity 1234567, registered",
    bank_details_verified_on=date(2024, 6, 4), governing_document_seen=True,
    accounts_seen=True, safeguarding_policy_seen=True,
    duplicate_funding_note="No overlap with earlier grants")


@pytest.fixture
def membership(ctx):
    return MembershipFactory()


@pytest.fixture
def applicant(membership):
    return membership.user


@pytest.fixture
def application(membership):
    return submitted(organisation=membership.organisation, created_by=membership.user,
                     submitted_by=membership.user, reference="CPG-2425-0042")


def url(application, path=""):
    return f"/assessment/applications/{application.id}/due-diligence{path}"


def officer_user():
    return UserFactory(roles=(Role.GRANTS_OFFICER,))


def fresh(instance):
    db.session.expire_all()
    return db.session.get(type(instance), instance.id)


def all_checks_form(**changes) -> dict:
    form = {"register_checked": "y", "register_checked_on": ["3", "6", "2024"],
            "register_note": "Charity 1234567, registered", "bank_details_verified": "y",
            "bank_details_verified_on": ["4", "6", "2024"],
            "documents_seen": ["governing_document", "accounts", "safeguarding_policy"],
            "duplicate_funding_note": "No overlap", "save_checks": "Save checks"}
    form.update(changes)
    return {key: value for key, value in form.items() if value is not None}


# The services --------------------------------------------------------------------------------


def test_eligible_is_refused_until_every_check_is_done(ctx, application):
    officer = officer_user()
    with pytest.raises(RuleBroken) as refused:
        due_diligence.record_outcome(officer, application.id, DueDiligenceOutcome.ELIGIBLE)
    assert refused.value.field == "outcome"
    assert refused.value.message == (
        "Complete every check before you mark the application eligible. Not done yet: the "
        "register check, the bank details, the governing document, the accounts, the "
        "safeguarding policy")
    partly = due_diligence.Checks(**{**ALL_CHECKS.__dict__, "accounts_seen": False})
    due_diligence.save_checks(officer, application.id, partly)
    with pytest.raises(RuleBroken, match=r"Not done yet: the accounts$"):
        due_diligence.record_outcome(officer, application.id, DueDiligenceOutcome.ELIGIBLE)
    assert fresh(application).status is ApplicationStatus.SUBMITTED

    due_diligence.save_checks(officer, application.id, ALL_CHECKS)
    now = datetime(2024, 6, 5, 9, 30, tzinfo=UTC)
    due_diligence.record_outcome(officer, application.id, DueDiligenceOutcome.ELIGIBLE, now=now)
    assert fresh(application).status is ApplicationStatus.UNDER_ASSESSMENT
    check = db.session.scalar(select(DueDiligenceCheck))
    assert (check.outcome, check.outcome_at, check.outcome_by_id) == (
        DueDiligenceOutcome.ELIGIBLE, now, officer.id)
    change = db.session.scalar(select(StatusChange).order_by(StatusChange.id.desc()))
    assert (change.from_status, change.to_status, change.by_id) == (
        ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_ASSESSMENT, officer.id)


def test_a_check_keeps_who_confirmed_it_until_its_date_changes(ctx, application):
    first, second = officer_user(), officer_user()
    due_diligence.save_checks(first, application.id, ALL_CHECKS)
    due_diligence.save_checks(second, application.id, due_diligence.Checks(
        **{**ALL_CHECKS.__dict__, "bank_details_verified_on": date(2024, 6, 5)}))
    check = db.session.scalar(select(DueDiligenceCheck))
    assert check.register_checked_by_id == first.id
    assert (check.bank_details_verified_on, check.bank_details_verified_by_id) == (
        date(2024, 6, 5), second.id)
    assert check.updated_by_id == second.id
    due_diligence.save_checks(second, application.id, due_diligence.Checks(
        **{**ALL_CHECKS.__dict__, "register_checked_on": None}))
    check = fresh(check)
    assert (check.register_checked_on, check.register_checked_by_id) == (None, None)
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("due_diligence.checks_saved") == 3


def test_only_grants_officers_may_check(ctx, application):
    assessor = UserFactory(roles=(Role.ASSESSOR,))
    with pytest.raises(NotAllowed):
        due_diligence.save_checks(assessor, application.id, ALL_CHECKS)
    with pytest.raises(NotAllowed):
        due_diligence.record_outcome(assessor, application.id, DueDiligenceOutcome.INELIGIBLE,
                                     "No")
    with pytest.raises(NotAllowed):
        due_diligence.due_diligence_page(assessor, application.id)


def test_a_second_outcome_on_an_ineligible_application_is_refused(ctx, application):
    officer = officer_user()
    due_diligence.record_outcome(officer, application.id, DueDiligenceOutcome.INELIGIBLE,
                                 "Your organisation is outside Kirklees")
    events = db.session.scalar(select(func.count(AuditEvent.id)))
    for outcome, text in [(DueDiligenceOutcome.CLARIFICATION_REQUESTED, "Why?"),
                          (DueDiligenceOutcome.ELIGIBLE, ""),
                          (DueDiligenceOutcome.INELIGIBLE, "Another reason")]:
        with pytest.raises(RuleBroken) as refused:
            due_diligence.record_outcome(officer, application.id, outcome, text)
        assert refused.value.message == ("This application is not eligible, so the outcome "
                                         "of its checks cannot be recorded now")
    with pytest.raises(RuleBroken, match="its checks can no longer be changed"):
        due_diligence.save_checks(officer, application.id, ALL_CHECKS)
    check = db.session.scalar(select(DueDiligenceCheck))
    assert (check.outcome, check.ineligible_reason) == (
        DueDiligenceOutcome.INELIGIBLE, "Your organisation is outside Kirklees")
    assert fresh(application).status is ApplicationStatus.INELIGIBLE
    assert db.session.scalar(select(func.count(ClarificationRequest.id))) == 0
    assert db.session.scalar(select(func.count(AuditEvent.id))) == events


def test_eligible_waits_for_the_answer_to_a_question(ctx, application):
    officer = officer_user()
    due_diligence.save_checks(officer, application.id, ALL_CHECKS)
    due_diligence.record_outcome(officer, application.id,
                                 DueDiligenceOutcome.CLARIFICATION_REQUESTED, "Which bank?")
    with pytest.raises(RuleBroken, match="has not answered your question yet"):
        due_diligence.record_outcome(officer, application.id, DueDiligenceOutcome.ELIGIBLE)
    assert fresh(application).status is ApplicationStatus.CLARIFICATION_REQUESTED


# The page ------------------------------------------------------------------------------------


def test_the_page_shows_the_checks_form_the_outcome_and_the_navigation(officer, client,
                                                                      application):
    page = soup(client.get(url(application)))
    assert page.h1.get_text(strip=True) == "CPG-2425-0042"
    nav = page.select_one("nav.govuk-tabs")
    links = {a.get_text(strip=True): a for a in nav.select("a")}
    assert links["Application"]["href"] == f"/assessment/applications/{application.id}"
    assert links["Eligibility and checks"]["aria-current"] == "page"
    assert "aria-current" not in links["Application"].attrs
    assert page.select_one(".govuk-tag").get_text(strip=True) == "Submitted"
    today = to_london(utcnow()).date()
    assert page.select_one("#register_checked_on-year")["value"] == str(today.year)
    assert page.find("input", {"name": "outcome", "value": "eligible"}) is not None
    assert "the register check, the bank details" in page.select_one(".govuk-inset-text").text


def test_saving_checks_records_the_officer_and_keeps_what_was_typed(officer, client,
                                                                   application):
    response = client.post(url(application), data=all_checks_form(
        register_checked_on=["", "", ""], bank_details_verified_on=["1", "1", "2099"]))
    assert error_messages(response) == {
        "register_checked_on": "Enter the date the register was checked",
        "bank_details_verified_on": "Date verified must be today or in the past"}
    assert summary_errors(response) == ["Enter the date the register was checked",
                                        "Date verified must be today or in the past"]
    page = soup(response)
    assert page.select_one("#register_note").get_text() == "Charity 1234567, registered"
    assert page.select_one("#bank_details_verified_on-year")["value"] == "2099"
    assert db.session.scalar(select(DueDiligenceCheck)) is None

    response = client.post(url(application), data=all_checks_form())
    assert response.headers["Location"] == url(application)
    check = db.session.scalar(select(DueDiligenceCheck))
    assert (check.register_checked_on, check.register_checked_by_id) == (date(2024, 6, 3),
                                                                         officer.id)
    assert (check.bank_details_verified_on, check.bank_details_verified_by_id) == (
        date(2024, 6, 4), officer.id)
    assert check.governing_document_seen and check.accounts_seen
    assert check.safeguarding_policy_seen
    assert check.outcome is None
    page = soup(client.get(url(application)))
    assert page.select_one("#register_checked")["checked"] is not None
    assert page.select_one(".govuk-inset-text") is None
    assert f"Yes, on 3 June 2024 by {officer.full_name}" in page.text


def test_eligible_is_refused_beside_the_outcome_until_the_checks_are_done(officer, client,
                                                                         application):
    response = client.post(url(application, "/outcome"), data={"outcome": "eligible"})
    assert error_messages(response)["outcome"].startswith(
        "Complete every check before you mark the application eligible")
    assert fresh(application).status is ApplicationStatus.SUBMITTED
    client.post(url(application), data=all_checks_form())
    response = client.post(url(application, "/outcome"), data={"outcome": "eligible"})
    assert response.headers["Location"] == url(application)
    assert fresh(application).status is ApplicationStatus.UNDER_ASSESSMENT
    page = soup(client.get(url(application)))
    assert page.find("form", action=url(application, "/outcome")) is None
    assert "The checks can no longer be changed: the application is being assessed" in \
        page.text


def test_ineligible_needs_a_reason_which_is_emailed(officer, client, application, applicant,
                                                   outbox):
    response = client.post(url(application, "/outcome"), data={"outcome": "ineligible"})
    assert error_messages(response) == {
        "ineligible_reason": "Enter the reason the application is not eligible"}
    response = client.post(url(application, "/outcome"), data={})
    assert error_messages(response) == {"outcome": "Select an outcome"}
    response = client.post(url(application, "/outcome"), data={"outcome": "nonsense"})
    assert error_messages(response) == {"outcome": "Select an outcome"}
    assert fresh(application).status is ApplicationStatus.SUBMITTED
    assert outbox.messages() == []

    reason = "Your organisation works outside the council's area."
    response = client.post(url(application, "/outcome"),
                           data={"outcome": "ineligible", "ineligible_reason": reason})
    assert response.status_code == 302
    assert fresh(application).status is ApplicationStatus.INELIGIBLE
    (message,) = outbox.to(applicant.email)
    assert message["Subject"] == "Application CPG-2425-0042 is not eligible"
    assert reason in message.get_body(("plain",)).get_content()
    page = soup(client.get(url(application)))
    assert reason in page.text


def test_a_question_needs_text_and_is_emailed(officer, client, application, applicant, outbox):
    response = client.post(url(application, "/outcome"),
                           data={"outcome": "clarification_requested", "question": " ",
                                 "ineligible_reason": "Kept"})
    assert error_messages(response) == {"question": "Enter your question for the applicant"}
    assert soup(response).select_one("#ineligible_reason").get_text() == "Kept"
    response = client.post(url(application, "/outcome"), data={
        "outcome": "clarification_requested", "question": "Which bank holds your account?"})
    assert response.status_code == 302
    question = db.session.scalar(select(ClarificationRequest))
    assert (question.question, question.asked_by_id) == ("Which bank holds your account?",
                                                         officer.id)
    assert fresh(application).status is ApplicationStatus.CLARIFICATION_REQUESTED
    (message,) = outbox.to(applicant.email)
    body = message.get_body(("plain",)).get_content()
    assert "Which bank holds your account?" in body
    assert f"/applications/{application.id}" in body
    page = soup(client.get(url(application)))
    card = page.select_one("#clarifications ~ .govuk-summary-card")
    assert "Which bank holds your account?" in card.text
    assert "Not answered yet" in card.text


def test_a_second_outcome_over_http_is_refused_beside_the_field(officer, client, application):
    client.post(url(application, "/outcome"),
                data={"outcome": "ineligible", "ineligible_reason": "Outside the area"})
    response = client.post(url(application, "/outcome"),
                           data={"outcome": "clarification_requested", "question": "Why?"})
    assert error_messages(response) == {"outcome": "This application is not eligible, so the "
                                                   "outcome of its checks cannot be recorded now"}
    response = client.post(url(application), data=all_checks_form())
    assert "its checks can no longer be changed" in error_messages(response)["register_checked"]
    assert db.session.scalar(select(ClarificationRequest)) is None
    assert db.session.scalar(select(DueDiligenceCheck)).register_checked_on is None


@pytest.mark.parametrize("role", [Role.ASSESSOR, Role.COMMISSIONER, Role.APPLICANT, Role.ADMIN])
def test_other_roles_cannot_reach_the_page(client, application, role):
    sign_in_as(client, UserFactory(roles=(role,)))
    assert client.get(url(application)).status_code == 403
    assert client.post(url(application), data=all_checks_form()).status_code == 403
    assert client.post(url(application, "/outcome"),
                       data={"outcome": "ineligible", "ineligible_reason": "x"}).status_code == 403
    assert fresh(application).status is ApplicationStatus.SUBMITTED
    assert db.session.scalar(select(DueDiligenceCheck)) is None


def test_drafts_and_unknown_applications_are_not_found(officer, client):
    draft = ApplicationFactory()
    assert client.get(url(draft)).status_code == 404
    assert client.post(url(draft, "/outcome"),
                       data={"outcome": "ineligible", "ineligible_reason": "x"}).status_code == 404
    assert client.get("/assessment/applications/999999/due-diligence").status_code == 404
    assert fresh(draft).status is ApplicationStatus.DRAFT


def test_signed_out_people_are_sent_to_sign_in(client, application):
    response = client.get(url(application))
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


# Duplicate funding ---------------------------------------------------------------------------


def approve(application, amount_pence, officer):
    db.session.add(Decision(application=application, outcome=DecisionOutcome.APPROVED,
                            amount_pence=amount_pence, authority=DecisionAuthority.PANEL,
                            decided_on=date(2024, 3, 1), recorded_by=officer))
    db.session.commit()


def test_the_duplicate_funding_list_shows_the_organisations_other_applications(
        officer, client, application):
    organisation = application.organisation
    other_round = RoundFactory(name="Winter 2023")
    earlier = submitted(organisation=organisation, round=other_round,
                        reference="CPG-2324-0005", amount_requested_pence=4_000_00,
                        status=ApplicationStatus.APPROVED,
                        submitted_at=datetime(2023, 11, 1, tzinfo=UTC))
    approve(earlier, 3_500_00, officer)
    submitted(organisation=organisation, reference="CPG-2425-0001", round=application.round,
              status=ApplicationStatus.WITHDRAWN, submitted_at=datetime(2024, 5, 1, tzinfo=UTC))
    ApplicationFactory(organisation=organisation, title="A draft")
    submitted(organisation=OrganisationFactory(), reference="OTHER-ORG-1")
    page = soup(client.get(url(application)))
    table = page.select_one("#other-applications ~ table")
    rows = [[cell.get_text(" ", strip=True) for cell in row.select("td, th")]
            for row in table.select("tbody tr")]
    assert rows == [
        ["CPG-2425-0001", f"{application.round.scheme.name}: {application.round.name}",
         "Withdrawn", "£1,500.00", "None"],
        ["CPG-2324-0005", f"{other_round.scheme.name}: Winter 2023", "Approved", "£4,000.00",
         "£3,500.00"],
    ]
    assert table.find("a", string="CPG-2324-0005")["href"] == \
        f"/assessment/applications/{earlier.id}"
    assert "OTHER-ORG-1" not in page.text
    assert [th.get_text(strip=True) for th in table.select("thead th")][-1] == \
        "Approved decisions"


def test_an_organisation_with_no_other_applications_says_so(officer, client, application):
    page = soup(client.get(url(application)))
    assert f"{application.organisation.name} has sent no other applications." in page.text


def test_the_page_runs_the_same_queries_however_many_other_applications(officer, client,
                                                                       application):
    def queries() -> int:
        with count_queries() as statements:
            assert client.get(url(application)).status_code == 200
        return len(statements)

    def add(count: int) -> None:
        for _ in range(count):
            other = submitted(organisation=application.organisation,
                              status=ApplicationStatus.APPROVED)
            approve(other, 1_000_00, officer)

    add(1)
    few = queries()
    add(30)
    assert queries() == few
    page = soup(client.get(url(application)))
    assert len(page.select("#other-applications ~ table tbody tr")) == 25
    assert "Showing the 25 most recent of 31" in page.text


# The officers' list, with the new statuses ---------------------------------------------------


def test_the_list_filters_by_the_new_statuses(officer, client, application):
    due_diligence.record_outcome(officer, application.id, DueDiligenceOutcome.INELIGIBLE,
                                 "Outside the area")
    waiting = submitted(reference="CPG-2425-0050")
    due_diligence.record_outcome(officer, waiting.id,
                                 DueDiligenceOutcome.CLARIFICATION_REQUESTED, "Which bank?")
    submitted(reference="CPG-2425-0051")
    for status, expected in [("ineligible", ["CPG-2425-0042"]),
                             ("clarification_requested", ["CPG-2425-0050"]),
                             ("under_assessment", [])]:
        page = soup(client.get(f"/assessment/applications?status={status}"))
        references = [row.select_one("td, th").get_text(strip=True)
                      for row in page.select("table tbody tr")]
        assert references == expected, status
        assert page.select_one("#status option[selected]")["value"] == status


def test_the_status_tags_have_a_colour_for_every_status(ctx):
    macros = ctx.jinja_env.get_template("applications/_macros.html").module
    classes = {status: str(macros.status_tag(status)) for status in ApplicationStatus}
    for status, markup in classes.items():
        assert "govuk-tag--" in markup, status
    assert "govuk-tag--green" in classes[ApplicationStatus.APPROVED]
    assert "govuk-tag--red" in classes[ApplicationStatus.INELIGIBLE]


def test_the_application_page_links_to_the_checks(officer, client, application):
    page = soup(client.get(f"/assessment/applications/{application.id}"))
    nav = page.select_one("nav.govuk-tabs")
    current = nav.select_one("[aria-current=page]")
    assert current.get_text(strip=True) == "Application"
    assert nav.find("a", string="Eligibility and checks")["href"] == url(application)
