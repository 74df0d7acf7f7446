"""The demo's open data: the 2024/25 Community Plus grants published by the grants officer,
through the same review and approval as in life. Idempotent: a year already published is left
as it is."""

from flask import current_app
from sqlalchemy import select

from models import Publication, User
from portal.demo.awards import OFFICER
from portal.extensions import db
from portal.opendata import services

YEAR = "2024-25"


def load_publication() -> int:
    """Publish the 2024/25 grants unless they have been; returns how many were published.
    Needs the council's org-id and 360Giving prefix, as `make run` sets them."""
    if db.session.scalar(select(Publication.id).where(Publication.financial_year == "2024/25")):
        return 0
    if not (current_app.config["COUNCIL_ORG_ID"] and current_app.config["GRANT_ID_PREFIX"]):
        return 0
    officer = db.session.scalar(select(User).where(User.email == OFFICER))
    review = services.review(officer, YEAR)
    services.publish(officer, YEAR, review.dataset.digest)
    return 1
