"""A commissioner pays a contract's quarterly instalments: a mistake first, then a payment of
part of a quarter from the schedule's link. axe-core checks every page reached, the page
showing the mistake included."""

import pytest
from playwright.sync_api import Page, expect

from models.enums import Role
from tests.browser.helpers import heading, sign_in_staff
from tests.contracts.test_contract_payments import planned
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


def test_a_commissioner_records_a_contracts_payments(page: Page, ctx, assert_accessible):
    commissioner = UserFactory(full_name="Cara Commissioner", roles=(Role.COMMISSIONER,))
    contract, _, _ = planned(commissioner)
    sign_in_staff(page, commissioner)
    page.goto(f"/contracts/{contract.id}")
    page.get_by_role("link", name="Payments").click()
    expect(heading(page)).to_have_text("Payments")
    expect(page.locator("#schedule-2024-25")).to_contain_text("Overdue")
    assert_accessible(page)

    # 1. More than is left of the quarter: refused beside the amount, the answers kept.
    page.get_by_role("link", name="Record a payment for quarter 2 2024/25").click()
    expect(heading(page)).to_have_text("Record a payment")
    expect(page.get_by_label("Amount paid")).to_have_value("5,000")
    page.get_by_label("Amount paid").fill("5,000.01")
    page.get_by_label("Payment reference").fill("BACS-0002")
    page.get_by_role("button", name="Record the payment").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "more than the £5,000.00 left to pay of quarter 2 2024/25")
    expect(page.get_by_label("Payment reference")).to_have_value("BACS-0002")
    assert_accessible(page)

    # 2. Part of the quarter.
    page.get_by_label("Amount paid").fill("2,000")
    page.get_by_role("button", name="Record the payment").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The payment of £2,000.00 has been recorded.")
    expect(page.locator("#schedule-2024-25")).to_contain_text("Part paid")
    expect(page.locator("#payments")).to_contain_text("BACS-0002")
    expect(page.locator("#payment-totals")).to_contain_text("£18,000.00")
    assert_accessible(page)
