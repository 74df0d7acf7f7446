"""Award letters as PDFs: what they say (read back from the PDF), how they are stored and
reused, variation letters, who may download them, and `flask awards letter`."""

import hashlib
import io
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from models import AwardLetter
from models.base import db, utcnow
from models.enums import (
    AwardChange,
    AwardStatus,
    LedgerKind,
    OrganisationRole,
    PaymentTiming,
    Role,
)
from portal.awards import letters, services
from portal.awards.terms import (
    ReturnDue,
    ScheduledPayment,
    Terms,
    record_version,
)
from portal.exceptions import NotAllowed
from portal.funding import ledger
from tests.awards.conftest import approved, make, offer_from, pooled_pot, pot, today
from tests.conftest import FILE_STORES, Store, sign_in_as
from tests.factories import (
    AwardFactory,
    FundingPartnerFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.html import soup


@pytest.fixture(autouse=True)
def letter_store(store) -> Store:
    """Each test keeps its letters in a store of its own."""
    return store


# The tests of storing letters run on each file store.
each_store = pytest.mark.parametrize("store", FILE_STORES, indirect=True)


def officer_user():
    return UserFactory(roles=(Role.GRANTS_OFFICER,))


def offer(round_, amount_pence: int = 1_250_50):
    """An offer of £1,250.50 to an organisation with an address, paid from an NHS pot and a
    Public Health pot, in two instalments in arrears."""
    organisation = OrganisationFactory(name="Holme Valley Friends", address_line_1="1 Mill Lane",
                                       town="Holmfirth", postcode="HD9 1AA")
    admin = MembershipFactory(organisation=organisation, role=OrganisationRole.ADMIN).user
    application = approved(round_, amount_pence, organisation=organisation, created_by=admin,
                           submitted_by=admin, title="Warm spaces for older people")
    nhs = pot(5_000_00, name="ICB partnership 2024/25", funder_name="NHS West Yorkshire ICB",
              acknowledgement="Funded by NHS West Yorkshire Integrated Care Board.")
    health = pot(5_000_00, name="Public Health 2024/25", funder_name="Public Health",
                 acknowledgement="Supported by the council's Public Health team.")
    start = today() + timedelta(days=7)
    terms = Terms(start, start + timedelta(days=180), PaymentTiming.IN_ARREARS,
                  (ScheduledPayment(start + timedelta(days=30), 750_00),
                   ScheduledPayment(start + timedelta(days=120), amount_pence - 750_00)),
                  (ReturnDue("Interim report", start + timedelta(days=90)),
                   ReturnDue("End of grant report", start + timedelta(days=200))))
    award = services.make_offer(officer_user(), application.id, services.OfferDetails(
        allocations={nhs.id: 1_000_00, health.id: amount_pence - 1_000_00},
        standard_conditions="1. Spend the grant on the project.\n2. Keep receipts.",
        special_conditions="Open the space three days a week.",
        accept_by=today() + timedelta(days=28), terms=terms), utcnow())
    return award, admin


def text_of(pdf: bytes) -> str:
    """The PDF's text with runs of whitespace made one space, as a reader would see it."""
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def uk(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


@pytest.mark.parametrize(("pence", "words"), [
    (1_250_50, "One thousand, two hundred and fifty pounds and fifty pence"),
    (1_000_00, "One thousand pounds"),
    (100, "One pound"),
    (101, "One pound and one penny"),
    (50, "Fifty pence"),
])
def test_amounts_in_words(pence, words):
    assert letters.amount_in_words(pence) == words


def test_the_letter_says_what_the_offer_is(ctx, round_):
    award, _ = offer(round_)
    stored, pdf = letters.letter(officer_user(), award.id)
    text = text_of(pdf)
    for expected in [
        award.reference, "Holme Valley Friends", "1 Mill Lane", "Holmfirth", "HD9 1AA",
        "Warm spaces for older people", "£1,250.50",
        "One thousand, two hundred and fifty pounds and fifty pence",
        "NHS West Yorkshire ICB", "£1,000.00", "Public Health", "£250.50",
        "Funded by NHS West Yorkshire Integrated Care Board.",
        "Supported by the council's Public Health team.",
        "in arrears", "£750.00", "£500.50",
        "Open the space three days a week.", "Keep receipts.",
        "Interim report", "End of grant report",
        "Sign in to Community grants and commissioning and open your grant offer",
        "Head of Communities", "On behalf of the council", "Your Council",
        "Council offices", "Town Hall",
    ]:
        assert expected in text, expected
    for instalment in award.instalments:
        assert uk(instalment.due_on) in text
    assert uk(award.accept_by) in text
    # The statement is long; it wraps, so compare it with whitespace made even.
    assert " ".join(award.subsidy_statement.split()) in text
    assert re.search(r"Page 1 of (\d+)", text)
    assert stored.number == 1 and stored.change is AwardChange.OFFER
    assert stored.sha256 == hashlib.sha256(pdf).hexdigest() and stored.size == len(pdf)


def test_the_pdf_has_a_title_an_author_and_embedded_fonts(ctx, round_):
    award, _ = offer(round_)
    _, pdf = letters.letter(officer_user(), award.id)
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata.title == f"Grant offer {award.reference} – Holme Valley Friends"
    assert reader.metadata.author == "Your Council"
    width, height = (float(n) for n in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    descriptors = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptors.append(descendant.get_object()["/FontDescriptor"].get_object())
    assert descriptors
    assert all("/FontFile2" in d or "/FontFile3" in d for d in descriptors)
    assert all(str(d["/FontName"]).split("+")[-1].startswith("DejaVu-Sans") for d in descriptors)


@each_store
def test_unchanged_data_reuses_the_stored_letter_and_a_change_makes_the_next_version(
        ctx, round_, letter_store):
    award, _ = offer(round_)
    officer = officer_user()
    first, first_pdf = letters.letter(officer, award.id)
    again, again_pdf = letters.letter(officer, award.id)
    assert again.id == first.id and again_pdf == first_pdf
    assert db.session.scalar(select(func.count(AwardLetter.id))) == 1
    assert letter_store.names("letters") == [f"{first.sha256}.pdf"]

    award.special_conditions = "Open the space five days a week."
    db.session.commit()
    second, second_pdf = letters.letter(officer, award.id)
    assert (second.number, second.award_version) == (2, 1)
    assert second.sha256 != first.sha256
    assert "five days a week" in text_of(second_pdf)
    # The first version is still there, as it was sent.
    _, old = letters.letter_version(officer, award.id, 1)
    assert old == first_pdf
    assert [each.number for each in letters.letters(officer, award.id)] == [2, 1]


def test_a_variation_gives_a_variation_letter(ctx, round_):
    award, _ = offer(round_)
    officer = officer_user()
    letters.letter(officer, award.id)
    award.end_date = award.end_date + timedelta(days=60)
    award.special_conditions = "Open the space four days a week."
    record_version(officer, award, AwardChange.VARIATION, "The project runs two months longer",
                   utcnow())
    db.session.commit()
    stored, pdf = letters.letter(officer, award.id)
    assert (stored.number, stored.award_version, stored.change) == (2, 2, AwardChange.VARIATION)
    text = text_of(pdf)
    assert f"Variation of your grant {award.reference}" in text
    assert "The project runs two months longer" in text
    assert f"to {uk(award.end_date)}." in text and "The grant period changes from" in text
    assert "How to accept" not in text
    assert PdfReader(io.BytesIO(pdf)).metadata.title.startswith("Grant variation")


def test_an_award_offered_before_versions_were_kept_gets_an_offer_letter(ctx):
    """Awards made before the terms' versions (and dates, schedule, returns) were recorded
    have none of them: their letter is the offer, dated when it was made."""
    award = AwardFactory(offered_at=datetime(2024, 7, 3, 9, 0, tzinfo=UTC))
    stored, pdf = letters.letter(officer_user(), award.id)
    assert (stored.number, stored.change) == (1, AwardChange.OFFER)
    text = text_of(pdf)
    assert f"Offer of a grant {award.reference}" in text and "Date: 3 July 2024" in text
    assert "Payment schedule" not in text and "Monitoring" not in text


def test_the_offer_link_is_printed_when_the_portal_has_a_public_name(ctx, round_, monkeypatch):
    award, _ = offer(round_)
    monkeypatch.setitem(ctx.config, "SERVER_NAME", "grants.example.org")
    data = letters.letter_data(award)
    assert data["accept"]["link"] == f"http://grants.example.org/awards/offers/{award.id}"


@each_store
def test_a_missing_file_is_made_again_and_an_unrecoverable_one_is_a_clear_error(
        ctx, round_, letter_store, client):
    award, admin = offer(round_)
    officer = officer_user()
    first, pdf = letters.letter(officer, award.id)
    name = f"{first.sha256}.pdf"
    letter_store.lose("letters", name)
    _, again = letters.letter_version(officer, award.id, 1)
    db.session.rollback()  # what was restored was committed
    assert again == pdf and letter_store.read("letters", name) == pdf
    letter_store.lose("letters", name)
    current, again = letters.letter(officer, award.id)
    assert (current.id, again) == (first.id, pdf)  # restored, not a new version
    assert letter_store.read("letters", name) == pdf

    # Damaged, and the award has changed since: it cannot be made again as it was.
    letter_store.put("letters", name, b"%PDF-1.7 damaged")
    award.special_conditions = "Changed."
    db.session.commit()
    with pytest.raises(letters.LetterUnavailable):
        letters.letter_version(officer, award.id, 1)
    sign_in_as(client, admin)
    response = client.get(f"/awards/{award.id}/letters/1.pdf")
    assert response.status_code == 404
    assert "cannot be found" in soup(response).select_one("#letter-unavailable").text
    # The current letter is made afresh.
    assert client.get(f"/awards/{award.id}/letter.pdf").mimetype == "application/pdf"


# Who may download letters --------------------------------------------------------------------


def test_the_organisation_and_staff_download_letters(ctx, round_, client):
    offered = make(round_)
    award = offered.award
    for person in [offered.admin, offered.member, officer_user(),
                   UserFactory(roles=(Role.ADMIN,))]:
        sign_in_as(client, person)
        response = client.get(f"/awards/{award.id}/letter.pdf")
        assert response.status_code == 200
        assert response.mimetype == "application/pdf"
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Content-Disposition"] == \
            f'attachment; filename="{award.reference}-letter-v1.pdf"'
        assert award.reference in text_of(response.data)
        version = client.get(f"/awards/{award.id}/letters/1.pdf")
        assert version.status_code == 200 and version.data == response.data
        assert client.get(f"/awards/{award.id}/letters/9.pdf").status_code == 404


def test_no_one_else_can_download_a_letter_and_guessing_ids_reveals_nothing(ctx, round_, client):
    award = make(round_).award
    letters.letter(officer_user(), award.id)
    stranger = MembershipFactory(organisation=OrganisationFactory(),
                                 role=OrganisationRole.ADMIN).user
    for person in [stranger, UserFactory(roles=(Role.ASSESSOR,)),
                   UserFactory(roles=(Role.COMMISSIONER,)), UserFactory()]:
        sign_in_as(client, person)
        for url in [f"/awards/{award.id}/letter.pdf", f"/awards/{award.id}/letters/1.pdf",
                    f"/awards/{award.id}/letters/9.pdf", f"/awards/{award.id + 99}/letter.pdf",
                    f"/awards/{award.id + 99}/letters/1.pdf"]:
            assert client.get(url).status_code == 403, (person, url)
    with pytest.raises(NotAllowed):
        letters.letter(stranger, award.id)
    signed_out = ctx.test_client().get(f"/awards/{award.id}/letter.pdf")
    assert signed_out.status_code == 302 and "/sign-in" in signed_out.headers["Location"]


def test_an_offer_that_was_withdrawn_keeps_its_letters_for_the_organisation(ctx, round_, client):
    offered = make(round_)
    services.withdraw(officer_user(), offered.award.id, "Project cancelled", utcnow())
    assert offered.award.status is AwardStatus.WITHDRAWN
    sign_in_as(client, offered.member)
    assert client.get(f"/awards/{offered.award.id}/letter.pdf").status_code == 200


def test_the_award_and_offer_pages_link_to_the_letters(ctx, round_, client):
    offered = make(round_)
    award = offered.award
    letters.letter(officer_user(), award.id)
    sign_in_as(client, offered.admin)
    page = soup(client.get(f"/awards/offers/{award.id}"))
    assert page.select_one("#current-letter").text == "Download your award letter (PDF)"
    assert page.select_one("#current-letter")["href"] == f"/awards/{award.id}/letter.pdf"
    assert [link["href"] for link in page.select("#letter-versions a")] == \
        [f"/awards/{award.id}/letters/1.pdf"]
    sign_in_as(client, officer_user())
    page = soup(client.get(f"/awards/{award.id}"))
    assert page.select_one("#letters h2").text == "Award letter"
    assert page.select_one("#letter-versions caption").text.strip() == "Letters sent"
    assert "Offer letter (terms version 1)" in page.select_one("#letter-versions").text


# The command line ----------------------------------------------------------------------------


def test_the_command_line_writes_a_letter(ctx, round_, tmp_path):
    award = make(round_).award
    output = tmp_path / "letter.pdf"
    result = ctx.test_cli_runner().invoke(args=["awards", "letter", award.reference,
                                                "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert f"version 1 of the letter for {award.reference}" in result.output
    assert award.reference in text_of(output.read_bytes())
    stored = db.session.scalar(select(AwardLetter))
    assert stored.sha256 == hashlib.sha256(output.read_bytes()).hexdigest()


def test_the_command_line_refuses_an_unknown_reference(ctx, tmp_path):
    output = tmp_path / "letter.pdf"
    result = ctx.test_cli_runner().invoke(args=["awards", "letter", "NOPE-0001",
                                                "--output", str(output)])
    assert result.exit_code != 0
    assert "There is no award with the reference NOPE-0001." in result.output
    assert not Path(output).exists()


def test_a_pooled_pot_prints_each_partners_acknowledgement(ctx, round_):
    icb = FundingPartnerFactory(name="The ICB", acknowledgement="Funded in part by the ICB.")
    health = FundingPartnerFactory(name="Public Health",
                                   acknowledgement="Supported by Public Health.")
    gone = FundingPartnerFactory(name="Gone", acknowledgement="Never printed.")
    pooled = pooled_pot({icb: 3_000_00, health: 1_000_00, gone: 5_00})
    ledger.post(officer_user(), [ledger.Posting(pooled.id, LedgerKind.BUDGET, -5_00, gone.id)],
                "Gone withdrew")
    award = offer_from(round_, pooled)

    text = text_of(letters.letter(officer_user(), award.id)[1])

    assert "Joint Working Board, pooled from The ICB, Public Health" in text
    assert "Funded in part by the ICB. Supported by Public Health." in text
    assert "Never printed." not in text
