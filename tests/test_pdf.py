"""PDF copies of applications: A4, titled, paged, escaped, and rendered without fetching URLs."""

import io

import pytest
from pypdf import PdfReader

from models import CostLine
from models.base import db
from portal.applications.pdf import application_pdf
from portal.organisations.services import profile_snapshot
from portal.pdf import STATIC, FetchRefused, LocalFilesOnly, render_pdf
from tests.factories import ApplicationFactory

A4_POINTS = (595, 842)


@pytest.mark.parametrize("url", [
    "http://example.org/logo.png",
    "https://127.0.0.1/admin",
    "file:///etc/passwd",
    f"file://{STATIC}/../portal/config.py",
    "data:text/plain,hello",
    "ftp://example.org/file",
])
def test_the_url_fetcher_refuses_everything_but_static_files(url):
    with pytest.raises(FetchRefused):
        LocalFilesOnly().fetch(url)


def test_the_url_fetcher_reads_the_portals_own_static_files():
    response = LocalFilesOnly().fetch((STATIC / "images" / "favicon.svg").as_uri())
    try:
        assert b"<svg" in response.read()
    finally:
        response.close()


def test_an_application_copy_is_an_a4_pdf_with_title_pages_and_escaped_text(ctx):
    application = ApplicationFactory(
        title="Warm <b>spaces</b> & a café", reference="G001-2425-0007",
        amount_requested_pence=1_250_50)
    application.cost_lines.append(CostLine(description="Room hire", amount_pence=980_00))
    db.session.commit()
    with ctx.test_request_context():
        reader = PdfReader(io.BytesIO(application_pdf(application)))

    assert reader.metadata.title.startswith("Application G001-2425-0007")
    assert reader.metadata.author == ctx.config["COUNCIL_NAME"]
    width, height = (round(float(side)) for side in reader.pages[0].mediabox.upper_right)
    assert (width, height) == A4_POINTS
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Warm <b>spaces</b> & a café" in text  # shown as typed, never as markup
    assert "£1,250.50" in text and "Room hire: £980.00" in text
    assert f"Page 1 of {len(reader.pages)}" in text


def test_a_document_that_links_elsewhere_renders_without_fetching(ctx, tmp_path, monkeypatch):
    """An image pointing at the network or the disk is simply left out."""
    fetched = []
    original = LocalFilesOnly.fetch

    def recording_fetch(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(LocalFilesOnly, "fetch", recording_fetch)
    (tmp_path / "evil.html").write_text(
        '{% extends "pdf/_base.html" %}{% block body %}'
        '<img src="http://example.org/x.png"><img src="file:///etc/hostname">'
        '{% endblock %}')
    ctx.jinja_loader.loaders[0].searchpath.append(str(tmp_path))
    try:
        with ctx.test_request_context():
            pdf = render_pdf("evil.html")
    finally:
        ctx.jinja_loader.loaders[0].searchpath.remove(str(tmp_path))
    assert pdf.startswith(b"%PDF")
    assert fetched == ["http://example.org/x.png", "file:///etc/hostname"]


def test_a_submitted_copy_shows_the_organisation_as_it_was_sent(ctx):
    """The profile kept at submission is printed, not today's profile."""
    application = ApplicationFactory(reference="G001-2425-0008")
    organisation = application.organisation
    organisation.address_line_1, organisation.town = "12 Market Street", "Dewsbury"
    organisation.postcode, organisation.annual_income_pence = "WF13 1AB", 48_000_00
    application.organisation_snapshot = profile_snapshot(organisation)
    organisation.town = "Moved since"
    db.session.commit()
    with ctx.test_request_context():
        text = "\n".join(page.extract_text()
                         for page in PdfReader(io.BytesIO(application_pdf(application))).pages)
    assert "12 Market Street" in text and "Dewsbury" in text and "WF13 1AB" in text
    assert "£48,000.00" in text
    assert "Moved since" not in text
