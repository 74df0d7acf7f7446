"""A round's assessment settings: how many assessors score each application, the pass mark,
the moderation margin and what "recommend within budget" does with an application that does
not fit. They are set with the round and may change until scoring begins."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from models import Round
from models.base import db
from models.enums import ShortfallRule
from portal.exceptions import RuleBroken
from portal.schemes import services
from portal.schemes.rules import AssessmentSettings
from tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    RoundFactory,
    SchemeFactory,
    ScoresheetFactory,
)
from tests.html import error_messages, soup
from tests.schemes.conftest import audit_events, round_answers
from tests.schemes.test_rounds import settings

CLOSES_AT = datetime(2030, 7, 1, 16, tzinfo=UTC)
PUBLISHED_ROUND_ANSWERS = {"closes_on": ["1", "7", "2030"], "closes_time": "5pm",
                           "guidance": "Read this.", "required_documents": "Accounts"}


def assessment(**changes) -> dict:
    return {"assessors_per_application": "2", "pass_mark_percent": "50",
            "moderation_margin_percent": "20", "shortfall_rule": "skip", **changes}


def saved(round_id: int) -> Round:
    db.session.expire_all()
    return db.session.get(Round, round_id)


def test_a_new_round_has_the_assessment_settings_given(client, officer):
    scheme = SchemeFactory()
    response = client.post(f"/schemes/{scheme.id}/rounds/new", data=round_answers(
        assessors_per_application="3", pass_mark_percent="60",
        moderation_margin_percent="15", shortfall_rule="partial"))
    assert response.status_code == 302
    round_ = db.session.scalar(select(Round))
    assert (round_.assessors_per_application, round_.pass_mark_percent,
            round_.moderation_margin_percent, round_.shortfall_rule) == (
        3, 60, 15, ShortfallRule.PARTIAL)


def test_the_create_form_offers_the_defaults(client, officer):
    page = soup(client.get(f"/schemes/{SchemeFactory().id}/rounds/new"))
    assert [page.find("input", {"name": name})["value"] for name in (
        "assessors_per_application", "pass_mark_percent", "moderation_margin_percent")] == [
        "2", "50", "20"]
    assert page.find("input", {"name": "shortfall_rule", "checked": True})["value"] == "skip"


@pytest.mark.parametrize(("answers", "messages"), [
    ({"assessors_per_application": "0"},
     {"assessors_per_application": "The number of assessors must be between 1 and 10"}),
    ({"assessors_per_application": "11"},
     {"assessors_per_application": "The number of assessors must be between 1 and 10"}),
    ({"assessors_per_application": "two"},
     {"assessors_per_application": "The number of assessors must be a whole number, like 2"}),
    ({"assessors_per_application": ""},
     {"assessors_per_application": "Enter how many assessors score each application"}),
    ({"pass_mark_percent": "101"},
     {"pass_mark_percent": "The pass mark must be between 0% and 100%"}),
    ({"pass_mark_percent": "", "moderation_margin_percent": "101"},
     {"pass_mark_percent": "Enter the pass mark",
      "moderation_margin_percent":
          "The moderation margin must be between 0 and 100 percentage points"}),
    ({"shortfall_rule": "nonsense"}, {"shortfall_rule": "Not a valid choice."}),
    ({"shortfall_rule": None},
     {"shortfall_rule": "Select what happens to an application that does not fit the budget"}),
])
def test_assessment_settings_out_of_range_are_refused_beside_their_fields(
        client, officer, answers, messages):
    scheme = SchemeFactory()
    response = client.post(f"/schemes/{scheme.id}/rounds/new", data=round_answers(**answers))
    assert response.status_code == 200
    assert error_messages(response) == messages
    page = soup(response)
    for name, value in answers.items():
        if name != "shortfall_rule":
            assert page.find("input", {"name": name})["value"] == value
    assert db.session.scalar(select(Round)) is None


def test_the_services_refuse_settings_out_of_range(ctx, officer):
    with pytest.raises(RuleBroken) as refused:
        services.create_round(officer, SchemeFactory(),
                              settings(assessors_per_application=11))
    assert refused.value.field == "assessors_per_application"
    round_ = RoundFactory()
    with pytest.raises(RuleBroken) as refused:
        services.update_published_round(
            officer, round_, closes_at=round_.closes_at, guidance="", required_documents=[],
            assessment=AssessmentSettings(2, 101, 20, ShortfallRule.SKIP))
    assert refused.value.field == "pass_mark_percent"
    assert saved(round_.id).pass_mark_percent == 50


def test_a_published_round_can_change_them_before_scoring(client, officer):
    round_ = RoundFactory(closes_at=CLOSES_AT)
    response = client.post(f"/schemes/rounds/{round_.id}/edit", data={
        **PUBLISHED_ROUND_ANSWERS, **assessment(pass_mark_percent="65",
                                                shortfall_rule="partial")})
    assert response.status_code == 302
    round_ = saved(round_.id)
    assert (round_.pass_mark_percent, round_.shortfall_rule) == (65, ShortfallRule.PARTIAL)
    [event] = audit_events("round.updated")
    assert {"pass_mark_percent", "shortfall_rule"} <= set(event.details["changed"])


def test_they_are_locked_once_scoring_has_begun(client, officer):
    round_ = RoundFactory(closes_at=CLOSES_AT)
    ScoresheetFactory(assignment=AssignmentFactory(
        application=ApplicationFactory(round=round_, status="under_assessment")))

    page = soup(client.get(f"/schemes/rounds/{round_.id}/edit"))
    names = {tag["name"] for tag in page.select("main form [name]")}
    assert "pass_mark_percent" not in names
    assert "Scoring has begun in this round" in page.select(".govuk-inset-text")[-1].text

    response = client.post(f"/schemes/rounds/{round_.id}/edit", data={
        **PUBLISHED_ROUND_ANSWERS, **assessment(pass_mark_percent="90")})
    assert response.status_code == 302
    assert saved(round_.id).pass_mark_percent == 50
    assert saved(round_.id).guidance == "Read this."

    with pytest.raises(RuleBroken, match="Scoring has begun"):
        services.update_published_round(
            officer, round_, closes_at=round_.closes_at, guidance="", required_documents=[],
            assessment=AssessmentSettings(2, 90, 20, ShortfallRule.SKIP))
    # The same settings again are not a change, so the rest may still be saved.
    services.update_published_round(
        officer, round_, closes_at=round_.closes_at, guidance="Again", required_documents=[],
        assessment=AssessmentSettings(2, 50, 20, ShortfallRule.SKIP))
    assert saved(round_.id).guidance == "Again"

