"""The organisation's answer to an award offer: being told of it, seeing it, accepting or
declining it, and offers lapsing when not accepted in time."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from models import AuditEvent, Award, FundingPot
from models.base import db, utcnow
from models.enums import AwardStatus, LedgerKind, OrganisationRole, Role
from portal import mail
from portal.awards import services
from portal.dates import to_london
from portal.funding import ledger
from tests.awards.conftest import Offered, approved, make, pot, today
from tests.conftest import sign_in_as
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.html import assert_well_formed, error_messages, form_data, soup
from tests.querycount import count_queries

ACCEPT = {"signatory_name": "Priya Shah", "signatory_position": "Chair of trustees",
          "declaration": "y"}


def offer_url(award: Award, action: str = "") -> str:
    return f"/awards/offers/{award.id}" + (f"/{action}" if action else "")


@pytest.fixture
def offered(round_) -> Offered:
    return make(round_)


def lapse(award: Award) -> None:
    """Put the offer's date to accept by in the past."""
    award.accept_by = today() - timedelta(days=1)
    db.session.commit()


def committed(fund: FundingPot) -> int:
    return ledger.balances([fund.id])[fund.id].committed_pence


def audits(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# Telling the organisation --------------------------------------------------------------------


def test_making_an_offer_emails_the_submitter_and_the_admins_once_each(client, officer,
                                                                        round_, outbox):
    organisation = OrganisationFactory()
    admin = MembershipFactory(organisation=organisation, role=OrganisationRole.ADMIN).user
    other_admin = MembershipFactory(organisation=organisation, role=OrganisationRole.ADMIN).user
    plain = MembershipFactory(organisation=organisation, role=OrganisationRole.MEMBER).user
    application = approved(round_, 1_000_00, organisation=organisation, created_by=admin,
                           submitted_by=admin)
    fund = pot(5_000_00)
    accept_by = today() + timedelta(days=20)
    url = f"/awards/applications/{application.id}/offer"
    response = client.post(url, data={
        **form_data(client.get(url)), f"pot_{fund.id}": "1,000",
        "standard_conditions": "1. Spend it.",
        "accept_by": [str(accept_by.day), str(accept_by.month), str(accept_by.year)]})
    assert response.status_code == 302
    award = db.session.scalar(select(Award))
    assert sorted(m["To"] for m in outbox.messages()) == sorted([admin.email,
                                                                other_admin.email])
    assert outbox.to(plain.email) == []
    text = outbox.to(admin.email)[0].get_body(("plain",)).get_content()
    assert "£1,000.00" in text
    assert f"{accept_by.day} " in text and str(accept_by.year) in text
    assert outbox.last_link(admin.email) == f"/awards/offers/{award.id}"


def test_a_mail_failure_does_not_undo_the_offer(ctx, round_, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(mail, "send_email", broken)
    made = make(round_)
    assert db.session.get(Award, made.award.id).status is AwardStatus.OFFERED
    assert committed(made.pot) == 1_000_00


# Seeing the offer ----------------------------------------------------------------------------


def test_a_member_sees_the_offer_but_only_an_admin_may_accept(client, offered):
    offered.pot.acknowledgement = "Funded by the Partnership Fund"
    db.session.commit()
    sign_in_as(client, offered.member)
    response = client.get(offer_url(offered.award))
    assert response.status_code == 200
    assert_well_formed(response.get_data(as_text=True))
    page = soup(response)
    summary = page.select_one("#offer").get_text(" ", strip=True)
    assert offered.award.reference in summary and "£1,000.00" in summary
    assert "Offered" in summary
    funding = page.select_one("#funding").get_text(" ", strip=True)
    assert offered.pot.funder_name in funding and "Funded by the Partnership Fund" in funding
    assert "Send receipts." in page.select_one("#special-conditions").get_text()
    assert page.select_one("form#accept") is None
    assert "Only an organisation admin can accept" in page.select_one("#admins-only").get_text()


def test_an_admin_sees_the_acceptance_form_naming_the_organisation(client, offered):
    sign_in_as(client, offered.admin)
    page = soup(client.get(offer_url(offered.award)))
    form = page.select_one("form#accept")
    assert form is not None
    label = form.select_one("label[for=declaration]").get_text(" ", strip=True)
    assert offered.award.application.organisation.name in label


@pytest.mark.parametrize("who", ["other organisation", "assessor", "commissioner", "officer"])
def test_nobody_outside_the_organisation_sees_its_offer(client, offered, who):
    people = {
        "other organisation": lambda: MembershipFactory(role=OrganisationRole.ADMIN).user,
        "assessor": lambda: UserFactory(roles=(Role.ASSESSOR,)),
        "commissioner": lambda: UserFactory(roles=(Role.COMMISSIONER,)),
        "officer": lambda: UserFactory(roles=(Role.GRANTS_OFFICER,)),
    }
    sign_in_as(client, people[who]())
    for url in (offer_url(offered.award), offer_url(offered.award, "decline")):
        assert client.get(url).status_code == 403
    assert client.post(offer_url(offered.award, "accept"), data=ACCEPT).status_code == 403
    assert client.post(offer_url(offered.award, "decline"),
                       data={"reason": "No"}).status_code == 403
    assert db.session.get(Award, offered.award.id).status is AwardStatus.OFFERED


def test_an_unknown_offer_is_refused_like_another_organisations(client, offered):
    sign_in_as(client, offered.admin)
    assert client.get(f"/awards/offers/{offered.award.id + 1000}").status_code == 403


def test_the_offer_page_takes_the_same_queries_however_many_pots_pay(client, round_):
    small, large = make(round_, allocations=1), make(round_, allocations=4)
    found = []
    for made in (small, large):
        sign_in_as(client, made.admin)
        url = offer_url(made.award)
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        found.append(len(statements))
    assert found[0] == found[1]


def test_the_application_page_links_to_the_offer(client, offered):
    sign_in_as(client, offered.member)
    page = soup(client.get(f"/applications/{offered.award.application_id}"))
    assert page.select_one("#award-offer") is not None
    assert page.select_one(f"a[href='{offer_url(offered.award)}']") is not None


# Accepting -----------------------------------------------------------------------------------


def test_an_admin_accepts_recording_who_when_and_where(client, offered):
    sign_in_as(client, offered.admin)
    before = utcnow()
    response = client.post(offer_url(offered.award, "accept"), data=ACCEPT,
                           environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert response.status_code == 302
    award = db.session.get(Award, offered.award.id)
    db.session.refresh(award)
    assert award.status is AwardStatus.ACCEPTED
    assert award.answered_by_id == offered.admin.id
    assert award.answered_at >= before.replace(microsecond=0) - timedelta(seconds=1)
    assert (award.signatory_name, award.signatory_position) == ("Priya Shah",
                                                                "Chair of trustees")
    assert award.answer_ip == "203.0.113.7"
    [event] = audits("award.accepted")
    assert event.actor_id == offered.admin.id and event.details["ip"] == "203.0.113.7"
    assert committed(offered.pot) == 1_000_00  # accepting keeps the money committed
    page = soup(client.get(offer_url(award)))
    assert "Accepted" in page.select_one("#offer").get_text()
    assert page.select_one("form#accept") is None


def test_a_plain_member_cannot_accept(client, offered):
    sign_in_as(client, offered.member)
    response = client.post(offer_url(offered.award, "accept"), data=ACCEPT)
    assert response.status_code == 302
    page = soup(client.get(response.location))
    assert "Only an organisation admin can accept" in page.get_text()
    award = db.session.get(Award, offered.award.id)
    db.session.refresh(award)
    assert award.status is AwardStatus.OFFERED and award.answered_at is None
    assert audits("award.accepted") == []


def test_missing_answers_are_shown_beside_their_fields_and_kept(client, offered):
    sign_in_as(client, offered.admin)
    response = client.post(offer_url(offered.award, "accept"),
                           data={"signatory_name": "Priya Shah", "signatory_position": " "})
    assert response.status_code == 200
    assert error_messages(response) == {
        "signatory_position": "Enter their position in the organisation",
        "declaration": "Confirm that you are authorised to accept this grant"}
    assert soup(response).select_one("#signatory_name")["value"] == "Priya Shah"
    response = client.post(offer_url(offered.award, "accept"), data={"declaration": "y"})
    assert error_messages(response)["signatory_name"] == "Enter the name of the person accepting"
    assert soup(response).select_one("#declaration").has_attr("checked")
    assert db.session.get(Award, offered.award.id).status is AwardStatus.OFFERED


def test_an_offer_past_its_date_shows_as_expired_and_cannot_be_accepted(client, offered):
    lapse(offered.award)
    sign_in_as(client, offered.admin)
    page = soup(client.get(offer_url(offered.award)))
    assert "Expired" in page.select_one("#offer").get_text()
    assert page.select_one("form#accept") is None
    response = client.post(offer_url(offered.award, "accept"), data=ACCEPT)
    assert "This offer expired" in soup(client.get(response.location)).get_text()
    award = db.session.get(Award, offered.award.id)
    db.session.refresh(award)
    assert award.status is AwardStatus.OFFERED and award.answered_at is None


def test_the_offer_can_be_accepted_until_the_end_of_its_day_in_the_uk(ctx, round_):
    made = make(round_)
    day = made.award.accept_by
    # 11:30pm in the UK on the day (BST or GMT) is still in time; just after midnight is not.
    late = datetime(day.year, day.month, day.day, 23, 30, tzinfo=to_london(utcnow()).tzinfo)
    assert not services.has_lapsed(made.award, late.astimezone(UTC))
    assert services.has_lapsed(made.award, late.astimezone(UTC) + timedelta(hours=1))


def test_an_answered_offer_cannot_be_accepted_again(client, offered):
    sign_in_as(client, offered.admin)
    client.post(offer_url(offered.award, "accept"), data=ACCEPT)
    response = client.post(offer_url(offered.award, "accept"),
                           data={**ACCEPT, "signatory_name": "Someone Else"})
    assert "already been answered" in soup(client.get(response.location)).get_text()
    award = db.session.get(Award, offered.award.id)
    db.session.refresh(award)
    assert award.signatory_name == "Priya Shah"


# Declining -----------------------------------------------------------------------------------


def test_declining_releases_the_money_in_one_posting(client, round_):
    made = make(round_, allocations=2)
    pots = [allocation.pot_id for allocation in made.award.allocations]
    sign_in_as(client, made.admin)
    assert client.get(offer_url(made.award, "decline")).status_code == 200
    response = client.post(offer_url(made.award, "decline"), data={"reason": ""})
    assert error_messages(response) == {
        "reason": "Enter why the organisation is declining the offer"}
    response = client.post(offer_url(made.award, "decline"),
                           data={"reason": "We found other funding"})
    assert response.status_code == 302
    award = db.session.get(Award, made.award.id)
    db.session.refresh(award)
    assert award.status is AwardStatus.DECLINED
    assert award.declined_reason == "We found other funding"
    assert award.answered_by_id == made.admin.id
    assert [b.committed_pence for b in ledger.balances(pots).values()] == [0, 0]
    releases = [e for e in services.ledger_entries(UserFactory(roles=(Role.GRANTS_OFFICER,)),
                                                   award.id) if e.kind is LedgerKind.RELEASE]
    assert len(releases) == 2 and len({entry.batch for entry in releases}) == 1
    assert len(audits("award.declined")) == 1


def test_a_plain_member_cannot_decline(client, offered):
    sign_in_as(client, offered.member)
    assert "Only an organisation admin" in soup(
        client.get(offer_url(offered.award, "decline"))).get_text()
    client.post(offer_url(offered.award, "decline"), data={"reason": "No"})
    assert db.session.get(Award, offered.award.id).status is AwardStatus.OFFERED
    assert committed(offered.pot) == 1_000_00


# Expiry --------------------------------------------------------------------------------------


def test_expire_offers_closes_lapsed_offers_and_releases_their_money(ctx, round_):
    lapsed, current = make(round_), make(round_)
    lapse(lapsed.award)
    assert services.expire_offers(utcnow()) == 1
    award = db.session.get(Award, lapsed.award.id)
    db.session.refresh(award)
    assert award.status is AwardStatus.EXPIRED
    assert award.closed_reason.startswith("Not accepted by ")
    assert committed(lapsed.pot) == 0
    assert committed(current.pot) == 1_000_00
    assert db.session.get(Award, current.award.id).status is AwardStatus.OFFERED
    assert len(audits("award.expired")) == 1
    assert services.expire_offers(utcnow()) == 0
    assert committed(lapsed.pot) == 0 and len(audits("award.expired")) == 1


def test_the_cli_expires_offers_and_prints_how_many(ctx, round_):
    for made in (make(round_), make(round_)):
        lapse(made.award)
    result = ctx.test_cli_runner().invoke(args=["awards", "expire"])
    assert result.exit_code == 0, result.output
    assert "Expired 2 award offers." in result.output


# The officer's page --------------------------------------------------------------------------


def test_the_officer_sees_the_answer(client, round_):
    accepted, declined, expired = make(round_), make(round_), make(round_)
    services.accept(accepted.admin, accepted.award.id, services.Acceptance(
        "Priya Shah", "Chair of trustees", True, "198.51.100.2"), utcnow())
    services.decline(declined.admin, declined.award.id, "Project cancelled", utcnow())
    lapse(expired.award)
    services.expire_offers(utcnow())
    sign_in_as(client, UserFactory(roles=(Role.GRANTS_OFFICER,)))
    text = soup(client.get(f"/awards/{accepted.award.id}")).select_one("#award").get_text()
    assert "Priya Shah, Chair of trustees" in text and "198.51.100.2" in text
    text = soup(client.get(f"/awards/{declined.award.id}")).select_one("#award").get_text()
    assert "Project cancelled" in text
    text = soup(client.get(f"/awards/{expired.award.id}")).select_one("#award").get_text()
    assert "Not accepted by" in text
