"""Commissioners draft contracts in a programme: provider, lot, locality and wards, and the
dates, which give the financial years the contract spans."""

from datetime import date

import pytest

from models import Contract, User
from models.base import db
from models.enums import ContractLot, ContractStatus, Role
from portal.contracts import services
from portal.contracts.details import ContractDetails
from portal.exceptions import NotAllowed, RuleBroken
from tests.conftest import sign_in_as
from tests.contracts.commissioning import (
    audit_events,
    contract_answers,
    contract_referenced,
    count,
    huddersfield,
)
from tests.factories import ContractFactory, OrganisationFactory, ProgrammeFactory, UserFactory
from tests.html import assert_well_formed, error_messages, soup, summary_errors


@pytest.fixture
def commissioner(client) -> User:
    person = UserFactory(roles=(Role.COMMISSIONER,), full_name="Cara Commissioner")
    sign_in_as(client, person)
    return person


def summary_rows(page) -> dict[str, str]:
    return {row.dt.get_text(strip=True): row.dd.get_text(" ", strip=True)
            for row in page.select("#details .govuk-summary-list__row")}


def test_commissioner_drafts_a_contract_in_a_programme(client, commissioner):
    programme = ProgrammeFactory(name="Community Anchors")
    provider = OrganisationFactory(name="Huddersfield Community Trust")
    locality = huddersfield()
    dalton, lindley = locality.wards

    response = client.post(
        f"/contracts/programmes/{programme.id}/contracts/new",
        data=contract_answers(provider.id, locality=str(locality.id),
                              wards=[str(lindley.id), str(dalton.id)]))

    contract = contract_referenced("CA-LLA-01")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/contracts/{contract.id}"
    assert (contract.programme_id, contract.provider_id, contract.lot, contract.status) == (
        programme.id, provider.id, ContractLot.LEAD_LOCALITY_ANCHOR, ContractStatus.DRAFT)
    assert (contract.locality_id, [ward.name for ward in contract.wards]) == (
        locality.id, ["Dalton", "Lindley"])
    assert (contract.starts_on, contract.ends_on) == (date(2024, 4, 1), date(2027, 3, 31))
    assert contract.created_by_id == commissioner.id
    [event] = audit_events("contract.created")
    assert (event.actor_id, event.object_id, event.details["programme_id"]) == (
        commissioner.id, contract.id, programme.id)

    page = client.get(f"/contracts/{contract.id}")
    assert_well_formed(page.get_data(as_text=True))
    parsed = soup(page)
    assert parsed.h1.get_text(strip=True) == "Huddersfield lead locality anchor"
    assert summary_rows(parsed) == {
        "Programme": "Community Anchors", "Status": "Draft",
        "Provider": "Huddersfield Community Trust", "Lot": "Lead locality anchor",
        "Locality": "Huddersfield", "Wards": "Dalton, Lindley", "Starts": "1 April 2024",
        "Ends": "31 March 2027", "Financial years": "2024/25, 2025/26, 2026/27"}

    listing = soup(client.get(f"/contracts/programmes/{programme.id}"))
    [row] = listing.select("#contracts tbody tr")
    assert [cell.get_text(strip=True) for cell in row.select("td")] == [
        "CA-LLA-01", "Huddersfield Community Trust", "Lead locality anchor", "Huddersfield",
        "Draft", "1 April 2024", "31 March 2027"]


def test_the_form_offers_organisations_by_name_and_every_lot(client, commissioner):
    programme = ProgrammeFactory()
    for name in ("Zeta Trust", "Alpha Hub", "Mid Kirklees Forum"):
        OrganisationFactory(name=name)
    huddersfield()

    response = client.get(f"/contracts/programmes/{programme.id}/contracts/new")
    assert_well_formed(response.get_data(as_text=True))
    page = soup(response)
    options = [option.get_text(strip=True) for option in page.select("#provider option")]
    assert options == ["Select the provider", "Alpha Hub", "Mid Kirklees Forum", "Zeta Trust"]
    assert [box["value"] for box in page.select("input[name='lot']")] == [
        lot.value for lot in ContractLot]
    ward_labels = [box.find_next("label").get_text(strip=True)
                   for box in page.select("input[name='wards']")]
    assert ward_labels == ["Dalton", "Denby Dale", "Lindley"]


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"ends_on": ["1", "4", "2024"]}, "ends_on", "The end date must be after the start date"),
    ({"ends_on": ["31", "3", "2023"]}, "ends_on", "The end date must be after the start date"),
    ({"ends_on": ["31", "13", "2027"]}, "ends_on", "End date must be a real date"),
    ({"starts_on": ["", "", ""]}, "starts_on", "Enter the start date"),
    ({"reference": " "}, "reference", "Enter the reference"),
    ({"title": ""}, "title", "Enter the title"),
    ({"provider": ""}, "provider", "Select the provider"),
    ({"provider": "999999"}, "provider", "Select the provider"),
    ({"lot": "everything"}, "lot", "Select the lot"),
    ({"wards": ["999999"]}, "wards", "Select wards from the list"),
])
def test_bad_contract_input_is_refused_beside_its_box_and_kept(client, commissioner, changes,
                                                              field, message):
    programme = ProgrammeFactory()
    provider = OrganisationFactory()
    huddersfield()
    answers = contract_answers(provider.id, **changes)

    response = client.post(f"/contracts/programmes/{programme.id}/contracts/new",
                           data=answers)

    assert response.status_code == 200
    assert error_messages(response)[field] == message
    assert message in summary_errors(response)
    assert count(Contract) == 0
    page = soup(response)
    assert page.select_one("input[name='title']")["value"] == answers["title"]
    assert page.select_one("#ends_on-year")["value"] == answers["ends_on"][2]


def test_a_reference_already_used_is_refused(client, commissioner):
    ContractFactory(reference="CA-LLA-01")
    programme = ProgrammeFactory()
    response = client.post(f"/contracts/programmes/{programme.id}/contracts/new",
                           data=contract_answers(OrganisationFactory().id))
    assert error_messages(response)["reference"] == (
        "There is already a contract with the reference CA-LLA-01")
    assert count(Contract) == 1


def test_commissioner_changes_a_draft_contract(client, commissioner):
    contract = ContractFactory(reference="CA-LA-01", title="Old title")
    provider = OrganisationFactory(name="New provider")
    locality = huddersfield()

    form = soup(client.get(f"/contracts/{contract.id}/edit"))
    assert form.select_one("input[name='reference']")["value"] == "CA-LA-01"
    assert form.select_one("input[name='lot'][checked]")["value"] == "local_anchor"

    response = client.post(f"/contracts/{contract.id}/edit", data=contract_answers(
        provider.id, reference="CA-LA-02", lot="joint", locality=str(locality.id),
        wards=[str(locality.wards[0].id)], ends_on=["31", "3", "2026"]))

    assert response.status_code == 302
    db.session.expire_all()
    assert (contract.reference, contract.provider_id, contract.lot, contract.ends_on) == (
        "CA-LA-02", provider.id, ContractLot.JOINT, date(2026, 3, 31))
    assert [ward.name for ward in contract.wards] == ["Dalton"]
    [event] = audit_events("contract.changed")
    assert (event.details["before"]["reference"], event.details["after"]["reference"]) == (
        "CA-LA-01", "CA-LA-02")


def test_a_refused_change_changes_nothing(client, commissioner):
    contract = ContractFactory(reference="CA-LA-01", title="Old title")
    response = client.post(f"/contracts/{contract.id}/edit", data=contract_answers(
        contract.provider_id, reference="CA-LA-01", title="New title",
        ends_on=["1", "1", "2024"]))
    assert error_messages(response)["ends_on"] == "The end date must be after the start date"
    assert soup(response).select_one("input[name='title']")["value"] == "New title"
    db.session.expire_all()
    assert (contract.title, contract.ends_on) == ("Old title", date(2027, 3, 31))
    assert audit_events("contract.changed") == []


def test_only_a_draft_contract_can_be_changed(client, commissioner):
    contract = ContractFactory(status=ContractStatus.ACTIVE, title="Live")
    page = soup(client.get(f"/contracts/{contract.id}"))
    assert "Change the contract’s details" not in page.get_text()
    asked = client.get(f"/contracts/{contract.id}/edit", follow_redirects=True)
    assert asked.request.path == f"/contracts/{contract.id}"
    assert "Only a draft contract can be changed here; this one is active" in (
        soup(asked).select_one(".govuk-notification-banner").get_text())
    response = client.post(f"/contracts/{contract.id}/edit", data=contract_answers(
        contract.provider_id, title="Changed"))
    assert response.status_code == 200
    assert "Only a draft contract can be changed here; this one is active" in (
        summary_errors(response))
    db.session.expire_all()
    assert contract.title == "Live"


@pytest.mark.parametrize("role", [Role.GRANTS_OFFICER, Role.ADMIN, Role.ASSESSOR,
                                  Role.APPLICANT])
def test_only_commissioners_reach_contracts(client, role):
    person = UserFactory(roles=(role,))
    contract = ContractFactory()
    sign_in_as(client, person)
    for path in (f"/contracts/programmes/{contract.programme_id}/contracts/new",
                 f"/contracts/{contract.id}", f"/contracts/{contract.id}/edit"):
        assert client.get(path).status_code == 403, path
    response = client.post(f"/contracts/programmes/{contract.programme_id}/contracts/new",
                           data=contract_answers(contract.provider_id, reference="NEW"))
    assert response.status_code == 403
    assert count(Contract) == 1
    details = ContractDetails("NEW", "New", contract.provider_id, ContractLot.JOINT, None, [],
                              date(2024, 4, 1), date(2025, 3, 31))
    with pytest.raises(NotAllowed):
        services.create_contract(person, contract.programme, details)
    with pytest.raises(NotAllowed):
        services.get_contract(person, contract.id)


def test_the_providers_members_cannot_use_the_commissioners_pages(client, ctx):
    from tests.factories import MembershipFactory

    contract = ContractFactory()
    member = MembershipFactory(organisation=contract.provider).user
    sign_in_as(client, member)
    assert client.get(f"/contracts/{contract.id}").status_code == 403
    assert client.get(f"/contracts/{contract.id}/edit").status_code == 403


def test_anonymous_people_are_sent_to_sign_in(client, ctx):
    contract = ContractFactory()
    for path in (f"/contracts/programmes/{contract.programme_id}/contracts/new",
                 f"/contracts/{contract.id}", f"/contracts/{contract.id}/edit"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/sign-in" in response.headers["Location"], path


def test_unknown_contracts_are_not_found(client, commissioner):
    assert client.get("/contracts/999999").status_code == 404
    assert client.get("/contracts/999999/edit").status_code == 404


def test_the_service_refuses_an_end_before_the_start(ctx):
    person = UserFactory(roles=(Role.COMMISSIONER,))
    programme = ProgrammeFactory()
    details = ContractDetails("CA-1", "Anchor", OrganisationFactory().id, ContractLot.JOINT,
                              None, [], date(2025, 4, 1), date(2025, 3, 31))
    with pytest.raises(RuleBroken) as refused:
        services.create_contract(person, programme, details)
    assert (refused.value.field, refused.value.message) == (
        "ends_on", "The end date must be after the start date")
    db.session.rollback()
    assert count(Contract) == 0
