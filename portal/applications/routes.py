"""Applicants apply to open rounds: the task list, its sections, checking answers and submitting."""

from flask import Blueprint

bp = Blueprint("applications", __name__, url_prefix="/applications")
