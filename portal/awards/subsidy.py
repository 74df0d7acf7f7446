"""Subsidy control for award offers: Minimal Financial Assistance (MFA).

An organisation may receive no more than the threshold (`SUBSIDY_THRESHOLD`, default £315,000)
of MFA and other public funding over the current financial year and the two before it. The
running total counts the public funding the organisation declared in its application for those
years, the council's own awards to it from rounds of those years that still hold money (offered
or accepted), and the new award. Above the threshold an award cannot be given as MFA; the
officer sees a warning as the total comes near it (WARNING_SHARE of it).
"""

from dataclasses import dataclass
from fractions import Fraction

from flask import current_app
from sqlalchemy import func, select

from models import Application, Award, PublicFunding, Round
from portal.awards.lifecycle import AWARDED
from portal.extensions import db
from portal.financial_years import FinancialYear
from portal.money import format_pounds

WARNING_SHARE = Fraction(4, 5)


@dataclass(frozen=True)
class RunningTotal:
    """The organisation's public funding over `years` (newest first), this award included."""

    years: tuple[str, ...]
    declared_pence: int
    awarded_pence: int
    this_award_pence: int
    threshold_pence: int

    @property
    def total_pence(self) -> int:
        return self.declared_pence + self.awarded_pence + self.this_award_pence

    @property
    def over(self) -> bool:
        return self.total_pence > self.threshold_pence

    @property
    def near(self) -> bool:
        return not self.over and self.total_pence > self.threshold_pence * WARNING_SHARE

    @property
    def period(self) -> str:
        return f"{self.years[-1]} to {self.years[0]}"


def years_for(financial_year: str) -> tuple[str, ...]:
    """The financial year and the two before it, newest first."""
    year = FinancialYear.parse(financial_year)
    return year.label, year.previous().label, year.previous(2).label


def running_total(application: Application, amount_pence: int) -> RunningTotal:
    """What the organisation would have had over the round's year and the two before it if
    it were given `amount_pence` now (two queries)."""
    years = years_for(application.round.financial_year)
    declared = db.session.scalar(
        select(func.coalesce(func.sum(PublicFunding.amount_pence), 0))
        .where(PublicFunding.application_id == application.id,
               PublicFunding.financial_year.in_(years)))
    awarded = db.session.scalar(
        select(func.coalesce(func.sum(Award.amount_pence), 0))
        .join(Award.application).join(Application.round)
        .where(Application.organisation_id == application.organisation_id,
               Application.id != application.id, Round.financial_year.in_(years),
               Award.status.in_(AWARDED)))
    return RunningTotal(years, int(declared), int(awarded), amount_pence,
                        current_app.config["SUBSIDY_THRESHOLD_PENCE"])


def statement(total: RunningTotal, minimal_financial_assistance: bool, basis: str) -> str:
    """The subsidy control statement the award letter must carry."""
    if not minimal_financial_assistance:
        return ("This grant is not given as Minimal Financial Assistance under the Subsidy "
                f"Control Act 2022. The basis for the award: {basis.strip()}")
    return (f"This grant of {format_pounds(total.this_award_pence)} is given as Minimal "
            "Financial Assistance under section 36 of the Subsidy Control Act 2022. Including "
            "this grant, your organisation has received "
            f"{format_pounds(total.total_pence)} of Minimal Financial Assistance and other "
            f"public funding in the financial years {total.period}, against the limit of "
            f"{format_pounds(total.threshold_pence)}. Keep this letter for three years: you may "
            "need to declare this grant when applying to another public body.")
