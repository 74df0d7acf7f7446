"""The Local Government Transparency Code 2015's file of grants to voluntary, community and
social enterprise organisations: one row per grant, from the same awards as the 360Giving
file, so the two always agree."""

from models import Award
from portal import exports
from portal.dates import format_date
from portal.money import exact_pounds

HEADINGS = ["Date awarded", "Time period", "Department", "Beneficiary", "Registration number",
            "Purpose", "Amount", "Type of payment", "Grant identifier"]
PAYMENT_TYPE = "Grant"


def csv_file(awards: list[Award], grant_ids: list[str], awarded_pence: dict[int, int],
             department: str) -> bytes:
    """The amounts are those of the 360Giving file (`awarded_pence`, by award id)."""
    rows = [_row(award, grant_id, awarded_pence[award.id], department)
            for award, grant_id in zip(awards, grant_ids, strict=True)]
    return exports.to_csv(HEADINGS, rows).encode()


def _row(award: Award, grant_id: str, amount_pence: int, department: str) -> list:
    organisation = award.application.organisation
    return [award.decision.decided_on.isoformat(), _period(award), department,
            organisation.name, organisation.charity_number or organisation.company_number or "",
            award.application.title or award.reference, exact_pounds(amount_pence),
            PAYMENT_TYPE, grant_id]


def _period(award: Award) -> str:
    if not (award.start_date and award.end_date):
        return ""
    return f"{format_date(award.start_date)} to {format_date(award.end_date)}"
