"""One application in full for a grants officer; drafts and other roles are refused."""

from datetime import UTC, date, datetime

import pytest
from flask import url_for

from models import CostLine, Document, OtherFunding, PublicFunding
from models.base import db
from models.enums import FundingStatus, LegalForm, Role
from portal.assessment import services
from portal.exceptions import NotAllowed
from tests.assessment.conftest import submitted, wards
from tests.conftest import sign_in_as
from tests.extra_apps import extra_app
from tests.factories import (
    ApplicationFactory,
    OrganisationFactory,
    ThemeFactory,
    UserFactory,
)
from tests.html import soup


def summary_rows(page) -> dict[str, str]:
    return {row.select_one(".govuk-summary-list__key").get_text(strip=True):
            row.select_one(".govuk-summary-list__value").get_text(" ", strip=True)
            for row in page.select(".govuk-summary-list__row")}


def table_rows(page, caption: str) -> list[list[str]]:
    table = next(t for t in page.select("table") if t.caption.get_text(strip=True) == caption)
    return [[cell.get_text(" ", strip=True) for cell in row.select("td, th")]
            for row in table.select("tbody tr")]


@pytest.fixture
def application(ctx):
    """An application sent in with every section answered and the profile kept at submission."""
    (ward,) = wards("Golcar")
    found = submitted(
        reference="CPG-2425-0007", title="Golcar coffee mornings",
        summary="Weekly coffee mornings.", description="First line.\nSecond line.",
        start_date=date(2024, 9, 1), end_date=date(2025, 3, 31), beneficiaries=1200,
        beneficiary_description="Older people living alone", amount_requested_pence=2_500_00,
        has_conflict_of_interest=True, conflict_of_interest_details="Our treasurer's "
        "sister is a councillor", safeguarding_confirmed=True, data_protection_confirmed=True,
        submitted_at=datetime(2024, 7, 1, 9, 0, tzinfo=UTC), wards=[ward],
        organisation=OrganisationFactory(name="Golcar Good Neighbours (renamed since)"),
        organisation_snapshot={"name": "Golcar Good Neighbours", "legal_form": "cio",
                               "charity_number": "1234567", "annual_income_pence": 48_000_00,
                               "wards": ["Golcar"], "has_safeguarding_policy": True,
                               "safeguarding_review_date": "2024-03-01",
                               "favourite_colour": "green"})
    found.themes = [ThemeFactory(scheme=found.round.scheme, name="Reducing social isolation")]
    found.cost_lines = [CostLine(description="Room hire", amount_pence=1_800_00),
                        CostLine(description="Refreshments", amount_pence=1_200_00)]
    found.other_funding = [OtherFunding(source="Parish council", amount_pence=500_00,
                                        status=FundingStatus.SECURED)]
    found.public_funding = [PublicFunding(funder="NHS West Yorkshire ICB", purpose="Walks",
                                          financial_year="2023/24", amount_pence=2_000_00)]
    db.session.add(Document(application_id=found.id, requirement="Latest accounts",
                            original_filename="accounts-2024.pdf", stored_name="a" * 64,
                            content_type="application/pdf", size_bytes=1000, sha256="b" * 64,
                            uploaded_by_id=found.created_by_id))
    db.session.commit()
    return found


def test_shows_everything_the_organisation_sent(client, officer, application):
    response = client.get(f"/assessment/applications/{application.id}")
    assert response.status_code == 200
    page = soup(response)
    assert page.h1.text == "CPG-2425-0007"
    rows = summary_rows(page)
    assert rows["Status"] == "Submitted"
    assert rows["Submitted"] == "1 July 2024 at 10:00am"
    # The organisation as it was when the application was sent, not as it is now.
    assert "when the application was submitted" in page.text
    assert rows["Name"] == "Golcar Good Neighbours"
    assert rows["Legal form"] == LegalForm.CIO.label
    assert rows["Income in the last accounts"] == "£48,000.00"
    assert rows["Wards served"] == "Golcar"
    assert rows["Safeguarding policy held"] == "Yes"
    assert rows["Safeguarding policy last reviewed"] == "1 March 2024"
    assert rows["Favourite colour"] == "green"  # an unknown key is still shown
    assert rows["Description"] == "First line. Second line."
    assert len(page.select(".govuk-summary-list__value br")) == 1
    assert rows["Start date"] == "1 September 2024"
    assert rows["Number of people"] == "1,200"
    assert rows["Wards"] == "Golcar"
    assert rows["Themes"] == "Reducing social isolation"
    assert rows["Total cost"] == "£3,000.00"
    assert rows["Amount requested"] == "£2,500.00"
    assert rows["Details of the connection"] == "Our treasurer's sister is a councillor"
    assert rows["Data protection confirmed"] == "Yes"
    assert table_rows(page, "Costs") == [["Room hire", "£1,800.00"],
                                         ["Refreshments", "£1,200.00"],
                                         ["Total cost", "£3,000.00"]]
    assert table_rows(page, "Other funding, secured or applied for") == [
        ["Parish council", "Secured", "£500.00"]]
    assert table_rows(
        page, "Public funding received in this and the previous two financial years") == [
        ["NHS West Yorkshire ICB", "Walks", "2023/24", "£2,000.00"]]
    assert "Latest accounts: accounts-2024.pdf" in page.select_one("ul.govuk-list").get_text(
        " ", strip=True)


def test_links_documents_only_when_the_download_page_exists(client, officer, application):
    page = soup(client.get(f"/assessment/applications/{application.id}"))
    link = page.find("a", string="accounts-2024.pdf")
    assert (link is not None) == ("documents.download" in client.application.view_functions)


def test_links_documents_to_the_download_page(ctx, application):
    """With the documents area's download page (a stand-in until it exists), files link to it."""
    with extra_app({"SQLALCHEMY_DATABASE_URI": ctx.config["SQLALCHEMY_DATABASE_URI"]}) as app:
        if "documents.download" not in app.view_functions:
            app.add_url_rule("/test-only/documents/<int:document_id>", "documents.download",
                             lambda document_id: "")
        client = app.test_client()
        sign_in_as(client, UserFactory(roles=(Role.GRANTS_OFFICER,)))
        page = soup(client.get(f"/assessment/applications/{application.id}"))
        document = db.session.scalar(db.select(Document))
        with app.test_request_context():
            expected = url_for("documents.download", document_id=document.id)
    assert page.find("a", string="accounts-2024.pdf")["href"] == expected


def test_without_a_snapshot_shows_the_live_profile(client, officer):
    (ward,) = wards("Lindley")
    organisation = OrganisationFactory(name="Lindley Litter Pickers",
                                       legal_form=LegalForm.CONSTITUTED_GROUP,
                                       annual_income_pence=3_000_00, wards=[ward])
    found = submitted(organisation=organisation)
    page = soup(client.get(f"/assessment/applications/{found.id}"))
    assert "profile as it is now" in page.text
    rows = summary_rows(page)
    assert rows["Name"] == "Lindley Litter Pickers"
    assert rows["Legal form"] == "Constituted community group"
    assert rows["Income in the last accounts"] == "£3,000.00"
    assert rows["Wards served"] == "Lindley"
    assert rows["Connection to a councillor or council officer"] == "Not answered"
    assert "Details of the connection" not in rows
    assert "No other funding secured or applied for." in page.text
    assert "No documents were uploaded." in page.text


def test_drafts_and_unknown_ids_are_not_found(client, officer):
    """A draft is the organisation's own until it is sent: officers get 404, as for an id
    that does not exist, so neither can be told apart."""
    draft = ApplicationFactory(title="Not sent yet")
    for path in (f"/assessment/applications/{draft.id}", "/assessment/applications/987654"):
        response = client.get(path)
        assert response.status_code == 404
        assert soup(response).h1.text == "Page not found"


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.ASSESSOR, Role.COMMISSIONER, Role.ADMIN])
def test_other_roles_are_refused(client, role):
    found = submitted()
    member = UserFactory(roles=(role,))
    sign_in_as(client, member)
    for path in ("/assessment/applications", "/assessment/applications.csv",
                 f"/assessment/applications/{found.id}"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert found.reference not in response.get_data(as_text=True)
    assert client.post("/assessment/exports").status_code == 403


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.ASSESSOR, Role.COMMISSIONER, Role.ADMIN])
def test_services_check_the_role_again(ctx, role):
    """The services refuse anyone but a grants officer, whoever calls them."""
    person, found = UserFactory(roles=(role,)), submitted()
    with pytest.raises(NotAllowed):
        services.applications_page(person, services.ApplicationFilters(), page=1)
    with pytest.raises(NotAllowed):
        services.export_chunks(person, services.ApplicationFilters())
    with pytest.raises(NotAllowed):
        services.application_for_officer(person, found.id)


def test_anonymous_people_are_sent_to_sign_in(client):
    found = submitted()
    for path in ("/assessment/applications", "/assessment/applications.csv",
                 f"/assessment/applications/{found.id}"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/sign-in?next=")
