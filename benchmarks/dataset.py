"""Builds a large dataset for the benchmarks: people, organisations and audit events."""

import random

from sqlalchemy import insert

from models import AuditEvent, Membership, Organisation, User, UserRole
from models.base import db, utcnow
from models.enums import OrganisationRole, Role


def build(people: int, organisations: int, events: int, seed: int = 1) -> None:
    """Insert rows in bulk (a benchmark measures reading, not writing one row at a time)."""
    rng = random.Random(seed)
    now = utcnow()
    db.session.execute(insert(User), [
        {"email": f"person{n}@bench.example.org", "full_name": f"Person {n}",
         "password_hash": None, "email_verified_at": now, "active": True,
         "wrong_codes": 0, "created_at": now}
        for n in range(people)
    ])
    user_ids = list(db.session.scalars(db.select(User.id)))
    db.session.execute(insert(UserRole), [
        {"user_id": user_id, "role": rng.choice(list(Role)).value} for user_id in user_ids
    ])
    db.session.execute(insert(Organisation), [
        {"name": f"Organisation {n}", "created_at": now} for n in range(organisations)
    ])
    organisation_ids = list(db.session.scalars(db.select(Organisation.id)))
    db.session.execute(insert(Membership), [
        {"organisation_id": organisation_id, "user_id": rng.choice(user_ids),
         "role": OrganisationRole.ADMIN.value, "created_at": now}
        for organisation_id in organisation_ids
    ])
    db.session.execute(insert(AuditEvent), [
        {"actor_id": rng.choice(user_ids), "action": rng.choice(["sign_in", "sign_in.failed",
                                                                  "roles.changed"]),
         "object_type": "User", "object_id": rng.choice(user_ids), "details": {},
         "ip_address": "127.0.0.1", "created_at": now}
        for _ in range(events)
    ])
    db.session.commit()


def build_applications(count: int, seed: int = 1) -> None:
    """Applications sent in to two rounds of one scheme, each with wards, themes and cost
    lines, from the organisations and people build() made. Places, the scheme and its rounds
    are added here, for a benchmark database that has none."""
    from datetime import timedelta

    from models import Application, CostLine, Locality, Round, Scheme, Theme, Ward
    from models.associations import application_themes, application_wards
    from models.enums import ApplicationStatus, RoundStatus

    rng = random.Random(seed)
    now = utcnow()
    locality = Locality(name="Bench locality")
    scheme = Scheme(name="Bench grants", reference_prefix="BEN")
    themes = [Theme(scheme=scheme, name=f"Theme {n}") for n in range(5)]
    ward_rows = [Ward(name=f"Bench ward {n}", locality=locality) for n in range(23)]
    rounds = [Round(scheme=scheme, name=f"Bench round {n}", financial_year="2024/25",
                    opens_at=now - timedelta(days=90), closes_at=now - timedelta(days=30),
                    budget_pence=500_000_00, min_award_pence=100_00, max_award_pence=10_000_00,
                    max_project_months=12, status=RoundStatus.PUBLISHED) for n in range(2)]
    db.session.add_all([*themes, *ward_rows, *rounds])
    db.session.flush()
    organisation_ids = list(db.session.scalars(db.select(Organisation.id)))
    user_ids = list(db.session.scalars(db.select(User.id)))
    db.session.execute(insert(Application), [
        {"round_id": rng.choice(rounds).id, "organisation_id": rng.choice(organisation_ids),
         "created_by_id": rng.choice(user_ids), "reference": f"BEN-2425-{n + 1:04d}",
         "status": (ApplicationStatus.WITHDRAWN if rng.random() < 0.1
                    else ApplicationStatus.SUBMITTED).value,
         "sections": {}, "title": f"Community project {n}",
         "amount_requested_pence": rng.randrange(100_00, 10_000_00, 50),
         "submitted_at": now - timedelta(minutes=rng.randrange(60 * 24 * 60)),
         "created_at": now, "updated_at": now}
        for n in range(count)
    ])
    application_ids = list(db.session.scalars(
        db.select(Application.id).where(Application.reference.like("BEN-%"))))
    db.session.execute(insert(application_wards), [
        {"application_id": application_id, "ward_id": ward.id}
        for application_id in application_ids
        for ward in rng.sample(ward_rows, rng.randint(1, 3))
    ])
    db.session.execute(insert(application_themes), [
        {"application_id": application_id, "theme_id": theme.id}
        for application_id in application_ids for theme in rng.sample(themes, rng.randint(1, 2))
    ])
    db.session.execute(insert(CostLine), [
        {"application_id": application_id, "description": f"Cost {line}",
         "amount_pence": rng.randrange(50_00, 5_000_00)}
        for application_id in application_ids for line in range(rng.randint(2, 4))
    ])
    db.session.commit()
