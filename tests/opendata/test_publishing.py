"""Publishing open data: the 360Giving file built from the awards, pots and ledger, valid
against the standard; its spreadsheets and the Transparency Code file; the review, withholding
and approval by a grants officer; and the public open-data page with each version's files."""

import csv
import io
import json
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from models import AuditEvent, Publication
from models.base import db, utcnow
from models.enums import FundingSource, OrganisationRole, Role
from portal.awards import payments
from portal.awards import services as awards
from portal.awards.payments import PaymentDetails
from portal.exceptions import NotAllowed, RuleBroken
from portal.funding import ledger
from portal.opendata import grants, services, threesixtygiving
from tests.awards.conftest import accepted_grant, make, offer_from, pooled_pot, pot, today
from tests.conftest import sign_in_as
from tests.factories import (
    FundingPartnerFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.html import soup

YEAR = "2024-25"
PREFIX = "360G-test-council"


@pytest.fixture
def configured(ctx, monkeypatch):
    monkeypatch.setitem(ctx.config, "COUNCIL_NAME", "Test Council")
    monkeypatch.setitem(ctx.config, "COUNCIL_ORG_ID", "GB-LAE-TST")
    monkeypatch.setitem(ctx.config, "GRANT_ID_PREFIX", PREFIX)
    return ctx


@pytest.fixture
def publisher(configured):
    return UserFactory(roles=(Role.GRANTS_OFFICER,))


def pay_first(made, pence: int) -> None:
    instalment = made.award.instalments[0]
    payments.record_payment(UserFactory(roles=(Role.GRANTS_OFFICER,)), made.award.id,
                            PaymentDetails(instalment.id, today(), pence, "BACS-1"), utcnow())


def publish(user) -> Publication:
    return services.publish(user, YEAR, services.review(user, YEAR).dataset.digest)


# The 360Giving file ---------------------------------------------------------------------------


def test_an_accepted_grant_is_described_in_the_standard_and_valid(publisher, round_):
    made = accepted_grant(round_)
    organisation = made.award.application.organisation
    organisation.charity_number, organisation.town = "1234567", "Dewsbury"
    made.award.application.wards[0].ons_code = "E05001323"
    db.session.commit()
    pay_first(made, 400_00)

    dataset = services.review(publisher, YEAR).dataset

    assert dataset.problems == []
    assert threesixtygiving.schema_errors(dataset.package) == []
    [grant] = dataset.grants
    assert grant["id"] == f"{PREFIX}-{made.award.reference}"
    assert (grant["currency"], grant["amountAwarded"], grant["amountDisbursed"]) == (
        "GBP", 1000, 400)
    assert grant["awardDate"] == "2024-07-01"
    assert grant["recipientOrganization"] == [{
        "id": "GB-CHC-1234567", "name": organisation.name, "charityNumber": "1234567",
        "addressLocality": "Dewsbury"}]
    assert grant["fundingOrganization"] == [
        {"id": "GB-LAE-TST", "name": "Test Council"},
        {"id": made.pot.funder_org_id, "name": made.pot.funder_name}]
    assert grant["grantProgramme"] == [{"code": round_.scheme.reference_prefix,
                                        "title": round_.scheme.name}]
    [theme] = made.award.application.themes
    assert grant["classifications"][0]["title"] == theme.name
    dalton, newsome = made.award.application.wards
    assert grant["beneficiaryLocation"] == [
        {"name": dalton.name, "geoCode": "E05001323", "geoCodeType": "WD"},
        {"name": newsome.name}]
    assert dataset.package["publisher"] == {"name": "Test Council", "identifier": "GB-LAE-TST"}


def test_core_pots_name_only_the_council_and_each_partner_is_named_once(publisher, round_):
    made = make(round_, allocations=2)
    core = pot(5_000_00, FundingSource.CORE, financial_year="2024/25")
    assert core.funder_org_id  # a core pot's own funder id is not used: the council is
    made.award.allocations[1].pot.funder_org_id = made.pot.funder_org_id
    db.session.commit()

    grant = threesixtygiving.grant(made.award, grants.ledger_spends(
        [made.award.id])[made.award.id], services._publisher(), {})

    assert grant["fundingOrganization"] == [
        {"id": "GB-LAE-TST", "name": "Test Council"},
        {"id": made.pot.funder_org_id, "name": made.pot.funder_name}]


def test_a_pooled_pot_names_every_contributing_partner_as_a_funder(publisher, round_):
    icb = FundingPartnerFactory(name="The ICB", org_id="GB-NHS-QWO")
    health = FundingPartnerFactory(name="Public Health", org_id="GB-LAE-PH")
    membership = MembershipFactory(role=OrganisationRole.ADMIN)
    award = offer_from(round_, pooled_pot({icb: 1_000_00, health: 3_000_00}),
                       organisation=membership.organisation)
    awards.accept(membership.user, award.id, awards.Acceptance(
        "Priya Shah", "Chair", True, "203.0.113.7"), utcnow())

    review = services.review(publisher, YEAR)

    assert review.dataset.problems == []
    assert review.dataset.package["grants"][0]["fundingOrganization"] == [
        {"id": "GB-LAE-TST", "name": "Test Council"},
        {"id": "GB-LAE-PH", "name": "Public Health"}, {"id": "GB-NHS-QWO", "name": "The ICB"}]


@pytest.mark.parametrize(("charity", "company", "expected"), [
    ("1234567", "01234567", "GB-CHC-1234567"),
    ("1234567-1", None, "GB-CHC-1234567"),
    ("SC012345", None, "GB-SC-SC012345"),
    ("NIC100002", None, "GB-NIC-100002"),
    (None, "SC123456", "GB-COH-SC123456"),
    (None, "01234567", "GB-COH-01234567"),
])
def test_recipients_are_identified_by_their_registers(ctx, charity, company, expected):
    organisation = OrganisationFactory(charity_number=charity, company_number=company)
    assert threesixtygiving.organisation_id(organisation, PREFIX) == expected


def test_an_unregistered_group_gets_an_id_of_the_councils_own(ctx):
    organisation = OrganisationFactory()
    assert (threesixtygiving.organisation_id(organisation, PREFIX)
            == f"{PREFIX}-ORG-{organisation.id}")


def test_offers_not_accepted_and_withheld_grants_are_not_published(publisher, round_):
    kept = accepted_grant(round_)
    make(round_)  # offered, not yet accepted
    withheld = accepted_grant(round_)
    services.withhold(publisher, withheld.award, "Names a refuge's location")

    review = services.review(publisher, YEAR)

    assert [grant["id"] for grant in review.dataset.grants] == [
        f"{PREFIX}-{kept.award.reference}"]
    assert [each.award_id for each in review.withheld] == [withheld.award.id]


def test_nothing_is_publishable_without_the_councils_identifiers(ctx, round_, monkeypatch):
    monkeypatch.setitem(ctx.config, "COUNCIL_ORG_ID", "")
    monkeypatch.setitem(ctx.config, "GRANT_ID_PREFIX", "")
    accepted_grant(round_)
    user = UserFactory(roles=(Role.GRANTS_OFFICER,))

    review = services.review(user, YEAR)

    assert review.dataset.problems == [
        "COUNCIL_ORG_ID is not set: ask your administrator to set it",
        "GRANT_ID_PREFIX is not set: ask your administrator to set it"]
    with pytest.raises(RuleBroken, match="cannot be published yet: COUNCIL_ORG_ID"):
        services.publish(user, YEAR, review.dataset.digest)


def test_a_partner_without_an_org_id_stops_publication(publisher, round_):
    made = accepted_grant(round_)
    made.pot.funder_org_id = ""
    db.session.commit()

    problems = services.review(publisher, YEAR).dataset.problems

    assert problems == [f"The pot {made.pot.name} (2024/25) has no funder org-id: add it to "
                        "the pot"]


def test_a_year_with_no_grants_cannot_be_published(publisher):
    review = services.review(publisher, YEAR)
    assert review.dataset.problems == ["There are no grants to publish for 2024/25"]


def test_schema_errors_say_where_and_what(configured):
    errors = threesixtygiving.schema_errors({"grants": [{"id": "x", "amountAwarded": "£5"}]})
    assert "grants/0/amountAwarded: '£5' is not of type 'number'" in errors


def test_every_grant_is_checked_and_no_grant_may_appear_twice(configured, round_):
    accepted_grant(round_)
    accepted_grant(round_)
    package = services.review(UserFactory(roles=(Role.GRANTS_OFFICER,)), YEAR).dataset.package
    first, second = package["grants"]

    broken = dict(package, grants=[first, {key: value for key, value in second.items()
                                           if key != "title"}, first])

    assert threesixtygiving.schema_errors(broken) == [
        "grants/1: 'title' is a required property",
        "grants: some grants appear more than once"]


def test_a_bad_date_fails_the_format_check(configured, round_):
    made = accepted_grant(round_)
    dataset = services.review(UserFactory(roles=(Role.GRANTS_OFFICER,)), YEAR).dataset
    broken = dict(dataset.package, grants=[dict(dataset.grants[0], awardDate="25/07/2024")])
    assert made.award.reference in broken["grants"][0]["id"]
    assert any(error.startswith("grants/0/awardDate") for error in
               threesixtygiving.schema_errors(broken))


# Publishing --------------------------------------------------------------------------------


def test_publishing_keeps_the_files_as_a_version_and_audits_it(publisher, round_):
    made = accepted_grant(round_)
    made.award.application.organisation.name = "=HYPERLINK(\"http://x\")"
    db.session.commit()

    first = publish(publisher)
    second = publish(publisher)

    assert (first.version, second.version) == (1, 2)
    assert (second.grant_count, second.awarded_pence, second.disbursed_pence) == (1, 1_000_00, 0)
    assert second.licence_name == "Open Government Licence v3.0"
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "opendata.published").order_by(AuditEvent.id)).all()[-1]
    assert (event.actor_id, event.object_id, event.details["version"]) == (
        publisher.id, second.id, 2)

    _, _, data = services.published_file(YEAR, "grants.json", 1)
    published = json.loads(data)
    assert threesixtygiving.schema_errors(published) == []
    # The JSON keeps the name as it is; the spreadsheets defuse it.
    assert published["grants"][0]["recipientOrganization"][0]["name"].startswith("=")
    _, _, sheet = services.published_file(YEAR, "grants.csv")
    rows = list(csv.DictReader(io.StringIO(sheet.decode())))
    assert rows[0]["Identifier"] == f"{PREFIX}-{made.award.reference}"
    assert rows[0]["Amount Awarded"] == "1000"
    assert rows[0]["Recipient Org:Name"].startswith("'=")


def test_the_spreadsheets_use_the_standards_titles_and_sheets(publisher, round_):
    accepted_grant(round_)
    publish(publisher)

    _, _, xlsx = services.published_file(YEAR, "grants.xlsx")
    book = load_workbook(io.BytesIO(xlsx), read_only=True)
    headings = [cell.value for cell in next(book["grants"].iter_rows(max_row=1))]
    assert {"Identifier", "Title", "Amount Awarded", "Award Date",
            "Recipient Org:Identifier"} <= set(headings)
    # Two funders and two wards do not fit the main sheet: they have sheets of their own.
    assert {"Funding Org", "Beneficiary Location"} <= set(book.sheetnames)
    _, _, zipped = services.published_file(YEAR, "grants-csv.zip")
    assert {"grants.csv", "Funding Org.csv"} <= set(zipfile.ZipFile(io.BytesIO(zipped)).namelist())


def test_the_transparency_code_file_has_its_fields(publisher, round_):
    made = accepted_grant(round_)
    made.award.application.organisation.company_number = "01234567"
    db.session.commit()
    publish(publisher)

    _, _, data = services.published_file(YEAR, "transparency.csv")
    [row] = list(csv.DictReader(io.StringIO(data.decode())))

    award = made.award
    assert row == {
        "Date awarded": "2024-07-01",
        "Time period": f"{award.start_date:%-d %B %Y} to {award.end_date:%-d %B %Y}",
        "Department": "Communities", "Beneficiary": award.application.organisation.name,
        "Registration number": "01234567", "Purpose": award.application.title,
        "Amount": "1000.00", "Type of payment": "Grant",
        "Grant identifier": f"{PREFIX}-{award.reference}"}


def test_publishing_refuses_when_the_grants_changed_since_the_review(publisher, round_):
    accepted_grant(round_)
    digest = services.review(publisher, YEAR).dataset.digest
    accepted_grant(round_)

    with pytest.raises(RuleBroken, match="changed since this page was opened"):
        services.publish(publisher, YEAR, digest)
    assert db.session.scalar(select(Publication.id)) is None


def test_a_payment_changes_what_would_be_published(publisher, round_):
    made = accepted_grant(round_)
    before = services.review(publisher, YEAR).dataset.digest
    pay_first(made, 250_50)

    dataset = services.review(publisher, YEAR).dataset

    assert dataset.digest != before
    assert dataset.grants[0]["amountDisbursed"] == 250.5
    assert dataset.disbursed_pence == 250_50


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.ASSESSOR, Role.COMMISSIONER, Role.ADMIN])
def test_only_grants_officers_review_publish_and_withhold(configured, round_, role):
    made = accepted_grant(round_)
    user = UserFactory(roles=(role,))
    with pytest.raises(NotAllowed):
        services.review(user, YEAR)
    with pytest.raises(NotAllowed):
        services.publish(user, YEAR, "")
    with pytest.raises(NotAllowed):
        services.withhold(user, made.award, "A reason")


def test_withholding_needs_a_reason_and_can_be_undone(publisher, round_):
    made = accepted_grant(round_)
    with pytest.raises(RuleBroken, match="Enter why"):
        services.withhold(publisher, made.award, "   ")

    services.withhold(publisher, made.award, "Safety of the group's members")
    with pytest.raises(RuleBroken, match="already withheld"):
        services.withhold(publisher, made.award, "Again")
    services.release(publisher, made.award)

    actions = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.action.like("opendata.%")).order_by(AuditEvent.id)).all()
    assert actions == ["opendata.withheld", "opendata.released"]
    assert len(services.review(publisher, YEAR).dataset.grants) == 1


# Through the pages ---------------------------------------------------------------------------


def test_an_officer_reviews_withholds_and_publishes_through_the_pages(client, configured,
                                                                      round_):
    officer = UserFactory(roles=(Role.GRANTS_OFFICER,))
    sign_in_as(client, officer)
    kept, withheld = accepted_grant(round_), accepted_grant(round_)

    page = soup(client.get(f"/open-data/manage/{YEAR}"))
    assert f"{PREFIX}-{kept.award.reference}" in page.text

    form_page = f"/open-data/manage/grants/{withheld.award.id}/withhold"
    empty = soup(client.post(form_page, data={"reason": ""}))
    assert "Enter why this grant must not be published" in empty.select_one(
        ".govuk-error-summary").text
    response = client.post(form_page, data={"reason": "Names a refuge"})
    assert response.status_code == 302

    page = soup(client.get(f"/open-data/manage/{YEAR}"))
    assert "Names a refuge" in page.select_one("#withheld ~ .portal-table-wrapper").text
    digest = page.select_one("input[name=digest]")["value"]
    response = client.post(f"/open-data/manage/{YEAR}", data={"digest": digest})
    assert response.status_code == 302

    public = soup(client.get("/open-data"))
    assert "Grants awarded in 2024/25" in public.text
    assert public.select_one(f"a[href='/open-data/{YEAR}/grants.json']")
    download = client.get(f"/open-data/{YEAR}/grants.json")
    assert download.headers["Content-Disposition"] == (
        f'attachment; filename="{YEAR}-v1-grants.json"')
    assert [grant["id"] for grant in json.loads(download.data)["grants"]] == [
        f"{PREFIX}-{kept.award.reference}"]


def test_a_stale_review_is_refused_beside_the_button(client, configured, round_):
    sign_in_as(client, UserFactory(roles=(Role.GRANTS_OFFICER,)))
    accepted_grant(round_)

    page = soup(client.post(f"/open-data/manage/{YEAR}", data={"digest": "stale"}))

    assert "The grants have changed" in page.select_one(".govuk-error-summary").text
    assert db.session.scalar(select(Publication.id)) is None


@pytest.mark.parametrize("path", [
    "/open-data/2023-24/grants.json", "/open-data/2024-25/v9/grants.json",
    "/open-data/2024-25/secrets.txt", "/open-data/banana/grants.json",
    "/open-data/2024-25/v0/grants.json"])
def test_files_that_were_never_published_are_not_found(client, publisher, round_, path):
    accepted_grant(round_)
    publish(publisher)
    assert client.get(path).status_code == 404



def test_the_review_accounts_for_every_penny_on_the_funding_dashboard(publisher, round_):
    published = accepted_grant(round_)
    withheld = accepted_grant(round_)
    make(round_, amount_pence=750_25)  # an offer not yet accepted
    services.withhold(publisher, withheld.award, "Names a refuge")
    pay_first(published, 300_00)

    [figures] = services.review(publisher, YEAR).figures

    assert figures.name == round_.scheme.name
    assert figures.dashboard == ledger.Spend(2_750_25, 300_00)
    assert figures.published == ledger.Spend(1_000_00, 300_00)
    assert figures.withheld == ledger.Spend(1_000_00, 0)
    assert figures.other == ledger.Spend(750_25, 0)


def test_the_review_page_shows_the_agreement_with_the_dashboard(client, configured, round_):
    sign_in_as(client, UserFactory(roles=(Role.GRANTS_OFFICER,)))
    accepted_grant(round_)

    page = soup(client.get(f"/open-data/manage/{YEAR}"))

    rows = [[cell.text.strip() for cell in row.select("th, td")]
            for row in page.select("#figures ~ .portal-table-wrapper")[0].select("tbody tr")]
    assert rows == [[f"{round_.scheme.name}: committed", "£1,000.00", "£1,000.00", "£0.00",
                     "£0.00"],
                    [f"{round_.scheme.name}: paid", "£0.00", "£0.00", "£0.00", "£0.00"]]
