"""Award offers: the proposed split on the page, the rules on making an offer, withdrawing
one, a round's awards, and who may do any of it."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from models import Allocation, AuditEvent, Award, Decision, LedgerEntry
from models.base import db
from models.enums import (
    ApplicationStatus,
    AwardStatus,
    FundingSource,
    LedgerKind,
    PotStatus,
    Role,
    SplitPolicy,
)
from portal.funding import ledger
from tests.assessment.conftest import submitted
from tests.awards.conftest import approved, pot
from tests.conftest import sign_in_as
from tests.factories import (
    ProgrammeFactory,
    RoundFactory,
    SchemeFactory,
    ThemeFactory,
    UserFactory,
)
from tests.html import assert_well_formed, error_messages, form_data, soup
from tests.querycount import count_queries

CORE, EXTERNAL = FundingSource.CORE, FundingSource.EXTERNAL
ACCEPT_BY = date.today() + timedelta(days=30)


def offer_url(application) -> str:
    return f"/awards/applications/{application.id}/offer"


def proposed(response) -> dict[str, str]:
    """The amount box of each pot (by field name) as the page fills it in."""
    return {box["name"]: box.get("value", "") for box in
            soup(response).select("input[name^=pot_]")}


def make_offer(client, application, amounts: dict[int, str], **fields):
    """Send the offer form as the page fills it in, with these amounts and `fields`."""
    data = form_data(client.get(offer_url(application)))
    data.update({f"pot_{pot_id}": amount for pot_id, amount in amounts.items()})
    data.update({"standard_conditions": "1. Spend it on the project.",
                 "special_conditions": "",
                 "accept_by": [str(ACCEPT_BY.day), str(ACCEPT_BY.month), str(ACCEPT_BY.year)]})
    data.update(fields)
    return client.post(offer_url(application), data=data)


def counts() -> tuple[int, int, int]:
    """Awards, allocations and commitment entries recorded."""
    return (db.session.scalar(select(func.count(Award.id))),
            db.session.scalar(select(func.count(Allocation.id))),
            db.session.scalar(select(func.count(LedgerEntry.id))
                              .where(LedgerEntry.kind == LedgerKind.COMMITMENT)))


def available(*pots) -> list[int]:
    found = ledger.balances(p.id for p in pots)
    return [found[p.id].available_pence for p in pots]


# The proposal on the page --------------------------------------------------------------------


@pytest.mark.parametrize(("policy", "expected"), [
    (SplitPolicy.EXTERNAL_FIRST, ("0", "1,000")),
    (SplitPolicy.CORE_FIRST, ("1,000", "0")),
    (SplitPolicy.PRO_RATA, ("750", "250")),
])
def test_the_page_proposes_a_split_by_the_scheme_policy(client, officer, round_, policy,
                                                        expected):
    round_.scheme.split_policy = policy
    db.session.commit()
    core = pot(3_000_00, CORE, name="Council base budget")
    external = pot(1_000_00, EXTERNAL, name="Partnership fund")
    application = approved(round_, 1_000_00)
    response = client.get(offer_url(application))
    assert response.status_code == 200
    boxes = proposed(response)
    assert (boxes[f"pot_{core.id}"], boxes[f"pot_{external.id}"]) == expected


def test_the_page_shows_the_approved_amount_and_conditions(client, officer, round_):
    pot(5_000_00)
    application = approved(round_, 1_234_50)
    page = soup(client.get(offer_url(application)))
    assert "£1,234.50" in page.get_text()
    conditions = page.select_one("#standard_conditions").get_text()
    assert conditions.startswith("1. Spend the grant only on the project")
    assert page.select_one("#accept_by-day")["value"]


def test_restricted_closed_and_other_year_pots_are_not_offered(client, officer, round_):
    theme = ThemeFactory(scheme=round_.scheme)
    allowed = pot(1_000_00, name="Any purpose")
    for_theme = pot(1_000_00, name="For the theme")
    for_theme.themes = [theme]
    other_scheme = pot(1_000_00, name="Another scheme's")
    other_scheme.schemes = [SchemeFactory()]
    closed = pot(1_000_00, name="Closed", status=PotStatus.CLOSED)
    next_year = pot(1_000_00, name="Next year", financial_year="2025/26")
    for_contracts = pot(1_000_00, name="Community Anchors")
    for_contracts.programmes = [ProgrammeFactory()]
    db.session.commit()
    application = approved(round_, 500_00)
    boxes = proposed(client.get(offer_url(application)))
    assert set(boxes) == {f"pot_{allowed.id}"}
    assert {closed.id, next_year.id, other_scheme.id, for_theme.id,
            for_contracts.id}.isdisjoint(
        int(name.removeprefix("pot_")) for name in boxes)
    application.themes = [theme]
    db.session.commit()
    boxes = proposed(client.get(offer_url(application)))
    assert set(boxes) == {f"pot_{allowed.id}", f"pot_{for_theme.id}"}


def test_a_shortfall_is_explained_and_the_form_still_shown(client, officer, round_):
    pot(300_00)
    application = approved(round_, 1_000_00)
    page = soup(client.get(offer_url(application)))
    assert "£700.00 short" in page.select_one("#shortfall").get_text()
    assert page.select_one("form input[name^=pot_]")


# Making the offer ----------------------------------------------------------------------------


def test_making_an_offer_records_the_award_and_commits_the_money(client, officer, round_):
    core = pot(3_000_00, CORE)
    external = pot(1_000_00, EXTERNAL)
    application = approved(round_, 1_500_00)
    response = make_offer(client, application, {core.id: "500", external.id: "1,000"},
                          special_conditions="Send the venue's hire agreement.")
    assert response.status_code == 302
    award = db.session.scalar(select(Award))
    assert response.headers["Location"] == f"/awards/{award.id}"
    assert (award.status, award.amount_pence, award.reference, award.accept_by) == (
        AwardStatus.OFFERED, 1_500_00, application.reference, ACCEPT_BY)
    assert {(a.pot_id, a.amount_pence) for a in award.allocations} == {
        (core.id, 500_00), (external.id, 1_000_00)}
    entries = db.session.scalars(select(LedgerEntry).where(LedgerEntry.award_id == award.id)
                                 ).all()
    assert {(e.pot_id, e.kind, e.amount_pence) for e in entries} == {
        (core.id, LedgerKind.COMMITMENT, 500_00), (external.id, LedgerKind.COMMITMENT, 1_000_00)}
    assert {e.reason for e in entries} == {f"Award {application.reference}"}
    assert len({e.batch for e in entries}) == 1
    assert available(core, external) == [2_500_00, 0]
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "award.offered"))
    page = soup(client.get(f"/awards/{award.id}"))
    assert len(page.select("#allocations tbody tr")) == 2
    assert len(page.select("#ledger tbody tr")) == 2
    assert "Send the venue's hire agreement." in page.get_text()


def test_a_zero_amount_leaves_the_pot_out(client, officer, round_):
    core, external = pot(3_000_00, CORE), pot(1_000_00)
    application = approved(round_, 1_000_00)
    assert make_offer(client, application, {core.id: "1000", external.id: "0"}
                      ).status_code == 302
    assert [a.pot_id for a in db.session.scalar(select(Award)).allocations] == [core.id]


def test_amounts_that_do_not_add_up_are_refused_beside_the_amounts(client, officer, round_):
    core, external = pot(3_000_00, CORE), pot(1_000_00)
    application = approved(round_, 1_000_00)
    response = make_offer(client, application, {core.id: "500", external.id: "400"},
                          special_conditions="Kept")
    assert response.status_code == 200
    assert error_messages(response)[f"pot_{core.id}"] == (
        "The amounts from the pots add up to £900.00. They must add up to the award of "
        "£1,000.00.")
    assert counts() == (0, 0, 0)
    boxes = proposed(response)
    assert (boxes[f"pot_{core.id}"], boxes[f"pot_{external.id}"]) == ("500", "400")
    assert soup(response).select_one("#special_conditions").get_text() == "Kept"


def test_a_pot_without_enough_available_is_refused_by_the_ledger(client, officer, round_):
    core, external = pot(3_000_00, CORE), pot(400_00, name="Small fund")
    application = approved(round_, 1_000_00)
    response = make_offer(client, application, {core.id: "400", external.id: "600"})
    assert response.status_code == 200
    message = error_messages(response)[f"pot_{core.id}"]
    assert message.startswith("Small fund (2024/25) has £400.00 available, which is not enough")
    assert counts() == (0, 0, 0)
    assert available(core, external) == [3_000_00, 400_00]


def test_a_tampered_pot_id_is_refused(client, officer, round_):
    allowed = pot(3_000_00)
    elsewhere = pot(3_000_00, name="Restricted")
    elsewhere.schemes = [SchemeFactory()]
    db.session.commit()
    application = approved(round_, 1_000_00)
    response = make_offer(client, application, {allowed.id: "0", elsewhere.id: "1000"})
    assert response.status_code == 200
    assert "Enter amounts only for the pots listed" in " ".join(
        error_messages(response).values())
    assert counts() == (0, 0, 0)
    response = make_offer(client, application, {987654: "1000"})
    assert response.status_code == 200
    assert set(proposed(response)) == {f"pot_{allowed.id}"}
    assert "Enter amounts only for the pots listed" in error_messages(response)[f"pot_{allowed.id}"]
    assert counts() == (0, 0, 0)


def test_the_accept_by_date_cannot_be_in_the_past(client, officer, round_):
    funds = pot(3_000_00)
    application = approved(round_, 1_000_00)
    past = date.today() - timedelta(days=2)
    response = make_offer(client, application, {funds.id: "1000"},
                          accept_by=[str(past.day), str(past.month), str(past.year)])
    assert error_messages(response)["accept_by"] == (
        "The date to accept by must be today or in the future")
    assert counts() == (0, 0, 0)


def test_a_second_offer_is_refused(client, officer, round_):
    funds = pot(3_000_00)
    application = approved(round_, 1_000_00)
    assert make_offer(client, application, {funds.id: "1000"}).status_code == 302
    award = db.session.scalar(select(Award))
    response = make_offer(client, application, {funds.id: "1000"})
    assert response.status_code == 200
    page = soup(response)
    assert "already been offered" in page.select_one("#why-not").get_text()
    assert page.select_one(f"a[href='/awards/{award.id}']")
    assert counts() == (1, 1, 1)


@pytest.mark.parametrize("status", [ApplicationStatus.SUBMITTED,
                                    ApplicationStatus.UNDER_ASSESSMENT,
                                    ApplicationStatus.REJECTED])
def test_an_application_not_approved_is_explained(client, officer, round_, status):
    funds = pot(3_000_00)
    application = submitted(round=round_, status=status)
    response = client.get(offer_url(application))
    assert response.status_code == 200
    assert "Only an approved application" in soup(response).select_one("#why-not").get_text()
    assert not soup(response).select("input[name^=pot_]")
    assert make_offer(client, application, {funds.id: "1500"}).status_code == 200
    assert counts() == (0, 0, 0)


def test_a_draft_or_unknown_application_is_not_found(client, officer, round_):
    draft = submitted(round=round_, status=ApplicationStatus.DRAFT)
    assert client.get(offer_url(draft)).status_code == 404
    assert client.get("/awards/applications/987654/offer").status_code == 404
    assert client.get("/awards/987654").status_code == 404


# Withdrawing ---------------------------------------------------------------------------------


def test_withdrawing_releases_the_money_and_needs_a_reason(client, officer, round_):
    core, external = pot(3_000_00, CORE), pot(1_000_00)
    application = approved(round_, 1_500_00)
    make_offer(client, application, {core.id: "500", external.id: "1,000"})
    award = db.session.scalar(select(Award))
    url = f"/awards/{award.id}/withdraw"
    assert client.get(url).status_code == 200
    response = client.post(url, data={"reason": ""})
    assert error_messages(response)["reason"] == "Enter the reason for withdrawing the offer"
    assert available(core, external) == [2_500_00, 0]
    response = client.post(url, data={"reason": "The group has closed."})
    assert response.status_code == 302
    db.session.refresh(award)
    db.session.refresh(application)
    assert award.status is AwardStatus.WITHDRAWN
    assert application.status is ApplicationStatus.APPROVED
    assert available(core, external) == [3_000_00, 1_000_00]
    releases = db.session.scalars(select(LedgerEntry).where(
        LedgerEntry.kind == LedgerKind.RELEASE)).all()
    assert {(e.pot_id, e.amount_pence, e.award_id) for e in releases} == {
        (core.id, 500_00, award.id), (external.id, 1_000_00, award.id)}
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "award.withdrawn"))
    again = client.post(url, data={"reason": "Twice"})
    assert again.status_code == 200
    assert "Only an offer that has not been accepted" in soup(again).get_text()
    assert available(core, external) == [3_000_00, 1_000_00]


# A round's awards ----------------------------------------------------------------------------


def _round_with(round_, number: int, funds) -> None:
    for index in range(number):
        application = approved(round_, 100_00)
        if index % 2 == 0:
            db.session.add(Award(application=application, decision=application_decision(
                application), reference=application.reference, amount_pence=100_00,
                offered_by=UserFactory(roles=(Role.GRANTS_OFFICER,)), accept_by=ACCEPT_BY,
                allocations=[Allocation(pot=funds, amount_pence=100_00)]))
    db.session.commit()


def application_decision(application) -> Decision:
    return db.session.scalar(select(Decision).where(Decision.application_id ==
                                                    application.id))


def test_the_round_list_shows_awards_and_totals_by_source(client, officer, round_):
    core, external = pot(3_000_00, CORE), pot(1_000_00)
    offered = approved(round_, 1_500_00)
    make_offer(client, offered, {core.id: "500", external.id: "1,000"})
    waiting = approved(round_, 700_00)
    withdrawn = approved(round_, 200_00)
    make_offer(client, withdrawn, {core.id: "200"})
    withdrawn_id = db.session.scalar(select(Award.id).where(Award.application_id ==
                                                            withdrawn.id))
    client.post(f"/awards/{withdrawn_id}/withdraw", data={"reason": "Closed"})
    submitted(round=round_, status=ApplicationStatus.REJECTED)
    page = soup(client.get(f"/awards/rounds/{round_.id}"))
    rows = {row.select("td")[0].get_text(strip=True): [cell.get_text(" ", strip=True)
                                                      for cell in row.select("td")]
            for row in page.select("#awards tbody tr")}
    assert set(rows) == {offered.reference, waiting.reference, withdrawn.reference}
    assert rows[waiting.reference][2:4] == ["£700.00", "None yet"]
    assert rows[offered.reference][3] == "Offered"
    assert rows[withdrawn.reference][3] == "Withdrawn"
    totals = page.select_one("#totals").get_text(" ", strip=True)
    assert "Committed from core pots £500.00" in totals
    assert "Committed from external pots £1,000.00" in totals
    assert "Committed in all £1,500.00" in totals


def test_the_round_list_runs_the_same_queries_however_many_awards(client, officer):
    funds = pot(1_000_000_00)
    counted = []
    for number in (3, 30):
        round_ = RoundFactory(closed=True, budget_pence=50_000_00, min_award_pence=50_00,
                              max_award_pence=5_000_00)
        _round_with(round_, number, funds)
        with count_queries() as statements:
            assert client.get(f"/awards/rounds/{round_.id}").status_code == 200
        counted.append(len(statements))
    assert counted[0] == counted[1]


def test_the_pages_are_well_formed_and_the_decision_page_links_to_the_offer(client, officer,
                                                                          round_):
    funds = pot(3_000_00)
    application = approved(round_, 1_000_00)
    decision_page = client.get(f"/decisions/applications/{application.id}")
    link = soup(decision_page).find("a", string="The award offer for this application")
    assert link["href"] == offer_url(application)
    assert_well_formed(client.get(offer_url(application)).get_data(as_text=True))
    assert_well_formed(make_offer(client, application, {funds.id: "1"}).get_data(as_text=True))
    make_offer(client, application, {funds.id: "1000"})
    award = db.session.scalar(select(Award))
    for url in (f"/awards/{award.id}", f"/awards/{award.id}/withdraw",
                f"/awards/rounds/{round_.id}", offer_url(application)):
        response = client.get(url)
        assert response.status_code == 200
        assert_well_formed(response.get_data(as_text=True))


# Who may ------------------------------------------------------------------------------------


PAGES = [("get", "/awards/applications/{application}/offer"),
         ("post", "/awards/applications/{application}/offer"),
         ("get", "/awards/{award}"), ("get", "/awards/{award}/withdraw"),
         ("post", "/awards/{award}/withdraw"), ("get", "/awards/rounds/{round}")]


@pytest.fixture
def offered(ctx, round_):
    funds = pot(3_000_00)
    application = approved(round_, 1_000_00)
    award = Award(application=application, decision=application_decision(application),
                  reference=application.reference, amount_pence=1_000_00,
                  offered_by=UserFactory(roles=(Role.GRANTS_OFFICER,)), accept_by=ACCEPT_BY,
                  allocations=[Allocation(pot=funds, amount_pence=1_000_00)])
    db.session.add(award)
    db.session.commit()
    return award


def _url(path: str, award) -> str:
    return path.format(application=award.application_id, award=award.id,
                       round=award.application.round_id)


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.ASSESSOR, Role.COMMISSIONER,
                                  Role.ADMIN])
@pytest.mark.parametrize(("method", "path"), PAGES)
def test_only_grants_officers(client, offered, role, method, path):
    sign_in_as(client, UserFactory(roles=(role,)))
    response = getattr(client, method)(_url(path, offered), data={"reason": "x"})
    assert response.status_code == 403
    assert db.session.get(Award, offered.id).status is AwardStatus.OFFERED


@pytest.mark.parametrize(("method", "path"), PAGES)
def test_signed_out_people_are_sent_to_sign_in(client, offered, method, path):
    response = getattr(client, method)(_url(path, offered))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")
