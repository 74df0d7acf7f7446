"""Small helpers shared by the views of every area."""

import io

from flask import abort, current_app, request, send_file
from flask_login import current_user
from flask_wtf import FlaskForm

from models import User
from portal.exceptions import RuleBroken


def current_person() -> User:
    """The signed-in person as the User row the services take, not Flask-Login's proxy."""
    return current_user._get_current_object()


def show_rule_broken(form: FlaskForm, error: RuleBroken, field: str | None = None) -> None:
    """Put a service's message beside its field (or `field`, where the form names it
    otherwise), or beside the form's first field."""
    field = field or error.field
    field_name = field if field in form else next(iter(form._fields))
    form[field_name].errors = [*form[field_name].errors, error.message]
    # Flask-WTF caches form.errors after validation; refresh it so the summary shows this too.
    form._errors = None


MAX_PAGE = 100_000  # a larger ?page= is nonsense; capping it keeps the OFFSET a valid integer


def page_number() -> int:
    """The ?page= number, 1 when it is missing or nonsense."""
    page = request.args.get("page", default=1, type=int)
    return min(page, MAX_PAGE) if page and page > 0 else 1


# Room in an upload request for the form around the file (the multipart headers and fields).
FORM_ALLOWANCE = 1024 * 1024


def allow_room_for_the_form(max_file_bytes: int) -> None:
    """Let an upload request be a little larger than the largest file, so that a file just
    over the limit gets the message beside the field rather than the 413 page. Call it before
    the CSRF check, which is the first thing to read the request body."""
    request.max_content_length = max_file_bytes + FORM_ALLOWANCE


def send_upload(data: bytes | None, content_type: str, filename: str, what: str):
    """An uploaded file's bytes, always as an attachment with the type found by its content,
    so a browser never shows it as a page of this site; 404 (logged) when they are missing."""
    if data is None:
        current_app.logger.error("The file of %s is missing", what)
        abort(404)
    response = send_file(io.BytesIO(data), mimetype=content_type, as_attachment=True,
                         download_name=filename, conditional=False, etag=False)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
