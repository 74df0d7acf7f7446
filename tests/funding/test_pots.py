"""Officers set up funding pots, change their details and budgets, and move budget between
pots; every change of money is a ledger entry."""

from datetime import date

import pytest
from sqlalchemy import func, select

from models import FundingPot, LedgerEntry, Locality, Ward
from models.base import db
from models.enums import FundingSource, LedgerKind, PotStatus, Role
from portal.funding.ledger import balances
from tests.conftest import sign_in_as
from tests.factories import FundingPotFactory, ProgrammeFactory, ThemeFactory, UserFactory
from tests.funding.conftest import audit_events, pot_answers, pot_with
from tests.html import error_messages, soup, summary_errors
from tests.querycount import count_queries


def pot_named(name: str) -> FundingPot | None:
    db.session.expire_all()
    return db.session.scalar(select(FundingPot).where(FundingPot.name == name))


def entries_of(pot: FundingPot) -> list[LedgerEntry]:
    db.session.expire_all()
    return list(db.session.scalars(select(LedgerEntry).where(LedgerEntry.pot_id == pot.id)
                                   .order_by(LedgerEntry.id)))


def entry_count() -> int:
    return db.session.scalar(select(func.count()).select_from(LedgerEntry))


def summary_rows(page, list_id: str) -> dict[str, str]:
    return {row.dt.get_text(strip=True): row.dd.get_text(" ", strip=True)
            for row in page.select(f"#{list_id} .govuk-summary-list__row")}


def test_officer_creates_a_pot_with_its_opening_budget_as_a_ledger_entry(client, officer):
    theme = ThemeFactory(name="Reducing social isolation", scheme__name="Community Plus")
    locality = Locality(name="Huddersfield", wards=[Ward(name="Dalton"), Ward(name="Lindley")])
    db.session.add(locality)
    db.session.commit()
    dalton = locality.wards[0]

    response = client.post("/funding/pots/new", data=pot_answers(
        schemes=[str(theme.scheme_id)], themes=[str(theme.id)], wards=[str(dalton.id)]))

    pot = pot_named("Community Plus core")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/funding/pots/{pot.id}"
    assert (pot.financial_year, pot.source, pot.status) == ("2024/25", FundingSource.CORE,
                                                            PotStatus.OPEN)
    assert (pot.funder_name, pot.funder_org_id, pot.spend_by) == (
        "Kirklees Council", "GB-LAE-KIR", date(2025, 3, 31))
    assert [scheme.name for scheme in pot.schemes] == ["Community Plus"]
    assert [t.name for t in pot.themes] == ["Reducing social isolation"]
    assert [ward.name for ward in pot.wards] == ["Dalton"]
    [entry] = entries_of(pot)
    assert (entry.kind, entry.amount_pence, entry.reason, entry.actor_id) == (
        LedgerKind.BUDGET, 49_500_00, "Cabinet report, February 2024", officer.id)
    [event] = audit_events("funding_pot.created")
    assert (event.actor_id, event.object_id) == (officer.id, pot.id)
    assert event.details["budget_pence"] == 49_500_00
    assert len(audit_events("ledger.posted")) == 1

    page = soup(client.get(f"/funding/pots/{pot.id}"))
    assert page.h1.text == "Community Plus core"
    assert summary_rows(page, "figures") == {"Budget": "£49,500.00", "Committed": "£0.00",
                                             "Paid": "£0.00", "Available": "£49,500.00"}
    assert summary_rows(page, "restrictions") == {
        "Schemes": "Community Plus", "Themes": "Community Plus: Reducing social isolation",
        "Wards": "Dalton", "Commissioning programmes": "None: the pot is for grants"}
    assert summary_rows(page, "details")["Spend by"] == "31 March 2025"


@pytest.mark.parametrize(("changes", "expected"), [
    ({"name": " ", "funder_name": ""},
     {"name": "Enter the pot name", "funder_name": "Enter the funder’s name"}),
    ({"financial_year": "2024/26"}, {"financial_year": "Enter the financial year like 2024/25"}),
    ({"financial_year": ""}, {"financial_year": "Enter the financial year"}),
    ({"source": None}, {"source": "Select where the money comes from"}),
    ({"source": "lottery"}, {"source": "Select where the money comes from"}),
    ({"budget": "lots"}, {"budget": "Enter the opening budget in pounds, like £50,000"}),
    ({"budget": "0"}, {"budget": "The opening budget must be more than £0"}),
    ({"budget": "-500"}, {"budget": "The opening budget must be more than £0"}),
    ({"budget": ""}, {"budget": "Enter the opening budget"}),
    ({"reason": "  "}, {"reason": "Enter the reason for the opening budget"}),
    ({"funder_org_id": "Kirklees council"},
     {"funder_org_id": "Enter the organisation identifier like GB-LAE-KIR or GB-CHC-1234567"}),
    ({"spend_by": ["31", "2", "2025"]}, {"spend_by": "Spend by (optional) must be a real date"}),
])
def test_bad_answers_are_explained_beside_their_fields_and_kept(client, officer, changes,
                                                                 expected):
    answers = pot_answers(**changes)
    response = client.post("/funding/pots/new", data=answers)

    assert response.status_code == 200
    assert error_messages(response) == expected
    assert len(summary_errors(response)) == len(expected)
    assert soup(response).title.text.startswith("Error: ")
    page = soup(response)
    assert page.select_one("#name")["value"] == answers["name"].strip()
    assert page.select_one("#budget")["value"] == answers["budget"]
    assert db.session.scalar(select(func.count()).select_from(FundingPot)) == 0
    assert entry_count() == 0


def test_a_name_is_unique_within_its_year_only(client, officer):
    FundingPotFactory(name="Community Plus core", financial_year="2024/25")

    response = client.post("/funding/pots/new", data=pot_answers())
    assert error_messages(response) == {"name": "There is already a pot called Community Plus "
                                                "core in 2024/25: give this pot another name"}
    assert soup(response).select_one("#funder_name")["value"] == "Kirklees Council"
    assert entry_count() == 0

    response = client.post("/funding/pots/new", data=pot_answers(financial_year="2025/26"))
    assert response.status_code == 302


def test_officer_changes_a_pots_details_and_closes_it(client, officer):
    pot = pot_with(officer, name="Health pot", funder_org_id="")
    response = client.get(f"/funding/pots/{pot.id}/edit")
    page = soup(response)
    assert page.select_one("#name")["value"] == "Health pot"
    assert page.select_one("#financial_year") is None and page.select_one("#budget") is None

    response = client.post(f"/funding/pots/{pot.id}/edit", data={
        "name": "Health and wellbeing pot", "funder_name": "WY Health Partnership",
        "funder_org_id": "GB-CHC-1234567", "acknowledgement": "Thanks to WYHP.",
        "status": "closed"})

    assert response.headers["Location"] == f"/funding/pots/{pot.id}"
    db.session.expire_all()
    assert (pot.name, pot.funder_org_id, pot.status) == ("Health and wellbeing pot",
                                                         "GB-CHC-1234567", PotStatus.CLOSED)
    assert (pot.financial_year, pot.source) == ("2024/25", FundingSource.EXTERNAL)
    [event] = audit_events("funding_pot.changed")
    assert event.details["name"] == {"from": "Health pot", "to": "Health and wellbeing pot"}
    assert event.details["status"] == {"from": "open", "to": "closed"}
    assert "wards" not in event.details
    assert len(entries_of(pot)) == 1


def test_editing_to_another_pots_name_is_refused(client, officer):
    FundingPotFactory(name="Taken")
    pot = FundingPotFactory(name="Mine")
    response = client.post(f"/funding/pots/{pot.id}/edit", data={
        "name": "Taken", "funder_name": "Someone", "status": "open"})
    assert error_messages(response) == {"name": "There is already a pot called Taken in "
                                                "2024/25: give this pot another name"}
    assert soup(response).select_one("#name")["value"] == "Taken"
    assert pot_named("Mine") is not None
    assert audit_events("funding_pot.changed") == []


def test_budget_increase_and_reduction_are_ledger_entries(client, officer):
    pot = pot_with(officer, budget=10_000_00)

    response = client.post(f"/funding/pots/{pot.id}/budget", data={
        "direction": "increase", "amount": "£2,500.50", "reason": "Underspend carried in"})
    assert response.headers["Location"] == f"/funding/pots/{pot.id}"
    response = client.post(f"/funding/pots/{pot.id}/budget", data={
        "direction": "reduce", "amount": "1000", "reason": "In-year savings"})
    assert response.status_code == 302

    entries = entries_of(pot)
    assert [(e.kind, e.amount_pence, e.reason) for e in entries[1:]] == [
        (LedgerKind.BUDGET, 2_500_50, "Underspend carried in"),
        (LedgerKind.BUDGET, -1_000_00, "In-year savings")]
    assert balances([pot.id])[pot.id].budget_pence == 11_500_50


def test_a_reduction_below_what_is_committed_is_refused_and_changes_nothing(client, officer):
    pot = pot_with(officer, budget=10_000_00, committed=8_000_00, name="Health pot")
    before = entry_count()

    response = client.post(f"/funding/pots/{pot.id}/budget", data={
        "direction": "reduce", "amount": "£2,000.01", "reason": "Savings"})

    assert response.status_code == 200
    [(field, message)] = error_messages(response).items()
    assert field == "amount" and message.startswith("Health pot (2024/25) ")  # the ledger's
    page = soup(response)
    assert page.select_one("#amount")["value"] == "£2,000.01"
    assert page.select_one("#reason").text.strip() == "Savings"
    assert entry_count() == before
    assert balances([pot.id])[pot.id].budget_pence == 10_000_00

    response = client.post(f"/funding/pots/{pot.id}/budget", data={
        "direction": "reduce", "amount": "£2,000", "reason": "Savings"})
    assert response.status_code == 302
    assert balances([pot.id])[pot.id].available_pence == 0


@pytest.mark.parametrize(("answers", "expected"), [
    ({}, {"direction": "Select whether to increase or reduce the budget",
          "amount": "Enter the amount", "reason": "Enter the reason for this change"}),
    ({"direction": "double", "amount": "0", "reason": "x"},
     {"direction": "Select whether to increase or reduce the budget",
      "amount": "The amount must be more than £0"}),
])
def test_bad_budget_changes_are_explained(client, officer, answers, expected):
    pot = pot_with(officer)
    response = client.post(f"/funding/pots/{pot.id}/budget", data=answers)
    assert error_messages(response) == expected
    assert len(entries_of(pot)) == 1


def test_officer_transfers_budget_to_a_pot_of_the_same_year(client, officer):
    giver = pot_with(officer, budget=10_000_00, committed=4_000_00, name="Giver")
    taker = pot_with(officer, budget=1_000_00, name="Taker")
    other_year = pot_with(officer, name="Next year", financial_year="2025/26")

    page = soup(client.get(f"/funding/pots/{giver.id}/transfer"))
    assert [option.text for option in page.select("#to_pot option")] == ["Select a pot",
                                                                          "Taker"]

    response = client.post(f"/funding/pots/{giver.id}/transfer", data={
        "to_pot": str(taker.id), "amount": "£6,000", "reason": "Rebalancing"})
    assert response.headers["Location"] == f"/funding/pots/{giver.id}"
    figures = balances([giver.id, taker.id])
    assert figures[giver.id].budget_pence == 4_000_00
    assert figures[taker.id].budget_pence == 7_000_00
    given, taken = entries_of(giver)[-1], entries_of(taker)[-1]
    assert (given.kind, given.amount_pence, taken.amount_pence) == (LedgerKind.TRANSFER,
                                                                    -6_000_00, 6_000_00)
    assert given.batch == taken.batch

    before = entry_count()
    response = client.post(f"/funding/pots/{giver.id}/transfer", data={
        "to_pot": str(taker.id), "amount": "£1", "reason": "More"})
    [(field, message)] = error_messages(response).items()
    assert field == "amount" and message.startswith("Giver (2024/25) ")
    response = client.post(f"/funding/pots/{giver.id}/transfer", data={
        "to_pot": str(other_year.id), "amount": "£1", "reason": "More"})
    assert error_messages(response) == {"to_pot": "Select a pot to transfer to"}
    response = client.post(f"/funding/pots/{giver.id}/transfer", data={
        "to_pot": "", "amount": "", "reason": ""})
    assert error_messages(response) == {"to_pot": "Select a pot to transfer to",
                                        "amount": "Enter the amount to transfer",
                                        "reason": "Enter the reason for the transfer"}
    assert entry_count() == before


def test_a_pot_alone_in_its_year_has_nowhere_to_transfer_to(client, officer):
    pot = pot_with(officer)
    page = soup(client.get(f"/funding/pots/{pot.id}/transfer"))
    assert page.select_one("main form[method=post]") is None
    assert "There is no other pot in 2024/25" in page.main.text


def test_pot_page_lists_entries_newest_first_25_a_page(client, officer):
    pot = pot_with(officer, budget=100_000_00, committed=1_00)
    from portal.funding.ledger import Posting, post
    for number in range(30):
        post(officer, [Posting(pot.id, LedgerKind.COMMITMENT, 1_00)], f"Award {number}")
    db.session.commit()

    page = soup(client.get(f"/funding/pots/{pot.id}"))
    rows = page.select("#ledger tbody tr")
    assert len(rows) == 25
    first = [cell.get_text(strip=True) for cell in rows[0].select("td")]
    assert first[1:] == ["Commitment", "£1.00", "", "Award 29", "Olu Officer"]
    figure = balances([pot.id])[pot.id]
    assert summary_rows(page, "figures") == {
        "Budget": "£100,000.00", "Committed": "£31.00", "Paid": "£0.00",
        "Available": "£99,969.00"}
    assert figure.committed_pence == sum(e.amount_pence for e in entries_of(pot)
                                         if e.kind is LedgerKind.COMMITMENT)

    page = soup(client.get(f"/funding/pots/{pot.id}?page=2"))
    reasons = [row.select("td")[4].get_text(strip=True) for row in page.select("#ledger tbody tr")]
    assert reasons == ["Award 4", "Award 3", "Award 2", "Award 1", "Award 0",
                       "Cabinet report 2024", "Cabinet report 2024"]


def test_pot_page_query_count_is_constant_as_entries_grow(client, officer):
    from portal.funding.ledger import Posting, post
    pot = pot_with(officer, budget=100_000_00)
    path = f"/funding/pots/{pot.id}"
    client.get(path)
    with count_queries() as few:
        client.get(path)
    for number in range(30):
        post(UserFactory(roles=(Role.GRANTS_OFFICER,)),
             [Posting(pot.id, LedgerKind.COMMITMENT, 1_00)], f"Award {number}")
    db.session.commit()
    with count_queries() as many:
        client.get(path)
    assert len(many) == len(few)


def test_unknown_pots_are_not_found(client, officer):
    for path in ("/funding/pots/999", "/funding/pots/999/edit", "/funding/pots/999/budget",
                 "/funding/pots/999/transfer"):
        assert client.get(path).status_code == 404


VIEW_ONLY = ["/funding/", "/funding/pots.csv", "/funding/pots.xlsx", "/funding/pots/{id}"]
MANAGE = ["/funding/pots/new", "/funding/pots/{id}/edit", "/funding/pots/{id}/budget",
          "/funding/pots/{id}/transfer"]


@pytest.mark.parametrize(("role", "views", "manages"), [
    (Role.APPLICANT, False, False),
    (Role.ASSESSOR, False, False),
    (Role.COMMISSIONER, True, False),
    (Role.GRANTS_OFFICER, True, True),
    (Role.ADMIN, True, True),
])
def test_access_by_role(client, role, views, manages):
    person = UserFactory(roles=(role,))
    pot = pot_with(person, name="Health pot")
    sign_in_as(client, person)
    for path in VIEW_ONLY:
        assert client.get(path.format(id=pot.id)).status_code == (200 if views else 403), path
    for path in MANAGE:
        assert client.get(path.format(id=pot.id)).status_code == (200 if manages else 403), path
    response = client.post(f"/funding/pots/{pot.id}/budget", data={
        "direction": "increase", "amount": "£1", "reason": "More"})
    assert response.status_code == (302 if manages else 403)
    page = soup(client.get(f"/funding/pots/{pot.id}")) if views else None
    if page is not None:
        links = {a.get_text(strip=True) for a in page.select("main a")}
        assert ("Change the budget" in links) is manages


def test_anonymous_people_are_sent_to_sign_in(client, ctx):
    pot = FundingPotFactory()
    for path in VIEW_ONLY + MANAGE:
        response = client.get(path.format(id=pot.id))
        assert response.status_code == 302
        assert "/sign-in" in response.headers["Location"] or "login" in \
            response.headers["Location"]
    response = client.post("/funding/pots/new", data=pot_answers())
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(FundingPot)) == 1


def test_restrictions_can_be_cleared_and_nonsense_choices_are_refused(client, officer):
    theme = ThemeFactory()
    pot = FundingPotFactory(themes=[theme])
    answers = {"name": pot.name, "funder_name": "Funder", "status": "open"}

    for nonsense in ("x", str(theme.id + 1)):
        response = client.post(f"/funding/pots/{pot.id}/edit",
                               data={**answers, "themes": [nonsense]})
        assert error_messages(response) == {"themes": "Select themes from the list"}

    response = client.post(f"/funding/pots/{pot.id}/edit", data=answers)
    assert response.status_code == 302
    db.session.expire_all()
    assert pot.themes == []
    [event] = audit_events("funding_pot.changed")
    assert event.details["themes"] == {"from": [theme.id], "to": []}


def test_a_pot_can_be_kept_for_a_programmes_contracts(client, officer):
    programme = ProgrammeFactory(name="Community Anchors 2024–27")
    pot = FundingPotFactory()
    answers = {"name": pot.name, "funder_name": "Funder", "status": "open"}
    response = client.post(f"/funding/pots/{pot.id}/edit",
                           data={**answers, "programmes": [str(programme.id)]})
    assert response.status_code == 302
    db.session.expire_all()
    assert pot.programmes == [programme]
    page = soup(client.get(f"/funding/pots/{pot.id}"))
    assert "Community Anchors 2024–27" in page.select_one("#restrictions").get_text()
    [event] = audit_events("funding_pot.changed")
    assert event.details["programmes"] == {"from": [], "to": [programme.id]}
