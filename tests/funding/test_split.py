"""How money is proposed across pots (portal/funding/split.py), and which pots may fund an award."""

from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.enums import FundingSource, SplitPolicy
from portal.funding.split import (
    PotOption,
    Purpose,
    Restrictions,
    ShortOfFunds,
    may_fund,
    propose,
)

CORE, EXTERNAL = FundingSource.CORE, FundingSource.EXTERNAL

pot_lists = st.lists(
    st.builds(PotOption, pot_id=st.integers(1, 10_000),
              source=st.sampled_from(list(FundingSource)),
              available_pence=st.integers(0, 10_000_000),
              spend_by=st.none() | st.dates(date(2024, 4, 1), date(2027, 3, 31))),
    min_size=1, max_size=6, unique_by=lambda pot: pot.pot_id)


@st.composite
def fundable(draw):
    """Pots, an amount they can cover between them, and a policy."""
    pots = draw(pot_lists.filter(lambda pots: sum(p.available_pence for p in pots) > 0))
    amount = draw(st.integers(1, sum(pot.available_pence for pot in pots)))
    return pots, amount, draw(st.sampled_from(list(SplitPolicy)))


@given(fundable())
def test_a_proposal_adds_up_exactly_and_no_pot_gives_more_than_it_has(case):
    pots, amount, policy = case
    proposal = propose(amount, pots, policy)
    assert sum(proposal.values()) == amount
    available = {pot.pot_id: pot.available_pence for pot in pots}
    assert all(0 < pence <= available[pot_id] for pot_id, pence in proposal.items())


@given(fundable())
def test_the_first_source_is_used_up_before_the_other_is_touched(case):
    pots, amount, _ = case
    for policy, first in ((SplitPolicy.EXTERNAL_FIRST, EXTERNAL), (SplitPolicy.CORE_FIRST, CORE)):
        proposal = propose(amount, pots, policy)
        from_first = sum(pence for pot_id, pence in proposal.items()
                         if next(p for p in pots if p.pot_id == pot_id).source is first)
        first_available = sum(pot.available_pence for pot in pots if pot.source is first)
        assert from_first == min(amount, first_available)


@given(fundable())
def test_pro_rata_shares_are_within_a_penny_of_exact(case):
    pots, amount, _ = case
    proposal = propose(amount, pots, SplitPolicy.PRO_RATA)
    total = sum(pot.available_pence for pot in pots)
    for pot in pots:
        exact = Fraction(amount * pot.available_pence, total)
        assert abs(proposal.get(pot.pot_id, 0) - exact) < 1


@given(pot_lists, st.integers(1, 1000))
def test_pots_that_cannot_cover_it_say_by_how_much(pots, extra):
    amount = sum(pot.available_pence for pot in pots) + extra
    with pytest.raises(ShortOfFunds) as refused:
        propose(amount, pots, SplitPolicy.EXTERNAL_FIRST)
    assert refused.value.shortfall_pence == extra


def test_external_first_takes_the_money_to_be_spent_soonest_first():
    pots = [PotOption(1, CORE, 5_000_00), PotOption(2, EXTERNAL, 1_000_00),
            PotOption(3, EXTERNAL, 2_000_00, spend_by=date(2025, 3, 31))]
    assert propose(3_500_00, pots, SplitPolicy.EXTERNAL_FIRST) == {3: 2_000_00, 2: 1_000_00,
                                                                     1: 500_00}
    assert propose(3_500_00, pots, SplitPolicy.CORE_FIRST) == {1: 3_500_00}


def test_pro_rata_gives_the_odd_penny_to_the_largest_remainder():
    pots = [PotOption(1, CORE, 1_00), PotOption(2, EXTERNAL, 1_00), PotOption(3, EXTERNAL, 1_00)]
    assert propose(1_00, pots, SplitPolicy.PRO_RATA) == {1: 34, 2: 33, 3: 33}


def test_an_award_of_nothing_is_refused():
    with pytest.raises(ValueError, match="more than nothing"):
        propose(0, [PotOption(1, CORE, 1_00)], SplitPolicy.PRO_RATA)


PURPOSE = Purpose(scheme_id=1, theme_ids=frozenset({10, 11}), ward_ids=frozenset({20}))


@pytest.mark.parametrize(("restrictions", "allowed"), [
    (Restrictions(), True),
    (Restrictions(scheme_ids=frozenset({1, 2})), True),
    (Restrictions(scheme_ids=frozenset({2})), False),
    (Restrictions(theme_ids=frozenset({11, 12})), True),
    (Restrictions(theme_ids=frozenset({12})), False),
    (Restrictions(ward_ids=frozenset({20})), True),
    (Restrictions(ward_ids=frozenset({21})), False),
    (Restrictions(scheme_ids=frozenset({1}), theme_ids=frozenset({12})), False),
])
def test_a_restricted_pot_funds_only_what_its_restrictions_allow(restrictions, allowed):
    assert may_fund(restrictions, PURPOSE) is allowed
