"""Routes of the funding area."""

from flask import Blueprint

bp = Blueprint("funding", __name__, url_prefix="/funding")
