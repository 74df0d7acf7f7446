"""What every template can use: the council's settings, policies, money and date filters."""

from flask import Flask, current_app, has_request_context, request, url_for
from flask_login import current_user

from models.enums import Role
from portal import dates, policies

# (label, endpoint, the other endpoints that belong to the same section)
APPLICANT_SECTIONS = [("Your organisations", "organisations.index", ("organisations.",))]
ADMIN_SECTIONS = [
    ("Users", "admin.users", ("admin.user", "admin.invite_staff")),
    ("Audit log", "admin.audit_log", ()),
]


def navigation_for(user) -> list[dict]:
    """The service navigation: each role's sections, for the signed-in person."""
    # Outside a request (mail sent by a job or a command) there is no one signed in.
    if not has_request_context() or user is None or not user.is_authenticated:
        return []
    sections = [("Home", "pages.home", ())]
    if user.has_role(Role.APPLICANT):
        sections += APPLICANT_SECTIONS
    if user.has_role(Role.ADMIN):
        sections += ADMIN_SECTIONS
    sections.append(("Your account", "accounts.account", ()))
    here = request.endpoint or ""
    return [
        {
            "text": label,
            "href": url_for(endpoint),
            "current": endpoint == here,
            "active": any(here.startswith(prefix) for prefix in others),
        }
        for label, endpoint, others in sections
    ]


def init_app(app: Flask) -> None:
    app.jinja_env.filters["datetime"] = dates.format_datetime
    app.jinja_env.filters["date"] = dates.format_date

    @app.context_processor
    def portal_globals() -> dict:
        return {
            "council_name": current_app.config["COUNCIL_NAME"],
            "service_name": current_app.config["SERVICE_NAME"],
            "council_url": current_app.config["COUNCIL_URL"],
            "contact_email": current_app.config["COUNCIL_CONTACT_EMAIL"],
            "navigation": navigation_for(current_user),
            "policies": policies,
            "Role": Role,
        }
