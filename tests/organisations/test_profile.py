"""The organisation profile: organisation admins edit it a short page at a time; members and
council staff see it read-only; every change is audited; what is missing is named."""

import json
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from models import AuditEvent, Locality, Organisation, Ward
from models.base import db
from models.enums import LegalForm, OrganisationRole, Role
from portal.dates import LONDON
from portal.exceptions import NotAllowed, RuleBroken
from portal.organisations import services
from tests.conftest import sign_in_as
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.html import error_messages, soup, summary_errors

PAGES = ["names", "registration", "address", "size", "wards", "contact", "safeguarding"]

COMPLETE = {  # a profile with nothing missing (wards are added by `complete_organisation`)
    "name": "Marsden Warm Welcome", "legal_name": "Marsden Warm Welcome CIO",
    "legal_form": LegalForm.CIO, "charity_number": "1234567", "address_line_1": "1 Mill Lane",
    "town": "Marsden", "postcode": "HD7 6AA", "annual_income_pence": 1_250_050,
    "paid_staff": 2, "volunteers": 14, "contact_name": "Asha Patel",
    "contact_email": "asha@example.org", "has_safeguarding_policy": True,
    "safeguarding_review_date": date(2025, 9, 15),
}


@pytest.fixture
def wards(ctx) -> dict[str, Ward]:
    """Five wards in two localities."""
    places = {"Kirklees Rural": ["Denby Dale", "Colne Valley"],
              "Huddersfield": ["Newsome", "Almondbury", "Dalton"]}
    for locality, names in places.items():
        db.session.add(Locality(name=locality, wards=[Ward(name=name) for name in names]))
    db.session.commit()
    return {ward.name: ward for ward in db.session.scalars(select(Ward))}


def org_admin(client, **profile) -> Organisation:
    """A signed-in organisation admin of an organisation with this profile."""
    membership = MembershipFactory(role=OrganisationRole.ADMIN,
                                   organisation=OrganisationFactory(**profile))
    sign_in_as(client, membership.user)
    return membership.organisation


def complete_organisation(wards) -> Organisation:
    return OrganisationFactory(**COMPLETE, wards=[wards["Colne Valley"], wards["Newsome"]])


def save(client, organisation, page, data):
    return client.post(f"/organisations/{organisation.id}/profile/{page}", data=data)


def reloaded(organisation) -> Organisation:
    db.session.expire_all()
    return db.session.get(Organisation, organisation.id)


def profile_events() -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "organisation.profile_changed").order_by(AuditEvent.id)))


def value_of(page, name) -> str | None:
    """What a text box shows."""
    return page.find("input", {"name": name}).get("value")


def assert_saved(response, organisation):
    assert response.status_code == 302
    assert response.headers["Location"] == f"/organisations/{organisation.id}"


def assert_refused(response, organisation, messages):
    """The page again, with each message beside its field and in the summary; nothing saved."""
    assert response.status_code == 200
    assert error_messages(response) == messages
    assert sorted(summary_errors(response)) == sorted(messages.values())
    assert profile_events() == []
    assert reloaded(organisation).updated_at is None


# Names and legal form ------------------------------------------------------------------------


def test_names_page_saves_and_audits_the_change(client):
    """Saved names and legal form are shown on the organisation page; one audit event lists
    each changed field with its old and new value."""
    organisation = org_admin(client, name="Marsden Warm Welcome")
    response = save(client, organisation, "names", {
        "legal_name": " Marsden Community Trust ", "name": "Marsden Warm Welcome",
        "legal_form": "cio"})
    assert_saved(response, organisation)

    saved = reloaded(organisation)
    assert (saved.legal_name, saved.legal_form) == ("Marsden Community Trust", LegalForm.CIO)
    assert saved.updated_at is not None
    [event] = profile_events()
    assert event.details == {"changed": {"legal_name": [None, "Marsden Community Trust"],
                                         "legal_form": [None, "cio"]}}
    assert (event.object_type, event.object_id) == ("Organisation", organisation.id)

    page = soup(client.get(response.headers["Location"]))
    assert "Your organisation’s profile has been updated." in page.text
    card = page.select_one(".govuk-summary-card")
    assert "Charitable incorporated organisation (CIO)" in card.text


def test_names_page_is_filled_from_the_profile(client):
    organisation = org_admin(client, name="Birstall Men’s Shed", legal_name="Birstall Shed Ltd",
                             legal_form=LegalForm.COMPANY_LIMITED_BY_GUARANTEE)
    page = soup(client.get(f"/organisations/{organisation.id}/profile/names"))
    assert value_of(page, "legal_name") == "Birstall Shed Ltd"
    assert value_of(page, "name") == "Birstall Men’s Shed"
    assert page.find("input", {"name": "legal_form", "checked": True})["value"] == \
        "company_limited_by_guarantee"


def test_names_page_explains_what_is_missing(client):
    organisation = org_admin(client)
    response = save(client, organisation, "names", {"legal_name": "  ", "name": ""})
    assert_refused(response, organisation, {
        "legal_name": "Enter your organisation’s legal name",
        "name": "Enter the name your organisation is known by",
        "legal_form": "Select your organisation’s legal form"})


def test_names_page_keeps_what_was_typed_when_a_name_is_too_long(client):
    organisation = org_admin(client)
    response = save(client, organisation, "names", {
        "legal_name": "L" * 201, "name": "Known As", "legal_form": "faith_group"})
    assert_refused(response, organisation,
                   {"legal_name": "Legal name must be 200 characters or fewer"})
    page = soup(response)
    assert value_of(page, "legal_name") == "L" * 201
    assert value_of(page, "name") == "Known As"
    assert page.find("input", {"name": "legal_form", "checked": True})["value"] == "faith_group"


# Registration numbers ------------------------------------------------------------------------


def test_registration_numbers_are_stored_normalised(client):
    organisation = org_admin(client, legal_form=LegalForm.CIO)
    response = save(client, organisation, "registration",
                    {"charity_number": " 123 4567 ", "company_number": "ce 10135"})
    assert_saved(response, organisation)
    saved = reloaded(organisation)
    assert (saved.charity_number, saved.company_number) == ("1234567", "CE010135")
    [event] = profile_events()
    assert event.details["changed"] == {"charity_number": [None, "1234567"],
                                        "company_number": [None, "CE010135"]}


def test_registration_numbers_in_the_wrong_format_are_explained_and_kept(client):
    organisation = org_admin(client)
    response = save(client, organisation, "registration",
                    {"charity_number": "12-34", "company_number": "AB123456"})
    assert_refused(response, organisation, {
        "charity_number": "Enter a charity number in the correct format, like 1234567 or "
                          "SC012345",
        "company_number": "Enter a company number in the correct format, like 01234567 or "
                          "SC123456"})
    page = soup(response)
    assert (value_of(page, "charity_number"), value_of(page, "company_number")) == \
        ("12-34", "AB123456")


@pytest.mark.parametrize(("legal_form", "field", "message"), [
    (LegalForm.CHARITY, "charity_number", "Enter your charity number"),
    (LegalForm.CIO, "charity_number", "Enter your charity number"),
    (LegalForm.CIC, "company_number", "Enter your company number"),
    (LegalForm.COMPANY_LIMITED_BY_GUARANTEE, "company_number", "Enter your company number"),
])
def test_legal_forms_that_are_registered_must_give_their_number(client, legal_form, field,
                                                                 message):
    organisation = org_admin(client, legal_form=legal_form)
    page = soup(client.get(f"/organisations/{organisation.id}/profile/registration"))
    assert f"must give its {field.replace('_', ' ')}" in page.select_one("main p").text

    response = save(client, organisation, "registration",
                    {"charity_number": "", "company_number": ""})
    assert_refused(response, organisation, {field: message})


@pytest.mark.parametrize("legal_form", [
    LegalForm.COMMUNITY_BENEFIT_SOCIETY, LegalForm.CONSTITUTED_GROUP, LegalForm.FAITH_GROUP,
    LegalForm.TOWN_OR_PARISH_COUNCIL, None])
def test_other_legal_forms_need_no_number(client, legal_form):
    organisation = org_admin(client, legal_form=legal_form, charity_number="1234567")
    response = save(client, organisation, "registration",
                    {"charity_number": "", "company_number": ""})
    assert_saved(response, organisation)
    assert reloaded(organisation).charity_number is None
    assert profile_events()[0].details["changed"] == {"charity_number": ["1234567", None]}


def test_a_community_benefit_societys_number_is_checked_when_given(client):
    """Societies register with the FCA, so the number is optional; given, it must be real."""
    organisation = org_admin(client, legal_form=LegalForm.COMMUNITY_BENEFIT_SOCIETY)
    refused = save(client, organisation, "registration", {"company_number": "IP123456R"})
    assert error_messages(refused) == {"company_number": "Enter a company number in the "
                                                         "correct format, like 01234567 or "
                                                         "SC123456"}
    assert_saved(save(client, organisation, "registration", {"company_number": "ip 525r"}),
                 organisation)
    assert reloaded(organisation).company_number == "IP00525R"


# Registered address --------------------------------------------------------------------------


def test_address_is_saved_with_the_postcode_normalised(client):
    organisation = org_admin(client)
    response = save(client, organisation, "address", {
        "address_line_1": "Unit 4, Mill Yard", "address_line_2": "", "town": "Holmfirth",
        "postcode": "hd9 2aa"})
    assert_saved(response, organisation)
    saved = reloaded(organisation)
    assert (saved.address_line_1, saved.address_line_2, saved.town, saved.postcode) == \
        ("Unit 4, Mill Yard", None, "Holmfirth", "HD9 2AA")
    page = soup(client.get(f"/organisations/{organisation.id}"))
    address = page.find("dt", string=lambda text: text and text.strip() == "Address")
    assert address.find_next("dd").get_text("|", strip=True) == \
        "Unit 4, Mill Yard|Holmfirth|HD9 2AA"


def test_address_page_explains_each_missing_part(client):
    organisation = org_admin(client)
    response = save(client, organisation, "address",
                    {"address_line_1": "", "address_line_2": "Upper Floor", "town": "",
                     "postcode": ""})
    assert_refused(response, organisation, {
        "address_line_1": "Enter address line 1, typically the building and street",
        "town": "Enter town or city", "postcode": "Enter postcode"})
    assert value_of(soup(response), "address_line_2") == "Upper Floor"


def test_a_postcode_that_is_not_real_is_refused_and_kept(client):
    organisation = org_admin(client)
    response = save(client, organisation, "address",
                    {"address_line_1": "1 Mill Lane", "town": "Marsden", "postcode": "HD7 CAT"})
    assert_refused(response, organisation, {"postcode": "Enter a real postcode, like HD1 2TA"})
    assert value_of(soup(response), "postcode") == "HD7 CAT"
    assert value_of(soup(response), "address_line_1") == "1 Mill Lane"


# Income, staff and volunteers ----------------------------------------------------------------


def test_income_in_pounds_and_counts_are_saved(client):
    """"£1,250.50" is stored as pence; counts may have thousands commas; audit has pence."""
    organisation = org_admin(client)
    response = save(client, organisation, "size",
                    {"annual_income_pence": "£1,250.50", "paid_staff": "0",
                     "volunteers": "1,200"})
    assert_saved(response, organisation)
    saved = reloaded(organisation)
    assert (saved.annual_income_pence, saved.paid_staff, saved.volunteers) == (125050, 0, 1200)
    assert profile_events()[0].details["changed"] == {
        "annual_income_pence": [None, 125050], "paid_staff": [None, 0],
        "volunteers": [None, 1200]}

    page = soup(client.get(f"/organisations/{organisation.id}/profile/size"))
    assert value_of(page, "annual_income_pence") == "1,250.50"
    assert (value_of(page, "paid_staff"), value_of(page, "volunteers")) == ("0", "1200")
    shown = soup(client.get(f"/organisations/{organisation.id}")).text
    assert "£1,250.50" in shown


def test_an_income_of_nothing_is_an_answer(client):
    organisation = org_admin(client)
    assert_saved(save(client, organisation, "size", {
        "annual_income_pence": "0", "paid_staff": "0", "volunteers": "3"}), organisation)
    assert reloaded(organisation).annual_income_pence == 0


def test_size_page_explains_what_is_missing(client):
    organisation = org_admin(client)
    response = save(client, organisation, "size",
                    {"annual_income_pence": "", "paid_staff": " ", "volunteers": ""})
    assert_refused(response, organisation, {
        "annual_income_pence": "Enter your organisation’s income in its last accounts",
        "paid_staff": "Enter the number of paid staff",
        "volunteers": "Enter the number of volunteers"})


@pytest.mark.parametrize(("income", "staff", "volunteers", "messages"), [
    ("-5", "-3", "2.5", {
        "annual_income_pence": "Your organisation’s income must be more than £0",
        "paid_staff": "Number of paid staff must be 0 or more",
        "volunteers": "Number of volunteers must be a whole number, like 12"}),
    ("abc", "1000001", "twelve", {
        "annual_income_pence": "Enter your organisation’s income in pounds, like £12,500",
        "paid_staff": "Number of paid staff must be 1,000,000 or fewer",
        "volunteers": "Number of volunteers must be a whole number, like 12"}),
    ("1,25", "9" * 30, "12", {
        "annual_income_pence": "Enter your organisation’s income in pounds, like £12,500",
        "paid_staff": "Number of paid staff must be 20 characters or fewer"}),
])
def test_size_page_refuses_bad_numbers_and_keeps_them(client, income, staff, volunteers,
                                                      messages):
    organisation = org_admin(client)
    response = save(client, organisation, "size", {
        "annual_income_pence": income, "paid_staff": staff, "volunteers": volunteers})
    assert_refused(response, organisation, messages)
    page = soup(response)
    assert [value_of(page, name) for name in ("annual_income_pence", "paid_staff",
                                              "volunteers")] == [income, staff, volunteers]


# Wards served --------------------------------------------------------------------------------


def test_wards_are_chosen_from_checkboxes_grouped_by_locality(client, wards):
    organisation = org_admin(client, wards=[wards["Dalton"]])
    page = soup(client.get(f"/organisations/{organisation.id}/profile/wards"))
    groups = [heading.text for heading in page.select("fieldset h2")]
    assert groups == ["Huddersfield", "Kirklees Rural"]
    labels = [label.text.strip() for label in page.select(".govuk-checkboxes__label")]
    assert labels == ["Almondbury", "Dalton", "Newsome", "Colne Valley", "Denby Dale"]
    assert [box.find_next("label").text.strip()
            for box in page.select("input[name=wards][checked]")] == ["Dalton"]
    assert page.select_one("input#wards")["value"] == str(wards["Almondbury"].id)

    response = save(client, organisation, "wards",
                    {"wards": [wards["Newsome"].id, wards["Colne Valley"].id]})
    assert_saved(response, organisation)
    assert [ward.name for ward in reloaded(organisation).wards] == ["Colne Valley", "Newsome"]
    assert profile_events()[0].details["changed"] == {
        "wards": [["Dalton"], ["Colne Valley", "Newsome"]]}


def test_at_least_one_ward_must_be_chosen(client, wards):
    organisation = org_admin(client)
    response = save(client, organisation, "wards", {})
    assert_refused(response, organisation,
                   {"wards": "Select the wards your organisation serves"})
    assert soup(response).select_one(".govuk-error-summary a")["href"] == "#wards"


def test_a_ward_that_does_not_exist_is_refused(client, wards):
    organisation = org_admin(client)
    response = save(client, organisation, "wards", {"wards": ["987654"]})
    assert_refused(response, organisation,
                   {"wards": "Select the wards your organisation serves"})


# Main contact --------------------------------------------------------------------------------


def test_main_contact_is_saved(client):
    organisation = org_admin(client)
    response = save(client, organisation, "contact", {
        "contact_name": "Asha Patel", "contact_email": " asha@example.org ",
        "contact_phone": "+44  1632 960001"})
    assert_saved(response, organisation)
    saved = reloaded(organisation)
    assert (saved.contact_name, saved.contact_email, saved.contact_phone) == \
        ("Asha Patel", "asha@example.org", "+44 1632 960001")


def test_the_telephone_number_is_optional(client):
    organisation = org_admin(client)
    assert_saved(save(client, organisation, "contact", {
        "contact_name": "Asha Patel", "contact_email": "asha@example.org",
        "contact_phone": ""}), organisation)
    assert reloaded(organisation).contact_phone is None


def test_main_contact_page_explains_what_is_missing(client):
    organisation = org_admin(client)
    response = save(client, organisation, "contact", {"contact_name": "", "contact_email": ""})
    assert_refused(response, organisation, {
        "contact_name": "Enter the main contact’s full name",
        "contact_email": "Enter the main contact’s email address"})


@pytest.mark.parametrize("phone", ["01632 abc 001", "(01632) 960001", "12345", "0044+1632960001",
                                   "1" * 16])
def test_bad_email_addresses_and_telephone_numbers_are_refused_and_kept(client, phone):
    organisation = org_admin(client)
    response = save(client, organisation, "contact", {
        "contact_name": "Asha Patel", "contact_email": "asha@", "contact_phone": phone})
    assert_refused(response, organisation, {
        "contact_email": "Enter an email address in the correct format, like name@example.com",
        "contact_phone": "Enter a telephone number in the correct format, like 01632 960 001, "
                         "07700 900 982 or +44 808 157 0192"})
    page = soup(response)
    assert (value_of(page, "contact_email"), value_of(page, "contact_phone")) == \
        ("asha@", phone)


# Safeguarding --------------------------------------------------------------------------------


def london_today() -> date:
    return datetime.now(LONDON).date()


def review_date(when: date | None = None, day="", month="", year="") -> dict:
    """The three date boxes (which share a name): from a date, or as typed in each box."""
    boxes = [str(when.day), str(when.month), str(when.year)] if when else [day, month, year]
    return {"safeguarding_review_date": boxes}


def test_a_safeguarding_policy_and_its_review_date_are_saved(client):
    organisation = org_admin(client)
    response = save(client, organisation, "safeguarding", {
        "has_safeguarding_policy": "yes", **review_date(date(2025, 9, 15))})
    assert_saved(response, organisation)
    saved = reloaded(organisation)
    assert (saved.has_safeguarding_policy, saved.safeguarding_review_date) == \
        (True, date(2025, 9, 15))
    assert profile_events()[0].details["changed"] == {
        "has_safeguarding_policy": [None, True],
        "safeguarding_review_date": [None, "2025-09-15"]}
    assert "15 September 2025" in soup(client.get(f"/organisations/{organisation.id}")).text

    page = soup(client.get(f"/organisations/{organisation.id}/profile/safeguarding"))
    assert page.select_one("#safeguarding_review_date-day")["value"] == "15"
    assert page.find("input", {"name": "has_safeguarding_policy", "checked": True})["value"] \
        == "yes"


def test_today_is_a_possible_review_date(client):
    organisation = org_admin(client)
    assert_saved(save(client, organisation, "safeguarding", {
        "has_safeguarding_policy": "yes", **review_date(london_today())}), organisation)


def test_no_policy_removes_the_review_date_and_ignores_the_date_boxes(client):
    organisation = org_admin(client, has_safeguarding_policy=True,
                             safeguarding_review_date=date(2024, 1, 31))
    response = save(client, organisation, "safeguarding", {
        "has_safeguarding_policy": "no", **review_date(day="31", month="2", year="")})
    assert_saved(response, organisation)
    saved = reloaded(organisation)
    assert (saved.has_safeguarding_policy, saved.safeguarding_review_date) == (False, None)
    assert profile_events()[0].details["changed"] == {
        "has_safeguarding_policy": [True, False],
        "safeguarding_review_date": ["2024-01-31", None]}


@pytest.mark.parametrize(("data", "messages"), [
    ({}, {"has_safeguarding_policy": "Select yes if your organisation has a safeguarding "
                                     "policy"}),
    ({"has_safeguarding_policy": "yes"},
     {"safeguarding_review_date": "Enter the date your safeguarding policy was last reviewed"}),
    ({"has_safeguarding_policy": "yes", **review_date(day="3", month="4", year="")},
     {"safeguarding_review_date": "Date it was last reviewed must include a year"}),
    ({"has_safeguarding_policy": "yes", **review_date(day="31", month="2", year="2025")},
     {"safeguarding_review_date": "Date it was last reviewed must be a real date"}),
    ({"has_safeguarding_policy": "yes", **review_date(london_today() + timedelta(days=2))},
     {"safeguarding_review_date": "Date it was last reviewed must be today or in the past"}),
])
def test_safeguarding_page_explains_each_problem(client, data, messages):
    organisation = org_admin(client)
    response = save(client, organisation, "safeguarding", data)
    assert_refused(response, organisation, messages)
    page = soup(response)
    typed = [page.select_one(f"#safeguarding_review_date-{box}").get("value") or ""
             for box in ("day", "month", "year")]
    assert typed == data.get("safeguarding_review_date", ["", "", ""])
    if "safeguarding_review_date" in messages:
        assert page.select_one(".govuk-error-summary a")["href"] == \
            "#safeguarding_review_date-day"


# Saving, completeness, who may see and change it -----------------------------------------------


def test_saving_without_changing_anything_writes_nothing(client):
    organisation = org_admin(client, name="Same", legal_name="Same Ltd",
                             legal_form=LegalForm.CIC)
    response = save(client, organisation, "names",
                    {"legal_name": "Same Ltd", "name": "Same", "legal_form": "cic"})
    assert_saved(response, organisation)
    assert profile_events() == []
    assert reloaded(organisation).updated_at is None
    assert "has been updated" not in soup(client.get(f"/organisations/{organisation.id}")).text


def test_admin_sees_what_is_missing_and_a_change_link_for_every_page(client):
    organisation = org_admin(client, name="New Group", legal_form=LegalForm.CIO)
    page = soup(client.get(f"/organisations/{organisation.id}"))
    assert " ".join(page.select_one("#profile-completeness").text.split()) == (
        "Your profile is not complete. It still needs: legal name, charity number, registered "
        "address, income in the last accounts, number of paid staff, number of volunteers, "
        "wards served, main contact and whether it has a safeguarding policy.")
    links = [link["href"] for link in page.select(".govuk-summary-card__actions a")]
    assert links == [f"/organisations/{organisation.id}/profile/{name}" for name in PAGES]
    assert page.select_one(".govuk-summary-card__actions a").get_text(" ", strip=True) == \
        "Change (Names and legal form)"


def test_a_complete_profile_says_so(client, wards):
    organisation = complete_organisation(wards)
    MembershipFactory(organisation=organisation, role=OrganisationRole.MEMBER)
    member = organisation.memberships[0].user
    sign_in_as(client, member)
    page = soup(client.get(f"/organisations/{organisation.id}"))
    assert page.select_one("#profile-completeness").text.strip() == "Your profile is complete."
    assert page.select(".govuk-summary-card__actions a") == []  # members only read it


@pytest.mark.parametrize("role", [Role.GRANTS_OFFICER, Role.COMMISSIONER, Role.ADMIN])
def test_council_staff_see_the_profile_read_only(client, wards, role):
    organisation = complete_organisation(wards)
    sign_in_as(client, UserFactory(roles=(role,)))
    page = soup(client.get(f"/organisations/{organisation.id}"))
    values = {dt.get_text(strip=True): dt.find_next("dd").get_text(" ", strip=True)
              for dt in page.select(".govuk-summary-list__key")}
    assert values == {
        "Legal name": "Marsden Warm Welcome CIO", "Known as": "Marsden Warm Welcome",
        "Legal form": "Charitable incorporated organisation (CIO)",
        "Charity number": "1234567", "Company number": "Not given",
        "Address": "1 Mill Lane Marsden HD7 6AA",
        "Income in the last accounts": "£12,500.50", "Paid staff": "2", "Volunteers": "14",
        "Wards": "Colne Valley, Newsome", "Name": "Asha Patel",
        "Email address": "asha@example.org", "Telephone number": "Not given",
        "Safeguarding policy": "Yes", "Last reviewed": "15 September 2025"}
    assert page.select(".govuk-summary-card__actions a") == []
    assert page.select_one("#profile-completeness").text.strip() == "This profile is complete."
    for name in PAGES:
        assert client.get(f"/organisations/{organisation.id}/profile/{name}").status_code == 403


@pytest.mark.parametrize("page", PAGES)
def test_members_who_are_not_admins_cannot_edit(client, page):
    member = MembershipFactory(role=OrganisationRole.MEMBER, organisation__name="Kept")
    sign_in_as(client, member.user)
    path = f"/organisations/{member.organisation_id}/profile/{page}"
    assert client.get(path).status_code == 403
    assert client.post(path, data={"name": "Changed", "legal_name": "Changed",
                                   "legal_form": "cic"}).status_code == 403
    assert reloaded(member.organisation).name == "Kept"
    assert profile_events() == []


@pytest.mark.parametrize("page", PAGES)
def test_another_organisations_admin_cannot_edit(client, page):
    theirs = MembershipFactory(role=OrganisationRole.ADMIN, organisation__name="Kept")
    org_admin(client)
    path = f"/organisations/{theirs.organisation_id}/profile/{page}"
    assert client.get(path).status_code == 403
    assert client.post(path, data={"name": "Changed", "legal_name": "Changed",
                                   "legal_form": "cic"}).status_code == 403
    assert reloaded(theirs.organisation).name == "Kept"


# The service, as other areas use it ---------------------------------------------------------


def test_profile_gaps_of_a_new_organisation(ctx):
    assert services.profile_gaps(OrganisationFactory()) == [
        "Legal name", "Legal form", "Registered address", "Income in the last accounts",
        "Number of paid staff", "Number of volunteers", "Wards served", "Main contact",
        "Whether it has a safeguarding policy"]


@pytest.mark.parametrize(("changes", "gaps"), [
    ({}, []),
    ({"has_safeguarding_policy": False, "safeguarding_review_date": None}, []),
    ({"safeguarding_review_date": None}, ["Date the safeguarding policy was last reviewed"]),
    ({"legal_form": LegalForm.CIC}, ["Company number"]),
    ({"legal_form": LegalForm.COMMUNITY_BENEFIT_SOCIETY, "charity_number": None}, []),
    ({"paid_staff": 0, "volunteers": 0, "annual_income_pence": 0}, []),
    ({"town": None, "contact_email": None}, ["Registered address", "Main contact"]),
])
def test_profile_gaps_follow_the_legal_form_and_the_answers(ctx, wards, changes, gaps):
    organisation = complete_organisation(wards)
    for field, value in changes.items():
        setattr(organisation, field, value)
    assert services.profile_gaps(organisation) == gaps


def test_profile_snapshot_is_plain_json(ctx, wards):
    snapshot = services.profile_snapshot(complete_organisation(wards))
    assert json.loads(json.dumps(snapshot)) == snapshot
    assert snapshot == {
        **COMPLETE,
        "legal_form": "cio", "safeguarding_review_date": "2025-09-15",
        "wards": ["Colne Valley", "Newsome"], "company_number": None, "address_line_2": None,
        "contact_phone": None}


def test_update_profile_checks_the_policy_and_the_identifiers(ctx):
    admin = MembershipFactory(role=OrganisationRole.ADMIN,
                              organisation__legal_form=LegalForm.CHARITY)
    organisation = admin.organisation
    member = MembershipFactory(organisation=organisation, role=OrganisationRole.MEMBER).user
    for user in (member, UserFactory(roles=(Role.ADMIN,))):
        with pytest.raises(NotAllowed):
            services.update_profile(user, organisation, {"legal_name": "Taken Over"})

    with pytest.raises(RuleBroken) as broken:
        services.update_profile(admin.user, organisation, {"postcode": "nowhere"})
    assert (broken.value.field, broken.value.message) == \
        ("postcode", "Enter a real postcode, like HD1 2TA")
    with pytest.raises(RuleBroken) as broken:
        services.update_profile(admin.user, organisation, {"charity_number": " "})
    assert (broken.value.field, broken.value.message) == \
        ("charity_number", "Enter your charity number")
    with pytest.raises(RuleBroken) as broken:
        services.update_profile(admin.user, organisation, {"name": ""})
    assert broken.value.field == "name"
    with pytest.raises(ValueError, match="not profile fields"):
        services.update_profile(admin.user, organisation, {"id": 5})

    assert services.update_profile(admin.user, organisation,
                                   {"charity_number": "sc 012345", "legal_form": LegalForm.CIO})
    assert (organisation.charity_number, organisation.legal_form) == ("SC012345", LegalForm.CIO)
    # Choosing a legal form before giving its number is allowed; the gap shows it.
    assert services.update_profile(admin.user, organisation, {"legal_form": LegalForm.CIC})
    assert "Company number" in services.profile_gaps(organisation)
    assert len(profile_events()) == 2
