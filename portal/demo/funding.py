"""Demo funding pots: the Community Plus core budgets of 2023/24 and 2024/25 and the external
pots that keep the scheme open, and the present financial year's pots, each with its opening
budget as a ledger entry. Idempotent: a pot is created only when its year has no pot of that
name."""

import tomllib
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select

from models import FundingPot, Scheme, Theme, User
from models.enums import FundingSource, LedgerKind
from portal.extensions import db
from portal.financial_years import FinancialYear
from portal.funding import ledger

DATA_FILE = Path(__file__).with_name("funding.toml")
OFFICER = "officer@demo.example.org"


def load_funding(now: datetime) -> int:
    """Create the missing pots, those of the present year as of `now`; returns how many were
    added."""
    officer = db.session.scalar(select(User).where(User.email == OFFICER))
    data = tomllib.loads(DATA_FILE.read_text())
    present = FinancialYear.containing(now)
    specs = [*data["pots"], *({**spec, "financial_year": present.label,
                               "spend_by": present.ends_on.isoformat()
                               if spec.get("spend_by_year_end") else None}
                              for spec in data["present_year_pots"])]
    added = 0
    for spec in specs:
        if db.session.scalar(select(FundingPot.id).where(
                FundingPot.name == spec["name"],
                FundingPot.financial_year == spec["financial_year"])) is None:
            _add_pot(spec, officer)
            added += 1
    return added


def _add_pot(spec: dict, officer: User) -> None:
    themes = list(db.session.scalars(select(Theme).where(Theme.name.in_(spec.get("themes", [])))))
    schemes = list(db.session.scalars(select(Scheme)
                                      .where(Scheme.name.in_(spec.get("schemes", [])))))
    pot = FundingPot(name=spec["name"], financial_year=spec["financial_year"],
                     source=FundingSource(spec["source"]), funder_name=spec["funder_name"],
                     funder_org_id=spec["funder_org_id"],
                     acknowledgement=spec["acknowledgement"], schemes=schemes, themes=themes,
                     spend_by=date.fromisoformat(spec["spend_by"]) if spec.get("spend_by")
                     else None)
    db.session.add(pot)
    db.session.flush()
    start = int(spec["financial_year"][:4])
    ledger.post(officer, [ledger.Posting(pot.id, LedgerKind.BUDGET, spec["budget_pounds"] * 100)],
                "Budget agreed at budget council", now=datetime(start, 4, 1, 9, tzinfo=UTC))
