"""What commissioners and providers type about KPIs, returns and reviews, as the services take
it, and the names of the boxes it comes from (so a service's message goes beside its box)."""

from dataclasses import dataclass
from decimal import Decimal

from models.enums import Pathway, Rag, ReturnStatus
from portal.monitoring.quarters import Quarter


def target_field(quarter: Quarter) -> str:
    """'target_2024_1': the box of a KPI's target for Q1 2024/25."""
    return f"target_{quarter.year.start_year}_{quarter.number}"


def value_field(kpi_id: int) -> str:
    """'kpi_12': the box of a return's value for KPI 12."""
    return f"kpi_{kpi_id}"


@dataclass(frozen=True)
class KpiDetails:
    name: str
    unit: str
    pathway: Pathway | None
    # A target for each quarter; None where the box was left empty (no target yet).
    targets: dict[Quarter, Decimal | None]


@dataclass(frozen=True)
class ReturnAnswers:
    values: dict[int, Decimal]  # by KPI id
    narrative: str
    rag: Rag


@dataclass(frozen=True)
class Review:
    outcome: ReturnStatus  # ACCEPTED or QUERIED
    note: str
