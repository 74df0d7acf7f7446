"""Helpers for the programme and contract pages' tests: a signed-in commissioner, the forms'
answers and the audit events."""

from sqlalchemy import func, select

from models import AuditEvent, Contract, Locality, Programme, Ward
from models.base import db


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def audit_events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def programme_coded(code: str) -> Programme | None:
    db.session.expire_all()
    return db.session.scalar(select(Programme).where(Programme.code == code))


def contract_referenced(reference: str) -> Contract | None:
    db.session.expire_all()
    return db.session.scalar(select(Contract).where(Contract.reference == reference))


def programme_answers(targets: list[tuple[str, str]] = (("2024/25", "£180,000"),
                                                         ("2025/26", "£150,000")),
                      **changes) -> dict:
    """A valid programme form with `targets` as its rows (and one blank row), and `changes`."""
    answers = {"code": "ANCHORS", "name": "Community Anchors 2024–27",
               "description": "Lead locality and local anchors"}
    for index, (year, amount) in enumerate([*targets, ("", "")]):
        answers[f"targets-{index}-financial_year"] = year
        answers[f"targets-{index}-core_target"] = amount
    answers.update(changes)
    return answers


def huddersfield() -> Locality:
    """A locality of two wards, with a third ward elsewhere."""
    locality = Locality(name="Huddersfield", wards=[Ward(name="Dalton"), Ward(name="Lindley")])
    db.session.add_all([locality, Locality(name="Kirklees Rural",
                                           wards=[Ward(name="Denby Dale")])])
    db.session.commit()
    return locality


def contract_answers(provider_id: int, **changes) -> dict:
    answers = {"reference": "CA-LLA-01", "title": "Huddersfield lead locality anchor",
               "provider": str(provider_id), "lot": "lead_locality_anchor", "locality": "",
               "starts_on": ["1", "4", "2024"], "ends_on": ["31", "3", "2027"]}
    answers.update(changes)
    return answers
