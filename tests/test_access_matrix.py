"""Who may use each page. Every endpoint of the app must be listed in ACCESS with the roles
allowed to use it; for every endpoint and every role the test checks the answer: the page itself,
a redirect to sign in (anonymous people), or 403 (signed in, but not allowed)."""

import io
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from models import (
    ContractReturn,
    ExportJob,
    Kpi,
    LetterBatch,
    MonitoringReturn,
    Publication,
    ReturnEvidence,
    Scenario,
    WithheldGrant,
)
from models.base import db, utcnow
from models.enums import (
    ApplicationStatus,
    ConflictDeclaration,
    ContractStatus,
    JobStatus,
    OrganisationRole,
    Rag,
    Role,
)
from portal import file_store
from portal.awards import letters
from portal.contracts import documents as contract_documents
from portal.contracts.taper import CoreTaper, Taper
from portal.documents.services import store_file, upload_document
from tests.conftest import sign_in_as
from tests.documents import samples
from tests.extra_apps import sample_url
from tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    AwardFactory,
    ContractFactory,
    DecisionFactory,
    FundingPartnerFactory,
    FundingPotFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.html import soup

ANONYMOUS = "anonymous"
ROLES = (ANONYMOUS, *(role.value for role in Role))

PUBLIC = frozenset(ROLES)
SIGNED_IN = PUBLIC - {ANONYMOUS}
APPLICANTS = frozenset({Role.APPLICANT.value})
ADMINS = frozenset({Role.ADMIN.value})
ASSESSORS = frozenset({Role.ASSESSOR.value})
# Schemes and rounds are the grants team's; admins get them only as grants officers too.
GRANTS_OFFICERS = frozenset({Role.GRANTS_OFFICER.value})
# Council staff who deal with organisations; assessors see only applications assigned to them.
ORGANISATION_STAFF = frozenset({Role.GRANTS_OFFICER.value, Role.COMMISSIONER.value,
                                Role.ADMIN.value})
FUNDING_VIEWERS = ORGANISATION_STAFF
FUNDING_MANAGERS = frozenset({Role.GRANTS_OFFICER.value, Role.ADMIN.value})
# In the samples below the applicant is the organisation admin of the sample organisation.
ORGANISATION_ADMIN = APPLICANTS
LETTER_READERS = frozenset({Role.APPLICANT.value, Role.GRANTS_OFFICER.value, Role.ADMIN.value})
GRANT_RETURN_READERS = APPLICANTS | GRANTS_OFFICERS
REMINDER_READERS = frozenset({Role.GRANTS_OFFICER.value, Role.COMMISSIONER.value,
                              Role.ADMIN.value})
COMMISSIONERS = frozenset({Role.COMMISSIONER.value})
# The sample contract's provider is the sample applicant's organisation.
PROVIDERS = APPLICANTS
CONTRACT_READERS = COMMISSIONERS | PROVIDERS
TAPER_VIEWERS = COMMISSIONERS | GRANTS_OFFICERS
# A funding partner's staff (the sample partner's) see their own partner's pages, read-only, as
# do the staff who see the pots.
PARTNER_STAFF = frozenset({Role.FUNDING_PARTNER.value})
PARTNER_VIEWERS = PARTNER_STAFF | FUNDING_VIEWERS

ACCESS: dict[str, frozenset[str]] = {
    "static": PUBLIC,
    # pages
    "pages.home": PUBLIC,
    "pages.accessibility": PUBLIC,
    "pages.privacy": PUBLIC,
    "pages.cookies": PUBLIC,
    "pages.healthz": PUBLIC,
    # open data: the public register of grants and the list of open rounds
    "opendata.register": PUBLIC,
    "opendata.open_rounds": PUBLIC,
    # accounts
    "accounts.register": PUBLIC,
    "accounts.check_email": PUBLIC,
    "accounts.resend_verification": PUBLIC,
    "accounts.verify_email": PUBLIC,
    "accounts.sign_in": PUBLIC,
    # without a password just given, these send people back to sign in (with no `next`)
    "accounts.enter_code": PUBLIC,
    "accounts.set_up_authenticator": PUBLIC,
    "accounts.sign_out": SIGNED_IN,
    "accounts.forgot_password": PUBLIC,
    "accounts.reset_password": PUBLIC,
    "accounts.accept_invitation": PUBLIC,
    "accounts.account": SIGNED_IN,
    "accounts.change_password": SIGNED_IN,
    # organisations
    "organisations.index": APPLICANTS,
    "organisations.create": APPLICANTS,
    "organisations.show": APPLICANTS | ORGANISATION_STAFF,
    "organisations.invite": ORGANISATION_ADMIN,
    "organisations.accept_invitation": SIGNED_IN,
    "organisations.profile_names": ORGANISATION_ADMIN,
    "organisations.profile_registration": ORGANISATION_ADMIN,
    "organisations.profile_address": ORGANISATION_ADMIN,
    "organisations.profile_size": ORGANISATION_ADMIN,
    "organisations.profile_wards": ORGANISATION_ADMIN,
    "organisations.profile_contact": ORGANISATION_ADMIN,
    "organisations.profile_safeguarding": ORGANISATION_ADMIN,
    # applications (applicant pages: the organisation's members only; staff use the officer area)
    "applications.index": APPLICANTS,
    "applications.start": APPLICANTS,
    "applications.show": APPLICANTS,
    "applications.organisation": APPLICANTS,
    "applications.project": APPLICANTS,
    "applications.beneficiaries": APPLICANTS,
    "applications.costs": APPLICANTS,
    "applications.other_funding": APPLICANTS,
    "applications.budget": APPLICANTS,
    "applications.public_funding": APPLICANTS,
    "applications.declarations": APPLICANTS,
    "applications.remove_row": APPLICANTS,
    "applications.check_answers": APPLICANTS,
    "applications.submitted": APPLICANTS,
    "applications.withdraw": APPLICANTS,
    "applications.download": APPLICANTS,
    "applications.answer_clarification": APPLICANTS,
    # admin
    "admin.users": ADMINS,
    "admin.user": ADMINS,
    "admin.reset_authenticator": ADMINS,
    "admin.invite_staff": ADMINS,
    "admin.invite_partner_staff": ADMINS,
    "admin.audit_log": ADMINS,
    "admin.reminders": REMINDER_READERS,
    # assessment (officers see applications once sent: samples use a submitted one)
    "assessment.applications": GRANTS_OFFICERS,
    "assessment.applications_csv": GRANTS_OFFICERS,
    # an export is its officer's own: the sample one is the sample grants officer's
    "assessment.start_export": GRANTS_OFFICERS,
    "assessment.export": GRANTS_OFFICERS,
    "assessment.export_status": GRANTS_OFFICERS,
    "assessment.export_download": GRANTS_OFFICERS,
    "assessment.application": GRANTS_OFFICERS,
    "assessment.due_diligence": GRANTS_OFFICERS,
    "assessment.due_diligence_outcome": GRANTS_OFFICERS,
    # scoring (assessors: only their own assignments; officers: assignment and declarations)
    "scoring.index": ASSESSORS,
    "scoring.assignment": ASSESSORS,
    "scoring.declare": ASSESSORS,
    "scoring.score": ASSESSORS,
    "scoring.change": ASSESSORS,
    "scoring.assessors": GRANTS_OFFICERS,
    "scoring.assign": GRANTS_OFFICERS,
    "scoring.assign_round": GRANTS_OFFICERS,
    "scoring.declarations": GRANTS_OFFICERS,
    # decisions (moderation, results, recommendations and decisions: grants officers)
    "decisions.round_results": GRANTS_OFFICERS,
    "decisions.recommend": GRANTS_OFFICERS,
    "decisions.decide_round": GRANTS_OFFICERS,
    "decisions.application": GRANTS_OFFICERS,
    "decisions.moderate": GRANTS_OFFICERS,
    "decisions.adjust": GRANTS_OFFICERS,
    "decisions.approve_feedback": GRANTS_OFFICERS,
    # awards (offers made from approved decisions: grants officers)
    "awards.new_offer": GRANTS_OFFICERS,
    "awards.award": GRANTS_OFFICERS,
    "awards.withdraw": GRANTS_OFFICERS,
    "awards.round_awards": GRANTS_OFFICERS,
    "awards.record_payment": GRANTS_OFFICERS,
    "awards.record_recovery": GRANTS_OFFICERS,
    "awards.vary": GRANTS_OFFICERS,
    "awards.versions": GRANTS_OFFICERS,
    "awards.conditions_met": GRANTS_OFFICERS,
    "awards.close": GRANTS_OFFICERS,
    "awards.closed_awards": GRANTS_OFFICERS,
    # grant monitoring returns: the organisation's members write and send them, grants
    # officers review them
    "awards.grant_returns": GRANTS_OFFICERS,
    "awards.grant_return": GRANT_RETURN_READERS,
    "awards.write_return": APPLICANTS,
    "awards.check_return": APPLICANTS,
    "awards.return_evidence": APPLICANTS,
    "awards.remove_evidence": APPLICANTS,
    "awards.evidence_file": GRANT_RETURN_READERS,
    "awards.review_return": GRANTS_OFFICERS,
    # award letters: the organisation's members, grants officers and admins
    "awards.letter": LETTER_READERS,
    "awards.letter_version": LETTER_READERS,
    # a round's letters in bulk: grants officers
    "awards.start_letters": GRANTS_OFFICERS,
    "awards.letter_batch": GRANTS_OFFICERS,
    "awards.letter_batch_status": GRANTS_OFFICERS,
    "awards.letter_batch_zip": GRANTS_OFFICERS,
    # the organisation's side of an offer: its members see it (only admins may answer it)
    "awards.offer": ORGANISATION_ADMIN,
    "awards.accept": ORGANISATION_ADMIN,
    "awards.decline": ORGANISATION_ADMIN,
    # contracts (Community Anchor commissioning: commissioners)
    "contracts.programmes": COMMISSIONERS,
    "contracts.new_programme": COMMISSIONERS,
    "contracts.programme": COMMISSIONERS,
    "contracts.edit_programme": COMMISSIONERS,
    "contracts.new_contract": COMMISSIONERS,
    "contracts.contract": COMMISSIONERS,
    "contracts.edit_contract": COMMISSIONERS,
    "contracts.plan_years": COMMISSIONERS,
    "contracts.year_funding": COMMISSIONERS,
    "contracts.activate": COMMISSIONERS,
    "contracts.extend": COMMISSIONERS,
    "contracts.terminate": COMMISSIONERS,
    "contracts.end": COMMISSIONERS,
    "contracts.versions": COMMISSIONERS,
    "contracts.payments": COMMISSIONERS,
    "contracts.record_payment": COMMISSIONERS,
    "contracts.taper": COMMISSIONERS,
    "contracts.apply_taper": COMMISSIONERS,
    "contracts.save_scenario": COMMISSIONERS,
    "contracts.scenarios": COMMISSIONERS,
    "contracts.scenario": COMMISSIONERS,
    "contracts.apply_scenario": COMMISSIONERS,
    "contracts.delete_scenario": COMMISSIONERS,
    "contracts.compare_scenarios": COMMISSIONERS,
    "contracts.documents": COMMISSIONERS,
    "contracts.remove_document": COMMISSIONERS,
    # the provider's members read the contract's documents (the sample applicant's
    # organisation is the sample contract's provider)
    "contracts.document": CONTRACT_READERS,
    # monitoring: providers send quarterly returns, commissioners review them
    "monitoring.your_contracts": APPLICANTS,
    "monitoring.contract": CONTRACT_READERS,
    "monitoring.submit_return": PROVIDERS,
    "monitoring.contract_return": CONTRACT_READERS,
    "monitoring.review_return": COMMISSIONERS,
    "monitoring.new_kpi": COMMISSIONERS,
    "monitoring.edit_kpi": COMMISSIONERS,
    "monitoring.standard_kpis": COMMISSIONERS,
    "monitoring.remove_kpi": COMMISSIONERS,
    "monitoring.programme_returns": COMMISSIONERS,
    "monitoring.benchmark": COMMISSIONERS,
    # accountability across quarters, and the councillors' scrutiny pack
    "monitoring.contract_trends": COMMISSIONERS,
    "monitoring.lot_trends": COMMISSIONERS,
    "monitoring.pathway_rollup": COMMISSIONERS,
    "monitoring.scrutiny_pack": COMMISSIONERS,
    "monitoring.scrutiny_pack_download": COMMISSIONERS,
    # reporting: taper dashboards, and funding by place for the same people as a scheme's
    "reporting.programme_taper": COMMISSIONERS,
    "reporting.programme_taper_download": COMMISSIONERS,
    "reporting.scheme_taper": TAPER_VIEWERS,
    "reporting.scheme_taper_download": TAPER_VIEWERS,
    "reporting.funding_by_place": TAPER_VIEWERS,
    "reporting.funding_by_place_download": TAPER_VIEWERS,
    # funding (pots and their ledgers: staff who spend from them see them; officers and admins
    # set them up)
    "funding.index": FUNDING_VIEWERS,
    "funding.index_csv": FUNDING_VIEWERS,
    "funding.index_xlsx": FUNDING_VIEWERS,
    "funding.pot": FUNDING_VIEWERS,
    "funding.create_pot": FUNDING_MANAGERS,
    "funding.edit_pot": FUNDING_MANAGERS,
    "funding.next_year_pot": FUNDING_MANAGERS,
    "funding.change_budget": FUNDING_MANAGERS,
    "funding.transfer": FUNDING_MANAGERS,
    "funding.schemes_csv": FUNDING_VIEWERS,
    "funding.scheme_year": FUNDING_VIEWERS,
    "funding.partner_list": FUNDING_VIEWERS,
    "funding.new_partner": FUNDING_MANAGERS,
    "funding.edit_partner": FUNDING_MANAGERS,
    # documents (the section page is the applicant's; staff download from their own pages)
    "documents.section": APPLICANTS,
    "documents.complete": APPLICANTS,
    "documents.remove": APPLICANTS,
    "documents.download": APPLICANTS | ORGANISATION_STAFF,
    # schemes
    "schemes.index": GRANTS_OFFICERS,
    "schemes.create_scheme": GRANTS_OFFICERS,
    "schemes.show_scheme": GRANTS_OFFICERS,
    "schemes.edit_scheme": GRANTS_OFFICERS,
    "schemes.create_round": GRANTS_OFFICERS,
    "schemes.show_round": GRANTS_OFFICERS,
    "schemes.edit_round": GRANTS_OFFICERS,
    "schemes.copy_round": GRANTS_OFFICERS,
    "schemes.close_early": GRANTS_OFFICERS,
    "schemes.publish_round": GRANTS_OFFICERS,
    "schemes.decide_round": GRANTS_OFFICERS,
    "schemes.criteria": GRANTS_OFFICERS,
    # open data: grants officers review, withhold and publish; the published files are public
    "opendata.manage": GRANTS_OFFICERS,
    "opendata.review": GRANTS_OFFICERS,
    "opendata.withhold": GRANTS_OFFICERS,
    "opendata.release": GRANTS_OFFICERS,
    "opendata.open_data": PUBLIC,
    "opendata.latest_file": PUBLIC,
    "opendata.version_file": PUBLIC,
    # funding partners' pages (the sample partner has a pot of its own)
    "partners.index": PARTNER_STAFF,
    "partners.overview": PARTNER_VIEWERS,
    "partners.paid_for": PARTNER_VIEWERS,
    "partners.payments": PARTNER_VIEWERS,
    "partners.kpis": PARTNER_VIEWERS,
    "partners.statement": PARTNER_VIEWERS,
    "partners.statement_pdf": PARTNER_VIEWERS,
    "partners.statement_xlsx": PARTNER_VIEWERS,
}

# Downloads that come in formats other than CSV.
FORMATS = {"monitoring.scrutiny_pack_download": {"format": "xlsx"}}
NONSENSE_TOKEN = "not-a-real-token"
UNKNOWN_ID = 987654


@pytest.fixture
def people(ctx, monkeypatch, tmp_path) -> dict[str, object]:
    """One user per role (the funding partner's works for `people["partner"]`); the applicant
    is organisation admin of `people["organisation"]`,
    which has a draft application to an open round and one already submitted."""
    users = {role.value: UserFactory.build(roles=(role,)) for role in Role}
    organisation = OrganisationFactory.build()
    MembershipFactory.build(organisation=organisation, user=users[Role.APPLICANT.value],
                            role=OrganisationRole.ADMIN)
    application = ApplicationFactory.build(organisation=organisation,
                                           created_by=users[Role.APPLICANT.value])
    # Officers do not see drafts (404), so their pages get an application already sent in.
    submitted = ApplicationFactory.build(
        organisation=organisation, round=application.round, status=ApplicationStatus.SUBMITTED,
        created_by=users[Role.APPLICANT.value], reference="SAMPLE-0001", submitted_at=utcnow())
    # The sample assessor is assigned to an application being assessed, and has declared no
    # conflict, so every assessor page of that assignment can open.
    assignment = AssignmentFactory.build(
        assessor=users[Role.ASSESSOR.value], assigned_by=users[Role.GRANTS_OFFICER.value],
        declaration=ConflictDeclaration.NO_CONFLICT, declared_at=utcnow(),
        application=ApplicationFactory.build(
            organisation=organisation, round=application.round,
            status=ApplicationStatus.UNDER_ASSESSMENT, created_by=users[Role.APPLICANT.value],
            reference="SAMPLE-0002", submitted_at=utcnow()))
    # The sample partner's member of staff, and the partner's own pot.
    partner = FundingPartnerFactory.build()
    users[Role.FUNDING_PARTNER.value].partner = partner
    pot = FundingPotFactory.build(partner=partner)
    # An award offered to the organisation from an approval in the same round.
    award = AwardFactory.build(decision=DecisionFactory.build(
        recorded_by=users[Role.GRANTS_OFFICER.value], application=ApplicationFactory.build(
            organisation=organisation, round=application.round,
            status=ApplicationStatus.APPROVED, created_by=users[Role.APPLICANT.value],
            reference="SAMPLE-0003", submitted_at=utcnow())))
    db.session.add_all([organisation, application, submitted, assignment, pot, partner, award,
                        *users.values()])
    db.session.commit()  # one commit for all of them keeps the 300-odd tests quick
    # A real stored document of that application, kept in this test's own folder.
    monkeypatch.setitem(ctx.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    # The award's first letter and a finished batch of the round's letters. Who may fetch a
    # letter is the question here, not what it says: a stand-in PDF spares rendering one for
    # each of these hundreds of tests (tests/awards/test_letters.py renders real ones).
    monkeypatch.setitem(ctx.config, "LETTER_FOLDER", str(tmp_path / "letters"))
    monkeypatch.setattr(letters, "render", lambda data: samples.PDF)
    letters.letter(users[Role.GRANTS_OFFICER.value], award.id)
    batch = LetterBatch(round=application.round, requested_by=users[Role.GRANTS_OFFICER.value],
                        status=JobStatus.DONE)
    db.session.add(batch)
    # A finished export of the list, with its file, asked for by the sample grants officer.
    monkeypatch.setitem(ctx.config, "EXPORT_FOLDER", str(tmp_path / "exports"))
    file_store.save(file_store.EXPORTS, "applications-sample.xlsx", b"PK sample")
    export = ExportJob(requested_by=users[Role.GRANTS_OFFICER.value], status=JobStatus.DONE,
                       file_name="applications-sample.xlsx", finished_at=utcnow())
    db.session.add(export)
    # A published year's file, and the sample award withheld from open data.
    monkeypatch.setitem(ctx.config, "OPEN_DATA_FOLDER", str(tmp_path / "open-data"))
    file_store.save(file_store.OPEN_DATA, "sample.json", b'{"grants": []}')
    db.session.add_all([
        Publication(financial_year="2024/25", version=1,
                    approved_by=users[Role.GRANTS_OFFICER.value], grant_count=1,
                    withheld_count=1, awarded_pence=1_000_00, disbursed_pence=0,
                    licence_name="Open Government Licence v3.0",
                    licence_url="https://example.org/licence", digest="0" * 64,
                    file_stem="sample"),
        WithheldGrant(award=award, reason="Sample", withheld_by=users[Role.GRANTS_OFFICER.value])])
    db.session.commit()
    document = upload_document(users[Role.APPLICANT.value], application, "Latest accounts",
                               "accounts.pdf", io.BytesIO(samples.PDF))
    contract = ContractFactory(provider=organisation, status=ContractStatus.ACTIVE)
    kpi = Kpi(name="People supported")
    contract.kpis.append(kpi)
    contract_return = ContractReturn(
        contract=contract, financial_year="2024/25", quarter=1, rag=Rag.GREEN,
        submitted_by=users[Role.APPLICANT.value])
    scenario = Scenario(programme=contract.programme, name="20% a year",
                        rule=Taper(CoreTaper.PERCENTAGE, percentage=20).as_dict(),
                        created_by=users[Role.COMMISSIONER.value])
    db.session.add_all([kpi, contract_return, scenario])
    db.session.commit()
    contract_document = contract_documents.upload(
        users[Role.COMMISSIONER.value], contract, "Signed contract", "contract.pdf",
        io.BytesIO(samples.PDF))
    # The award's end-of-grant report, with a receipt as evidence.
    grant_return = MonitoringReturn(award=award, title="End of grant report",
                                    due_on=date(2025, 7, 1), end_of_grant=True)
    evidence = ReturnEvidence(monitoring_return=grant_return,
                              uploaded_by=users[Role.APPLICANT.value],
                              **store_file(io.BytesIO(samples.PDF), "receipt.pdf").columns())
    db.session.add_all([grant_return, evidence])
    db.session.commit()
    return {**users, "organisation": organisation, "application": application,
            "submitted_application": submitted, "assignment": assignment, "pot": pot,
            "award": award, "partner": partner, "letter_batch": batch, "export": export,
            "contract": contract,
            "kpi": kpi,
            "contract_return": contract_return, "scenario": scenario,
            "contract_document": contract_document, "document": document,
            "grant_return": grant_return, "evidence": evidence}


def request_as(client, people, role: str, endpoint: str):
    """Call `endpoint` with sample arguments, signed in as someone holding `role`."""
    if role != ANONYMOUS:
        sign_in_as(client, people[role])
    rule = next(r for r in client.application.url_map.iter_rules() if r.endpoint == endpoint)
    samples = {
        "organisation_id": people["organisation"].id,
        "application_id": people["application"].id,
        "submitted_application_id": people["submitted_application"].id,
        "document_id": people["document"].id,
        "assignment_id": people["assignment"].id,
        "pot_id": people["pot"].id,
        "partner_id": people["partner"].id,
        "award_id": people["award"].id,
        "round_id": people["application"].round.id,
        "scheme_id": people["application"].round.scheme.id,
        "user_id": people[Role.ADMIN.value].id,
        "token": NONSENSE_TOKEN,
        "number": 1,
        "programme_id": people["contract"].programme.id,
        "contract_id": people["contract"].id,
        "batch_id": people["letter_batch"].id,
        "export_id": people["export"].id,
        "filename": "css/portal.css",
        "year": "2024-25",
        # the sample return is for the first quarter; the second is due and not yet sent
        "quarter": 2,
        "kpi_id": people["kpi"].id,
        "return_id": people["contract_return"].id,
        "scenario_id": people["scenario"].id,
        "contract_document_id": people["contract_document"].id,
        "grant_return_id": people["grant_return"].id,
        "evidence_id": people["evidence"].id,
        "format": "csv",
        "name": "grants.json",
        "version": 1,
        **FORMATS.get(endpoint, {}),
    }
    url = sample_url(client.application, rule, samples)
    method = "GET" if "GET" in rule.methods else "POST"
    response = client.open(url, method=method)
    response.get_data()
    response.close()  # static files are streamed from an open file
    return response


def is_sign_in_redirect(response) -> bool:
    if response.status_code != 302:
        return False
    location = urlsplit(response.headers["Location"])
    return location.path == "/sign-in" and bool(parse_qs(location.query).get("next"))


def test_every_endpoint_has_an_access_rule(app):
    """A new page cannot be added without saying who may use it (and no stale rules remain)."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - ACCESS.keys() == set(), "endpoints missing from ACCESS"
    assert ACCESS.keys() - endpoints == set(), "ACCESS lists endpoints the app does not have"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(ACCESS))
def test_access(client, people, endpoint, role):
    """Allowed roles reach the page; anonymous people are sent to sign in; others get 403."""
    response = request_as(client, people, role, endpoint)
    if role in ACCESS[endpoint]:
        assert not is_sign_in_redirect(response)
        assert response.status_code not in {403, 404, 405}
        assert response.status_code < 500
        if response.status_code == 400:  # token routes: the "link invalid" page, not an error
            assert "link" in soup(response).h1.text.lower()
    elif role == ANONYMOUS:
        assert is_sign_in_redirect(response), response.status_code
    else:
        assert response.status_code == 403
        assert soup(response).h1.text == "You do not have permission to see this page"


# Nobody reaches an object by guessing its id.


def test_non_member_cannot_see_or_invite_to_an_organisation(client):
    """An applicant gets 403 for an organisation they do not belong to."""
    organisation = MembershipFactory(role=OrganisationRole.ADMIN).organisation
    sign_in_as(client, UserFactory(roles=(Role.APPLICANT,)))
    assert client.get(f"/organisations/{organisation.id}").status_code == 403
    assert client.get(f"/organisations/{organisation.id}/invite").status_code == 403
    assert client.post(f"/organisations/{organisation.id}/invite",
                       data={"email": "friend@example.org", "role": "admin"}).status_code == 403


def test_ordinary_member_cannot_invite(client):
    """A member who is not the organisation's admin sees it but cannot invite people to it."""
    membership = MembershipFactory(role=OrganisationRole.MEMBER)
    sign_in_as(client, membership.user)
    assert client.get(f"/organisations/{membership.organisation_id}").status_code == 200
    invite = client.get(f"/organisations/{membership.organisation_id}/invite")
    assert invite.status_code == 403


def test_assessor_cannot_see_an_organisation(client):
    """Assessors see only applications assigned to them, not organisations' pages."""
    organisation = OrganisationFactory()
    sign_in_as(client, UserFactory(roles=(Role.ASSESSOR,)))
    assert client.get(f"/organisations/{organisation.id}").status_code == 403


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.ADMIN])
def test_unknown_organisation_looks_the_same_as_a_forbidden_one(client, role):
    """An unknown id gives 403 too, so ids cannot be probed."""
    sign_in_as(client, UserFactory(roles=(role,)))
    for path in (f"/organisations/{UNKNOWN_ID}", f"/organisations/{UNKNOWN_ID}/invite"):
        response = client.get(path)
        assert response.status_code == 403
        assert soup(response).h1.text == "You do not have permission to see this page"


def test_unknown_user_is_not_found_for_admins_only(client):
    """admin.user with an unknown id: 404 for an admin, 403 for others, sign-in for anonymous."""
    assert is_sign_in_redirect(client.get(f"/admin/users/{UNKNOWN_ID}"))
    sign_in_as(client, UserFactory(roles=(Role.APPLICANT, Role.GRANTS_OFFICER)))
    assert client.get(f"/admin/users/{UNKNOWN_ID}").status_code == 403
    sign_in_as(client, UserFactory(roles=(Role.ADMIN,)))
    response = client.get(f"/admin/users/{UNKNOWN_ID}")
    assert response.status_code == 404
    assert soup(response).h1.text == "Page not found"
