"""The partners' pages over HTTP: who reaches which partner, the figures as the pages, the PDF
and the workbook show them, a partner's staff's invitation, and constant query counts."""

import io
from decimal import Decimal

import pyotp
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from models.enums import Role
from tests.admin.test_staff import GOOD_PASSWORD, user_by_email
from tests.conftest import sign_in_as
from tests.factories import RoundFactory, UserFactory
from tests.funding.spending import offer
from tests.html import soup
from tests.partners.world import partners
from tests.test_query_counts import queries_for

PAGES = ["", "/paid-for", "/payments", "/kpis", "/statement", "/statement.pdf",
         "/statement.xlsx"]


def rows(response, table_id: str) -> list[list[str]]:
    table = soup(response).select_one(f"table#{table_id}")
    return [[cell.get_text(" ", strip=True) for cell in row.select("td, th")]
            for row in table.select("tbody tr")]


def pounds(values: list) -> list[Decimal]:
    """Money cells as exact amounts (a workbook keeps 12000.00 as 12000)."""
    return [Decimal(str(value)) for value in values]


def test_a_partners_staff_go_from_the_home_page_to_their_partners_overview(client, ctx):
    world = partners()
    sign_in_as(client, world.icb_user)
    home = client.get("/")
    assert home.headers["Location"] == "/partners/"
    assert client.get("/partners/").headers["Location"] == f"/partners/{world.icb.id}"
    page = client.get(f"/partners/{world.icb.id}")
    assert rows(page, "year-2024-25") == [
        ["ICB pot", "Your own pot", "£10,000.00", "£1,000.00", "£500.00"],
        ["Pooled fund", "Contribution to a pooled pot", "£2,000.00", "£933.33", "£266.67"],
        ["Total", "", "£12,000.00", "£1,933.33", "£766.67"]]


@pytest.mark.parametrize("path", PAGES)
def test_another_partners_pages_are_not_found(client, ctx, path):
    world = partners()
    sign_in_as(client, world.health_user)
    assert client.get(f"/partners/{world.icb.id}{path}").status_code == 404
    assert client.get(f"/partners/987654{path}").status_code == 404


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.ASSESSOR])
def test_applicants_and_assessors_cannot_reach_partners_pages(client, ctx, role):
    world = partners()
    sign_in_as(client, UserFactory(roles=(role,)))
    for path in PAGES:
        assert client.get(f"/partners/{world.icb.id}{path}").status_code == 403


def test_partners_staff_reach_no_staff_page(client, ctx):
    world = partners()
    sign_in_as(client, world.icb_user)
    for path in ("/funding/", f"/funding/pots/{world.own.id}", "/reporting/places",
                 "/assessment/applications", "/admin/users", "/organisations/"):
        assert client.get(path).status_code == 403, path


def test_paid_for_tables_add_up(client, ctx):
    world = partners()
    sign_in_as(client, world.officer)
    page = client.get(f"/partners/{world.icb.id}/paid-for?year=2024-25")
    assert rows(page, "by-ward") == [
        ["Batley East", "£600.00", "£200.00"], ["Dalton", "£666.67", "£283.34"],
        ["Newsome", "£666.66", "£283.33"], ["Total", "£1,933.33", "£766.67"]]
    assert rows(page, "by-theme")[-1] == ["Total", "£1,933.33", "£766.67"]
    assert [row[-2:] for row in rows(page, "lines")] == [
        ["£1,000.00", "£500.00"], ["£333.33", "£66.67"], ["£600.00", "£200.00"]]


def test_the_statement_page_pdf_and_workbook_agree(client, ctx):
    world = partners()
    sign_in_as(client, world.icb_user)
    query = "?year=2024-25&quarter=1"
    page = client.get(f"/partners/{world.icb.id}/statement{query}")
    assert rows(page, "contributions")[-1] == ["Total", "", "£12,000.00", "£1,933.33",
                                               "£466.67"]
    assert rows(page, "paid-for")[-1] == ["Total", "", "£1,933.33", "£466.67"]
    assert rows(page, "statement-payments")[-1] == ["Total", "", "£466.67"]
    assert rows(page, "statement-kpis") == [
        [world.contract.reference, world.contract.provider.name, "People supported",
         "40 people", "52 people"]]

    pdf = client.get(f"/partners/{world.icb.id}/statement.pdf{query}")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
                    .split())
    for figure in ("£12,000.00", "£1,933.33", "£466.67", "£66.67", "Q1 2024/25",
                   "52 people"):
        assert figure in text

    xlsx = client.get(f"/partners/{world.icb.id}/statement.xlsx{query}")
    book = load_workbook(io.BytesIO(xlsx.data))
    assert book.sheetnames == ["Contributions", "Paid for", "Payments", "KPIs"]
    last = {name: [cell.value for cell in list(book[name].rows)[-1]]
            for name in book.sheetnames}
    assert pounds(last["Contributions"][2:]) == pounds(["12000.00", "1933.33", "466.67"])
    assert pounds(last["Paid for"][-2:]) == pounds(["1933.33", "466.67"])
    assert pounds(last["Payments"][-1:]) == pounds(["466.67"])
    assert last["KPIs"][-2:] == ["40 people", "52 people"]


def test_an_admin_invites_a_partners_member_of_staff(client, ctx, outbox):
    world = partners()
    sign_in_as(client, UserFactory(roles=(Role.ADMIN,)))
    form = client.get("/admin/invitations/new-partner")
    assert "Example ICB" in soup(form).select_one("select#partner").text
    sent = client.post("/admin/invitations/new-partner", data={
        "full_name": "Pat Partner", "email": "pat@icb.example.org", "partner": world.icb.id})
    assert sent.headers["Location"] == "/admin/users"
    text = outbox.to("pat@icb.example.org")[-1].get_body(("plain",)).get_content()
    assert "as: Funding partner for Example ICB." in " ".join(text.split())

    invitee = ctx.test_client()
    accepted = invitee.post(outbox.last_link("pat@icb.example.org"),
                            data={"password": GOOD_PASSWORD})
    assert accepted.headers["Location"] == "/sign-in/set-up-authenticator"
    secret = soup(invitee.get("/sign-in/set-up-authenticator")).select_one(
        ".portal-setup-key").text.replace(" ", "")
    invitee.post("/sign-in/set-up-authenticator", data={"code": pyotp.TOTP(secret).now()})
    person = user_by_email("pat@icb.example.org")
    assert (person.roles, person.partner_id) == ({Role.FUNDING_PARTNER}, world.icb.id)
    assert invitee.get("/", follow_redirects=True).request.path == f"/partners/{world.icb.id}"


def test_partners_pages_query_count_does_not_grow(client, ctx):
    world = partners()
    sign_in_as(client, world.icb_user)
    paths = [f"/partners/{world.icb.id}{path}" for path in PAGES[:5]]
    few = [queries_for(client, path) for path in paths]
    round_ = RoundFactory(closed=True)
    for _ in range(5):
        offer(round_, {world.own: 10_00, world.pooled: 3_00})
    assert [queries_for(client, path) for path in paths] == few
