"""Taper arithmetic: a programme's core money falls year on year by a rule, external money takes
its place, and both are shared across the contracts in whole pounds that add up exactly."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.contracts.taper import (
    CoreTaper,
    Split,
    Taper,
    TaperPlan,
    TotalRule,
    apply_taper,
    difference,
)
from portal.exceptions import RuleBroken

THREE_YEARS = ("2024/25", "2025/26", "2026/27")
POUND = 100


def pounds(amount: int) -> int:
    return amount * POUND


# Strategies

whole_pounds = st.integers(0, 250_000).map(pounds)
references = st.from_regex(r"CA-[0-9]{3}", fullmatch=True)
contracts_ = st.dictionaries(references, st.builds(Split, whole_pounds, whole_pounds),
                             min_size=1, max_size=20)
percentages = st.fractions(0, 100, max_denominator=8)


@st.composite
def year_labels(draw) -> tuple[str, ...]:
    start = draw(st.integers(2020, 2030))
    count = draw(st.integers(1, 6))
    return tuple(f"{year}/{(year + 1) % 100:02d}" for year in range(start, start + count))


@st.composite
def falling_cores(draw, first_core: int, count: int) -> Taper:
    """A core rule that falls and that the programme can keep (core never negative)."""
    kind = draw(st.sampled_from(CoreTaper))
    if kind is CoreTaper.FIXED_AMOUNT:
        largest = first_core // POUND // max(count - 1, 1)
        return Taper(kind, amount_pence=pounds(draw(st.integers(0, largest))))
    if kind is CoreTaper.PERCENTAGE:
        return Taper(kind, percentage=draw(percentages))
    if kind is CoreTaper.TO_TARGET:
        target = first_core if count == 1 else pounds(draw(st.integers(0, first_core // POUND)))
        return Taper(kind, target_pence=target)
    later = draw(st.lists(st.integers(0, first_core // POUND), min_size=count - 1,
                          max_size=count - 1))
    return Taper(kind, schedule_pence=(first_core, *sorted(map(pounds, later), reverse=True)))


KEPT_TOTALS = st.sampled_from([TotalRule.FLAT, TotalRule.WITH_CORE])


@st.composite
def plans(draw, totals=KEPT_TOTALS):
    """A falling taper applied to a programme, with the inputs."""
    contracts = draw(contracts_)
    years = draw(year_labels())
    first_core = sum(split.core_pence for split in contracts.values())
    core = draw(falling_cores(first_core, len(years)))
    taper = Taper(**{**core.as_dict(), "total": draw(totals)})
    return taper, contracts, years, apply_taper(taper, contracts, years)


def reference_contracts() -> dict[str, Split]:
    """The demo's 16 anchors: 4 lead locality anchors, 11 local anchors, 1 VCS infrastructure,
    with programme core £180,000 in 2024/25."""
    lead = {f"CA-L{n}": Split(pounds(22_500), pounds(15_000)) for n in range(1, 5)}
    local = {f"CA-A{n:02d}": Split(pounds(6_500), pounds(5_000)) for n in range(1, 12)}
    vcs = {"CA-V1": Split(pounds(18_500), pounds(20_000))}
    return {**lead, **local, **vcs}


def core_by_year(plan: TaperPlan) -> list[int]:
    return [split.core_pence for split in plan.programme]


# The worked example


def test_the_reference_programme_tapers_twenty_percent_a_year_with_the_total_flat():
    contracts = reference_contracts()
    assert len(contracts) == 16
    plan = apply_taper(Taper(CoreTaper.PERCENTAGE, percentage=Fraction(20)), contracts,
                       THREE_YEARS)

    assert plan.years == THREE_YEARS
    assert core_by_year(plan) == [pounds(180_000), pounds(144_000), pounds(115_200)]
    assert [split.total_pence for split in plan.programme] == [pounds(315_000)] * 3
    assert plan.programme_by_year()["2026/27"] == Split(pounds(115_200), pounds(199_800))
    # A lead anchor has 1/8 of the core: £22,500, £18,000, £14,400; its total stays £37,500.
    assert plan.contract("CA-L1").splits == (
        Split(pounds(22_500), pounds(15_000)),
        Split(pounds(18_000), pounds(19_500)),
        Split(pounds(14_400), pounds(23_100)),
    )
    assert plan.split("CA-V1", "2025/26") == Split(pounds(14_800), pounds(23_700))


def test_each_kind_of_core_taper():
    contracts = {"CA-1": Split(pounds(60_000), 0), "CA-2": Split(pounds(40_000), pounds(50_000))}
    tapers = {
        Taper(CoreTaper.FIXED_AMOUNT, amount_pence=pounds(20_000)): [100_000, 80_000, 60_000],
        Taper(CoreTaper.PERCENTAGE, percentage=Fraction(25)): [100_000, 75_000, 56_250],
        Taper(CoreTaper.TO_TARGET, target_pence=pounds(40_000)): [100_000, 70_000, 40_000],
        Taper(CoreTaper.CUSTOM, schedule_pence=(pounds(100_000), pounds(90_000), pounds(30_000))):
            [100_000, 90_000, 30_000],
    }
    for taper, expected in tapers.items():
        assert core_by_year(apply_taper(taper, contracts, THREE_YEARS)) == list(map(pounds,
                                                                                    expected))


def test_each_kind_of_total():
    contracts = {"CA-1": Split(pounds(100_000), pounds(50_000))}
    core = {"core": CoreTaper.FIXED_AMOUNT, "amount_pence": pounds(20_000)}
    rules = {
        Taper(**core): [150_000, 150_000, 150_000],
        Taper(**core, total=TotalRule.WITH_CORE): [150_000, 130_000, 110_000],
        Taper(**core, total=TotalRule.PERCENTAGE, total_percentage=Fraction(10)):
            [150_000, 135_000, 121_500],
        Taper(**core, total=TotalRule.TO_TARGET, total_target_pence=pounds(90_000)):
            [150_000, 120_000, 90_000],
    }
    for taper, expected in rules.items():
        plan = apply_taper(taper, contracts, THREE_YEARS)
        assert [split.total_pence for split in plan.programme] == list(map(pounds, expected))


def test_equal_steps_to_a_target_round_each_year_to_whole_pounds():
    plan = apply_taper(Taper(CoreTaper.TO_TARGET, target_pence=pounds(99_999)),
                       {"CA-1": Split(pounds(100_000), 0)}, (*THREE_YEARS, "2027/28"))
    assert core_by_year(plan) == list(map(pounds, [100_000, 100_000, 99_999, 99_999]))


def test_a_remainder_goes_to_the_largest_share_and_a_tie_to_the_lower_reference():
    contracts = {"CA-3": Split(pounds(1), 0), "CA-2": Split(pounds(1), 0),
                 "CA-1": Split(pounds(1), 0)}
    plan = apply_taper(Taper(CoreTaper.CUSTOM, schedule_pence=(pounds(3), pounds(2))),
                       contracts, THREE_YEARS[:2])
    assert [contract.splits[1].core_pence for contract in plan.contracts] == [
        pounds(1), pounds(1), 0]
    assert [contract.reference for contract in plan.contracts] == ["CA-1", "CA-2", "CA-3"]


def test_no_contract_gains_core_when_the_programme_loses_a_pound():
    """Largest remainder alone would share £4 as £2, £2, £0 and then £3 as £1, £1, £1: CA-3
    would gain a pound as the programme's core falls (the Alabama paradox)."""
    contracts = {"CA-1": Split(pounds(3), 0), "CA-2": Split(pounds(3), 0),
                 "CA-3": Split(pounds(1), 0)}
    plan = apply_taper(Taper(CoreTaper.CUSTOM, schedule_pence=tuple(map(pounds, (7, 4, 3)))),
                       contracts, THREE_YEARS)
    assert [[split.core_pence for split in contract.splits] for contract in plan.contracts] == [
        list(map(pounds, [3, 2, 2])), list(map(pounds, [3, 2, 1])), list(map(pounds, [1, 0, 0]))]


# Properties of every plan


@given(plans())
def test_contracts_add_up_exactly_to_the_programme_every_year(case):
    _taper, _contracts, _years, plan = case
    for index, programme in enumerate(plan.programme):
        shares = [contract.splits[index] for contract in plan.contracts]
        assert sum(split.core_pence for split in shares) == programme.core_pence
        assert sum(split.external_pence for split in shares) == programme.external_pence
        assert sum(split.total_pence for split in shares) == programme.total_pence


@given(plans())
def test_amounts_are_whole_pounds_and_never_negative(case):
    *_inputs, plan = case
    for split in (*plan.programme, *(s for c in plan.contracts for s in c.splits)):
        assert split.core_pence % POUND == 0 and split.external_pence % POUND == 0
        assert split.core_pence >= 0 and split.external_pence >= 0


@given(plans())
def test_a_falling_taper_never_raises_core_for_the_programme_or_any_contract(case):
    taper, *_inputs, plan = case
    assert taper.falling
    for cores in ([split.core_pence for split in plan.programme],
                  *([split.core_pence for split in c.splits] for c in plan.contracts)):
        assert cores == sorted(cores, reverse=True)


@given(plans())
def test_the_first_year_is_the_contracts_own(case):
    _taper, contracts, _years, plan = case
    assert {c.reference: c.splits[0] for c in plan.contracts} == contracts


@given(plans(totals=st.just(TotalRule.FLAT)))
def test_a_flat_total_keeps_every_contracts_total(case):
    _taper, contracts, _years, plan = case
    for contract in plan.contracts:
        totals = {split.total_pence for split in contract.splits}
        assert totals == {contracts[contract.reference].total_pence}


@given(plans(totals=st.just(TotalRule.WITH_CORE)))
def test_a_total_falling_with_core_keeps_the_programmes_external_money(case):
    *_inputs, plan = case
    assert len({split.external_pence for split in plan.programme}) == 1


@given(plans(), st.randoms(use_true_random=False))
def test_the_same_input_in_any_order_gives_the_same_plan(case, random):
    taper, contracts, years, plan = case
    shuffled = list(contracts.items())
    random.shuffle(shuffled)
    assert apply_taper(taper, dict(shuffled), years) == plan


@given(plans())
def test_each_contract_gets_its_share_of_core_and_total_to_within_a_pound(case):
    """Rounding and the bounds that keep core from rising move a share by at most £1."""
    _taper, contracts, _years, plan = case
    first = Split(sum(split.core_pence for split in contracts.values()),
                  sum(split.external_pence for split in contracts.values()))
    for index, programme in enumerate(plan.programme):
        for contract in plan.contracts:
            given_split, split = contracts[contract.reference], contract.splits[index]
            core = Fraction(programme.core_pence * given_split.core_pence, first.core_pence or 1)
            total = Fraction(programme.total_pence * given_split.total_pence,
                             first.total_pence or 1)
            assert abs(split.core_pence - core) <= POUND
            assert abs(split.total_pence - total) <= POUND


@given(contracts_, year_labels(), st.builds(
    Taper, st.sampled_from(CoreTaper), st.sampled_from(TotalRule),
    amount_pence=st.none() | st.integers(-POUND, pounds(100_000)),
    percentage=st.none() | st.fractions(-10, 110, max_denominator=4),
    target_pence=st.none() | st.integers(-POUND, pounds(1_000_000)),
    schedule_pence=st.lists(st.integers(-POUND, pounds(1_000_000)), max_size=7).map(tuple),
    total_percentage=st.none() | st.fractions(-10, 110, max_denominator=4),
    total_target_pence=st.none() | st.integers(-POUND, pounds(1_000_000)),
))
def test_any_rule_gives_a_plan_that_adds_up_or_is_refused(contracts, years, taper):
    try:
        plan = apply_taper(taper, contracts, years)
    except RuleBroken as refusal:
        assert refusal.message and refusal.field
        return
    for index, programme in enumerate(plan.programme):
        shares = [contract.splits[index] for contract in plan.contracts]
        assert sum(split.core_pence for split in shares) == programme.core_pence
        assert sum(split.total_pence for split in shares) == programme.total_pence
        assert all(split.core_pence >= 0 and split.external_pence >= 0 for split in shares)


# Refusals


def refusal(taper: Taper, contracts: dict[str, Split] | None = None,
            years: tuple[str, ...] = THREE_YEARS) -> RuleBroken:
    with pytest.raises(RuleBroken) as caught:
        apply_taper(taper, contracts or reference_contracts(), years)
    return caught.value


def test_a_fall_that_would_make_core_negative_is_refused_naming_the_year():
    error = refusal(Taper(CoreTaper.FIXED_AMOUNT, amount_pence=pounds(100_000)))
    assert error.field == "amount_pence"
    assert "2026/27" in error.message and "negative" in error.message


@pytest.mark.parametrize("percentage", [Fraction(-1), Fraction(201, 2), None])
def test_a_percentage_outside_0_to_100_is_refused(percentage):
    error = refusal(Taper(CoreTaper.PERCENTAGE, percentage=percentage))
    assert error.field == "percentage"


def test_a_float_percentage_is_a_programming_error():
    with pytest.raises(TypeError):
        Taper(CoreTaper.PERCENTAGE, percentage=0.2)


@pytest.mark.parametrize("schedule", [
    (pounds(180_000), pounds(150_000)),
    (pounds(180_000), pounds(150_000), pounds(120_000), pounds(90_000)),
])
def test_a_custom_schedule_of_the_wrong_length_is_refused(schedule):
    error = refusal(Taper(CoreTaper.CUSTOM, schedule_pence=schedule))
    assert error.field == "schedule_pence"
    assert "3 years" in error.message


def test_a_custom_schedule_with_a_negative_amount_is_refused_naming_the_year():
    error = refusal(Taper(CoreTaper.CUSTOM,
                          schedule_pence=(pounds(180_000), pounds(100_000), -pounds(1))))
    assert error.field == "schedule_pence"
    assert "2026/27" in error.message and "£0 or more" in error.message


def test_a_custom_schedule_must_start_from_the_contracts_first_year():
    error = refusal(Taper(CoreTaper.CUSTOM, schedule_pence=tuple(map(pounds, (1, 1, 1)))))
    assert "2024/25" in error.message and "£180,000" in error.message


def test_a_core_target_above_the_first_year_is_refused():
    error = refusal(Taper(CoreTaper.TO_TARGET, target_pence=pounds(200_000)))
    assert error.field == "target_pence"
    assert "2026/27" in error.message


def test_a_total_falling_below_core_is_refused_naming_the_year():
    error = refusal(Taper(CoreTaper.PERCENTAGE, percentage=Fraction(0),
                          total=TotalRule.TO_TARGET, total_target_pence=pounds(170_000)))
    assert error.field == "total_target_pence"
    assert "2026/27" in error.message and "negative" in error.message


def test_a_contract_whose_total_would_fall_below_its_core_is_refused_by_name():
    contracts = {"CA-1": Split(pounds(100_000), 0), "CA-2": Split(0, pounds(100_000))}
    error = refusal(Taper(CoreTaper.PERCENTAGE, percentage=Fraction(10),
                          total=TotalRule.PERCENTAGE, total_percentage=Fraction(20)), contracts)
    assert error.field == "total_percentage"
    assert "2025/26" in error.message and "CA-1" in error.message


@pytest.mark.parametrize(("contracts", "words"), [
    ({"CA-1": Split(pounds(100) + 50, 0)}, "whole pounds"),
    ({"CA-1": Split(pounds(100), -pounds(1))}, "£0 or more"),
    ({}, "at least one contract"),
])
def test_bad_first_year_amounts_are_refused(contracts, words):
    with pytest.raises(RuleBroken) as caught:
        apply_taper(Taper(CoreTaper.PERCENTAGE, percentage=Fraction(20)), contracts, THREE_YEARS)
    assert caught.value.field == "contracts"
    assert words in caught.value.message


@pytest.mark.parametrize("years", [(), ("2024/25", "2026/27"), ("2025/26", "2024/25"),
                                   ("2024-25",), ("2024/26",)])
def test_years_must_be_financial_years_in_order_with_none_missing(years):
    error = refusal(Taper(CoreTaper.PERCENTAGE, percentage=Fraction(20)), years=years)
    assert error.field == "years"


def test_core_cannot_be_shared_when_no_contract_had_any():
    error = refusal(Taper(CoreTaper.CUSTOM, schedule_pence=(0, pounds(10))),
                    {"CA-1": Split(0, pounds(10))}, THREE_YEARS[:2])
    assert error.field == "contracts" and "2025/26" in error.message


# Comparing scenarios and saving them


def test_the_difference_between_two_scenarios_by_year_and_contract():
    contracts = reference_contracts()
    twenty = apply_taper(Taper(CoreTaper.PERCENTAGE, percentage=Fraction(20)), contracts,
                         THREE_YEARS)
    thirty = apply_taper(Taper(CoreTaper.PERCENTAGE, percentage=Fraction(30)), contracts,
                         THREE_YEARS)
    change = difference(twenty, thirty)
    assert change.years == THREE_YEARS
    # 30% leaves £126,000 then £88,200 against 20%'s £144,000 then £115,200; the total is flat.
    assert change.programme == (Split(0, 0), Split(-pounds(18_000), pounds(18_000)),
                                Split(-pounds(27_000), pounds(27_000)))
    assert change.contract("CA-L1").splits[2] == Split(-pounds(3_375), pounds(3_375))
    assert difference(twenty, twenty).programme == (Split(0, 0),) * 3


def test_a_difference_counts_a_missing_year_or_contract_as_nothing():
    taper = Taper(CoreTaper.PERCENTAGE, percentage=Fraction(50))
    short = apply_taper(taper, {"CA-1": Split(pounds(100), 0)}, THREE_YEARS[:2])
    longer = apply_taper(taper, {"CA-1": Split(pounds(100), 0), "CA-2": Split(pounds(100), 0)},
                         THREE_YEARS)
    change = difference(short, longer)
    # The total stays flat, so external money replaces the half of core each year loses.
    assert change.programme == (Split(pounds(100), 0), Split(pounds(50), pounds(50)),
                                Split(pounds(50), pounds(150)))
    assert change.contract("CA-2").splits == (Split(pounds(100), 0), Split(pounds(50), pounds(50)),
                                              Split(pounds(25), pounds(75)))


@given(st.builds(Taper, st.sampled_from(CoreTaper), st.sampled_from(TotalRule),
                 amount_pence=st.none() | whole_pounds, percentage=st.none() | percentages,
                 schedule_pence=st.lists(whole_pounds).map(tuple),
                 total_percentage=st.none() | st.fractions(0, 100)))
def test_a_taper_saved_as_plain_data_comes_back_the_same(taper):
    assert Taper.from_dict(taper.as_dict()) == taper
