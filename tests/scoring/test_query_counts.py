"""The assessor's list and the officer's assessors page run the same number of SQL statements
however many assignments and scores there are."""

from models.enums import ConflictDeclaration
from tests.conftest import sign_in_as
from tests.querycount import count_queries
from tests.scoring.conftest import assessor, assigned, being_assessed, submitted_sheet

SCORES = [3, 2, 2, 1, 0, 3]


def statements(client, url: str) -> int:
    with count_queries() as seen:
        response = client.get(url)
    assert response.status_code == 200
    return len(seen)


def test_your_assessments_is_constant(client, scoring_round):
    person = assessor()
    sign_in_as(client, person)

    def add(how_many: int) -> None:
        for n in range(how_many):
            mine = assigned(scoring_round, person=person,
                            declaration=ConflictDeclaration.NO_CONFLICT if n % 2 else None)
            if n % 2:
                submitted_sheet(mine, SCORES, total="65.00")

    add(2)
    few = statements(client, "/scoring/")
    add(30)
    many = statements(client, "/scoring/")
    assert few == many


def test_assessors_and_scores_is_constant(client, officer, scoring_round):
    application = being_assessed(scoring_round)

    def add(how_many: int) -> None:
        for _ in range(how_many):
            on_it = assigned(scoring_round, application=application,
                             declaration=ConflictDeclaration.NO_CONFLICT)
            submitted_sheet(on_it, SCORES, total="65.00")
            assessor()

    add(1)
    few = statements(client, f"/scoring/applications/{application.id}")
    add(12)
    many = statements(client, f"/scoring/applications/{application.id}")
    assert few == many
