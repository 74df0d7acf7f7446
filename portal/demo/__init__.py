"""`flask demo load`: builds the reference world of DESIGN.md for development and demos.

The world is true on the day it is loaded: the reference report's history (2023/24 and
2024/25) as it happened, then everything due since done as people would have done it, and the
present financial year's open round and pots. Loading is idempotent: rows are found by their
natural keys (emails, names) before anything is created, so running it twice changes nothing.
"""

import tomllib
from datetime import datetime
from pathlib import Path

import pyotp
from sqlalchemy import select

from models import FundingPartner, Locality, Membership, Organisation, User, UserRole, Ward
from models.base import utcnow
from models.enums import OrganisationRole, Role
from portal.accounts.passwords import hash_password
from portal.demo.anchors import load_anchors
from portal.demo.awards import load_awards
from portal.demo.funding import load_funding, load_partners
from portal.demo.grants import load_grants
from portal.demo.opendata import load_publication
from portal.extensions import db

DATA_FILE = Path(__file__).with_name("kirklees.toml")


def load_demo(now: datetime | None = None) -> dict[str, int]:
    """Create whatever of the demo world is missing, as it stands at `now` (this moment by
    default), and return how many rows were added."""
    now = now or utcnow()
    data = tomllib.loads(DATA_FILE.read_text())
    added = {
        "wards": _load_places(data["localities"], data["ward_codes"],
                              data["ward_populations"]),
        "organisations": _load_organisations(data["organisations"]),
        "users": _load_users(data["users"], data["password"], data["authenticator_secret"],
                             load_partners()),
    }
    db.session.flush()
    added.update(load_grants(hash_password(data["password"]), now))
    added["funding pots"] = load_funding(now)
    added["award offers"] = load_awards(now)
    added["anchor contracts"] = load_anchors(now)
    db.session.commit()
    added["open-data publications"] = load_publication()
    return added


def _load_places(localities: dict[str, list[str]], ward_codes: dict[str, str],
                 populations: dict[str, int]) -> int:
    existing = {ward.name: ward for ward in db.session.scalars(select(Ward))}
    added = 0
    for locality_name, ward_names in localities.items():
        locality = db.session.scalar(select(Locality).where(Locality.name == locality_name))
        if locality is None:
            locality = Locality(name=locality_name)
            db.session.add(locality)
        for ward_name in ward_names:
            ward = existing.get(ward_name)
            if ward is None:
                ward = Ward(name=ward_name)
                locality.wards.append(ward)
                added += 1
            ward.ons_code = ward.ons_code or ward_codes.get(ward_name, "")
            if ward.population is None:
                ward.population = populations.get(ward_name)
    return added


def _organisation_names(groups: dict) -> list[str]:
    return [*groups["lead_locality_anchors"], *groups["local_anchors"],
            groups["vcs_infrastructure"], *groups["others"]]


def _load_organisations(groups: dict) -> int:
    existing = set(db.session.scalars(select(Organisation.name)))
    missing = [name for name in _organisation_names(groups) if name not in existing]
    db.session.add_all(Organisation(name=name) for name in missing)
    return len(missing)


def demo_code() -> str:
    """The current authenticator code of the demo staff accounts."""
    secret = tomllib.loads(DATA_FILE.read_text())["authenticator_secret"]
    return pyotp.TOTP(secret).now()


def _load_users(users: list[dict], password: str, authenticator_secret: str,
                partners: dict[str, FundingPartner]) -> int:
    added = 0
    for spec in users:
        if db.session.scalar(select(User.id).where(User.email == spec["email"])) is not None:
            continue
        user = User(email=spec["email"], full_name=spec["full_name"],
                    password_hash=hash_password(password), email_verified_at=utcnow())
        user.role_grants = [UserRole(role=Role(role)) for role in spec["roles"]]
        if "partner" in spec:
            user.partner = partners[spec["partner"]]
        if user.uses_authenticator:
            user.totp_secret, user.totp_confirmed_at = authenticator_secret, utcnow()
        db.session.add(user)
        if "organisation" in spec:
            db.session.flush()
            organisation = db.session.scalar(
                select(Organisation).where(Organisation.name == spec["organisation"]))
            db.session.add(Membership(organisation=organisation, user=user,
                                      role=OrganisationRole.ADMIN))
        added += 1
    return added
