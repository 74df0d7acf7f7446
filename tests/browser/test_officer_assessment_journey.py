"""A grants officer's journey through a closed round's assessment and decisions, with axe-core
checking every page reached (the pages showing mistakes included): the round page and its
"Assessment and decisions" links, another round's editable scoring criteria, the ranked results
and "Recommend within budget", moderating a divergent score, deciding one application, deciding
the rest of the round at once, and the officer's pages about one application."""

from datetime import timedelta

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from models import Application
from models.base import db, utcnow
from models.enums import ApplicationStatus, DecisionAuthority, Role, RoundStatus
from tests.browser.helpers import heading, sign_in_staff
from tests.decisions.conftest import ALL_1, ALL_3, EIGHTY, scored
from tests.factories import (
    RoundFactory,
    UserFactory,
    community_plus_criteria,
)

pytestmark = pytest.mark.browser




def fill_date(page: Page, when) -> None:
    group = page.get_by_role("group", name="Date of the decision")
    group.get_by_label("Day").fill(str(when.day))
    group.get_by_label("Month").fill(str(when.month))
    group.get_by_label("Year").fill(str(when.year))


def error_summary(page: Page) -> Locator:
    return page.locator(".govuk-error-summary")


def banner(page: Page) -> Locator:
    return page.locator(".govuk-notification-banner")


@pytest.fixture
def world(ctx):
    """A closed round (£10,000 budget) with three scored applications, one of them with
    assessors far apart; a draft round whose criteria nobody has scored against yet; and
    Olive, a grants officer."""
    now = utcnow()
    closed = RoundFactory(name="Community Plus 2024/25", budget_pence=10_000_00,
                          min_award_pence=500_00, max_award_pence=5_000_00,
                          opens_at=now - timedelta(days=60), closes_at=now - timedelta(days=1))
    community_plus_criteria(closed)
    db.session.refresh(closed)
    best = scored(closed, ALL_3, ALL_3, requested=4_000_00, reference="CPG-2425-0001")
    second = scored(closed, EIGHTY, EIGHTY, requested=5_000_00, reference="CPG-2425-0002")
    apart = scored(closed, ALL_3, ALL_1, requested=3_000_00, reference="CPG-2425-0003")
    draft = RoundFactory(scheme=closed.scheme, name="Community Plus 2025/26",
                         status=RoundStatus.DRAFT)
    community_plus_criteria(draft)
    officer = UserFactory(full_name="Olive Officer", roles=(Role.GRANTS_OFFICER,))
    return {"round": closed, "draft": draft, "best": best, "second": second, "apart": apart,
            "officer": officer}


def test_an_officer_assesses_and_decides_a_round(page, world, assert_accessible):
    round_, best, apart = world["round"], world["best"], world["apart"]
    today = utcnow().date()
    sign_in_staff(page, world["officer"])

    # 1. The closed round's page, with its assessment and decision links.
    page.goto(f"/schemes/rounds/{round_.id}")
    expect(heading(page)).to_have_text("Community Plus 2024/25")
    expect(page.locator("main")).to_contain_text("Scoring has begun in this round")
    expect(page.get_by_role("heading", name="Assessment and decisions")).to_be_visible()
    for name in ("Applications to this round", "Assign assessors, balanced by workload",
                 "Declarations of interest"):
        expect(page.get_by_role("link", name=name)).to_be_visible()
    assert_accessible(page)

    # 2. Another round's criteria, still editable: weights that do not total 100.
    page.goto(f"/schemes/rounds/{world['draft'].id}")
    page.get_by_role("link", name="Change the scoring criteria").click()
    expect(heading(page)).to_have_text("Scoring criteria")
    assert_accessible(page)
    page.get_by_label("Weight of criterion 1").fill("30")
    page.get_by_role("button", name="Save criteria").click()
    expect(error_summary(page)).to_contain_text("The weights must add up to 100%")
    assert_accessible(page)
    page.get_by_role("button", name="Add another criterion").click()
    expect(page.get_by_role("heading", name="Criterion 7")).to_be_visible()
    expect(page.get_by_label("Weight of criterion 1")).to_have_value("30")
    assert_accessible(page)

    # 3. The ranked results; recommend within the budget.
    page.goto(f"/schemes/rounds/{round_.id}")
    page.get_by_role("link", name="Results, recommendations and decisions").click()
    expect(heading(page)).to_have_text("Results")
    table = page.get_by_role("table", name="3 applications, best first")
    expect(table).to_contain_text("CPG-2425-0003")
    expect(page.locator(f"#result-{apart.id}")).to_contain_text("Divergent")
    assert_accessible(page)
    page.get_by_role("button", name="Recommend within budget").click()
    expect(banner(page)).to_contain_text(
        "Awards have been recommended within the budget. £1,000.00 of the budget remains.")
    remaining = page.locator(".govuk-summary-list__row", has_text="Remaining budget")
    expect(remaining).to_contain_text("£1,000.00")
    expect(page.locator(f"#result-{best.id}")).to_contain_text("£4,000.00")
    assert_accessible(page)

    # 4. Moderate the divergent application: no reason first, then a proper one.
    page.get_by_role("link", name="Moderate CPG-2425-0003").click()
    expect(heading(page)).to_have_text("Moderate CPG-2425-0003")
    expect(page.get_by_role("table", name="Assessors’ scores")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Moderated score", exact=True).fill("70")
    page.get_by_role("button", name="Record moderated score").click()
    expect(error_summary(page)).to_contain_text("Enter a reason for the moderated score")
    assert_accessible(page)
    page.get_by_label("Reason for the moderated score").fill(
        "The panel agreed the second assessor missed the partnership evidence.")
    page.get_by_role("button", name="Record moderated score").click()
    expect(banner(page)).to_contain_text(
        "The moderated score for CPG-2425-0003 has been recorded.")
    expect(page.get_by_role("heading", name="Moderation history")).to_be_visible()
    assert_accessible(page)

    # 5. Decide the best application alone: more than it asked for first.
    page.get_by_role("link", name="Back to the round’s results").click()
    expect(page.locator(f"#result-{apart.id}")).to_contain_text("70.00")
    page.get_by_role("link", name="CPG-2425-0001", exact=True).click()
    expect(heading(page)).to_have_text("Decision on CPG-2425-0001")
    assert_accessible(page)
    page.get_by_role("group", name="Decision").get_by_label("Approve").check()
    page.get_by_label("Amount to award").fill("5000")
    page.get_by_role("group", name="Who made the decision?").get_by_label(
        DecisionAuthority.PANEL.label).check()
    fill_date(page, today)
    page.get_by_role("button", name="Record decision").click()
    expect(error_summary(page)).to_contain_text(
        "The amount cannot be more than the £4,000.00 requested")
    assert_accessible(page)
    page.get_by_label("Amount to award").fill("4000")
    page.get_by_role("button", name="Record decision").click()
    expect(banner(page)).to_contain_text(
        "The decision on CPG-2425-0001 has been recorded: approved.")
    expect(page.get_by_role("heading", name="Decisions so far")).to_be_visible()
    assert_accessible(page)

    # 6. Decide the rest of the round at once, as previewed.
    page.get_by_role("link", name="Back to the round’s results").click()
    page.get_by_role("link", name="Record decisions for the whole round").click()
    expect(heading(page)).to_have_text("Record decisions for the whole round")
    preview = page.get_by_role("table", name="What will be decided")
    expect(preview.locator(f"#planned-{world['second'].id}")).to_contain_text("Approved")
    expect(preview.locator(f"#planned-{apart.id}")).to_contain_text("Rejected")
    expect(preview).not_to_contain_text("CPG-2425-0001")
    assert_accessible(page)
    page.get_by_role("button", name="Record these decisions").click()
    expect(error_summary(page)).to_contain_text("Select who made the decision")
    assert_accessible(page)
    page.get_by_role("group", name="Who made the decision?").get_by_label(
        DecisionAuthority.PANEL.label).check()
    fill_date(page, today)
    page.get_by_label("Reason for these decisions").fill("Grants panel meeting")
    page.get_by_role("button", name="Record these decisions").click()
    expect(banner(page)).to_contain_text("2 decisions have been recorded")
    expect(heading(page)).to_have_text("Results")
    expect(page.locator(f"#result-{world['second'].id}")).to_contain_text("Approved: £5,000.00")
    expect(page.locator(f"#result-{apart.id}")).to_contain_text("Rejected")
    approved = page.locator(".govuk-summary-list__row", has_text="Approved")
    expect(approved).to_contain_text("£9,000.00")
    assert_accessible(page)

    # 7. The application's officer pages, through the round's list and the sub-navigation.
    page.get_by_role("link", name=f"Back to {round_.name}").click()
    page.get_by_role("link", name="Applications to this round").click()
    expect(heading(page)).to_have_text("Applications")
    assert_accessible(page)
    page.get_by_role("link", name="CPG-2425-0003", exact=True).click()
    expect(heading(page)).to_have_text("CPG-2425-0003")
    nav = page.get_by_role("navigation", name="Pages about CPG-2425-0003")
    assert_accessible(page)
    nav.get_by_role("link", name="Eligibility and checks").click()
    expect(nav.get_by_role("link", name="Eligibility and checks")).to_have_attribute(
        "aria-current", "page")
    assert_accessible(page)
    nav.get_by_role("link", name="Assessors and scores").click()
    expect(heading(page)).to_have_text("Assessors and scores")
    assert_accessible(page)
    nav.get_by_role("link", name="Decision").click()
    expect(heading(page)).to_have_text("Decision on CPG-2425-0003")
    assert_accessible(page)

    db.session.expire_all()
    statuses = {application.reference: application.status for application in db.session.scalars(
        select(Application).where(Application.round_id == round_.id))}
    assert statuses == {"CPG-2425-0001": ApplicationStatus.APPROVED,
                        "CPG-2425-0002": ApplicationStatus.APPROVED,
                        "CPG-2425-0003": ApplicationStatus.REJECTED}
