"""The home page, the footer's pages and the health check."""

from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import current_user

from portal import policies
from portal.extensions import limiter
from portal.pages import services

bp = Blueprint("pages", __name__)


@bp.get("/")
def home():
    """The start page, with each signed-in person's sections; a funding partner's staff go
    straight to their partner's pages."""
    if policies.is_partner_staff(current_user):
        return redirect(url_for("partners.index"))
    return render_template("pages/home.html")


@bp.get("/accessibility")
def accessibility():
    return render_template("pages/accessibility.html")


@bp.get("/privacy")
def privacy():
    return render_template("pages/privacy.html")


@bp.get("/cookies")
def cookies():
    return render_template("pages/cookies.html")


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """For load balancers and monitoring: 503 when the database is unreachable, else 200 (with
    status "degraded" while a configured Redis is unreachable: the service still works)."""
    health = services.health()
    return jsonify(health), 503 if health["status"] == "error" else 200
