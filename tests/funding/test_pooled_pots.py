"""Pooled pots: a budget made only of named partners' contributions, each a ledger entry, and
what the pot commits and pays attributed to the partners pro rata, in exact pence."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from models import FundingPartner, LedgerEntry
from models.base import db
from models.enums import FundingSource, LedgerKind, Role
from portal.exceptions import RuleBroken
from portal.funding import attribution, services
from portal.funding.ledger import LedgerRefused, Posting, Spend, post
from portal.funding.partners import PartnerDetails, contribution_rows, save_partner
from tests.factories import (
    AwardFactory,
    FundingPartnerFactory,
    FundingPotFactory,
    UserFactory,
)

BUDGET, COMMITMENT, PAYMENT = LedgerKind.BUDGET, LedgerKind.COMMITMENT, LedgerKind.PAYMENT


@pytest.fixture
def officer(ctx):
    return UserFactory(roles=(Role.GRANTS_OFFICER,))


def pooled_pot(officer, contributions: dict[FundingPartner, int]):
    pot = FundingPotFactory(pooled=True, funder_name="Joint Working Board", funder_org_id="")
    post(officer, [Posting(pot.id, BUDGET, pence, partner.id)
                   for partner, pence in contributions.items()], "Partners' contributions")
    db.session.commit()
    return pot


def spend_on(officer, pot, award_id: int, committed: int, paid: int = 0) -> None:
    postings = [Posting(pot.id, COMMITMENT, committed)]
    if paid:
        postings.append(Posting(pot.id, PAYMENT, paid))
    post(officer, postings, "An award", award_id=award_id)
    db.session.commit()


def refusal(officer, postings: list[Posting]) -> str:
    with pytest.raises(LedgerRefused) as raised:
        post(officer, postings, "Because")
    db.session.rollback()
    return str(raised.value)


def test_contributions_are_budget_entries_naming_each_partner(officer):
    icb, health = FundingPartnerFactory(), FundingPartnerFactory()
    pot = pooled_pot(officer, {icb: 30_000_00, health: 10_000_00})

    entries = db.session.scalars(select(LedgerEntry).where(LedgerEntry.pot_id == pot.id)
                                 .order_by(LedgerEntry.id)).all()
    assert [(e.kind, e.amount_pence, e.partner_id) for e in entries] == [
        (BUDGET, 30_000_00, icb.id), (BUDGET, 10_000_00, health.id)]
    assert pot.budget_pence == 40_000_00
    assert [(c.partner, c.amount_pence) for c in attribution.contributions([pot.id])[pot.id]] \
        == [(icb, 30_000_00), (health, 10_000_00)]


def test_a_pooled_pots_budget_is_only_contributions(officer):
    pot = pooled_pot(officer, {FundingPartnerFactory(): 5_000_00})
    other = FundingPotFactory()
    post(officer, [Posting(other.id, BUDGET, 1_000_00)], "Budget")

    assert "say which partner" in refusal(officer, [Posting(pot.id, BUDGET, 100_00)])
    assert "not by transfers" in refusal(officer, [
        Posting(other.id, LedgerKind.TRANSFER, -100_00),
        Posting(pot.id, LedgerKind.TRANSFER, 100_00)])
    assert "not pooled" in refusal(officer, [
        Posting(other.id, BUDGET, 100_00, FundingPartnerFactory().id)])
    assert pot not in services.transfer_targets(officer, other)


def test_a_partner_takes_back_no_more_than_it_gave(officer):
    icb, health = FundingPartnerFactory(name="ICB"), FundingPartnerFactory()
    pot = pooled_pot(officer, {icb: 1_000_00, health: 9_000_00})

    message = refusal(officer, [Posting(pot.id, BUDGET, -1_000_01, icb.id)])
    post(officer, [Posting(pot.id, BUDGET, -1_000_00, icb.id)], "The ICB withdrew")
    db.session.commit()

    assert message == "ICB has contributed £1,000.00 to this pot: no more than that can be " \
                      "taken back"
    assert [c.partner for c in attribution.contributions([pot.id])[pot.id]] == [health]


def test_a_reduction_cannot_leave_the_pot_overspent(officer):
    icb = FundingPartnerFactory()
    pot = pooled_pot(officer, {icb: 1_000_00})
    spend_on(officer, pot, AwardFactory().id, 800_00)

    assert "cannot have a budget below the £800.00 committed" in refusal(
        officer, [Posting(pot.id, BUDGET, -300_00, icb.id)])


def test_spending_is_attributed_pro_rata_award_by_award_to_the_penny(officer):
    a, b, c = (FundingPartnerFactory() for _ in range(3))
    pot = pooled_pot(officer, {a: 1_000_00, b: 1_000_00, c: 1_000_00})
    first, second = AwardFactory(), AwardFactory()
    spend_on(officer, pot, first.id, 100_00, paid=100_00)  # 33.34 / 33.33 / 33.33
    spend_on(officer, pot, second.id, 200_00)  # 66.67 / 66.67 / 66.66

    items = attribution.partner_items(a.id)
    totals = attribution.attributed(pot, attribution.contributions([pot.id]))

    assert [(item.award_id, item.spend) for item in items] == [
        (first.id, Spend(33_34, 33_34)), (second.id, Spend(66_67, 0))]
    assert totals == {a.id: Spend(100_01, 33_34), b.id: Spend(100_00, 33_33),
                      c.id: Spend(99_99, 33_33)}
    assert sum((spend for spend in totals.values()), Spend()) == Spend(300_00, 100_00)


def test_an_external_pot_is_all_its_partners_and_a_core_pot_nobodys(officer):
    icb = FundingPartnerFactory()
    external = FundingPotFactory(partner=icb)
    core = FundingPotFactory(source=FundingSource.CORE)
    post(officer, [Posting(external.id, BUDGET, 500_00), Posting(core.id, BUDGET, 500_00)], "B")
    award = AwardFactory()
    spend_on(officer, external, award.id, 120_00, paid=20_00)
    spend_on(officer, core, award.id, 99_00)

    assert [(item.pot, item.spend) for item in attribution.partner_items(icb.id)] == [
        (external, Spend(120_00, 20_00))]
    assert attribution.attributed(core, {}) == {}


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(given_pence=st.lists(st.integers(1, 5_000_00), min_size=1, max_size=4),
       spends=st.lists(st.tuples(st.integers(1, 1_000_00), st.integers(0, 100)),
                       min_size=1, max_size=4))
def test_attributed_shares_add_up_to_the_pots_figures(officer, given_pence, spends):
    partners = [FundingPartnerFactory() for _ in given_pence]
    pot = pooled_pot(officer, dict(zip(partners, given_pence, strict=True)))
    pot_budget = sum(given_pence)
    for committed, percent_paid in spends:
        committed = min(committed, pot_budget - pot.committed_pence)
        if committed > 0:
            spend_on(officer, pot, AwardFactory().id, committed, committed * percent_paid // 100)

    totals = attribution.attributed(pot, attribution.contributions([pot.id]))
    by_partner = {partner.id: sum((item.spend for item in attribution.partner_items(partner.id)),
                                  Spend()) for partner in partners}

    assert sum(totals.values(), Spend()) == Spend(pot.committed_pence, pot.paid_pence)
    assert {key: value for key, value in totals.items() if value != Spend()} == {
        key: value for key, value in by_partner.items() if value != Spend()}


def test_saving_an_external_pot_links_it_to_its_partner_by_org_id(officer):
    details = services.PotDetails(name="ICB fund", funder_name="The ICB",
                                  funder_org_id="GB-NHS-QWO")
    pot = services.create_pot(officer, details, "2024/25", FundingSource.EXTERNAL, 1_000_00,
                              "Agreed")
    again = services.create_pot(officer, services.PotDetails(
        name="ICB fund 2", funder_name="ICB", funder_org_id="gb-nhs-qwo"), "2024/25",
        FundingSource.EXTERNAL, 1_000_00, "Agreed")
    core = services.create_pot(officer, services.PotDetails(
        name="Core", funder_name="Council", funder_org_id="GB-LAE-KIR"), "2024/25",
        FundingSource.CORE, 1_000_00, "Agreed")

    assert pot.partner.name == "The ICB" and pot.partner.org_id == "GB-NHS-QWO"
    assert again.partner == pot.partner
    assert core.partner is None


def test_a_pooled_pot_opens_with_a_partners_contribution(officer):
    icb = FundingPartnerFactory()
    details = services.PotDetails(name="Joint fund", funder_name="Joint Working Board")
    pot = services.create_pot(officer, details, "2024/25", FundingSource.EXTERNAL, 2_000_00,
                              "ICB's share", contributor_id=icb.id)
    services.change_budget(officer, pot, True, 1_000_00, "Public Health's share",
                           FundingPartnerFactory(name="Public Health").id)

    rows = contribution_rows(officer, pot)

    assert pot.pooled and pot.partner is None
    assert [(row.contribution.partner.name, row.contribution.amount_pence, row.share_percent)
            for row in rows] == [(icb.name, 2_000_00, "66.7%"),
                                 ("Public Health", 1_000_00, "33.3%")]
    with pytest.raises(RuleBroken, match="its source is external"):
        services.create_pot(officer, services.PotDetails(name="X", funder_name="Y"), "2024/25",
                            FundingSource.CORE, 1_00, "R", contributor_id=icb.id)


def test_an_org_id_belongs_to_one_partner(officer):
    save_partner(officer, PartnerDetails("The ICB", "GB-NHS-QWO"))

    with pytest.raises(RuleBroken, match="already a partner with the organisation identifier"):
        save_partner(officer, PartnerDetails("Another", "gb-nhs-qwo"))
