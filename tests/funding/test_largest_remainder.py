"""Sharing by largest remainder (portal/funding/largest_remainder.py), the one function that
shares money out: across an award's pots, a payment's pots and a taper's contracts."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.funding.largest_remainder import largest_remainder
from portal.funding.split import pro_rata

weights = st.dictionaries(st.integers(1, 10_000), st.integers(0, 10_000_000), min_size=1,
                          max_size=8).filter(lambda found: sum(found.values()) > 0)
amounts = st.integers(-10_000_000, 10_000_000)


@given(amounts, weights)
def test_the_shares_add_up_exactly(amount, found):
    assert sum(largest_remainder(amount, found).values()) == amount


@given(amounts, weights)
def test_each_share_is_within_one_unit_of_exact(amount, found):
    total = sum(found.values())
    shares = largest_remainder(amount, found)
    assert shares.keys() == found.keys()
    for key, weight in found.items():
        exact = Fraction(amount * weight, total)
        assert exact - 1 < shares[key] < exact + 1


@given(amounts, weights)
def test_the_left_over_units_go_to_the_largest_remainders(amount, found):
    total = sum(found.values())
    shares = largest_remainder(amount, found)
    rounded_up = {key for key, weight in found.items() if shares[key] * total > amount * weight}
    rounded_down = found.keys() - rounded_up
    for up in rounded_up:
        for down in rounded_down:
            up_remainder = Fraction(amount * found[up], total) % 1
            down_remainder = Fraction(amount * found[down], total) % 1
            assert (up_remainder, -up) > (down_remainder, -down)


@given(amounts, weights, st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_the_order_of_the_weights(amount, found, shuffler):
    keys = list(found)
    shuffler.shuffle(keys)
    assert largest_remainder(amount, {key: found[key] for key in keys}) == largest_remainder(
        amount, found)


def test_ties_go_to_the_lowest_key():
    assert largest_remainder(2, {3: 1, 1: 1, 2: 1}) == {1: 1, 2: 1, 3: 0}
    assert largest_remainder(1, {"B": 1, "A": 1}) == {"A": 1, "B": 0}


@st.composite
def bounded(draw):
    """Weights, bounds either side of each key's exact share, and an amount they leave room
    for."""
    found = draw(weights)
    amount = draw(st.integers(0, 1_000_000))
    total = sum(found.values())
    lower, upper = {}, {}
    for key, weight in found.items():
        exact = amount * weight // total
        if draw(st.booleans()):
            lower[key] = max(exact - draw(st.integers(-3, 3)), 0)
        if draw(st.booleans()):
            upper[key] = max(exact + draw(st.integers(-3, 3)), lower.get(key, 0))
    low_sum = sum(lower.get(key, 0) for key in found)
    high_room = all(key in upper for key in found)
    high_sum = sum(upper.values()) if high_room else None
    if low_sum > amount:
        amount = low_sum
    if high_sum is not None and high_sum < amount:
        amount = high_sum
    return amount, found, lower, upper


@given(bounded())
def test_bounded_shares_add_up_and_keep_their_bounds(case):
    amount, found, lower, upper = case
    shares = largest_remainder(amount, found, lower=lower, upper=upper)
    assert sum(shares.values()) == amount
    assert all(shares[key] >= low for key, low in lower.items())
    assert all(shares[key] <= high for key, high in upper.items())


def test_a_bound_moves_the_odd_unit_to_the_next_largest_remainder():
    assert largest_remainder(10, {"A": 2, "B": 1}) == {"A": 7, "B": 3}
    assert largest_remainder(10, {"A": 2, "B": 1}, upper={"A": 6}) == {"A": 6, "B": 4}
    assert largest_remainder(10, {"A": 2, "B": 1}, lower={"B": 5}) == {"A": 5, "B": 5}


def test_nothing_can_be_shared_by_no_weight():
    assert largest_remainder(0, {1: 0, 2: 0}) == {1: 0, 2: 0}
    with pytest.raises(ValueError, match="adding up to nothing"):
        largest_remainder(1, {1: 0})
    with pytest.raises(ValueError, match="negative"):
        largest_remainder(1, {1: 2, 2: -1})


@given(st.integers(0, 10_000_000),
       st.dictionaries(st.integers(1, 100), st.integers(-1_000, 1_000), max_size=6))
def test_pro_rata_shares_among_pots_that_weigh_something_and_leaves_out_zeros(amount, found):
    funded = {key: weight for key, weight in found.items() if weight > 0}
    shares = pro_rata(amount, found)
    if not funded:
        assert shares == {}
        return
    assert shares == {key: pence for key, pence in largest_remainder(amount, funded).items()
                      if pence}


def test_pro_rata_gives_the_odd_penny_to_the_lower_pot_id():
    assert pro_rata(1_00, {3: 1, 1: 1, 2: 1}) == {1: 34, 2: 33, 3: 33}
