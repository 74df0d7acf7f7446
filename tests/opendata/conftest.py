"""Helpers for open data: grants in every state an award can be in, and the awards' round
fixture for grants offered and accepted through the services."""

from datetime import UTC, datetime
from itertools import count

from models import Locality, Ward, WithheldGrant
from models.base import db
from models.enums import ApplicationStatus, AwardStatus, LedgerKind, Role
from portal.funding import ledger
from tests.awards.conftest import round_  # noqa: F401
from tests.factories import (
    ApplicationFactory,
    AwardFactory,
    DecisionFactory,
    FundingPotFactory,
    UserFactory,
)

_numbers = count(1)


def grant(*, amount_pence: int = 1_000_00, status: AwardStatus = AwardStatus.ACCEPTED,
          offered_at: datetime = datetime(2024, 7, 25, 9, 0, tzinfo=UTC), **application):
    """An award of `amount_pence`, accepted by default and committed in the ledger from a pot
    of its own, for an application made with the `application` fields (organisation, round,
    title, wards, themes...)."""
    application.setdefault("title", f"Project {next(_numbers)}")
    application.setdefault("status", ApplicationStatus.APPROVED)
    decision = DecisionFactory(application=ApplicationFactory(**application),
                               amount_pence=amount_pence, decided_on=offered_at.date())
    award = AwardFactory(decision=decision, status=status, offered_at=offered_at)
    # Its money committed in the ledger, where published amounts come from.
    officer = UserFactory(roles=(Role.GRANTS_OFFICER,))
    pot = FundingPotFactory(financial_year=award.application.round.financial_year)
    ledger.post(officer, [ledger.Posting(pot.id, LedgerKind.BUDGET, amount_pence)], "Budget")
    ledger.post(officer, [ledger.Posting(pot.id, LedgerKind.COMMITMENT, amount_pence)],
                f"Award {award.reference}", award_id=award.id)
    db.session.commit()
    return award


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
