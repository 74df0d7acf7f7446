"""Documents uploaded with applications: checked by content, stored outside static/,
served only as attachments."""

from flask import Blueprint

bp = Blueprint("documents", __name__, url_prefix="/documents")
