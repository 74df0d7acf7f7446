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
         "session_version": 1, "created_at": now}
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
