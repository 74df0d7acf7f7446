"""The task list: sections and their statuses, the round's closing time and guidance, and the
eligibility problems to put right before submitting."""

from datetime import UTC, datetime

import pytest

from models.base import db
from models.enums import LegalForm
from tests.applications.helpers import complete
from tests.html import soup


def _statuses(page) -> dict[str, str]:
    return {item.select_one(".govuk-task-list__name-and-hint").get_text(strip=True):
            item.select_one(".govuk-task-list__status").get_text(strip=True)
            for item in page.select(".govuk-task-list__item")}


def test_a_new_application_has_every_section_not_yet_started(applicant_client, world):
    application = world.application()
    page = soup(applicant_client.get(f"/applications/{application.id}"))
    assert page.h1.text == "Your application to Spring 2025"
    assert _statuses(page) == dict.fromkeys(
        ["Your organisation", "Your project", "Who will benefit", "Budget", "Declarations",
         "Documents"], "Not yet started")
    links = {a.get_text(strip=True): a["href"] for a in page.select(".govuk-task-list__link")}
    assert links == {
        "Your organisation": f"/applications/{application.id}/organisation",
        "Your project": f"/applications/{application.id}/project",
        "Who will benefit": f"/applications/{application.id}/beneficiaries",
        "Budget": f"/applications/{application.id}/budget",
        "Declarations": f"/applications/{application.id}/declarations/public-funding",
        "Documents": f"/documents/applications/{application.id}",
    }
    assert "You have completed 0 of 6 sections." in page.text
    assert page.find("a", string="Check your answers") is None
    assert "Read the guidance before you apply." in page.select_one(".govuk-inset-text").text


def test_statuses_show_as_gov_uk_tags(applicant_client, world):
    application = world.application(sections={"organisation": "completed",
                                               "project": "in_progress"})
    page = soup(applicant_client.get(f"/applications/{application.id}"))
    assert _statuses(page)["Your organisation"] == "Completed"
    assert _statuses(page)["Your project"] == "In progress"
    tags = {tag.text.strip(): tag["class"] for tag in page.select(".govuk-task-list .govuk-tag")}
    assert "govuk-tag--light-blue" in tags["In progress"]
    assert "govuk-tag--blue" in tags["Not yet started"]
    assert "Completed" not in tags  # GOV.UK shows a completed task as plain text
    assert "You have completed 1 of 6 sections." in page.text


def test_check_your_answers_is_offered_when_every_section_is_completed(applicant_client, world):
    application = complete(world.application())
    page = soup(applicant_client.get(f"/applications/{application.id}"))
    assert page.find("a", string="Check your answers")["href"] == \
        f"/applications/{application.id}/check-answers"
    assert "Application complete" in page.text


@pytest.mark.parametrize(("closes_at", "shown"), [
    (datetime(2027, 1, 31, 17, 0, tzinfo=UTC), "Closes 5pm on 31 January 2027"),
    (datetime(2027, 7, 15, 16, 0, tzinfo=UTC), "Closes 5pm on 15 July 2027"),  # BST
    (datetime(2027, 7, 15, 11, 30, tzinfo=UTC), "Closes 12:30pm on 15 July 2027"),
])
def test_the_closing_time_is_given_in_uk_time(applicant_client, world, closes_at, shown):
    world.round.closes_at = closes_at
    db.session.commit()
    application = world.application()
    page = soup(applicant_client.get(f"/applications/{application.id}"))
    assert shown in page.text


def test_eligibility_problems_are_explained_with_a_link_to_put_them_right(
        applicant_client, world):
    world.organisation.annual_income_pence = 312_000_00
    world.organisation.legal_form = LegalForm.CIC
    world.round.eligible_legal_forms = [LegalForm.CIO.value]
    db.session.commit()
    application = world.application(amount_requested_pence=6_000_00)
    page = soup(applicant_client.get(f"/applications/{application.id}"))
    assert "this application cannot be submitted" in page.select_one(".govuk-warning-text").text
    problems = {a.text: a["href"] for a in page.select("main ul.govuk-list--bullet a")}
    base = f"/applications/{application.id}"
    assert problems == {
        "Your organisation is a community interest company (CIC). This round is open to: "
        "charitable incorporated organisation (CIO).": f"{base}/organisation",
        "Your organisation’s income is £312,000. This round is for organisations with an "
        "income under £250,000.": f"{base}/organisation",
        "You have asked for £6,000. This round gives awards from £500 to £5,000.":
            f"{base}/budget",
    }


def test_an_eligible_draft_shows_no_warning(applicant_client, world):
    application = world.application()
    page = soup(applicant_client.get(f"/applications/{application.id}"))
    assert page.select_one(".govuk-warning-text") is None


def test_a_closed_round_is_explained_on_the_task_list_and_check_answers(applicant_client,
                                                                       world):
    world.round.opens_at = datetime(2026, 1, 1, tzinfo=UTC)
    world.round.closes_at = datetime(2026, 1, 30, 17, 0, tzinfo=UTC)
    db.session.commit()
    application = complete(world.application())
    closed = ("This round closed at 5pm on 30 January 2026. Your application has been saved "
              "as a draft.")
    page = soup(applicant_client.get(f"/applications/{application.id}"))
    assert [item.text for item in page.select("main ul.govuk-list--bullet li")] == [closed]
    assert "Closes" not in page.text
    check = soup(applicant_client.get(f"/applications/{application.id}/check-answers"))
    assert [item.text.strip() for item in check.select(".govuk-error-summary li")] == [closed]
