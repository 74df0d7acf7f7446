"""GOV.UK-style error pages. A 500 rolls back the database session so that a half-done change
is never committed by a later request."""

from flask import Flask, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.exceptions import NotFound as PageNotFound

from portal.exceptions import NotAllowed, NotFound
from portal.extensions import db
from portal.security import safe_next_url

PAGES = {400, 403, 404, 405, 413, 429, 500}


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        retry_url = safe_next_url(request.full_path.rstrip("?")) or url_for("pages.home")
        return render_template("errors/csrf.html", retry_url=retry_url), 400

    @app.errorhandler(NotFound)
    def not_found(error: NotFound):
        return render_template("errors/404.html", error=PageNotFound()), 404

    @app.errorhandler(NotAllowed)
    def not_allowed(error: NotAllowed):
        return render_template("errors/403.html"), 403

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code if error.code in PAGES else 400
        if code >= 500:
            db.session.rollback()
        # Keep the error's own headers (a 405 must say which methods are allowed in Allow).
        headers = [(name, value) for name, value in error.get_headers()
                   if name.lower() != "content-type"]
        return render_template(f"errors/{code}.html", error=error), error.code, headers

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return render_template("errors/500.html", error=InternalServerError()), 500
