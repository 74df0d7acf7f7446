"""Security headers, sign-in sessions and safe redirects, all set by the app itself."""

from urllib.parse import urlsplit

from flask import Flask, request
from flask_talisman import Talisman

from portal.accounts import sessions
from portal.extensions import login_manager

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def init_app(app: Flask) -> None:
    production = app.config["HSTS_ENABLED"]
    # One Talisman per app: it keeps its settings (and the app) on itself, so a shared instance
    # would let the last app created decide the headers of every other app.
    app.extensions["talisman"] = Talisman(
        app,
        force_https=False,  # TLS is terminated by the proxy in front of gunicorn
        strict_transport_security=production,
        strict_transport_security_max_age=31536000,
        strict_transport_security_include_subdomains=True,
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        content_security_policy=CONTENT_SECURITY_POLICY,
        content_security_policy_nonce_in=["script-src"],
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"},
    )

    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(sessions.load)

    @app.after_request
    def _no_store_except_static_files(response):
        # Pages, documents, letters and exports about people and money must not be kept by
        # shared browsers or proxies. Whatever the view or send_file set (public, max-age) is
        # replaced unless it already forbids storing; only the app's own CSS, JS and images
        # may be cached.
        if request.endpoint != "static" and not response.cache_control.no_store:
            response.headers["Cache-Control"] = "no-store"
        return response


def safe_next_url(target: str | None) -> str | None:
    """Return `target` only if it is a path on this site, so `next` cannot send people away."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(char) < 32 for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def client_ip() -> str | None:
    return request.remote_addr
