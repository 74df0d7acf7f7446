"""Officers keep the list of funding partners, set up a pooled pot and record each partner's
contribution; the pot's page shows the contributions and what is attributed to each partner."""

from sqlalchemy import select

from models import FundingPartner, FundingPot
from models.base import db
from models.enums import Role
from tests.conftest import sign_in_as
from tests.factories import AwardFactory, FundingPartnerFactory, UserFactory
from tests.funding.conftest import audit_events, pot_answers
from tests.funding.test_pooled_pots import pooled_pot, spend_on
from tests.html import error_messages, rows_of, soup
from tests.querycount import count_queries


def partner_answers(**changes) -> dict:
    return {"name": "West Yorkshire ICB", "org_id": "GB-NHS-QWO",
            "acknowledgement": "Funded in part by the West Yorkshire ICB.", **changes}


def test_officer_adds_and_changes_a_partner(client, officer):
    response = client.post("/funding/partners/new", data=partner_answers())
    partner = db.session.scalar(select(FundingPartner))
    changed = client.post(f"/funding/partners/{partner.id}/edit",
                          data=partner_answers(name="The ICB"))

    page = soup(client.get("/funding/partners"))
    assert response.status_code == changed.status_code == 302
    assert rows_of(page, "partners") == [
        ["The ICB", "GB-NHS-QWO", "Funded in part by the West Yorkshire ICB.",
         "What their money paid for : The ICB Change The ICB"]]
    assert page.select_one("#partners a")["href"] == f"/partners/{partner.id}"
    assert [event.details["after"]["name"] for event in audit_events("funding_partner.saved")] \
        == ["West Yorkshire ICB", "The ICB"]


def test_a_partner_needs_a_well_formed_unique_org_id_and_keeps_the_answers(client, officer):
    FundingPartnerFactory(org_id="GB-NHS-QWO")

    taken = client.post("/funding/partners/new", data=partner_answers(org_id="gb-nhs-qwo"))
    malformed = client.post("/funding/partners/new", data=partner_answers(org_id="ICB"))

    assert error_messages(taken) == {
        "org_id": "There is already a partner with the organisation identifier gb-nhs-qwo"}
    assert error_messages(malformed) == {
        "org_id": "Enter the organisation identifier like GB-LAE-KIR or GB-CHC-1234567"}
    assert soup(malformed).select_one("#name")["value"] == "West Yorkshire ICB"


def test_officer_sets_up_a_pooled_pot_and_records_contributions(client, officer):
    icb = FundingPartnerFactory(name="The ICB")
    health = FundingPartnerFactory(name="Public Health")

    missing = client.post("/funding/pots/new", data=pot_answers(source="pooled"))
    client.post("/funding/pots/new", data=pot_answers(
        name="Joint fund", source="pooled", contributor=str(icb.id), budget="£3,000",
        funder_name="Joint Working Board", funder_org_id=""))
    pot = db.session.scalar(select(FundingPot).where(FundingPot.name == "Joint fund"))
    no_partner = client.post(f"/funding/pots/{pot.id}/budget", data={
        "direction": "increase", "amount": "£1,000", "reason": "Public Health's share"})
    client.post(f"/funding/pots/{pot.id}/budget", data={
        "partner": str(health.id), "direction": "increase", "amount": "£1,000",
        "reason": "Public Health's share"})

    page = soup(client.get(f"/funding/pots/{pot.id}"))
    db.session.refresh(pot)
    assert error_messages(missing)["contributor"] == \
        "Select the partner contributing the opening budget"
    assert error_messages(no_partner) == {
        "partner": "Select the partner whose contribution this is"}
    assert pot.pooled and pot.budget_pence == 4_000_00
    assert rows_of(page, "contributions") == [
        ["The ICB", icb.org_id, "£3,000.00", "75.0%", "£0.00", "£0.00"],
        ["Public Health", health.org_id, "£1,000.00", "25.0%", "£0.00", "£0.00"]]
    assert [row[1] for row in rows_of(page, "ledger")] == [
        "Contribution from Public Health", "Contribution from The ICB"]
    assert "Transfer budget to another pot" not in page.text


def test_the_pot_page_attributes_spending_and_its_queries_do_not_grow(client, officer):
    partners = [FundingPartnerFactory(name=f"Partner {n}") for n in range(3)]
    pot = pooled_pot(officer, {partner: 1_000_00 for partner in partners})
    spend_on(officer, pot, AwardFactory().id, 100_00, paid=100_00)

    with count_queries() as few:
        page = soup(client.get(f"/funding/pots/{pot.id}"))
    for _ in range(3):
        spend_on(officer, pot, AwardFactory().id, 10_00)
    more = [FundingPartnerFactory() for _ in range(2)]
    pooled_pot(officer, {partner: 5_00 for partner in more})
    with count_queries() as many:
        client.get(f"/funding/pots/{pot.id}")

    assert [row[4:] for row in rows_of(page, "contributions")] == [
        ["£33.34", "£33.34"], ["£33.33", "£33.33"], ["£33.33", "£33.33"]]
    assert len(many) == len(few)


def test_viewers_see_partners_but_only_managers_change_them(client, ctx):
    FundingPartnerFactory()
    sign_in_as(client, UserFactory(roles=(Role.COMMISSIONER,)))

    page = soup(client.get("/funding/partners"))

    assert page.select_one("#partners") is not None
    assert "Add a partner" not in page.text
    assert client.get("/funding/partners/new").status_code == 403
