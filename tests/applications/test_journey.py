"""An applicant starts an application, completes every section through the pages, checks the
answers and submits."""

from sqlalchemy import select

from models import Application, AuditEvent
from models.base import db
from models.enums import ApplicationStatus, SectionStatus
from tests.applications.helpers import date_boxes, fresh, project_dates
from tests.html import soup


def test_an_applicant_applies_from_start_to_finish(applicant_client, world, outbox):
    client = applicant_client
    start = client.post("/applications/start", data={
        "organisation_id": world.organisation.id, "round_id": world.round.id})
    assert start.status_code == 302
    application = db.session.scalar(select(Application))
    base = f"/applications/{application.id}"
    assert start.headers["Location"] == base

    task_list = soup(client.get(base))
    assert [a.text.strip() for a in task_list.select(".govuk-task-list__link")] == [
        "Your organisation", "Your project", "Who will benefit", "Budget", "Declarations",
        "Documents"]

    assert client.post(f"{base}/organisation", data={"completed": "yes"}).status_code == 302
    begins, ends = project_dates(world.round)
    assert client.post(f"{base}/project", data={
        "title": "Warm welcome lunch club", "summary": "A weekly lunch club.",
        "description": "Lunch every Wednesday.", "start_date": date_boxes(begins),
        "end_date": date_boxes(ends), "completed": "yes"}).status_code == 302
    assert client.post(f"{base}/beneficiaries", data={
        "beneficiaries": "1,200", "beneficiary_description": "Older people",
        "wards": [str(world.wards[0].id)], "themes": [str(world.themes[0].id)],
        "completed": "yes"}).status_code == 302
    assert client.post(f"{base}/budget", data={
        "description": "Hall hire", "amount": "£1,250.50"}).status_code == 302
    assert client.post(f"{base}/budget/other-funding", data={
        "source": "Parish council", "amount": "200", "status": "secured"}).status_code == 302
    assert client.post(f"{base}/budget/amount", data={
        "amount_requested": "£1,000", "completed": "yes"}).status_code == 302
    assert client.post(f"{base}/declarations/public-funding", data={
        "funder": "NHS", "purpose": "Health walks", "financial_year": "2023/24",
        "amount": "500"}).status_code == 302
    assert client.post(f"{base}/declarations", data={
        "has_conflict": "no", "safeguarding": "y", "data_protection": "y",
        "completed": "yes"}).status_code == 302

    application = fresh(application)
    assert application.sections == {key: "completed" for key in (
        "organisation", "project", "beneficiaries", "budget", "declarations")}
    # Documents are another area's pages; mark that section completed as they would.
    application.sections = {**application.sections, "documents": SectionStatus.COMPLETED.value}
    db.session.commit()

    check = client.get(f"{base}/check-answers")
    assert check.status_code == 200
    submitted = client.post(f"{base}/check-answers", data={"declaration": "y"})
    assert submitted.status_code == 302
    application = fresh(application)
    assert application.status is ApplicationStatus.SUBMITTED
    assert application.reference == "CPG-2425-0001"
    confirmation = soup(client.get(submitted.headers["Location"]))
    assert "CPG-2425-0001" in confirmation.select_one(".govuk-panel").text
    assert outbox.to(world.applicant.email)[-1]["Subject"] == "Application CPG-2425-0001 received"
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.action == "application.submitted")) is not None
