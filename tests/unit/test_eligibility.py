"""Every eligibility rule, at its boundaries, and the messages applicants read."""

from datetime import UTC, date, datetime

import pytest

from models import Application, Organisation, Round, Ward
from models.enums import LegalForm
from portal.applications import eligibility
from portal.applications.eligibility import (
    Failure,
    add_months,
    amount_problem,
    end_date_problem,
    income_problem,
    latest_end_date,
    latest_start_date,
    legal_form_problem,
    one_application_problem,
    project_dates_problem,
    start_date_problem,
    wards_problem,
)

TODAY = date(2025, 1, 10)


# Legal form


def test_an_eligible_legal_form_passes():
    assert legal_form_problem(LegalForm.CIO, [LegalForm.CHARITY, LegalForm.CIO]) is None


def test_an_ineligible_legal_form_is_explained():
    assert legal_form_problem(LegalForm.FAITH_GROUP, [LegalForm.CHARITY, LegalForm.CIO]) == (
        "Your organisation is a faith group. This round is open to: registered charity "
        "(unincorporated or trust) and charitable incorporated organisation (CIO).")


def test_no_list_of_legal_forms_means_any_and_an_unknown_form_is_not_judged():
    assert legal_form_problem(LegalForm.FAITH_GROUP, []) is None
    assert legal_form_problem(None, [LegalForm.CHARITY]) is None


# Income


def test_income_under_the_maximum_passes():
    assert income_problem(249_999_99, 250_000_00) is None


def test_income_of_exactly_the_maximum_is_not_under_it():
    assert income_problem(250_000_00, 250_000_00) == (
        "Your organisation’s income is £250,000. "
        "This round is for organisations with an income under £250,000.")


def test_income_over_the_maximum_is_explained_as_in_the_issue():
    assert income_problem(312_000_00, 250_000_00) == (
        "Your organisation’s income is £312,000. "
        "This round is for organisations with an income under £250,000.")


def test_no_income_limit_or_no_income_yet_is_not_judged():
    assert income_problem(10**12, None) is None
    assert income_problem(None, 250_000_00) is None


# Amount requested


@pytest.mark.parametrize("amount", [500_00, 2_500_00, 5_000_00])
def test_amounts_from_the_minimum_to_the_maximum_award_are_allowed(amount):
    assert amount_problem(amount, 500_00, 5_000_00) is None


@pytest.mark.parametrize(("amount", "shown"), [(499_99, "£499.99"), (5_000_01, "£5,000.01"),
                                               (6_000_00, "£6,000")])
def test_amounts_outside_the_awards_are_explained(amount, shown):
    assert amount_problem(amount, 500_00, 5_000_00) == (
        f"You have asked for {shown}. This round gives awards from £500 to £5,000.")


def test_no_amount_yet_is_not_judged():
    assert amount_problem(None, 500_00, 5_000_00) is None


# Wards


def test_any_ward_round_takes_every_ward():
    assert wards_problem(["Anywhere"], [], any_ward=True) is None


def test_wards_inside_the_round_area_pass():
    assert wards_problem(["Dalton", "Golcar"], ["Dalton", "Golcar", "Lindley"],
                         any_ward=False) is None


def test_one_ward_outside_the_area_is_named():
    assert wards_problem(["Dalton", "Mirfield"], ["Dalton", "Golcar"], any_ward=False) == (
        "Mirfield is not in the area this round covers. "
        "This round is for projects in Dalton and Golcar.")


def test_several_wards_outside_the_area_are_named():
    message = wards_problem(["Batley East", "Mirfield"], ["Dalton", "Golcar", "Lindley"],
                            any_ward=False)
    assert message.startswith("Batley East and Mirfield are not in the area this round covers.")
    assert message.endswith("This round is for projects in Dalton, Golcar and Lindley.")


# Project dates


def test_months_are_added_as_calendar_months():
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 11, 15), 3) == date(2026, 2, 15)
    assert latest_end_date(date(2025, 4, 1), 12) == date(2026, 3, 31)
    assert latest_start_date(date(2025, 1, 31)) == date(2025, 7, 31)


def test_a_start_today_passes_and_yesterday_does_not():
    latest = date(2025, 7, 31)
    assert start_date_problem(TODAY, TODAY, latest) is None
    assert start_date_problem(date(2025, 1, 9), TODAY, latest) == (
        "Project start date must be today or in the future")


def test_a_start_too_long_after_the_round_closes_is_refused():
    latest = date(2025, 7, 31)
    assert start_date_problem(latest, TODAY, latest) is None
    assert start_date_problem(date(2025, 8, 1), TODAY, latest) == (
        "Project start date must be on or before 31 July 2025, "
        "within 6 months of the round closing")


def test_the_end_must_follow_the_start():
    assert end_date_problem(date(2025, 4, 1), date(2025, 4, 1), 12) == (
        "Project end date must be after the start date")
    assert end_date_problem(date(2025, 4, 1), date(2025, 3, 1), 12) == (
        "Project end date must be after the start date")
    assert end_date_problem(date(2025, 4, 1), date(2025, 4, 2), 12) is None


def test_the_project_may_last_exactly_the_longest_length_and_no_more():
    assert end_date_problem(date(2025, 4, 1), date(2026, 3, 31), 12) is None
    assert end_date_problem(date(2025, 4, 1), date(2026, 4, 1), 12) == (
        "Project end date must be on or before 31 March 2026. "
        "This round funds projects lasting up to 12 months")


def test_missing_dates_are_not_judged_and_the_first_problem_is_given():
    latest = date(2025, 7, 31)
    assert project_dates_problem(None, None, max_months=12, today=TODAY,
                                 latest_start=latest) is None
    assert project_dates_problem(date(2025, 1, 1), date(2024, 1, 1), max_months=12,
                                 today=TODAY, latest_start=latest) == (
        "Project start date must be today or in the future")
    assert project_dates_problem(date(2025, 2, 1), date(2025, 1, 20), max_months=12,
                                 today=TODAY, latest_start=latest) == (
        "Project end date must be after the start date")


# One application per organisation per round


def test_one_application_per_round_when_configured():
    assert one_application_problem(True, 0) is None
    assert one_application_problem(True, 1) == (
        "Your organisation has already submitted an application to this round. "
        "Organisations can make only one application to each round.")
    assert one_application_problem(False, 3) is None


# Every rule over an application


def _application(legal_form=LegalForm.CIO, income=40_000_00, **answers) -> Application:
    """A CIO with a £40,000 income asking for £4,000 for a year's project in Dalton."""
    round_ = Round(
        name="Spring round", financial_year="2024/25", min_award_pence=500_00,
        max_award_pence=5_000_00, max_project_months=12, max_annual_income_pence=250_000_00,
        eligible_legal_forms=[LegalForm.CHARITY.value, LegalForm.CIO.value], any_ward=False,
        one_application_per_organisation=True,
        opens_at=datetime(2024, 12, 1, tzinfo=UTC), closes_at=datetime(2025, 1, 31, 17, tzinfo=UTC))
    round_.wards = [Ward(name="Dalton"), Ward(name="Golcar")]
    organisation = Organisation(name="Good Neighbours", legal_form=legal_form,
                                annual_income_pence=income)
    answers = {"start_date": date(2025, 4, 1), "end_date": date(2026, 3, 31),
               "amount_requested_pence": 4_000_00, **answers}
    application = Application(round=round_, organisation=organisation, **answers)
    application.wards = [Ward(name="Dalton")]
    return application


def test_an_eligible_application_has_no_failures():
    assert eligibility.check(_application(), today=TODAY, other_submitted=0) == []


def test_every_failure_is_reported_with_its_section():
    application = _application(legal_form=LegalForm.CIC, income=300_000_00,
                               start_date=date(2025, 1, 1), amount_requested_pence=9_000_00)
    application.wards = [Ward(name="Mirfield")]
    failures = eligibility.check(application, today=TODAY, other_submitted=1)
    assert [failure.section for failure in failures] == [
        "organisation", "organisation", "organisation", "project", "beneficiaries", "budget"]
    assert Failure("budget", "You have asked for £9,000. This round gives awards from £500 "
                             "to £5,000.") in failures
    assert failures[3].message == "Project start date must be today or in the future"
