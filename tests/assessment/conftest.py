"""Helpers for the officers' view: a signed-in grants officer and applications sent in."""

from datetime import UTC, datetime
from itertools import count

import pytest

from models import Locality, Ward
from models.base import db
from models.enums import ApplicationStatus, Role
from tests.conftest import sign_in_as
from tests.factories import ApplicationFactory, UserFactory

_numbers = count(1)


@pytest.fixture
def officer(client):
    """The test client, signed in as a grants officer."""
    person = UserFactory(roles=(Role.GRANTS_OFFICER,))
    sign_in_as(client, person)
    return person


def submitted(**fields):
    """An application sent in: a reference, a title, an amount and a submission time."""
    number = next(_numbers)
    fields.setdefault("reference", f"TST-2425-{number:04d}")
    fields.setdefault("title", f"Project {number}")
    fields.setdefault("amount_requested_pence", 1_500_00)
    fields.setdefault("submitted_at", datetime(2024, 6, 1, 12, 0, tzinfo=UTC))
    fields.setdefault("status", ApplicationStatus.SUBMITTED)
    return ApplicationFactory(**fields)


def wards(*names: str) -> list[Ward]:
    locality = Locality(name=f"Locality {next(_numbers)}")
    made = [Ward(name=name, locality=locality) for name in names]
    db.session.add_all(made)
    db.session.commit()
    return made
