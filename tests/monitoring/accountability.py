"""A small lot for the accountability tests: three local anchors of one programme, a clock in
August 2025 (Q1 2025/26 the last quarter to have ended), and returns for 2024/25 with an
outlier and a queried return."""

from datetime import UTC, datetime

import pytest

from models import Locality
from models.base import db
from models.enums import Pathway, ReturnStatus
from portal.monitoring import routes
from tests.monitoring.anchors import Anchor, anchor, sent_return

LATER = datetime(2025, 8, 20, 12, tzinfo=UTC)


@pytest.fixture
def later(monkeypatch) -> datetime:
    monkeypatch.setattr(routes, "utcnow", lambda: LATER)
    return LATER


def lot() -> tuple[Anchor, Anchor, Anchor]:
    """CA-LA-01 (in Dewsbury and Mirfield) sends people supported 90, 100, then 40: below
    half its target of 100 and down 60%; CA-LA-02 sends 120, then 100, which is queried;
    CA-LA-03 sends nothing. People supported is in the financial hardship pathway."""
    first = anchor("CA-LA-01", locality=Locality(name="Dewsbury and Mirfield"))
    programme = first.contract.programme
    second = anchor("CA-LA-02", programme=programme)
    third = anchor("CA-LA-03", programme=programme)
    for found in (first, second, third):
        found.kpis[0].pathway = Pathway.FINANCIAL_HARDSHIP
    db.session.commit()
    for quarter, values in enumerate([("90", "25"), ("100", "25"), ("40", "25")], start=1):
        sent_return(first, quarter, values, status=ReturnStatus.ACCEPTED)
    sent_return(second, 1, ("120", "10"))
    sent_return(second, 2, ("100", "10"), status=ReturnStatus.QUERIED)
    return first, second, third
