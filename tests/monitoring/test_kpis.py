"""A commissioner sets a contract's KPIs: adds one with quarterly targets, adds the standard
ones, changes targets, and removes a KPI no return has reported."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from models import Kpi, KpiTarget
from models.base import db
from models.enums import ContractStatus, Pathway, Role
from tests.conftest import sign_in_as
from tests.contracts.commissioning import audit_events
from tests.factories import ContractFactory, UserFactory
from tests.html import error_messages, form_data, soup
from tests.monitoring.anchors import anchor, count, sent_return


@pytest.fixture
def commissioner(client):
    person = UserFactory(roles=(Role.COMMISSIONER,))
    sign_in_as(client, person)
    return person


def kpis_of(contract) -> list[Kpi]:
    db.session.expire_all()
    return list(db.session.scalars(select(Kpi).where(Kpi.contract_id == contract.id)
                                   .order_by(Kpi.id)))


def targets_of(kpi: Kpi) -> dict[tuple[str, int], Decimal]:
    return {(target.financial_year, target.quarter): target.target for target in kpi.targets}


def test_a_kpi_is_added_with_a_target_for_each_quarter_of_each_year(client, commissioner):
    contract = ContractFactory()  # a draft: KPIs are set before it starts
    page = client.get(f"/monitoring/contracts/{contract.id}/kpis/new")
    legends = [legend.get_text(strip=True) for legend in soup(page).select("legend")]
    assert legends == ["Pathway", "Targets for 2024/25", "Targets for 2025/26",
                       "Targets for 2026/27"]
    assert len(soup(page).select("input[name^=target_]")) == 12

    response = client.post(f"/monitoring/contracts/{contract.id}/kpis/new", data={
        "name": "People supported", "unit": "people", "target_2024_1": "100",
        "target_2024_2": "1,200.5", "target_2025_4": "0"})
    assert response.status_code == 302
    (kpi,) = kpis_of(contract)
    assert (kpi.name, kpi.unit) == ("People supported", "people")
    assert targets_of(kpi) == {("2024/25", 1): Decimal(100), ("2024/25", 2): Decimal("1200.50"),
                               ("2025/26", 4): Decimal(0)}
    (event,) = audit_events("kpi.added")
    assert event.details["targets"]["Q2 2024/25"] == "1200.50"

    shown = soup(client.get(response.location))
    row = shown.select_one("#targets-2024-25 tbody tr")
    assert [cell.get_text(strip=True) for cell in row.select("td")] == [
        "100 people", "1,200.5 people", "Not set", "Not set"]


@pytest.mark.parametrize(("box", "value", "message"), [
    ("target_2024_1", "-1", "The target for Q1 2024/25 must be 0 or more"),
    ("target_2025_3", "ten", "Enter the target for Q3 2025/26 as a number"),
    ("name", "", "Enter the KPI’s name"),
])
def test_bad_targets_are_refused_beside_the_box_and_nothing_is_lost(client, commissioner, box,
                                                                    value, message):
    contract = ContractFactory()
    answers = {"name": "Volunteers", "unit": "people", "target_2024_2": "30", box: value}
    page = client.post(f"/monitoring/contracts/{contract.id}/kpis/new", data=answers)
    assert error_messages(page) == {box: message}
    assert form_data(page)["target_2024_2"] == "30"
    assert count(Kpi) == 0


def test_a_second_kpi_of_the_same_name_is_refused(client, commissioner):
    found = anchor()
    page = client.post(f"/monitoring/contracts/{found.contract.id}/kpis/new",
                       data={"name": " people SUPPORTED ", "unit": ""})
    assert error_messages(page) == {
        "name": "There is already a KPI called people SUPPORTED for this contract"}
    assert len(kpis_of(found.contract)) == 2


def test_the_standard_kpis_are_added_once(client, commissioner):
    found = anchor()  # has people supported and external funding levered in already
    response = client.post(f"/monitoring/contracts/{found.contract.id}/kpis/standard")
    assert response.status_code == 302
    names = [kpi.name for kpi in kpis_of(found.contract)]
    assert names == ["People supported", "External funding levered in", "Groups supported",
                     "Volunteers", "Volunteer hours", "Referrals received",
                     "People helped with money or debt", "People helped into work or training",
                     "People joining regular social activities"]
    assert [kpi.pathway for kpi in kpis_of(found.contract)[-4:]] == [
        None, Pathway.FINANCIAL_HARDSHIP, Pathway.INTO_WORK, Pathway.SOCIAL_ISOLATION]
    client.post(f"/monitoring/contracts/{found.contract.id}/kpis/standard")
    assert len(kpis_of(found.contract)) == 9
    assert len(audit_events("kpi.added")) == 7


def test_targets_are_changed_and_emptied(client, commissioner):
    found = anchor()
    people = found.kpis[0]
    url = f"/monitoring/contracts/{found.contract.id}/kpis/{people.id}"
    answers = form_data(client.get(url))
    assert answers["target_2024_1"] == "100" and answers["target_2025_1"] == ""
    answers.update(target_2024_1="110", target_2024_4="", target_2025_1="120")
    assert client.post(url, data=answers).status_code == 302
    assert targets_of(kpis_of(found.contract)[0]) == {
        ("2024/25", 1): Decimal(110), ("2024/25", 2): Decimal(100),
        ("2024/25", 3): Decimal(100), ("2025/26", 1): Decimal(120)}
    (event,) = audit_events("kpi.changed")
    assert event.details["before"]["targets"]["Q1 2024/25"] == "100.00"
    assert event.details["after"]["targets"]["Q1 2024/25"] == "110.00"


def test_a_kpi_is_removed_only_while_no_return_reports_it(client, commissioner):
    found = anchor()
    people, money = found.kpis
    sent_return(found)
    extra = Kpi(contract=found.contract, name="Volunteers", unit="people",
                targets=[KpiTarget(financial_year="2024/25", quarter=1, target=Decimal(5))])
    db.session.add(extra)
    db.session.commit()

    page = soup(client.get(f"/monitoring/contracts/{found.contract.id}"))
    removable = [button.get_text(" ", strip=True) for button in page.select("#kpis button")]
    assert removable == ["Remove Volunteers"]

    refused = client.post(f"/monitoring/contracts/{found.contract.id}/kpis/{people.id}/remove")
    banner = soup(client.get(refused.location)).select_one(".govuk-notification-banner")
    assert "People supported cannot be removed: returns have reported it" in banner.get_text()
    client.post(f"/monitoring/contracts/{found.contract.id}/kpis/{extra.id}/remove")
    assert [kpi.id for kpi in kpis_of(found.contract)] == [people.id, money.id]
    assert count(KpiTarget) == 8
    assert audit_events("kpi.removed")[0].details["name"] == "Volunteers"


def test_another_contracts_kpi_is_not_found(client, commissioner):
    found, other = anchor(), anchor("CA-LA-02")
    url = f"/monitoring/contracts/{found.contract.id}/kpis/{other.kpis[0].id}"
    assert client.get(url).status_code == 404
    assert client.post(f"{url}/remove").status_code == 404
    assert len(kpis_of(other.contract)) == 2


def test_the_commissioner_sees_a_draft_contracts_monitoring(client, commissioner):
    contract = ContractFactory(status=ContractStatus.DRAFT)
    page = soup(client.get(f"/monitoring/contracts/{contract.id}"))
    assert page.select_one("#no-kpis") is not None
    assert [tag.get_text(strip=True) for tag in page.select("#returns .govuk-tag")][:1] == [
        "Not due"]


def test_a_kpi_is_put_in_a_pathway_and_taken_out(client, commissioner):
    """The KPI form's pathway (not in one by default) says where the district roll-up counts
    the KPI; the change is audited."""
    contract = ContractFactory()
    page = soup(client.get(f"/monitoring/contracts/{contract.id}/kpis/new"))
    assert page.select_one("input[name=pathway]:checked")["value"] == "none"
    response = client.post(f"/monitoring/contracts/{contract.id}/kpis/new", data={
        "name": "People into work", "unit": "people", "pathway": "into_work"})
    assert response.status_code == 302
    (kpi,) = kpis_of(contract)
    assert kpi.pathway is Pathway.INTO_WORK

    url = f"/monitoring/contracts/{contract.id}/kpis/{kpi.id}"
    answers = form_data(client.get(url))
    assert answers["pathway"] == "into_work"
    assert client.post(url, data={**answers, "pathway": "none"}).status_code == 302
    assert kpis_of(contract)[0].pathway is None
    (event,) = audit_events("kpi.changed")
    assert (event.details["before"]["pathway"], event.details["after"]["pathway"]) == (
        "into_work", None)
    refused = client.post(url, data={**answers, "pathway": "sport"})
    assert error_messages(refused) == {"pathway": "Select a pathway, or not in a pathway"}
