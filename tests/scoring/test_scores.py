"""Scoring: drafts keep whatever was typed, submitting needs every score and justification,
submitted versions never change, and other assessors' scores show only after one's own."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from models import AuditEvent, CriterionScore, Scoresheet
from models.base import db
from models.enums import ApplicationStatus, ConflictDeclaration, ScoreScale, ScoresheetStatus
from portal.exceptions import RuleBroken
from portal.scoring import services
from tests.factories import ScoringCriterionFactory
from tests.html import error_messages, soup, summary_errors
from tests.scoring.conftest import assessor, assigned, submitted_sheet
from tests.scoring.helpers import main_text, table_rows

SCORES = [3, 2, 2, 1, 0, 3]  # 25 + 10 + 13⅓ + 6⅔ + 0 + 10 = 65%


@pytest.fixture
def mine(signed_in_assessor, scoring_round):
    """The signed-in assessor's assignment, declared free of conflict."""
    return assigned(scoring_round, person=signed_in_assessor,
                    declaration=ConflictDeclaration.NO_CONFLICT)


def form_data(criteria, scores, justifications=None, button="submit_scores") -> dict:
    data = {button: "yes"}
    for n, (criterion, score) in enumerate(zip(criteria, scores, strict=True)):
        if score is not None:
            data[f"score_{criterion.id}"] = str(score)
        text = justifications[n] if justifications else f"Because {score}"
        if text is not None:
            data[f"justification_{criterion.id}"] = text
    return data


def all_checked(criteria, scores) -> dict[str, str]:
    return {f"score_{c.id}": str(s) for c, s in zip(criteria, scores, strict=True)}


def checked(response) -> dict[str, str]:
    return {radio["name"]: radio["value"]
            for radio in soup(response).select("input[type=radio][checked]")}


def sheets(assignment) -> list[Scoresheet]:
    return list(db.session.scalars(select(Scoresheet).where(
        Scoresheet.assignment_id == assignment.id).order_by(Scoresheet.version)))


def scores_of(sheet) -> list[tuple[int | None, str]]:
    rows = sorted(sheet.scores, key=lambda s: s.criterion.position)
    return [(row.score, row.justification) for row in rows]


def test_the_form_shows_each_criterion_on_its_scale(client, mine, scoring_round):
    ScoringCriterionFactory(round=scoring_round, name="Safeguarding in place", position=99,
                            weight_percent=1, scale=ScoreScale.PASS_FAIL)
    scoring_round.criteria[0].weight_percent = 24
    db.session.commit()

    response = client.get(f"/scoring/assignments/{mine.id}/scores")

    page = soup(response)
    headings = [h.get_text(strip=True) for h in page.select("main h2")]
    assert headings[0] == "Need is shown" and headings[-1] == "Safeguarding in place"
    first, last = scoring_round.criteria[0], scoring_round.criteria[-1]
    assert [label.get_text(strip=True) for label in page.select(
        f"input[name=score_{first.id}] + label")] == ["0", "1", "2", "3"]
    assert [label.get_text(strip=True) for label in page.select(
        f"input[name=score_{last.id}] + label")] == ["Pass", "Fail"]
    assert "Weight: 24%" in main_text(response)


def test_a_draft_keeps_blanks_and_whatever_was_typed(client, mine, scoring_round):
    criteria = scoring_round.criteria
    scores = [2, None, None, None, None, None]
    data = form_data(criteria, scores, ["Strong need", "Half a thought", None, None, None, None],
                     button="save_draft")

    response = client.post(f"/scoring/assignments/{mine.id}/scores", data=data,
                           follow_redirects=True)

    assert "Your draft scores have been saved" in main_text(response)
    assert checked(response) == {f"score_{criteria[0].id}": "2"}
    assert soup(response).select_one(f"#justification_{criteria[1].id}").get_text() == (
        "Half a thought")
    (sheet,) = sheets(mine)
    assert (sheet.version, sheet.status, sheet.total_percent) == (1, ScoresheetStatus.DRAFT,
                                                                 None)
    assert scores_of(sheet)[:2] == [(2, "Strong need"), (None, "Half a thought")]


def test_submitting_with_a_missing_justification_is_refused_and_keeps_the_answers(
        client, mine, scoring_round):
    criteria = scoring_round.criteria
    justifications = ["Need", "Clear", "", "Deliver", "Sustain", "Partners"]

    response = client.post(f"/scoring/assignments/{mine.id}/scores",
                           data=form_data(criteria, SCORES, justifications))

    field = f"justification_{criteria[2].id}"
    assert error_messages(response) == {
        field: "Enter a justification for Well costed and value for money"}
    assert summary_errors(response) == ["Enter a justification for Well costed and value for "
                                        "money"]
    assert checked(response) == all_checked(criteria, SCORES)
    assert soup(response).select_one(f"#justification_{criteria[0].id}").get_text() == "Need"
    assert sheets(mine) == []


def test_submitting_with_a_missing_score_is_refused(client, mine, scoring_round):
    criteria = scoring_round.criteria
    response = client.post(f"/scoring/assignments/{mine.id}/scores",
                           data=form_data(criteria, [3, None, 2, 1, 0, 3]))
    assert error_messages(response) == {
        f"score_{criteria[1].id}": "Select a score for The project is clear"}
    assert sheets(mine) == []


@pytest.mark.parametrize("value", ["4", "-1", "two", "1.5"])
@pytest.mark.parametrize("button", ["save_draft", "submit_scores"])
def test_a_score_outside_the_scale_is_refused(client, mine, scoring_round, value, button):
    criteria = scoring_round.criteria
    data = form_data(criteria, SCORES, button=button)
    data[f"score_{criteria[0].id}"] = value

    response = client.post(f"/scoring/assignments/{mine.id}/scores", data=data)

    assert error_messages(response) == {
        f"score_{criteria[0].id}": "Select a score for Need is shown on its scale"}
    assert sheets(mine) == []


def test_the_service_refuses_a_score_outside_the_scale(ctx, scoring_round):
    person = assessor()
    assignment = assigned(scoring_round, person=person,
                          declaration=ConflictDeclaration.NO_CONFLICT)
    entries = [services.ScoreEntry(c.id, 4 if n == 0 else 1, "x")
               for n, c in enumerate(scoring_round.criteria)]
    with pytest.raises(RuleBroken, match="on its scale") as refused:
        services.save_scores(person, assignment.id, entries, submit=True)
    assert refused.value.field == f"score_{scoring_round.criteria[0].id}"
    assert sheets(assignment) == []


def test_submitting_stores_the_exact_total_and_audits(client, mine, scoring_round):
    response = client.post(f"/scoring/assignments/{mine.id}/scores",
                           data=form_data(scoring_round.criteria, SCORES),
                           follow_redirects=True)

    assert "Your total is 65.00%" in main_text(response)
    (sheet,) = sheets(mine)
    assert (sheet.status, sheet.total_percent, sheet.version) == (
        ScoresheetStatus.SUBMITTED, Decimal("65.00"), 1)
    assert sheet.submitted_at is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "scores.submitted"))
    assert event.details["total_percent"] == "65.00" and event.object_id == sheet.id
    # The scoring form is closed now: changing needs a reason.
    assert client.get(f"/scoring/assignments/{mine.id}/scores").status_code == 302


def test_a_total_is_rounded_half_up_once(client, mine, scoring_round):
    # 25×⅓ + 15×⅓ + 20×⅓ + 20×⅓ + 10×⅓ + 10×⅓ = 33⅓ → 33.33
    client.post(f"/scoring/assignments/{mine.id}/scores",
                data=form_data(scoring_round.criteria, [1] * 6))
    assert sheets(mine)[0].total_percent == Decimal("33.33")


def test_weights_that_do_not_total_100_stop_scoring(client, mine, scoring_round):
    scoring_round.criteria[0].weight_percent = 30
    db.session.commit()

    page = client.get(f"/scoring/assignments/{mine.id}/scores")
    posted = client.post(f"/scoring/assignments/{mine.id}/scores",
                         data=form_data(scoring_round.criteria, SCORES))

    assert "add up to 105%, not 100%" in main_text(page)
    assert not soup(page).select("input[type=radio]")
    assert "add up to 105%" in main_text(posted)
    assert sheets(mine) == []


def test_scoring_closes_when_the_application_is_no_longer_being_assessed(
        client, mine, scoring_round):
    mine.application.status = ApplicationStatus.APPROVED
    db.session.commit()

    response = client.post(f"/scoring/assignments/{mine.id}/scores",
                           data=form_data(scoring_round.criteria, SCORES))

    assert "Scoring has closed: this application is approved" in main_text(response)
    assert sheets(mine) == []


class TestHistory:
    def test_the_service_never_overwrites_a_submitted_version(self, ctx, scoring_round):
        person = assessor()
        assignment = assigned(scoring_round, person=person,
                              declaration=ConflictDeclaration.NO_CONFLICT)
        submitted_sheet(assignment, SCORES, total="65.00")
        entries = [services.ScoreEntry(c.id, 0, "Lower") for c in scoring_round.criteria]

        with pytest.raises(RuleBroken, match="already submitted"):
            services.save_scores(person, assignment.id, entries, submit=True)

        (sheet,) = sheets(assignment)
        assert [score for score, _ in scores_of(sheet)] == SCORES

    def test_a_change_needs_a_reason(self, client, mine, scoring_round):
        submitted_sheet(mine, SCORES, total="65.00")
        response = client.post(f"/scoring/assignments/{mine.id}/change", data={"reason": " "})
        assert error_messages(response) == {"reason": "Enter a reason for changing your scores"}
        assert len(sheets(mine)) == 1

    def test_a_change_is_a_new_version_and_the_old_one_stays(self, client, mine,
                                                             scoring_round, signed_in_assessor):
        first = submitted_sheet(mine, SCORES, total="65.00")
        criteria = scoring_round.criteria

        started = client.post(f"/scoring/assignments/{mine.id}/change",
                              data={"reason": "I misread the budget"}, follow_redirects=True)

        assert "Your reason: I misread the budget" in main_text(started)
        assert checked(started) == all_checked(criteria, SCORES)
        changed = [3, 2, 3, 1, 0, 3]
        client.post(f"/scoring/assignments/{mine.id}/scores",
                    data=form_data(criteria, changed), follow_redirects=True)

        old, new = sheets(mine)
        assert old.id == first.id
        assert (old.status, old.total_percent, [s for s, _ in scores_of(old)]) == (
            ScoresheetStatus.SUBMITTED, Decimal("65.00"), SCORES)
        assert (new.version, new.reason, new.status, new.total_percent) == (
            2, "I misread the budget", ScoresheetStatus.SUBMITTED, Decimal("71.67"))
        page = client.get(f"/scoring/assignments/{mine.id}")
        assert [row[0:1] + row[2:] for row in table_rows(page, "Your submitted scores")] == [
            ["1", "65.00%", "First submission"], ["2", "71.67%", "I misread the budget"]]
        assert db.session.scalar(select(AuditEvent.action).where(
            AuditEvent.object_id == new.id, AuditEvent.action == "scores.change_started"))

    def test_the_flush_guard_stops_a_change_to_a_submitted_score(self, ctx, scoring_round):
        assignment = assigned(scoring_round, declaration=ConflictDeclaration.NO_CONFLICT)
        sheet = submitted_sheet(assignment, SCORES, total="65.00")
        # The first criterion's, scored 3 (in no set order, the row scored 0 could come first,
        # and setting it to 0 would change nothing).
        score = db.session.scalars(select(CriterionScore).where(
            CriterionScore.scoresheet_id == sheet.id).order_by(CriterionScore.id)).first()

        score.score = 0
        with pytest.raises(services.SubmittedScoresChanged):
            db.session.flush()
        db.session.rollback()

        score.justification = "Rewritten"
        with pytest.raises(services.SubmittedScoresChanged):
            db.session.flush()
        db.session.rollback()

        db.session.delete(score)
        with pytest.raises(services.SubmittedScoresChanged):
            db.session.flush()
        db.session.rollback()

        db.session.refresh(sheet)
        assert [s for s, _ in scores_of(sheet)] == SCORES

    @pytest.mark.parametrize("change", ["total", "status", "delete"])
    def test_the_flush_guard_stops_a_change_to_a_submitted_sheet(self, ctx, scoring_round,
                                                                  change):
        assignment = assigned(scoring_round, declaration=ConflictDeclaration.NO_CONFLICT)
        sheet = submitted_sheet(assignment, SCORES, total="65.00")

        if change == "total":
            sheet.total_percent = Decimal("99.00")
        elif change == "status":
            sheet.status = ScoresheetStatus.DRAFT
        else:
            db.session.delete(sheet)
        with pytest.raises(services.SubmittedScoresChanged):
            db.session.commit()
        db.session.rollback()

        db.session.refresh(sheet)
        assert (sheet.status, sheet.total_percent) == (ScoresheetStatus.SUBMITTED,
                                                       Decimal("65.00"))

    def test_the_flush_guard_lets_drafts_change(self, ctx, scoring_round):
        assignment = assigned(scoring_round, declaration=ConflictDeclaration.NO_CONFLICT)
        sheet = Scoresheet(assignment=assignment, version=1)
        db.session.add(sheet)
        db.session.commit()
        sheet.reason = "edited"
        db.session.commit()
        db.session.delete(sheet)
        db.session.commit()
        assert sheets(assignment) == []


class TestOtherAssessorsScores:
    def test_hidden_until_mine_are_submitted_then_shown_without_names(
            self, client, mine, scoring_round):
        other = assigned(scoring_round, person=assessor(full_name="Olga Other"),
                         declaration=ConflictDeclaration.NO_CONFLICT,
                         application=mine.application)
        submitted_sheet(other, [1, 1, 1, 1, 1, 1], total="33.33")
        removed = assigned(scoring_round, declaration=ConflictDeclaration.CONFLICT,
                           application=mine.application)
        submitted_sheet(removed, [0] * 6, total="0.00")

        before = client.get(f"/scoring/assignments/{mine.id}")

        assert "33.33" not in main_text(before)
        assert "Other assessors’ scores" not in main_text(before)

        client.post(f"/scoring/assignments/{mine.id}/scores",
                    data=form_data(scoring_round.criteria, SCORES))
        after = client.get(f"/scoring/assignments/{mine.id}")

        rows = table_rows(after, "Assessor A")
        assert rows[0] == ["Need is shown", "1"] and rows[-1] == ["Total", "33.33%"]
        assert "Olga Other" not in main_text(after)
        assert not [t for t in soup(after).select("caption") if "Assessor B" in t.get_text()]

    def test_a_draft_of_mine_does_not_unlock_them(self, ctx, scoring_round):
        person = assessor()
        assignment = assigned(scoring_round, person=person,
                              declaration=ConflictDeclaration.NO_CONFLICT)
        other = assigned(scoring_round, declaration=ConflictDeclaration.NO_CONFLICT,
                         application=assignment.application)
        submitted_sheet(other, SCORES, total="65.00")
        services.save_scores(person, assignment.id, [], submit=False)

        assert services.others_scores(person, services.get_assignment(person,
                                                                      assignment.id)) is None

    def test_officers_see_every_assessors_scores(self, client, officer, scoring_round):
        application = assigned(scoring_round).application
        for total in ("65.00", "33.33"):
            sheet_owner = assigned(scoring_round, application=application,
                                   declaration=ConflictDeclaration.NO_CONFLICT)
            submitted_sheet(sheet_owner, SCORES, total=total)

        response = client.get(f"/scoring/applications/{application.id}")

        totals = [row[3] for row in table_rows(response, "Assessors")]
        assert totals == ["None submitted", "65.00%", "33.33%"]
        name = sheet_owner.assessor.full_name
        rows = table_rows(response, f"{name}’s scores (version 1)")
        assert rows[0] == ["Need is shown", "3", "Reason for 3"]
        assert len(rows) == 6
