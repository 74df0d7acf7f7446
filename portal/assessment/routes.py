"""Grants officers' view of the applications that have come in."""

from flask import Blueprint

bp = Blueprint("assessment", __name__, url_prefix="/assessment")
