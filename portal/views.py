"""Small helpers shared by the views of every area."""

from flask import request
from flask_wtf import FlaskForm

from portal.exceptions import RuleBroken


def show_rule_broken(form: FlaskForm, error: RuleBroken) -> None:
    """Put a service's message beside its field, or beside the form's first field."""
    field_name = error.field if error.field in form else next(iter(form._fields))
    form[field_name].errors = [*form[field_name].errors, error.message]
    # Flask-WTF caches form.errors after validation; refresh it so the summary shows this too.
    form._errors = None


MAX_PAGE = 100_000  # a larger ?page= is nonsense; capping it keeps the OFFSET a valid integer


def page_number() -> int:
    """The ?page= number, 1 when it is missing or nonsense."""
    page = request.args.get("page", default=1, type=int)
    return min(page, MAX_PAGE) if page and page > 0 else 1
