"""Setting up next year's pot from this year's: the form starts with this year's details,
restrictions and budget a year on; the officer checks it and creates the pot as any other."""

from datetime import date

from sqlalchemy import select

from models import FundingPot
from models.base import db
from models.enums import FundingSource
from portal.funding import ledger
from tests.factories import SchemeFactory, ThemeFactory
from tests.funding.conftest import audit_events, pot_with
from tests.html import error_messages, soup


def this_year(officer) -> FundingPot:
    scheme = SchemeFactory()
    pot = pot_with(officer, budget=49_500_00, committed=10_000_00, name="Community Plus 2025/26",
                   financial_year="2025/26", source=FundingSource.CORE,
                   spend_by=date(2026, 3, 31), schemes=[scheme],
                   themes=[ThemeFactory(scheme=scheme)])
    return pot


def test_the_form_starts_from_this_years_pot_a_year_on(client, officer):
    pot = this_year(officer)
    page = soup(client.get(f"/funding/pots/{pot.id}/next-year"))
    assert page.select_one("h1").text == "Set up Community Plus 2025/26 for next year"
    assert page.select_one("#name")["value"] == "Community Plus 2026/27"
    assert page.select_one("#financial_year")["value"] == "2026/27"
    assert page.select_one("#source")["checked"] is not None  # core, the first choice
    assert page.select_one("#budget")["value"] == "49,500"
    assert [int(page.select_one(f"#spend_by-{part}")["value"])
            for part in ("day", "month", "year")] == [31, 3, 2027]
    checked = {box["value"] for box in page.select("input[type=checkbox][checked]")}
    assert checked == {str(pot.schemes[0].id), str(pot.themes[0].id)}


def test_creating_next_years_pot_keeps_the_restrictions_and_audits_where_it_came_from(
        client, officer):
    pot = this_year(officer)
    form = soup(client.get(f"/funding/pots/{pot.id}/next-year")).select_one("main form")
    answers: dict = {}
    for field in form.select("input, textarea"):
        if field.get("type") in ("checkbox", "radio") and not field.has_attr("checked"):
            continue
        value = field.get("value", field.text)
        name = field.get("name")
        if name:
            answers.setdefault(name, []).append(value)
    answers["budget"] = ["£45,000"]

    response = client.post(f"/funding/pots/{pot.id}/next-year", data=answers)

    new = db.session.scalar(select(FundingPot).where(FundingPot.financial_year == "2026/27"))
    assert response.headers["Location"] == f"/funding/pots/{new.id}"
    assert (new.name, new.source, new.funder_name, new.spend_by) == (
        "Community Plus 2026/27", FundingSource.CORE, pot.funder_name, date(2027, 3, 31))
    assert ([s.id for s in new.schemes], [t.id for t in new.themes]) == (
        [s.id for s in pot.schemes], [t.id for t in pot.themes])
    assert ledger.balances([new.id])[new.id].budget_pence == 45_000_00
    [event] = [e for e in audit_events("funding_pot.created") if e.object_id == new.id]
    assert event.details["set_up_from"] == pot.id


def test_next_years_pot_cannot_be_set_up_twice_under_one_name(client, officer):
    pot = this_year(officer)
    pot_with(officer, name="Community Plus 2026/27", financial_year="2026/27")
    page = client.get(f"/funding/pots/{pot.id}/next-year")
    answers = {"name": "Community Plus 2026/27", "financial_year": "2026/27", "source": "core",
               "funder_name": pot.funder_name, "budget": "£49,500", "reason": "Next year"}
    refused = client.post(f"/funding/pots/{pot.id}/next-year", data=answers)
    assert page.status_code == 200
    assert "already a pot called" in error_messages(refused)["name"]
