"""Open data: one blueprint, `opendata`, with its views in a module per journey:
- `publishing`: grants officers review, withhold and approve what is published, and the public
  open-data page with each publication's files;
- `register`: the public register of grants awarded, and the public list of open rounds.
"""

from flask import Blueprint

bp = Blueprint("opendata", __name__)

# The journeys register their views on `bp`, so they are imported once it exists.
from portal.opendata.routes import publishing, register  # noqa: E402, F401
