"""An offer's terms beyond its money: the grant period, the payment schedule in advance or in
arrears, the monitoring returns due, subsidy control (Minimal Financial Assistance) and the
version of the terms kept when the offer is made."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from models import Award, AwardVersion, Instalment, LedgerEntry, PublicFunding
from models.base import db
from models.enums import AwardChange, AwardStatus, PaymentTiming
from portal.awards import subsidy
from portal.awards.terms import END_OF_GRANT_REPORT
from tests.awards.conftest import approved, make, pot, today
from tests.awards.test_offers import make_offer, offer_url
from tests.conftest import sign_in_as
from tests.factories import OrganisationFactory, RoundFactory
from tests.html import error_messages, form_data, soup


def date_boxes(day: date) -> list[str]:
    """A date as the page's day, month and year boxes show it."""
    return [f"{day.day:02d}", f"{day.month:02d}", str(day.year)]


def rows_written() -> tuple[int, int, int]:
    """Awards, instalments and ledger entries recorded."""
    return (db.session.scalar(select(func.count(Award.id))),
            db.session.scalar(select(func.count(Instalment.id))),
            db.session.scalar(select(func.count(LedgerEntry.id))))


# The terms an offer starts with ----------------------------------------------------------------


def test_the_page_starts_with_the_project_dates_one_payment_and_an_end_of_grant_report(
        client, officer, round_):
    funds = pot(5_000_00)
    start, end = today() + timedelta(days=10), today() + timedelta(days=200)
    application = approved(round_, 1_200_00, start_date=start, end_date=end)
    data = form_data(client.get(offer_url(application)))
    assert data["start_date"] == date_boxes(start)
    assert data["end_date"] == date_boxes(end)
    assert data["payment_timing"] == PaymentTiming.IN_ADVANCE.value
    assert data["payment_1_date"] == date_boxes(start)
    assert data["payment_1_amount"] == "1,200"
    assert data["payment_2_amount"] == ""
    assert data["return_1_title"] == END_OF_GRANT_REPORT
    assert data["return_1_date"] == date_boxes(end + timedelta(days=30))
    assert data["minimal_financial_assistance"] == "yes"
    assert data[f"pot_{funds.id}"] == "1,200"


def test_instalments_and_returns_are_kept_with_version_one_of_the_terms(client, officer,
                                                                       round_):
    funds = pot(5_000_00)
    application = approved(round_, 1_500_00)
    first, second = today() + timedelta(days=7), today() + timedelta(days=97)
    response = make_offer(client, application, {funds.id: "1,500"},
                          payment_timing="in_arrears",
                          payment_1_date=date_boxes(first), payment_1_amount="1,000",
                          payment_2_date=date_boxes(second), payment_2_amount="500.00",
                          return_2_title="Interim report",
                          return_2_date=date_boxes(second))
    assert response.status_code == 302, error_messages(response)
    award = db.session.scalar(select(Award))
    assert award.payment_timing is PaymentTiming.IN_ARREARS
    assert [(i.number, i.due_on, i.amount_pence) for i in award.instalments] == [
        (1, first, 1_000_00), (2, second, 500_00)]
    assert [due.title for due in award.monitoring_returns] == ["Interim report",
                                                               END_OF_GRANT_REPORT]
    version = db.session.scalar(select(AwardVersion))
    assert (version.number, version.change, award.version) == (1, AwardChange.OFFER, 1)
    assert version.terms["amount_pence"] == 1_500_00
    assert version.terms["allocations"] == {str(funds.id): 1_500_00}
    assert [row["amount_pence"] for row in version.terms["instalments"]] == [1_000_00, 500_00]
    assert version.terms["payment_timing"] == "in_arrears"

    page = soup(client.get(f"/awards/{award.id}"))
    assert "In arrears" in page.select_one("#terms").get_text()
    assert "Interim report" in page.select_one("#monitoring-returns").get_text()
    assert "Minimal Financial Assistance" in page.select_one("#subsidy-statement").get_text()


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"payment_1_amount": "900"}, "payment_1_amount",
     "The payments add up to £900.00. They must add up to the award of £1,000.00."),
    ({"payment_2_date": ["31", "2", "2027"], "payment_2_amount": "1"}, "payment_2_date",
     "Date of payment 2 must be a real date"),
    ({"payment_2_amount": "100"}, "payment_2_date", "Enter the date of payment 2"),
    ({"payment_1_date": date_boxes(date(2020, 1, 6))}, "payment_1_amount",
     "A payment cannot be due before today"),
    ({"end_date": date_boxes(date(2020, 1, 6))}, "end_date",
     "The end date must be the same as or after the start date"),
    ({"return_1_title": "", "return_1_date": ["", "", ""]}, "return_1_title",
     "Enter at least one monitoring return and when it is due"),
    ({"return_2_title": "Interim report"}, "return_2_date", "Enter when return 2 is due"),
    ({"payment_timing": ""}, "payment_timing",
     "Select whether payments are made in advance or in arrears"),
])
def test_terms_that_do_not_hang_together_are_refused_beside_their_field(
        client, officer, round_, fields, field, message):
    funds = pot(5_000_00)
    application = approved(round_, 1_000_00)
    before = rows_written()
    response = make_offer(client, application, {funds.id: "1,000"}, **fields)
    assert response.status_code == 200
    assert error_messages(response)[field].startswith(message)
    assert rows_written() == before
    # What was typed is shown again.
    sent = form_data(response)
    for name, value in fields.items():
        assert sent.get(name, "") == value or (name == "payment_timing" and name not in sent)


# Subsidy control -----------------------------------------------------------------------------


def _with_history(round_, declared_pence: int, earlier_award_pence: int = 0):
    """An approved £10,000 application whose organisation declared `declared_pence` of public
    funding last year and, if asked, had an award from an earlier round last year."""
    organisation = OrganisationFactory()
    if earlier_award_pence:
        earlier = RoundFactory(closed=True, scheme=round_.scheme, financial_year="2023/24")
        make(earlier, organisation=organisation, amount_pence=earlier_award_pence)
    application = approved(round_, 10_000_00, organisation=organisation)
    db.session.add(PublicFunding(application=application, funder="Arts Council",
                                 purpose="Youth theatre", financial_year="2023/24",
                                 amount_pence=declared_pence))
    db.session.commit()
    return application


def test_the_running_total_counts_declared_funding_and_the_councils_awards(client, officer,
                                                                          round_, app):
    application = _with_history(round_, 100_000_00, earlier_award_pence=20_000_00)
    # Neither another organisation's award nor one three years back counts.
    make(RoundFactory(closed=True, scheme=round_.scheme, financial_year="2021/22"),
         organisation=application.organisation)
    make(round_)
    total = subsidy.running_total(application, 10_000_00)
    assert total.years == ("2024/25", "2023/24", "2022/23")
    assert (total.declared_pence, total.awarded_pence, total.this_award_pence) == (
        100_000_00, 20_000_00, 10_000_00)
    assert total.total_pence == 130_000_00 and not total.near and not total.over


def test_a_withdrawn_award_no_longer_counts(client, officer, round_):
    made = make(round_)
    db.session.get(Award, made.award.id).status = AwardStatus.WITHDRAWN
    db.session.commit()
    application = approved(round_, 1_000_00, organisation=made.award.application.organisation)
    assert subsidy.running_total(application, 1_000_00).awarded_pence == 0


def test_near_the_limit_the_page_warns_and_the_offer_can_still_be_made(client, officer,
                                                                       round_):
    funds = pot(20_000_00)
    application = _with_history(round_, 300_000_00)
    page = client.get(offer_url(application))
    assert "close to the Minimal Financial Assistance limit" in \
        soup(page).select_one("#subsidy-warning").get_text()
    assert "£310,000.00" in soup(page).select_one("#subsidy").get_text()
    response = make_offer(client, application, {funds.id: "10,000"})
    assert response.status_code == 302, error_messages(response)
    award = db.session.scalar(select(Award))
    assert award.subsidy_total_pence == 310_000_00
    assert "£310,000.00" in award.subsidy_statement
    assert "2022/23 to 2024/25" in award.subsidy_statement


def test_over_the_limit_an_offer_as_minimal_financial_assistance_is_blocked(client, officer,
                                                                           round_):
    funds = pot(20_000_00)
    application = _with_history(round_, 310_000_00)
    page = client.get(offer_url(application))
    assert "over the Minimal Financial Assistance limit" in \
        soup(page).select_one("#subsidy-warning").get_text()
    before = rows_written()
    response = make_offer(client, application, {funds.id: "10,000"})
    assert "above the Minimal Financial Assistance limit of £315,000.00" in \
        error_messages(response)["minimal_financial_assistance"]
    assert rows_written() == before

    response = make_offer(client, application, {funds.id: "10,000"},
                          minimal_financial_assistance="no")
    assert error_messages(response)["subsidy_basis"] == (
        "Enter the basis on which the award is given, if not as Minimal Financial Assistance")
    assert rows_written() == before

    response = make_offer(client, application, {funds.id: "10,000"},
                          minimal_financial_assistance="no",
                          subsidy_basis="The organisation does not trade in any market.")
    assert response.status_code == 302
    award = db.session.scalar(select(Award))
    assert not award.minimal_financial_assistance
    assert award.subsidy_statement.startswith("This grant is not given as Minimal Financial "
                                              "Assistance")
    assert "does not trade in any market" in award.subsidy_statement


def test_the_limit_comes_from_configuration(client, officer, round_, app, monkeypatch):
    monkeypatch.setitem(app.config, "SUBSIDY_THRESHOLD_PENCE", 50_000_00)
    application = _with_history(round_, 45_000_00)
    assert subsidy.running_total(application, 10_000_00).over


def test_the_organisation_sees_the_terms_of_its_offer(client, round_):
    made = make(round_)
    sign_in_as(client, made.admin)
    page = soup(client.get(f"/awards/offers/{made.award.id}"))
    assert END_OF_GRANT_REPORT in page.select_one("#monitoring-returns").get_text()
    assert "In advance" in page.select_one("#terms").get_text()
    assert made.award.subsidy_statement in page.select_one("#subsidy-statement").get_text()
