"""A contract's life as data: drafted, made active, then ended at its end date or terminated
early. Every change of status goes through `move`, which checks the step is allowed, sets it
and records it in the audit log."""

from typing import Any

from models import Contract, User
from models.enums import ContractStatus
from portal import audit, policies
from portal.exceptions import RuleBroken

DRAFT, ACTIVE = ContractStatus.DRAFT, ContractStatus.ACTIVE
ENDED, TERMINATED = ContractStatus.ENDED, ContractStatus.TERMINATED

TRANSITIONS: dict[ContractStatus, frozenset[ContractStatus]] = {
    DRAFT: frozenset({ACTIVE}),
    ACTIVE: frozenset({ENDED, TERMINATED}),
    ENDED: frozenset(),
    TERMINATED: frozenset(),
}

# What each step is called in messages ("cannot be made active") and in the audit log.
_VERB = {ACTIVE: "made active", ENDED: "ended", TERMINATED: "terminated early"}
_ACTION = {ACTIVE: "contract.activated", ENDED: "contract.ended",
           TERMINATED: "contract.terminated"}


def may_move(contract: Contract, to: ContractStatus) -> bool:
    return to in TRANSITIONS[contract.status]


def check(contract: Contract, to: ContractStatus) -> None:
    """RuleBroken, saying why, unless the contract may move to `to` from where it is."""
    if not may_move(contract, to):
        raise RuleBroken(f"Contract {contract.reference} is {contract.status.label.lower()}, "
                         f"so it cannot be {_VERB[to]}")


def move(user: User, contract: Contract, to: ContractStatus,
         details: dict[str, Any] | None = None) -> None:
    """Move the contract to `to` and audit it with `details`; the caller commits, with
    whatever else the step changes (versions, ledger entries)."""
    policies.require(policies.can_commission(user))
    check(contract, to)
    before = contract.status
    contract.status = to
    audit.record(_ACTION[to], actor=user, subject=contract,
                 details={"from": before.value, **(details or {})})
