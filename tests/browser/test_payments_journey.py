"""A grants officer pays an accepted award, recovers part of it and varies it; the
organisation sees its schedule and payments. axe-core checks every page reached, the pages
showing mistakes included."""

import pytest
from playwright.sync_api import Locator, Page, expect

from models import Award
from models.base import db, utcnow
from models.enums import Role
from portal.awards import services
from tests.awards.conftest import make, today
from tests.browser.helpers import heading, sign_in, sign_in_staff
from tests.factories import RoundFactory, UserFactory

pytestmark = pytest.mark.browser


def error_summary(page: Page) -> Locator:
    return page.locator(".govuk-error-summary")


def field_error(page: Page, field: str) -> Locator:
    return page.locator(f".govuk-form-group--error:has(#{field}) .govuk-error-message")


@pytest.fixture
def accepted(ctx):
    """A £1,000 offer from one pot, accepted by the organisation's admin."""
    made = make(RoundFactory(closed=True, min_award_pence=500_00, max_award_pence=5_000_00))
    services.accept(made.admin, made.award.id, services.Acceptance(
        "Priya Shah", "Chair", True, "203.0.113.7"), utcnow())
    return made


def test_an_officer_pays_recovers_and_varies_an_award(page, browser, live_server, accepted,
                                                      assert_accessible):
    award = accepted.award
    officer = UserFactory(full_name="Olive Officer", roles=(Role.GRANTS_OFFICER,))
    sign_in_staff(page, officer)
    page.goto(f"/awards/{award.id}")
    expect(page.locator("#schedule")).to_contain_text("Not paid")
    assert_accessible(page)

    # 1. A payment above what is committed, then a proper one.
    page.get_by_role("link", name="Record a payment").click()
    expect(heading(page)).to_have_text(f"Record a payment for {award.reference}")
    page.get_by_label("Payment 1").check()
    page.get_by_label("Amount paid").fill("1,000.01")
    page.get_by_label("Payment reference").fill("BACS-0001")
    page.get_by_role("button", name="Record the payment").click()
    expect(error_summary(page)).to_contain_text("more than is committed")
    expect(field_error(page, "amount")).to_contain_text("more than is committed")
    expect(page.get_by_label("Payment reference")).to_have_value("BACS-0001")
    assert_accessible(page)
    page.get_by_label("Amount paid").fill("600")
    page.get_by_role("button", name="Record the payment").click()
    expect(page.locator("#schedule")).to_contain_text("Part paid")
    expect(page.locator("#payments")).to_contain_text("BACS-0001")

    # 2. A clawback of part of it.
    page.get_by_role("link", name="Record a clawback or repayment").click()
    page.get_by_label("Clawback: the council asked for it back").check()
    page.get_by_label("Amount recovered").fill("100")
    day = today()
    for part, value in (("day", day.day), ("month", day.month), ("year", day.year)):
        page.locator(f"#received_on-{part}").fill(str(value))
    page.get_by_role("button", name="Record the recovery").click()
    expect(error_summary(page)).to_contain_text("Enter the reason for the recovery")
    assert_accessible(page)
    page.get_by_label("Reason for the recovery").fill("Equipment not bought")
    page.get_by_role("button", name="Record the recovery").click()
    expect(page.locator("#net-grant")).to_contain_text("£900.00")
    assert_accessible(page)

    # 3. A variation whose pots do not add up, then one that does.
    page.get_by_role("link", name="Vary the award").click()
    expect(heading(page)).to_have_text(f"Vary the award {award.reference}")
    assert_accessible(page)
    page.get_by_label("Amount of the award").fill("1,200")
    page.get_by_label("Reason for the variation").fill("Room hire went up")
    page.get_by_role("button", name="Vary the award").click()
    expect(error_summary(page)).to_contain_text("must add up to the award of £1,200.00")
    assert_accessible(page)
    page.locator(f"#pot_{accepted.pot.id}").fill("1,200")
    page.locator("#payment_2_amount").fill("200")
    page.locator("#payment_2_date-day").fill("1")
    page.locator("#payment_2_date-month").fill("1")
    page.locator("#payment_2_date-year").fill(str(today().year + 1))
    page.get_by_role("button", name="Vary the award").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("has been varied")
    page.get_by_role("link", name="Versions of the terms").click()
    expect(page.locator("#version-2")).to_contain_text("Room hire went up")
    assert_accessible(page)

    db.session.expire_all()
    assert db.session.get(Award, award.id).amount_pence == 1_200_00

    # 4. The organisation sees its schedule and the payment made.
    context = browser.new_context(base_url=live_server, bypass_csp=True)
    context.set_default_timeout(10_000)
    try:
        admin_page = context.new_page()
        sign_in(admin_page, accepted.admin.email)
        admin_page.goto(f"/awards/offers/{award.id}")
        expect(admin_page.locator("#schedule")).to_contain_text("Part paid")
        expect(admin_page.locator("#payments")).to_contain_text("BACS-0001")
        assert_accessible(admin_page)
    finally:
        context.close()
