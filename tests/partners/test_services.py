"""The partners' figures: each partner's exact share, by ward and theme, its payments, KPIs,
and a quarter's statement as it stood at the quarter's end."""

from datetime import UTC, datetime

import pytest

from models.enums import Role
from portal.exceptions import NotFound
from portal.funding.ledger import Spend
from portal.partners import services
from tests.factories import UserFactory
from tests.partners.world import partners

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def test_overview_is_the_partners_money_in_and_its_share_of_spending(ctx):
    world = partners()
    [year] = services.overview(world.icb_user, world.icb.id).years
    assert year.year == "2024/25"
    assert [(row.name, row.how, row.given_pence, row.spend) for row in year.rows] == [
        ("ICB pot", services.OWN, 10_000_00, Spend(1_000_00, 500_00)),
        ("Pooled fund", services.POOLED, 2_000_00, Spend(933_33, 266_67))]
    assert (year.given_pence, year.spend) == (12_000_00, Spend(1_933_33, 766_67))


def test_partners_shares_of_a_pooled_pot_add_up_to_what_it_spent(ctx):
    world = partners()
    icb = services.overview(world.officer, world.icb.id).years[0].rows[1].spend
    health = services.overview(world.officer, world.health.id).years[0].rows[0].spend
    assert icb + health == Spend(500_00 + 900_00, 100_01 + 300_00)


def test_paid_for_by_ward_and_theme_adds_up_exactly(ctx):
    world = partners()
    page = services.paid_for(world.icb_user, world.icb.id, "2024-25", 1)
    assert [(row.name, row.spend) for row in page.by_ward] == [
        ("Batley East", Spend(600_00, 200_00)), ("Dalton", Spend(666_67, 283_34)),
        ("Newsome", Spend(666_66, 283_33))]
    programme = world.contract.programme.name
    assert [(row.name, row.spend) for row in page.by_theme] == [
        (programme, Spend(600_00, 200_00)), ("Health and wellbeing", Spend(666_67, 283_34)),
        ("Reducing isolation", Spend(666_66, 283_33))]
    assert page.total == Spend(1_933_33, 766_67)
    assert [(line.subject.reference, line.pot, line.spend) for line in page.lines.items] == [
        (world.award.reference, "ICB pot", Spend(1_000_00, 500_00)),
        (world.award.reference, "Pooled fund", Spend(333_33, 66_67)),
        (world.contract.reference, "Pooled fund", Spend(600_00, 200_00))]


def test_payments_are_shares_of_each_payment_adding_up_to_what_was_paid(ctx):
    world = partners()
    page = services.payments(world.icb_user, world.icb.id, None, 1)
    assert [(str(line.made_on), line.subject.reference, line.amount_pence)
            for line in page.lines.items] == [
        ("2024-05-10", world.award.reference, 400_00),
        ("2024-05-10", world.award.reference, 66_67),
        ("2024-07-01", world.contract.reference, 200_00),
        ("2024-08-20", world.award.reference, 100_00)]
    assert page.total_pence == 766_67
    health = services.payments(world.health_user, world.health.id, None, 1)
    assert health.total_pence + page.total_pence - 500_00 == 100_01 + 300_00


def test_kpis_of_the_contracts_the_money_pays_for(ctx):
    world = partners()
    page = services.kpis(world.icb_user, world.icb.id, "2024-25")
    [line] = page.lines
    assert (line.contract, line.kpi) == (world.contract.reference, "People supported")
    assert line.figures == [("40 people", "52 people"), ("Not set", "Not sent"),
                            ("Not set", "Not sent"), ("Not set", "Not sent")]


@pytest.mark.parametrize(("quarter", "paid", "payments"), [
    (1, 466_67, [400_00, 66_67]),
    (2, 766_67, [400_00, 66_67, 200_00, 100_00]),
])
def test_a_statement_is_the_year_as_it_stood_at_the_quarters_end(ctx, quarter, paid, payments):
    world = partners()
    statement = services.statement(world.icb_user, world.icb.id, "2024-25", quarter, NOW)
    assert statement.quarter.label == f"Q{quarter} 2024/25"
    assert statement.money.given_pence == 12_000_00
    assert statement.total == statement.money.spend == Spend(1_933_33, paid)
    assert [line.amount_pence for line in statement.payments] == payments
    assert statement.payments_total_pence == paid
    assert statement.kpis[0].figures == [("40 people", "52 people")
                                         if quarter == 1 else ("Not set", "Not sent")]


def test_the_statement_defaults_to_the_last_quarter_to_have_ended(ctx):
    world = partners()
    assert services.statement(world.icb_user, world.icb.id, None, None,
                              NOW).quarter.label == "Q4 2024/25"
    later = datetime(2024, 11, 1, tzinfo=UTC)
    assert services.statement(world.icb_user, world.icb.id, None, None,
                              later).quarter.label == "Q2 2024/25"


def test_a_partner_sees_only_its_own_pages(ctx):
    world = partners()
    with pytest.raises(NotFound):
        services.overview(world.health_user, world.icb.id)
    with pytest.raises(NotFound):
        services.statement(world.health_user, world.icb.id, None, None, NOW)
    for role in (Role.APPLICANT, Role.ASSESSOR):
        with pytest.raises(NotFound):
            services.paid_for(UserFactory(roles=(role,)), world.icb.id, None, 1)
    assert services.overview(UserFactory(roles=(Role.ADMIN,)), world.icb.id).years
    assert services.own_partner_id(world.health_user) == world.health.id
