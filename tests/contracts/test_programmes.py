"""Commissioners set up programmes with the council's core budget target for each financial
year, and see each programme's contracts."""

import pytest

from models import Programme, ProgrammeYear, User
from models.base import db
from models.enums import ContractLot, ContractStatus, Role
from portal.contracts import services
from portal.contracts.details import ProgrammeDetails, Target
from portal.exceptions import NotAllowed, RuleBroken
from tests.conftest import sign_in_as
from tests.contracts.commissioning import (
    audit_events,
    count,
    programme_answers,
    programme_coded,
)
from tests.factories import ContractFactory, ProgrammeFactory, UserFactory
from tests.html import assert_well_formed, error_messages, soup, summary_errors
from tests.querycount import count_queries


@pytest.fixture
def commissioner(client) -> User:
    person = UserFactory(roles=(Role.COMMISSIONER,), full_name="Cara Commissioner")
    sign_in_as(client, person)
    return person


def targets_of(programme: Programme) -> dict[str, int]:
    db.session.expire_all()
    return {year.financial_year: year.core_target_pence for year in programme.years}


def table_rows(page, table_id: str) -> list[list[str]]:
    return [[cell.get_text(" ", strip=True) for cell in row.select("th, td")]
            for row in page.select(f"#{table_id} tbody tr")]


def test_commissioner_creates_a_programme_with_core_targets(client, commissioner):
    response = client.post("/contracts/programmes/new", data=programme_answers(
        targets=[("2025/26", "150000"), ("2024/25", "£180,000")], code="anchors"))

    programme = programme_coded("ANCHORS")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/contracts/programmes/{programme.id}"
    assert (programme.name, programme.description) == ("Community Anchors 2024–27",
                                                       "Lead locality and local anchors")
    assert targets_of(programme) == {"2024/25": 180_000_00, "2025/26": 150_000_00}
    [event] = audit_events("programme.created")
    assert (event.actor_id, event.object_id) == (commissioner.id, programme.id)
    assert event.details["targets"] == {"2024/25": 180_000_00, "2025/26": 150_000_00}

    page = client.get(f"/contracts/programmes/{programme.id}")
    assert_well_formed(page.get_data(as_text=True))
    parsed = soup(page)
    assert parsed.h1.get_text(strip=True) == "Community Anchors 2024–27"
    assert table_rows(parsed, "targets") == [["2024/25", "£180,000.00"],
                                            ["2025/26", "£150,000.00"]]
    assert "There are no contracts in this programme yet." in parsed.get_text()

    listing = soup(client.get("/contracts/"))
    assert table_rows(listing, "programmes") == [["ANCHORS", "Community Anchors 2024–27", "0"]]


def test_the_form_offers_blank_rows_for_targets(client, commissioner):
    page = client.get("/contracts/programmes/new")
    assert page.status_code == 200
    assert_well_formed(page.get_data(as_text=True))
    boxes = soup(page).select("input[name$='-financial_year']")
    assert [box["name"] for box in boxes] == [f"targets-{n}-financial_year" for n in range(3)]


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"code": "ANCH ORS"}, "code",
     "Enter the code in upper-case letters and digits only, like ANCHORS"),
    ({"code": ""}, "code", "Enter the code"),
    ({"name": " "}, "name", "Enter the programme’s name"),
    ({"targets-1-financial_year": "2025/27"}, "targets-1-financial_year",
     "Enter the financial year like 2024/25"),
    ({"targets-1-financial_year": "2024/25"}, "targets-1-financial_year",
     "There is already a target for 2024/25: give each year once"),
    ({"targets-1-core_target": "-£5"}, "targets-1-core_target",
     "Enter the core budget target in row 2 in pounds, like £180,000"),
    ({"targets-1-core_target": "lots"}, "targets-1-core_target",
     "Enter the core budget target in row 2 in pounds, like £180,000"),
    ({"targets-1-core_target": ""}, "targets-1-core_target",
     "Enter the core budget target in row 2"),
    ({"targets-0-financial_year": ""}, "targets-0-financial_year",
     "Enter the financial year in row 1"),
])
def test_bad_programme_input_is_refused_beside_its_box_and_kept(client, commissioner,
                                                               changes, field, message):
    answers = programme_answers(**changes)
    response = client.post("/contracts/programmes/new", data=answers)

    assert response.status_code == 200
    assert error_messages(response)[field] == message
    assert message in summary_errors(response)
    assert count(Programme) == 0 and count(ProgrammeYear) == 0
    page = soup(response)
    for name in ("name", "targets-0-financial_year", "targets-1-financial_year",
                 "targets-1-core_target"):
        box = page.select_one(f"input[name='{name}']")
        assert box["value"] == answers[name].strip(), name


def test_a_code_already_used_is_refused(client, commissioner):
    ProgrammeFactory(code="ANCHORS", name="Older anchors")
    response = client.post("/contracts/programmes/new", data=programme_answers())
    assert error_messages(response)["code"] == (
        "There is already a programme with the code ANCHORS: choose another code")
    assert count(Programme) == 1


def test_commissioner_changes_a_programme_and_its_targets(client, commissioner):
    programme = ProgrammeFactory(code="ANCHORS", name="Anchors", years=[
        ProgrammeYear(financial_year="2024/25", core_target_pence=180_000_00),
        ProgrammeYear(financial_year="2025/26", core_target_pence=150_000_00)])

    form = soup(client.get(f"/contracts/programmes/{programme.id}/edit"))
    assert form.select_one("input[name='targets-1-core_target']")["value"] == "150,000"
    assert len(form.select("input[name$='-financial_year']")) == 5

    response = client.post(f"/contracts/programmes/{programme.id}/edit", data=programme_answers(
        targets=[("2024/25", "£180,000"), ("2026/27", "£100,000")], code="ANCHORS2",
        name="Community Anchors"))

    assert response.status_code == 302
    db.session.expire_all()
    assert (programme.code, programme.name) == ("ANCHORS2", "Community Anchors")
    assert targets_of(programme) == {"2024/25": 180_000_00, "2026/27": 100_000_00}
    [event] = audit_events("programme.changed")
    assert event.details["before"]["targets"] == {"2024/25": 180_000_00,
                                                  "2025/26": 150_000_00}
    assert event.details["after"]["code"] == "ANCHORS2"


def test_a_refused_change_changes_nothing(client, commissioner):
    ProgrammeFactory(code="OTHER")
    programme = ProgrammeFactory(code="ANCHORS", name="Anchors", years=[
        ProgrammeYear(financial_year="2024/25", core_target_pence=180_000_00)])

    response = client.post(f"/contracts/programmes/{programme.id}/edit",
                           data=programme_answers(code="OTHER", name="Renamed"))

    assert error_messages(response)["code"] == (
        "There is already a programme with the code OTHER: choose another code")
    assert soup(response).select_one("input[name='name']")["value"] == "Renamed"
    db.session.expire_all()
    assert (programme.code, programme.name) == ("ANCHORS", "Anchors")
    assert targets_of(programme) == {"2024/25": 180_000_00}
    assert audit_events("programme.changed") == []


def test_the_service_checks_targets_itself(ctx):
    person = UserFactory(roles=(Role.COMMISSIONER,))
    with pytest.raises(RuleBroken) as refused:
        services.create_programme(person, ProgrammeDetails(
            "ANCHORS", "Anchors", "", [Target("2024/25", -1)]))
    assert refused.value.field == "targets-0-core_target"
    assert refused.value.message == "The core budget target for 2024/25 must be £0 or more"
    assert count(Programme) == 0


@pytest.mark.parametrize("role", [Role.GRANTS_OFFICER, Role.ADMIN, Role.ASSESSOR,
                                  Role.APPLICANT])
def test_only_commissioners_reach_programmes(client, role):
    person = UserFactory(roles=(role,))
    programme = ProgrammeFactory()
    sign_in_as(client, person)
    for path in ("/contracts/", "/contracts/programmes/new",
                 f"/contracts/programmes/{programme.id}",
                 f"/contracts/programmes/{programme.id}/edit"):
        assert client.get(path).status_code == 403, path
    response = client.post("/contracts/programmes/new", data=programme_answers())
    assert response.status_code == 403
    assert count(Programme) == 1
    with pytest.raises(NotAllowed):
        services.programmes(person)
    with pytest.raises(NotAllowed):
        services.update_programme(person, programme, ProgrammeDetails("X1", "X", "", []))


def test_anonymous_people_are_sent_to_sign_in(client, ctx):
    programme = ProgrammeFactory()
    for path in ("/contracts/", "/contracts/programmes/new",
                 f"/contracts/programmes/{programme.id}",
                 f"/contracts/programmes/{programme.id}/edit"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/sign-in" in response.headers["Location"], path


def test_unknown_programmes_are_not_found(client, commissioner):
    for path in ("/contracts/programmes/999999", "/contracts/programmes/999999/edit",
                 "/contracts/programmes/999999/contracts/new"):
        assert client.get(path).status_code == 404, path


def test_the_programme_page_lists_its_contracts_25_a_page(client, commissioner):
    programme = ProgrammeFactory()
    ContractFactory.create_batch(30, programme=programme)
    ContractFactory(reference="ELSEWHERE")  # another programme's

    first = soup(client.get(f"/contracts/programmes/{programme.id}"))
    rows = table_rows(first, "contracts")
    assert len(rows) == 25
    assert first.select_one("#contracts caption").get_text(strip=True) == (
        "30 contracts, by reference")
    assert rows[0][2:5] == [ContractLot.LOCAL_ANCHOR.label, "None",
                            ContractStatus.DRAFT.label]
    assert rows[0][5:] == ["1 April 2024", "31 March 2027"]
    second = soup(client.get(f"/contracts/programmes/{programme.id}?page=2"))
    assert len(table_rows(second, "contracts")) == 5
    references = [row[0] for row in rows + table_rows(second, "contracts")]
    assert references == sorted(references) and "ELSEWHERE" not in references


def _queries_for_programme_page(client, contracts: int) -> int:
    programme = ProgrammeFactory()
    ContractFactory.create_batch(contracts, programme=programme)
    db.session.expire_all()
    with count_queries() as statements:
        assert client.get(f"/contracts/programmes/{programme.id}").status_code == 200
    return len(statements)


def test_the_programme_page_queries_do_not_grow_with_contracts(client, commissioner):
    assert _queries_for_programme_page(client, 3) == _queries_for_programme_page(client, 30)


def test_odd_input_gets_a_page_not_a_server_error(client, commissioner):
    programme = ProgrammeFactory()
    assert client.get(f"/contracts/programmes/{programme.id}?page=999999999").status_code == 200
    assert client.get(f"/contracts/programmes/{'9' * 25}").status_code == 404
    answers = programme_answers(**{"targets-²-financial_year": "2030/31",
                                   f"targets-{'9' * 30}-core_target": "£1",
                                   "name": "Odd\x00 name", "code": "A" * 21})
    response = client.post("/contracts/programmes/new", data=answers)
    assert response.status_code == 200
    assert error_messages(response)["code"] == "The code must be 20 characters or fewer"
    assert count(Programme) == 1
