"""Helpers for open data: grants in every state an award can be in, and the awards' round
fixture for grants offered and accepted through the services."""

from datetime import UTC, datetime
from itertools import count

from models import Locality, Ward, WithheldGrant
from models.base import db
from models.enums import ApplicationStatus, AwardStatus, Role
from tests.awards.conftest import round_  # noqa: F401
from tests.factories import (
    ApplicationFactory,
    AwardFactory,
    DecisionFactory,
    UserFactory,
)

_numbers = count(1)


def grant(*, amount_pence: int = 1_000_00, status: AwardStatus = AwardStatus.ACCEPTED,
          offered_at: datetime = datetime(2024, 7, 25, 9, 0, tzinfo=UTC), **application):
    """An award of `amount_pence`, accepted by default, for an application made with the
    `application` fields (organisation, round, title, wards, themes...)."""
    application.setdefault("title", f"Project {next(_numbers)}")
    application.setdefault("status", ApplicationStatus.APPROVED)
    decision = DecisionFactory(application=ApplicationFactory(**application),
                               amount_pence=amount_pence)
    return AwardFactory(decision=decision, status=status, offered_at=offered_at)


def withhold(award) -> None:
    db.session.add(WithheldGrant(award=award, reason="Naming the group would put people at risk",
                                 withheld_by=UserFactory(roles=(Role.GRANTS_OFFICER,))))
    db.session.commit()


def wards(*names: str) -> list[Ward]:
    locality = Locality(name=f"Locality {next(_numbers)}")
    made = [Ward(name=name, locality=locality) for name in names]
    db.session.add_all(made)
    db.session.commit()
    return made
