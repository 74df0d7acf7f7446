"""The round results table: ranking by exact score, flags, thresholds and budget figures."""

from decimal import Decimal
from fractions import Fraction

from models import ModeratedScore
from models.base import db, utcnow
from models.enums import ApplicationStatus
from portal.decisions import services
from tests.assessment.conftest import submitted
from tests.decisions.conftest import ALL_1, ALL_2, ALL_3, EIGHTY, scored
from tests.html import soup


def rows(response) -> dict[str, list[str]]:
    """The results table's cells by application reference."""
    table = {}
    for row in soup(response).select("tbody tr"):
        cells = [cell.get_text(" ", strip=True) for cell in row.select("td")]
        table[row.select_one("a").get_text(strip=True)] = cells
    return table


def test_results_are_ranked_by_exact_score_with_mean_and_spread(client, officer, round_):
    low = scored(round_, ALL_1, ALL_2, reference="CPG-0003")  # mean 50, spread 33.33
    top = scored(round_, ALL_3, EIGHTY, reference="CPG-0002")  # mean 90
    # 2/3 and 1/3 of the way: means that are not round numbers stay exact until shown.
    middle = scored(round_, ALL_2, reference="CPG-0001")  # 66.67
    response = client.get(f"/decisions/rounds/{round_.id}")
    assert response.status_code == 200
    table = rows(response)
    assert list(table) == [top.reference, middle.reference, low.reference]
    assert table[top.reference][0] == "1"
    assert table[top.reference][3] == "2 of 2"
    assert table[top.reference][4] == "90.00 (20.00)"
    assert table[middle.reference][3] == "1 of 2"
    assert table[middle.reference][4] == "66.67 (0.00)"
    assert table[low.reference][4] == "50.00 (33.33)"
    # Exactly at the pass mark passes; a spread over the 20-point margin is divergent.
    assert "Below pass mark" not in table[low.reference][6]
    assert "Divergent" in table[low.reference][6]
    assert "Divergent" not in table[top.reference][6]


def test_ties_are_broken_by_reference_and_unscored_come_last(client, officer, round_):
    second = scored(round_, ALL_2, reference="CPG-0009")
    first = scored(round_, ALL_2, reference="CPG-0008")
    unscored = scored(round_, reference="CPG-0001")
    table = rows(client.get(f"/decisions/rounds/{round_.id}"))
    assert list(table) == [first.reference, second.reference, unscored.reference]
    assert table[unscored.reference][0] == ""
    assert "Not scored yet" in table[unscored.reference][6]


def test_threshold_failures_are_marked(client, officer, round_):
    round_.criteria[0].minimum_score = 2  # Need is shown
    db.session.commit()
    below_pass = scored(round_, ALL_1)
    below_minimum = scored(round_, (1, 3, 3, 3, 3, 3), (2, 3, 3, 3, 3, 3))  # mean 1.5 < 2
    at_minimum = scored(round_, (1, 3, 3, 3, 3, 3), (3, 3, 3, 3, 3, 3))  # mean 2
    table = rows(client.get(f"/decisions/rounds/{round_.id}"))
    assert "Below pass mark" in table[below_pass.reference][6]
    assert "Below minimum on Need is shown" in table[below_pass.reference][6]
    assert table[below_minimum.reference][6] == "Below minimum on Need is shown"
    assert table[at_minimum.reference][6] == ""


def test_only_applications_at_assessment_are_listed_and_the_rest_counted(client, officer,
                                                                         round_):
    shown = scored(round_, ALL_2)
    for status in (ApplicationStatus.SUBMITTED, ApplicationStatus.WITHDRAWN,
                   ApplicationStatus.WITHDRAWN, ApplicationStatus.INELIGIBLE):
        submitted(round=round_, status=status)
    submitted(round=round_, status=ApplicationStatus.DRAFT, reference=None)
    response = client.get(f"/decisions/rounds/{round_.id}")
    assert list(rows(response)) == [shown.reference]
    text = soup(response).get_text(" ", strip=True)
    assert "1 submitted" in text and "2 withdrawn" in text and "1 not eligible" in text
    assert "draft" not in text.lower()


def test_a_declared_conflict_does_not_count_and_the_newest_version_does(ctx, officer, round_):
    application = scored(round_, ALL_3, conflicted=[ALL_1])
    results = services.round_results(officer, round_.id).results
    assert [sheet.total for sheet in results[0].sheets] == [Fraction(100)]
    assert results[0].application.id == application.id


def test_a_moderated_score_takes_precedence_over_the_mean(ctx, officer, round_):
    moderated = scored(round_, ALL_3, ALL_3)  # mean 100
    other = scored(round_, ALL_2)  # 66.67
    for total in (Decimal("70.00"), Decimal("40.50")):
        db.session.add(ModeratedScore(application=moderated, total_percent=total,
                                      reason="Panel view", moderated_by=officer,
                                      moderated_at=utcnow()))
        db.session.commit()
    results = services.round_results(officer, round_.id).results
    assert [r.application.id for r in results] == [other.id, moderated.id]
    assert results[1].score == Fraction(81, 2)
    assert results[1].mean == 100
    assert results[1].failures == ["Below pass mark"]
    assert results[0].score == Fraction(200, 3)  # exact, never 66.67


def test_unknown_round_is_not_found(client, officer):
    assert client.get("/decisions/rounds/987654").status_code == 404
