"""A contract's life as data: drafted, made active, then ended at its end date or terminated
early. Every change of status goes through `move`, which checks the step is allowed, sets it
and records it in the audit log."""

from typing import Any

from models import Contract, User
from models.enums import ContractStatus
from portal import policies
from portal.lifecycle import Lifecycle

DRAFT, ACTIVE = ContractStatus.DRAFT, ContractStatus.ACTIVE
ENDED, TERMINATED = ContractStatus.ENDED, ContractStatus.TERMINATED

CONTRACT = Lifecycle(
    noun="Contract",
    transitions={
        DRAFT: frozenset({ACTIVE}),
        ACTIVE: frozenset({ENDED, TERMINATED}),
        ENDED: frozenset(),
        TERMINATED: frozenset(),
    },
    # What each step is called in messages ("cannot be made active") and in the audit log.
    verbs={ACTIVE: "made active", ENDED: "ended", TERMINATED: "terminated early"},
    actions={ACTIVE: "contract.activated", ENDED: "contract.ended",
             TERMINATED: "contract.terminated"},
)
TRANSITIONS = CONTRACT.transitions
may_move = CONTRACT.may_move
check = CONTRACT.check

# Contracts that may be varied (extended, their money changed): active ones.
VARIABLE = frozenset({ACTIVE})
# Contracts that payments may be recorded against: every one made active, ended or not.
PAYABLE = frozenset({ACTIVE, ENDED, TERMINATED})


def may_vary(contract: Contract) -> bool:
    return contract.status in VARIABLE


def may_pay(contract: Contract) -> bool:
    return contract.status in PAYABLE


def may_terminate(contract: Contract) -> bool:
    return may_move(contract, TERMINATED)


def move(user: User, contract: Contract, to: ContractStatus,
         details: dict[str, Any] | None = None) -> None:
    """Move the contract to `to` and audit it with `details`; the caller commits, with
    whatever else the step changes (versions, ledger entries)."""
    policies.require(policies.can_commission(user))
    CONTRACT.move(contract, to, actor=user,
                  details={"from": contract.status.value, **(details or {})})
