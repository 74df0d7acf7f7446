"""A monitoring return's life as data (see `portal.lifecycle`): sent by the provider
(submitted), then accepted or queried by the commissioner; a queried return is sent again.
Sending a quarter's first return makes it, submitted; every later change goes through
`RETURN.move`."""

from models import ContractReturn
from models.enums import ReturnStatus
from portal.lifecycle import Lifecycle

SUBMITTED, ACCEPTED, QUERIED = ReturnStatus.SUBMITTED, ReturnStatus.ACCEPTED, ReturnStatus.QUERIED
ALREADY_REVIEWED = "This return has been {status.value} already"

RETURN = Lifecycle(
    noun="Return",
    transitions={
        SUBMITTED: frozenset({ACCEPTED, QUERIED}),
        ACCEPTED: frozenset(),
        QUERIED: frozenset({SUBMITTED}),
    },
    verbs={ACCEPTED: "accepted", QUERIED: "queried", SUBMITTED: "sent again"},
    actions={ACCEPTED: "contract_return.accepted", QUERIED: "contract_return.queried",
             SUBMITTED: "contract_return.resubmitted"},
    refusals={ACCEPTED: ALREADY_REVIEWED, QUERIED: ALREADY_REVIEWED},
)


def may_review(contract_return: ContractReturn) -> bool:
    """Whether the commissioner may still accept or query the return."""
    return RETURN.may_move(contract_return, ACCEPTED)
