"""Community Anchor programmes and their contracts, for commissioners.

One blueprint, `contracts`, with its views in a module per journey:
- `setting_up`: the programmes, a programme's contracts, and creating and changing both;
- `contract_money`: a contract's money each year, the pots it comes from, and activation;
- `taper_and_scenarios`: tapering a programme's funding and its what-if scenarios;
- `variations_and_ending`: extending, terminating and ending an active contract, and its
  versions;
- `contract_payments`: the quarterly schedule and recording payments;
- `contract_documents`: the documents kept with a contract.
"""

from flask import Blueprint

from models.enums import ContractStatus
from portal.contracts import services
from portal.exceptions import RuleBroken
from portal.views import current_person, show_rule_broken

bp = Blueprint("contracts", __name__, url_prefix="/contracts")


def programme_for(programme_id: int):
    """The programme, if the signed-in person may see it."""
    return services.get_programme(current_person(), programme_id)


def contract_for(contract_id: int):
    """The contract, if the signed-in person may see it."""
    return services.get_contract(current_person(), contract_id)


def is_variation(contract) -> bool:
    """Whether changing the contract's money is a variation (it is active)."""
    return contract.status is ContractStatus.ACTIVE


def show_broken(form, error: RuleBroken) -> None:
    """A service's broken rule beside the box it is about (the form knows its boxes' names)."""
    show_rule_broken(form, error, form.field_for(error.field))


# The journeys register their views on `bp`, so they are imported once it exists.
from portal.contracts.routes import (  # noqa: E402, F401
    contract_documents,
    contract_money,
    contract_payments,
    setting_up,
    taper_and_scenarios,
    variations_and_ending,
)
