"""Moderation: the assessors' scores side by side, and moderated scores kept as history."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from models import AuditEvent, ModeratedScore
from models.base import db
from models.enums import ApplicationStatus
from tests.assessment.conftest import submitted
from tests.decisions.conftest import ALL_2, ALL_3, EIGHTY, scored
from tests.html import error_messages, soup


def test_page_shows_each_assessors_scores_and_the_mean(client, officer, round_):
    application = scored(round_, ALL_3, EIGHTY)
    page = soup(client.get(f"/decisions/applications/{application.id}/moderate"))
    table = page.select_one("table")
    totals = [cell.get_text(strip=True) for cell in table.select("tbody tr")[-1].select("td")]
    assert totals == ["100.00", "80.00", "90.00"]
    need = [cell.get_text(strip=True) for cell in table.select("tbody tr")[0].select("td")]
    assert need == ["3", "3", "3.00"]
    assert "Spread (highest minus lowest) 20.00 points" in page.get_text(" ", strip=True)


def test_recording_a_moderated_score_keeps_the_earlier_ones(client, officer, round_):
    application = scored(round_, ALL_3, ALL_2)
    url = f"/decisions/applications/{application.id}/moderate"
    first = client.post(url, data={"total": "75", "reason": "Assessor one was generous"})
    assert first.status_code == 302
    client.post(url, data={"total": "72.5", "reason": "Second look"})
    scores = db.session.scalars(select(ModeratedScore).order_by(ModeratedScore.id)).all()
    assert [(s.total_percent, s.reason) for s in scores] == [
        (Decimal("75.00"), "Assessor one was generous"), (Decimal("72.50"), "Second look")]
    page = soup(client.get(url))
    history = [row.select("td")[2].get_text(strip=True)
               for row in page.select("table")[1].select("tbody tr")]
    assert history == ["72.50", "75.00"]
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("application.moderated") == 2


@pytest.mark.parametrize(("total", "message"), [
    ("", "Enter the moderated score"),
    ("100.01", "The moderated score must be a number from 0 to 100, with up to 2 decimal "
               "places"),
    ("62.345", "The moderated score must be a number from 0 to 100, with up to 2 decimal "
               "places"),
    ("-1", "The moderated score must be a number from 0 to 100, with up to 2 decimal places"),
    ("1e2", "The moderated score must be a number from 0 to 100, with up to 2 decimal places"),
    ("NaN", "The moderated score must be a number from 0 to 100, with up to 2 decimal places"),
])
def test_bad_scores_are_refused_beside_the_field(client, officer, round_, total, message):
    application = scored(round_, ALL_2)
    response = client.post(f"/decisions/applications/{application.id}/moderate",
                           data={"total": total, "reason": "Because"})
    assert response.status_code == 200
    assert error_messages(response)["total"] == message
    assert soup(response).select_one("#reason").get_text() == "Because"
    assert db.session.scalar(select(ModeratedScore)) is None


def test_a_reason_is_required(client, officer, round_):
    application = scored(round_, ALL_2)
    response = client.post(f"/decisions/applications/{application.id}/moderate",
                           data={"total": "50", "reason": "  "})
    assert error_messages(response)["reason"] == "Enter a reason for the moderated score"
    assert db.session.scalar(select(ModeratedScore)) is None


def test_an_application_not_yet_assessed_gets_a_message_not_an_error(client, officer, round_):
    application = submitted(round=round_, status=ApplicationStatus.SUBMITTED)
    response = client.get(f"/decisions/applications/{application.id}/moderate")
    assert response.status_code == 200
    assert "not been found eligible for assessment yet" in soup(response).get_text()
    refused = client.post(f"/decisions/applications/{application.id}/moderate",
                          data={"total": "50", "reason": "Because"})
    assert refused.status_code == 200
    assert db.session.scalar(select(ModeratedScore)) is None


def test_drafts_and_unknown_applications_are_not_found(client, officer, round_):
    draft = submitted(round=round_, status=ApplicationStatus.DRAFT, reference=None)
    assert client.get(f"/decisions/applications/{draft.id}/moderate").status_code == 404
    assert client.get("/decisions/applications/987654/moderate").status_code == 404
