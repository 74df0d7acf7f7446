"""Weighted scores are exact percentages; only display rounds, once, half up."""

from decimal import Decimal
from fractions import Fraction
from itertools import pairwise

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from portal.scoring.arithmetic import (
    CriterionRule,
    below_minimum,
    criterion_points,
    diverges,
    for_display,
    mean,
    meets_pass_mark,
    spread,
    weighted_total,
    weights_total_100,
)

ZERO_TO_THREE = (0, 3)
ONE_TO_FIVE = (1, 5)
PASS_FAIL = (0, 1)
COMMUNITY_PLUS = [CriterionRule(weight, *ZERO_TO_THREE) for weight in (25, 15, 20, 20, 10, 10)]


@st.composite
def weights_of_100(draw):
    """Between 1 and 8 positive whole-percent weights that total 100."""
    cuts = sorted(draw(st.sets(st.integers(1, 99), max_size=7)))
    bounds = [0, *cuts, 100]
    return [high - low for low, high in pairwise(bounds)]


@st.composite
def rules_and_scores(draw):
    """A round's criteria on mixed scales, with a score on each criterion's scale."""
    rules = []
    for weight in draw(weights_of_100()):
        lowest, highest = draw(st.sampled_from([ZERO_TO_THREE, ONE_TO_FIVE, PASS_FAIL]))
        minimum = draw(st.none() | st.integers(lowest, highest))
        rules.append(CriterionRule(weight, lowest, highest, minimum))
    scores = [draw(st.integers(rule.lowest, rule.highest)) for rule in rules]
    return rules, scores


fractions = st.fractions(min_value=0, max_value=100, max_denominator=10_000)


@given(rules_and_scores())
def test_a_total_is_a_percentage(case):
    rules, scores = case
    assert 0 <= weighted_total(rules, scores) <= 100


@given(rules_and_scores())
def test_top_of_every_scale_is_exactly_100_and_bottom_exactly_0(case):
    rules, _ = case
    assert weights_total_100([rule.weight for rule in rules])
    assert weighted_total(rules, [rule.highest for rule in rules]) == 100
    assert weighted_total(rules, [rule.lowest for rule in rules]) == 0


@given(rules_and_scores(), st.data())
def test_raising_a_score_never_lowers_the_total(case, data):
    rules, scores = case
    index = data.draw(st.integers(0, len(rules) - 1))
    assume(scores[index] < rules[index].highest)
    raised = [*scores]
    raised[index] = data.draw(st.integers(scores[index] + 1, rules[index].highest))
    assert weighted_total(rules, raised) > weighted_total(rules, scores)


@given(rules_and_scores())
def test_total_matches_a_slow_recomputation(case):
    rules, scores = case
    # Independently: the fraction of each scale reached, as numerator over denominator, weighted.
    numerator, denominator = 0, 1
    for rule, score in zip(rules, scores, strict=True):
        steps = rule.highest - rule.lowest
        numerator = numerator * steps + rule.weight * (score - rule.lowest) * denominator
        denominator *= steps
    assert weighted_total(rules, scores) == Fraction(numerator, denominator)


@given(rules_and_scores())
def test_below_minimum_lists_exactly_the_scores_under_their_minimum(case):
    rules, scores = case
    failed = set(below_minimum(rules, scores))
    for index, (rule, score) in enumerate(zip(rules, scores, strict=True)):
        assert (index in failed) == (rule.minimum is not None and score < rule.minimum)


@given(rules_and_scores(), st.data())
def test_a_score_outside_its_scale_is_refused(case, data):
    rules, scores = case
    index = data.draw(st.integers(0, len(rules) - 1))
    rule = rules[index]
    wrong = [*scores]
    wrong[index] = data.draw(st.integers(max_value=rule.lowest - 1)
                             | st.integers(min_value=rule.highest + 1))
    with pytest.raises(ValueError, match="outside the scale"):
        weighted_total(rules, wrong)
    with pytest.raises(ValueError, match="outside the scale"):
        criterion_points(rule, wrong[index])


@given(rules_and_scores())
def test_a_missing_or_extra_score_is_refused(case):
    rules, scores = case
    for wrong in (scores[:-1], [*scores, rules[0].lowest]):
        with pytest.raises(ValueError, match="scores given"):
            weighted_total(rules, wrong)
        with pytest.raises(ValueError, match="scores given"):
            below_minimum(rules, wrong)


@given(st.lists(fractions, min_size=1, max_size=6))
def test_the_mean_lies_between_the_lowest_and_highest_total(totals):
    assert min(totals) <= mean(totals) <= max(totals)
    assert mean(totals) * len(totals) == sum(totals)


@given(st.lists(fractions, min_size=1, max_size=6), st.integers(0, 100))
def test_divergence_is_a_spread_strictly_over_the_margin(totals, margin):
    assert spread(totals) == max(totals) - min(totals)
    assert diverges(totals, margin) == (max(totals) - min(totals) > margin)


def test_a_spread_exactly_at_the_margin_is_not_divergent():
    assert not diverges([Fraction(40), Fraction(60)], 20)
    assert diverges([Fraction(40), Fraction(60) + Fraction(1, 1000)], 20)
    assert not diverges([Fraction(55)], 0)


def test_there_is_no_mean_or_spread_of_no_totals():
    with pytest.raises(ValueError, match="no totals"):
        mean([])
    with pytest.raises(ValueError, match="no totals"):
        spread([])


@given(fractions)
def test_display_is_within_half_a_hundredth_of_the_exact_value(value):
    shown = for_display(value)
    assert shown.as_tuple().exponent == -2
    assert abs(Fraction(shown) - value) <= Fraction(1, 200)


@given(st.integers(0, 10_000))
def test_display_rounds_an_exact_half_hundredth_up(hundredths):
    assert for_display(Fraction(2 * hundredths + 1, 200)) == Decimal(hundredths + 1) / 100


@pytest.mark.parametrize(("value", "shown"), [
    (Fraction("12.345"), Decimal("12.35")),
    (Fraction(200, 3), Decimal("66.67")),
    (Fraction(100, 3), Decimal("33.33")),
    (Fraction("0.005"), Decimal("0.01")),
    (Fraction("0.004999999999999999999999999999999"), Decimal("0.00")),
    (Fraction(100), Decimal("100.00")),
    (Fraction(0), Decimal("0.00")),
])
def test_display_examples(value, shown):
    assert for_display(value) == shown
    assert str(for_display(value)) == str(shown)


@pytest.mark.parametrize(("scores", "total", "shown"), [
    ([3, 3, 3, 3, 3, 3], Fraction(100), Decimal("100.00")),
    ([0, 0, 0, 0, 0, 0], Fraction(0), Decimal("0.00")),
    ([2, 2, 2, 2, 2, 2], Fraction(200, 3), Decimal("66.67")),
    ([3, 2, 2, 1, 3, 0], Fraction(65), Decimal("65.00")),
    ([2, 3, 1, 2, 0, 3], Fraction(185, 3), Decimal("61.67")),
])
def test_community_plus_examples(scores, total, shown):
    assert weights_total_100([rule.weight for rule in COMMUNITY_PLUS])
    assert weighted_total(COMMUNITY_PLUS, scores) == total
    assert for_display(weighted_total(COMMUNITY_PLUS, scores)) == shown


def test_pass_mark_is_compared_exactly_not_after_rounding():
    just_under = Fraction(60) - Fraction(1, 300)  # shows as 60.00
    assert for_display(just_under) == Decimal("60.00")
    assert not meets_pass_mark(just_under, 60)
    assert meets_pass_mark(Fraction(60), 60)


def test_a_pass_fail_criterion_with_a_minimum_of_pass_flags_a_fail():
    rules = [CriterionRule(90, *ZERO_TO_THREE), CriterionRule(10, *PASS_FAIL, minimum=1)]
    assert below_minimum(rules, [3, 0]) == [1]
    assert below_minimum(rules, [3, 1]) == []
    assert weighted_total(rules, [3, 0]) == 90


def test_one_to_five_scale_starts_at_nothing():
    rule = CriterionRule(20, *ONE_TO_FIVE)
    assert [criterion_points(rule, score) for score in range(1, 6)] == [0, 5, 10, 15, 20]


def test_weights_must_total_exactly_100():
    assert weights_total_100([25, 15, 20, 20, 10, 10])
    assert not weights_total_100([25, 15, 20, 20, 10])
    assert not weights_total_100([])
