"""Awards: offers and their letters, payments and variations, and monitoring returns.

One blueprint, `awards`, with its views in a module per journey:
- `offers_and_letters`: making, seeing, answering and withdrawing offers, and their letters;
- `payments_and_variations`: payments, recoveries, variations and special conditions met;
- `grant_returns`: the organisation's monitoring returns and the officers' review of them.
"""

from flask import Blueprint

from portal.awards import services
from portal.views import current_person

bp = Blueprint("awards", __name__, url_prefix="/awards")


def award_for(award_id: int):
    """The award, for a grants officer."""
    return services.award(current_person(), award_id)


# The journeys register their views on `bp`, so they are imported once it exists.
from portal.awards.routes import (  # noqa: E402, F401
    grant_returns,
    offers_and_letters,
    payments_and_variations,
)
