"""What every template can use: the council's settings, policies, money and date filters."""

from types import SimpleNamespace

from flask import Flask, current_app, has_request_context, request, url_for
from flask_login import current_user
from govuk_frontend_wtf.main import wtforms_errors
from govuk_frontend_wtf.wtforms_widgets import GovDateInput

from models.enums import Role
from portal import dates, money, policies
from portal.awards import lifecycle as awards_lifecycle
from portal.contracts import lifecycle as contracts_lifecycle
from portal.monitoring import lifecycle as monitoring_lifecycle

# (label, endpoint, the other endpoints that belong to the same section: a name ending in "."
# stands for every endpoint of that blueprint)
APPLICANT_SECTIONS = [
    ("Your applications", "applications.index", ("applications.", "documents.", "awards.offer",
                                                  "awards.accept", "awards.decline")),
    ("Your organisations", "organisations.index", ("organisations.",)),
    ("Your contracts", "monitoring.your_contracts", (
        "monitoring.contract", "monitoring.submit_return", "monitoring.contract_return")),
]
GRANTS_OFFICER_SECTIONS = [
    ("Applications", "assessment.applications", (
        "assessment.", "scoring.assessors", "scoring.assign", "decisions.application",
        "decisions.moderate", "decisions.adjust", "decisions.approve_feedback",
        "awards.new_offer", "awards.award", "awards.withdraw")),
    ("Schemes and rounds", "schemes.index", (
        "schemes.", "scoring.assign_round", "scoring.declarations", "decisions.round_results",
        "decisions.recommend", "decisions.decide_round", "awards.round_awards")),
    ("Grant returns", "awards.grant_returns", ("awards.grant_return", "awards.review_return",
                                               "awards.closed_awards")),
    ("Publish open data", "opendata.manage", ("opendata.review", "opendata.withhold")),
]
FUNDING_SECTIONS = [
    ("Funding", "funding.index", ("funding.", "partners.")),
]
# A funding partner's staff see their own partner's pages and nothing of the council's.
PARTNER_SECTIONS = [
    ("Your funding", "partners.index", ("partners.",)),
]
CONTRACTS_SECTIONS = [
    ("Contracts", "contracts.programmes", ("contracts.", "monitoring.", "reporting.programme_")),
]
ASSESSOR_SECTIONS = [
    ("Your assessments", "scoring.index", ("scoring.assignment", "scoring.declare",
                                            "scoring.score", "scoring.change")),
]
ADMIN_SECTIONS = [
    ("Users", "admin.users", ("admin.user", "admin.invite_staff", "admin.invite_partner_staff")),
    ("Audit log", "admin.audit_log", ()),
]


LIFECYCLES = SimpleNamespace(awards=awards_lifecycle, contracts=contracts_lifecycle,
                             monitoring=monitoring_lifecycle)


def navigation_for(user) -> list[dict]:
    """The service navigation: each role's sections, for the signed-in person."""
    # Outside a request (mail sent by a job or a command) there is no one signed in.
    if not has_request_context() or user is None or not user.is_authenticated:
        return []
    sections = [("Home", "pages.home", ())]
    if user.has_role(Role.APPLICANT):
        sections += APPLICANT_SECTIONS
    if policies.is_partner_staff(user):
        sections += PARTNER_SECTIONS
    if user.has_role(Role.ASSESSOR):
        sections += ASSESSOR_SECTIONS
    if user.has_role(Role.GRANTS_OFFICER):
        sections += GRANTS_OFFICER_SECTIONS
    if policies.can_view_funding(user):
        sections += FUNDING_SECTIONS
    if policies.can_commission(user):
        sections += CONTRACTS_SECTIONS
    if user.has_role(Role.ADMIN):
        sections += ADMIN_SECTIONS
    sections.append(("Your account", "accounts.account", ()))
    here = request.endpoint or ""
    return [
        {
            "text": label,
            "href": url_for(endpoint),
            "current": endpoint == here,
            "active": any(here == other or (other.endswith(".") and here.startswith(other))
                          for other in others),
        }
        for label, endpoint, others in sections
    ]


def error_summary(form) -> dict:
    """The GOV.UK error summary for a form, with a date's error linked to its day box, as the
    Design System asks (govuk-frontend-wtf links to the group of boxes)."""
    params = wtforms_errors(form)
    day_boxes = {f"#{field.id}": f"#{field.name}-day"
                 for field in form if isinstance(field.widget, GovDateInput)}
    for item in params["errorList"]:
        item["href"] = day_boxes.get(item["href"], item["href"])
    return params


def init_app(app: Flask) -> None:
    app.jinja_env.filters["datetime"] = dates.format_datetime
    app.jinja_env.filters["date"] = dates.format_date
    app.jinja_env.filters["pounds"] = money.format_pounds
    app.jinja_env.globals["error_summary"] = error_summary

    @app.context_processor
    def portal_globals() -> dict:
        return {
            "council_name": current_app.config["COUNCIL_NAME"],
            "service_name": current_app.config["SERVICE_NAME"],
            "council_url": current_app.config["COUNCIL_URL"],
            "contact_email": current_app.config["COUNCIL_CONTACT_EMAIL"],
            "navigation": navigation_for(current_user),
            "policies": policies,
            # What each record's status allows, asked as the services ask it.
            "lifecycles": LIFECYCLES,
            "Role": Role,
        }
