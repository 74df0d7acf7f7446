"""Recommending down the ranking never overspends and never passes over a better application."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.decisions.budget import (
    Candidate,
    Reason,
    Recommendation,
    recommend,
    remaining_after,
)

POUND = 100


@st.composite
def rankings(draw):
    """Ranked candidates with distinct keys, some unfundable, requests from £1 to £5,000."""
    keys = draw(st.lists(st.integers(1, 10_000), unique=True, max_size=12))
    return [Candidate(key, draw(st.integers(1, 5_000 * POUND)), draw(st.booleans()))
            for key in keys]


budgets = st.integers(0, 20_000 * POUND)
minimums = st.integers(0, 2_000 * POUND)


def run(candidates, budget, partial, minimum) -> Recommendation:
    return recommend(candidates, budget, partial=partial, minimum_award_pence=minimum)


@given(rankings(), budgets, st.booleans(), minimums)
def test_never_overspends_and_remaining_is_what_is_left(candidates, budget, partial, minimum):
    result = run(candidates, budget, partial, minimum)
    total = sum(result.amounts.values())
    assert total <= budget
    assert result.remaining_pence == budget - total == remaining_after(budget, result.amounts)


@given(rankings(), budgets, st.booleans(), minimums)
def test_every_candidate_gets_an_amount_within_its_request_and_a_reason(
        candidates, budget, partial, minimum):
    result = run(candidates, budget, partial, minimum)
    assert result.amounts.keys() == result.reasons.keys() == {c.key for c in candidates}
    for candidate in candidates:
        amount, reason = result.amounts[candidate.key], result.reasons[candidate.key]
        assert 0 <= amount <= candidate.requested_pence
        assert (amount == candidate.requested_pence) == (reason == Reason.FULL)
        assert (0 < amount < candidate.requested_pence) == (reason == Reason.PARTIAL)


@given(rankings(), budgets, st.booleans(), minimums)
def test_an_unfundable_candidate_is_never_recommended(candidates, budget, partial, minimum):
    result = run(candidates, budget, partial, minimum)
    for candidate in candidates:
        if not candidate.fundable:
            assert result.amounts[candidate.key] == 0
            assert result.reasons[candidate.key] == Reason.BELOW_THRESHOLD


@given(rankings(), budgets, minimums)
def test_in_skip_mode_every_recommendation_is_in_full(candidates, budget, minimum):
    result = run(candidates, budget, False, minimum)
    for candidate in candidates:
        assert result.amounts[candidate.key] in (0, candidate.requested_pence)


@given(rankings(), budgets, minimums)
def test_in_partial_mode_there_is_at_most_one_partial_award_at_or_over_the_minimum(
        candidates, budget, minimum):
    result = run(candidates, budget, True, minimum)
    partials = [key for key, reason in result.reasons.items() if reason == Reason.PARTIAL]
    assert len(partials) <= 1
    for key in partials:
        assert result.amounts[key] >= minimum
        assert result.remaining_pence == 0


@given(rankings(), budgets, st.booleans(), minimums)
def test_no_fundable_candidate_left_out_would_fit_in_what_remains(
        candidates, budget, partial, minimum):
    result = run(candidates, budget, partial, minimum)
    for candidate in candidates:
        if candidate.fundable and result.amounts[candidate.key] == 0:
            assert candidate.requested_pence > result.remaining_pence


@given(rankings(), budgets, st.booleans(), minimums)
def test_a_better_candidate_that_fitted_is_never_passed_over(
        candidates, budget, partial, minimum):
    result = run(candidates, budget, partial, minimum)
    spent_above = 0
    for candidate in candidates:
        left_when_reached = budget - spent_above
        if candidate.fundable and candidate.requested_pence <= left_when_reached:
            assert result.amounts[candidate.key] == candidate.requested_pence
        spent_above += result.amounts[candidate.key]


def test_skip_mode_moves_down_the_ranking_to_smaller_requests():
    candidates = [Candidate(1, 4_000 * POUND, True), Candidate(2, 3_000 * POUND, False),
                  Candidate(3, 5_000 * POUND, True), Candidate(4, 1_000 * POUND, True),
                  Candidate(5, 500 * POUND, True)]
    result = run(candidates, 5_000 * POUND, False, 1_000 * POUND)
    assert result.amounts == {1: 4_000 * POUND, 2: 0, 3: 0, 4: 1_000 * POUND, 5: 0}
    assert result.reasons == {1: Reason.FULL, 2: Reason.BELOW_THRESHOLD,
                              3: Reason.DOES_NOT_FIT, 4: Reason.FULL, 5: Reason.BUDGET_USED}
    assert result.remaining_pence == 0


def test_partial_mode_offers_the_rest_to_the_next_that_does_not_fit():
    candidates = [Candidate(1, 4_000 * POUND, True), Candidate(2, 3_000 * POUND, True),
                  Candidate(3, 500 * POUND, True)]
    result = run(candidates, 5_000 * POUND, True, 1_000 * POUND)
    assert result.amounts == {1: 4_000 * POUND, 2: 1_000 * POUND, 3: 0}
    assert result.reasons == {1: Reason.FULL, 2: Reason.PARTIAL, 3: Reason.BUDGET_USED}
    assert result.remaining_pence == 0


def test_partial_mode_offers_nothing_below_the_round_minimum_and_carries_on():
    candidates = [Candidate(1, 4_500 * POUND, True), Candidate(2, 3_000 * POUND, True),
                  Candidate(3, 400 * POUND, True)]
    result = run(candidates, 5_000 * POUND, True, 1_000 * POUND)
    assert result.amounts == {1: 4_500 * POUND, 2: 0, 3: 400 * POUND}
    assert result.reasons == {1: Reason.FULL, 2: Reason.DOES_NOT_FIT, 3: Reason.FULL}
    assert result.remaining_pence == 100 * POUND


def test_reasons_read_as_words():
    assert [str(reason) for reason in Reason] == [
        "full", "partial", "does not fit", "below threshold", "budget used"]


def test_remaining_after_the_panels_own_amounts_can_show_an_overspend():
    assert remaining_after(5_000 * POUND, {1: 3_000 * POUND, 2: 1_500 * POUND}) == 500 * POUND
    assert remaining_after(5_000 * POUND, {1: 6_000 * POUND}) == -1_000 * POUND
    assert remaining_after(5_000 * POUND, {}) == 5_000 * POUND


@pytest.mark.parametrize(("candidates", "budget", "minimum", "message"), [
    ([Candidate(1, 100, True), Candidate(1, 200, True)], 1_000, 0, "appear once"),
    ([Candidate(1, 0, True)], 1_000, 0, "some money"),
    ([Candidate(1, 100, True)], -1, 0, "negative"),
    ([Candidate(1, 100, True)], 1_000, -1, "negative"),
])
def test_nonsense_is_refused(candidates, budget, minimum, message):
    with pytest.raises(ValueError, match=message):
        run(candidates, budget, True, minimum)
