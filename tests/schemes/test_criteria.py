"""Each round's scoring criteria: new rounds start with the Community Plus set; officers change
the whole set at once, only to one whose weights total 100%, and only until scoring begins."""

from dataclasses import asdict
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from models import Round, ScoringCriterion
from models.base import db
from models.enums import Role, RoundStatus, ScoreScale
from portal.exceptions import NotAllowed, RuleBroken
from portal.schemes import services
from portal.schemes.rules import MAX_CRITERIA, CriterionSettings, criteria_problems
from tests.conftest import sign_in_as
from tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    RoundFactory,
    SchemeFactory,
    ScoresheetFactory,
    UserFactory,
    community_plus_criteria,
)
from tests.html import error_messages, soup, summary_errors
from tests.schemes.conftest import audit_events, round_answers

COMMUNITY_PLUS = [("Need is shown", 25), ("The project is clear", 15),
                  ("Well costed and value for money", 20), ("The group can deliver", 20),
                  ("Sustainable", 10), ("Partnerships and referrals", 10)]


def row(name: str, weight: str, scale: str = "0-3", minimum: str = "",
        guidance: str = "", remove: bool = False) -> dict:
    answers = {"name": name, "guidance": guidance, "weight_percent": weight, "scale": scale,
               "minimum_score": minimum}
    return {**answers, "remove": "y"} if remove else answers


def criteria_answers(*rows: dict, button: str = "submit") -> dict:
    """The criteria form as a browser posts it, pressing `button` (submit or add)."""
    data = {f"criteria-{index}-{name}": value
            for index, answers in enumerate(rows) for name, value in answers.items()}
    return {**data, button: "pressed"}


def saved_criteria(round_id: int) -> list[tuple]:
    db.session.expire_all()
    return [(criterion.name, criterion.weight_percent, criterion.scale, criterion.minimum_score)
            for criterion in db.session.scalars(
                select(ScoringCriterion).where(ScoringCriterion.round_id == round_id)
                .order_by(ScoringCriterion.position))]


def typed_values(response) -> dict[str, str]:
    """Every text box and ticked box on the criteria form, by name."""
    page = soup(response)
    values = {box["name"]: box.get("value", "") for box in page.select("main form input")
              if box.get("type") not in ("radio", "checkbox", "hidden", "submit")}
    values.update({box["name"]: box["value"] for box in page.select("main form input[checked]")})
    values.update({area["name"]: area.text.strip() for area in page.select("main textarea")})
    return values


@pytest.fixture
def draft_round(ctx) -> Round:
    round_ = RoundFactory(status=RoundStatus.DRAFT, name="Spring round")
    community_plus_criteria(round_)
    return round_


# The default set


def test_a_new_round_starts_with_the_community_plus_criteria(client, officer):
    scheme = SchemeFactory()
    client.post(f"/schemes/{scheme.id}/rounds/new", data=round_answers())
    round_ = db.session.scalar(select(Round))
    criteria = round_.criteria
    assert [(criterion.name, criterion.weight_percent) for criterion in criteria] == (
        COMMUNITY_PLUS)
    assert sum(criterion.weight_percent for criterion in criteria) == 100
    assert {criterion.scale for criterion in criteria} == {ScoreScale.ZERO_TO_THREE}
    assert all(criterion.guidance for criterion in criteria)
    assert criteria[0].guidance.startswith("Evidence of the need in the wards")
    assert [criterion.position for criterion in criteria] == list(range(6))


def test_the_default_criteria_keep_the_rules(ctx):
    assert criteria_problems([asdict(criterion) for criterion in services.default_criteria()]) \
        == {}


def test_the_round_page_lists_the_criteria_with_their_total_and_the_pass_mark(
        client, officer, draft_round):
    page = soup(client.get(f"/schemes/rounds/{draft_round.id}"))
    rows = [[cell.get_text(" ", strip=True) for cell in table_row.select("th, td")]
            for table_row in page.select("main table tbody tr")]
    assert rows[0] == ["Need is shown", "25%", "0 to 3", "None"]
    assert rows[-1] == ["Total", "100%", "", ""]
    assert len(rows) == 7
    assert "needs a weighted total of 50% or more to pass" in page.main.text
    link = page.find("a", string="Change the scoring criteria")
    assert link["href"] == f"/schemes/rounds/{draft_round.id}/criteria"


# Changing the set


def test_the_criteria_page_shows_the_current_set_to_change(client, officer, draft_round):
    response = client.get(f"/schemes/rounds/{draft_round.id}/criteria")
    page = soup(response)
    assert [legend.text.strip() for legend in page.select("main legend h2")] == [
        f"Criterion {number}" for number in range(1, 7)]
    values = typed_values(response)
    assert values["criteria-0-name"] == "Need is shown"
    assert values["criteria-0-weight_percent"] == "25"
    assert values["criteria-5-scale"] == "0-3"
    assert values["criteria-0-guidance"] == "What a good answer shows."
    assert [button.text.strip() for button in page.select("main form button")] == [
        "Add another criterion", "Save criteria"]


def test_an_officer_replaces_the_whole_set(client, officer, draft_round):
    """Names kept from the old set are fine: the old rows go before the new ones arrive."""
    before = saved_criteria(draft_round.id)
    response = client.post(f"/schemes/rounds/{draft_round.id}/criteria", data=criteria_answers(
        row("Need is shown", "40", guidance="Evidence of local need"),
        row("Safeguarding policy in place", "10", scale="pass_fail", minimum="1"),
        row("Value for money", "50", scale="1-5", minimum="2")))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/schemes/rounds/{draft_round.id}"
    assert saved_criteria(draft_round.id) == [
        ("Need is shown", 40, ScoreScale.ZERO_TO_THREE, None),
        ("Safeguarding policy in place", 10, ScoreScale.PASS_FAIL, 1),
        ("Value for money", 50, ScoreScale.ONE_TO_FIVE, 2)]
    [event] = audit_events("round.criteria_changed")
    assert (event.actor_id, event.object_id) == (officer.id, draft_round.id)
    assert [(item["name"], item["weight_percent"], item["scale"], item["minimum_score"])
            for item in event.details["from"]] == [
        (name, weight, scale.value, minimum) for name, weight, scale, minimum in before]
    assert event.details["to"][0] == {"name": "Need is shown", "guidance":
                                      "Evidence of local need", "weight_percent": 40,
                                      "scale": "0-3", "minimum_score": None}
    page = client.get(response.headers["Location"])
    assert "The scoring criteria for Spring round have been saved." in soup(page).text


def test_weights_that_do_not_total_100_are_refused_and_nothing_typed_is_lost(
        client, officer, draft_round):
    answers = criteria_answers(
        row("Need is shown", "25", guidance="Local data"), row("The project is clear", "15"),
        row("Well costed", "20", scale="1-5", minimum="3"), row("The group can deliver", "20"),
        row("Sustainable", "15"))
    response = client.post(f"/schemes/rounds/{draft_round.id}/criteria", data=answers)
    assert response.status_code == 200
    message = "The weights must add up to 100%. They add up to 95%."
    assert summary_errors(response) == [message]
    link = soup(response).select_one(".govuk-error-summary__list a")
    assert link["href"] == "#criteria-0-weight_percent"
    assert error_messages(response) == {"criteria-0-weight_percent": message}
    assert soup(response).title.text.startswith("Error: ")
    values = typed_values(response)
    assert {name: values[name] for name in answers if name != "submit"} == {
        name: value for name, value in answers.items() if name != "submit"}
    assert saved_criteria(draft_round.id)[0][:2] == ("Need is shown", 25)
    assert len(saved_criteria(draft_round.id)) == 6
    assert audit_events("round.criteria_changed") == []


def test_names_must_differ(client, officer, draft_round):
    response = client.post(f"/schemes/rounds/{draft_round.id}/criteria", data=criteria_answers(
        row("Need is shown", "50"), row("The project is clear", "25"),
        row("need IS shown ", "25")))
    assert error_messages(response) == {
        "criteria-2-name": "The name of criterion 3 is the same as criterion 1’s. Give each "
                           "criterion a different name"}
    assert len(saved_criteria(draft_round.id)) == 6


@pytest.mark.parametrize(("scale", "minimum", "message"), [
    ("1-5", "0", "The minimum score for criterion 1 must be on its scale, from 1 to 5"),
    ("0-3", "4", "The minimum score for criterion 1 must be on its scale, from 0 to 3"),
    ("pass_fail", "2", "The minimum score for criterion 1 must be on its scale, from 0 to 1"),
])
def test_a_minimum_must_lie_on_the_scale(client, officer, draft_round, scale, minimum,
                                         message):
    response = client.post(f"/schemes/rounds/{draft_round.id}/criteria", data=criteria_answers(
        row("Need is shown", "100", scale=scale, minimum=minimum)))
    assert error_messages(response) == {"criteria-0-minimum_score": message}
    assert len(saved_criteria(draft_round.id)) == 6


def test_each_box_is_checked_and_each_message_names_its_criterion(client, officer,
                                                                  draft_round):
    """The summary lists every problem at once, in the order of the page."""
    response = client.post(f"/schemes/rounds/{draft_round.id}/criteria", data=criteria_answers(
        row("", "50", guidance="Has guidance, so the row is not blank"),
        row("Reach", "ten"), row("Cost", "", minimum="1.5"), row("Cost", "0", scale="nonsense"),
        row("Length", "101", guidance="x" * 2001)))
    assert error_messages(response) == {
        "criteria-0-name": "Enter the name of criterion 1",
        "criteria-1-weight_percent": "The weight of criterion 2 must be a whole number, like 25",
        "criteria-2-weight_percent": "Enter the weight of criterion 3",
        "criteria-2-minimum_score": "The minimum score for criterion 3 must be a whole number, "
                                    "like 1",
        "criteria-3-name": "The name of criterion 4 is the same as criterion 3’s. Give each "
                           "criterion a different name",
        "criteria-3-weight_percent": "The weight of criterion 4 must be between 1% and 100%",
        "criteria-3-scale": "Select the scale for criterion 4",
        "criteria-4-guidance": "The guidance for criterion 5 must be 2,000 characters or fewer",
        "criteria-4-weight_percent": "The weight of criterion 5 must be between 1% and 100%",
    }
    assert summary_errors(response)[:2] == ["Enter the name of criterion 1",
                                            "The weight of criterion 2 must be a whole number, "
                                            "like 25"]
    assert len(saved_criteria(draft_round.id)) == 6


def test_add_another_criterion_keeps_what_was_typed(client, officer, draft_round):
    answers = criteria_answers(row("Need is shown", "60", guidance="Typed"),
                               row("Half-typed", "4x"), button="add")
    response = client.post(f"/schemes/rounds/{draft_round.id}/criteria", data=answers)
    assert response.status_code == 200
    assert error_messages(response) == {}
    assert [legend.text.strip() for legend in soup(response).select("main legend h2")] == [
        "Criterion 1", "Criterion 2", "Criterion 3"]
    values = typed_values(response)
    assert values["criteria-0-guidance"] == "Typed"
    assert values["criteria-1-weight_percent"] == "4x"
    assert (values["criteria-2-name"], values["criteria-2-weight_percent"]) == ("", "")
    assert values["criteria-2-scale"] == "0-3"
    assert len(saved_criteria(draft_round.id)) == 6


def test_removed_and_blank_rows_are_not_saved(client, officer, draft_round):
    response = client.post(f"/schemes/rounds/{draft_round.id}/criteria", data=criteria_answers(
        row("Need is shown", "70"), row("Not wanted", "oops", remove=True),
        row("Sustainable", "30"), row("", "")))
    assert response.status_code == 302
    assert [name for name, *_ in saved_criteria(draft_round.id)] == ["Need is shown",
                                                                     "Sustainable"]


def test_a_removed_row_stays_ticked_when_something_else_needs_correcting(client, officer,
                                                                         draft_round):
    response = client.post(f"/schemes/rounds/{draft_round.id}/criteria", data=criteria_answers(
        row("Need is shown", "70"), row("Not wanted", "10", remove=True),
        row("Sustainable", "20")))
    assert summary_errors(response) == ["The weights must add up to 100%. They add up to 90%."]
    assert typed_values(response)["criteria-1-remove"] == "y"


def test_at_least_one_criterion(client, officer, draft_round):
    response = client.post(f"/schemes/rounds/{draft_round.id}/criteria", data=criteria_answers(
        row("Need is shown", "100", remove=True)))
    assert error_messages(response) == {"criteria-0-name": "Add at least one criterion"}
    assert len(saved_criteria(draft_round.id)) == 6


def test_no_more_rows_than_the_limit_are_read_or_added(client, officer, draft_round):
    rows = [row(f"Criterion {number}", "5") for number in range(MAX_CRITERIA + 5)]
    response = client.post(f"/schemes/rounds/{draft_round.id}/criteria",
                           data=criteria_answers(*rows, button="add"))
    assert len(soup(response).select("main legend h2")) == MAX_CRITERIA
    assert [button.text.strip() for button in soup(response).select("main form button")] == [
        "Save criteria"]
    saved = client.post(f"/schemes/rounds/{draft_round.id}/criteria",
                        data=criteria_answers(*rows))
    assert saved.status_code == 302
    assert len(saved_criteria(draft_round.id)) == MAX_CRITERIA


def test_a_published_round_can_change_its_criteria_before_scoring(client, officer):
    round_ = RoundFactory()
    community_plus_criteria(round_)
    response = client.post(f"/schemes/rounds/{round_.id}/criteria",
                           data=criteria_answers(row("Need is shown", "100")))
    assert response.status_code == 302
    assert saved_criteria(round_.id) == [("Need is shown", 100, ScoreScale.ZERO_TO_THREE, None)]


# Locked once scoring begins


def test_criteria_are_read_only_once_scoring_has_begun(client, officer):
    round_ = RoundFactory()
    community_plus_criteria(round_)
    ScoresheetFactory(assignment=AssignmentFactory(
        application=ApplicationFactory(round=round_, status="under_assessment")))
    before = saved_criteria(round_.id)

    page = soup(client.get(f"/schemes/rounds/{round_.id}/criteria"))
    assert page.select("main form") == []
    assert "Scoring has begun in this round, so its scoring criteria cannot change" in (
        page.select_one(".govuk-inset-text").text)
    first_cell = page.select("main table tbody tr")[0].select_one("th, td")
    assert first_cell.get_text(" ", strip=True).startswith(
        "Need is shown What a good answer shows.")

    response = client.post(f"/schemes/rounds/{round_.id}/criteria",
                           data=criteria_answers(row("Need is shown", "100")))
    assert response.status_code == 200
    assert saved_criteria(round_.id) == before
    assert audit_events("round.criteria_changed") == []

    round_page = soup(client.get(f"/schemes/rounds/{round_.id}"))
    assert round_page.find("a", string="Change the scoring criteria") is None
    assert "Scoring has begun in this round" in round_page.main.text
    with pytest.raises(RuleBroken, match="Scoring has begun"):
        services.replace_criteria(officer, round_, [CriterionSettings(
            "Need is shown", "", 100, ScoreScale.ZERO_TO_THREE)])


def test_scoring_in_another_round_does_not_lock_this_one(client, officer, draft_round):
    ScoresheetFactory()
    assert not services.scoring_begun(draft_round)
    assert soup(client.get(f"/schemes/rounds/{draft_round.id}/criteria")).select("main form")


def test_a_decided_rounds_criteria_cannot_change(ctx, officer):
    round_ = RoundFactory(status=RoundStatus.DECIDED)
    community_plus_criteria(round_)
    with pytest.raises(RuleBroken, match="decided"):
        services.replace_criteria(officer, round_, [CriterionSettings(
            "Need is shown", "", 100, ScoreScale.ZERO_TO_THREE)])


def test_the_service_refuses_a_set_that_breaks_a_rule(ctx, officer, draft_round):
    """Naming the row and box, so a form can show the message beside it."""
    with pytest.raises(RuleBroken) as refused:
        services.replace_criteria(officer, draft_round, [
            CriterionSettings("Need", "", 60, ScoreScale.ZERO_TO_THREE),
            CriterionSettings("Reach", "", 30, ScoreScale.ONE_TO_FIVE, minimum_score=0)])
    assert refused.value.field == "criteria-0-weight_percent"
    with pytest.raises(RuleBroken) as refused:
        services.replace_criteria(officer, draft_round, [
            CriterionSettings("Need", "", 70, ScoreScale.ZERO_TO_THREE),
            CriterionSettings("Reach", "", 30, ScoreScale.ONE_TO_FIVE, minimum_score=0)])
    assert (refused.value.field, refused.value.message) == (
        "criteria-1-minimum_score",
        "The minimum score for criterion 2 must be on its scale, from 1 to 5")
    assert len(saved_criteria(draft_round.id)) == 6


# Publishing


def test_a_round_is_published_only_with_criteria_totalling_100(client, officer):
    round_ = RoundFactory(status=RoundStatus.DRAFT)
    response = client.post(f"/schemes/rounds/{round_.id}/publish")
    page = soup(client.get(response.headers["Location"]))
    assert ("Set scoring criteria whose weights add up to 100% before you publish the round"
            in page.select_one(".govuk-notification-banner__content").text)
    assert "This round has no scoring criteria yet" in page.main.text
    db.session.expire_all()
    assert db.session.get(Round, round_.id).status is RoundStatus.DRAFT
    assert audit_events("round.published") == []

    community_plus_criteria(round_)
    client.post(f"/schemes/rounds/{round_.id}/publish")
    db.session.expire_all()
    assert db.session.get(Round, round_.id).status is RoundStatus.PUBLISHED


# Who may


@pytest.mark.parametrize("roles", [(Role.APPLICANT,), (Role.ASSESSOR,), (Role.COMMISSIONER,),
                                   (Role.ADMIN,)])
def test_only_grants_officers_may_change_criteria(client, draft_round, roles):
    person = UserFactory(roles=roles)
    sign_in_as(client, person)
    path = f"/schemes/rounds/{draft_round.id}/criteria"
    assert client.get(path).status_code == 403
    assert client.post(path, data=criteria_answers(row("Hijacked", "100"))).status_code == 403
    assert len(saved_criteria(draft_round.id)) == 6
    with pytest.raises(NotAllowed):
        services.replace_criteria(person, draft_round, [
            CriterionSettings("Hijacked", "", 100, ScoreScale.ZERO_TO_THREE)])


def test_anonymous_people_are_sent_to_sign_in(client, draft_round):
    response = client.get(f"/schemes/rounds/{draft_round.id}/criteria")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/sign-in"
    assert parse_qs(location.query)["next"]


def test_an_unknown_round_is_not_found(client, officer):
    assert client.get("/schemes/rounds/987654/criteria").status_code == 404
    assert client.post("/schemes/rounds/987654/criteria").status_code == 404


# The weights rule


@given(st.lists(st.integers(min_value=1, max_value=100), min_size=1, max_size=MAX_CRITERIA))
def test_the_weights_are_refused_exactly_when_they_do_not_total_100(weights):
    rows = [{"name": f"Criterion {index}", "guidance": "", "weight_percent": weight,
             "scale": ScoreScale.ZERO_TO_THREE, "minimum_score": None}
            for index, weight in enumerate(weights)]
    problems = criteria_problems(rows)
    if sum(weights) == 100:
        assert problems == {}
    else:
        assert problems == {(0, "weight_percent"): "The weights must add up to 100%. They add "
                                                   f"up to {sum(weights)}%."}


def test_nonsense_row_numbers_are_ignored(client, officer, draft_round):
    """Row numbers that are not a few plain digits never reach int() (which would fail)."""
    response = client.post(f"/schemes/rounds/{draft_round.id}/criteria", data={
        "criteria-²-name": "Superscript", "criteria-" + "9" * 5000 + "-name": "Huge",
        "criteria-x-name": "Letters", **criteria_answers(row("Need is shown", "100"))})
    assert response.status_code == 302
    assert [name for name, *_ in saved_criteria(draft_round.id)] == ["Need is shown"]
