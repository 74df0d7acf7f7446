"""Grant schemes and their rounds, set up by grants officers."""

from flask import Blueprint

bp = Blueprint("schemes", __name__, url_prefix="/schemes")
