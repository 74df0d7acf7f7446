"""Demo funding pots: the Community Plus core budgets of 2023/24 and 2024/25 and the external
pots that keep the scheme open, the Joint Working Fund pooled by four partners, and the present
financial year's pots, each with its opening budget (or its partners' contributions) as ledger
entries; and the funding partners, whose external pots are linked to them by org-id.
Idempotent: a pot is created only when its year has no pot of that name."""

import tomllib
from datetime import UTC, date, datetime, time
from pathlib import Path

from sqlalchemy import select

from models import FundingPartner, FundingPot, Scheme, Theme, User
from models.enums import FundingSource, LedgerKind
from portal.extensions import db
from portal.financial_years import FinancialYear
from portal.funding import ledger, partners

DATA_FILE = Path(__file__).with_name("funding.toml")
OFFICER = "officer@demo.example.org"


def load_funding(now: datetime) -> int:
    """Create the missing pots, those of the present year as of `now`; returns how many were
    added."""
    officer = db.session.scalar(select(User).where(User.email == OFFICER))
    data = tomllib.loads(DATA_FILE.read_text())
    by_org_id = load_partners()
    present = FinancialYear.containing(now)
    specs = [*data["pots"], *({**spec, "financial_year": present.label,
                               "spend_by": present.ends_on.isoformat()
                               if spec.get("spend_by_year_end") else None}
                              for spec in data["present_year_pots"])]
    added = 0
    for spec in specs:
        if not _exists(spec):
            _add_pot(spec, officer)
            added += 1
    for spec in data["pooled_pots"]:
        if not _exists(spec):
            _add_pooled_pot(spec, officer, by_org_id)
            added += 1
    return added


def _exists(spec: dict) -> bool:
    return db.session.scalar(select(FundingPot.id).where(
        FundingPot.name == spec["name"],
        FundingPot.financial_year == spec["financial_year"])) is not None


def load_partners() -> dict[str, FundingPartner]:
    """The partners, by org-id, adding those missing (the demo's partner user works for one,
    and the anchors' pots find theirs by org-id)."""
    found = {partner.org_id: partner for partner in db.session.scalars(select(FundingPartner))}
    for spec in tomllib.loads(DATA_FILE.read_text())["partners"]:
        if spec["org_id"] not in found:
            found[spec["org_id"]] = FundingPartner(**spec)
            db.session.add(found[spec["org_id"]])
    db.session.flush()
    return found


def _add_pooled_pot(spec: dict, officer: User, by_org_id: dict[str, FundingPartner]) -> None:
    """An unrestricted pooled pot whose budget is each partner's contribution."""
    pot = FundingPot(name=spec["name"], financial_year=spec["financial_year"],
                     source=FundingSource.EXTERNAL, pooled=True, funder_name=spec["funder_name"],
                     acknowledgement=spec["acknowledgement"],
                     spend_by=date.fromisoformat(spec["spend_by"]))
    db.session.add(pot)
    db.session.flush()
    on = datetime.combine(date.fromisoformat(spec["contributed_on"]), time(9), UTC)
    for org_id, pounds in spec["contributions_pounds"].items():
        partner = by_org_id[org_id]
        ledger.post(officer, [ledger.Posting(pot.id, LedgerKind.BUDGET, pounds * 100,
                                             partner.id)],
                    f"{partner.name}'s contribution agreed by the Joint Working Board", now=on)

def _add_pot(spec: dict, officer: User) -> None:
    themes = list(db.session.scalars(select(Theme).where(Theme.name.in_(spec.get("themes", [])))))
    schemes = list(db.session.scalars(select(Scheme)
                                      .where(Scheme.name.in_(spec.get("schemes", [])))))
    pot = FundingPot(name=spec["name"], financial_year=spec["financial_year"],
                     source=FundingSource(spec["source"]), funder_name=spec["funder_name"],
                     funder_org_id=spec["funder_org_id"],
                     partner=partners.partner_of(FundingSource(spec["source"]), False,
                                                 spec["funder_name"], spec["funder_org_id"]),
                     acknowledgement=spec["acknowledgement"], schemes=schemes, themes=themes,
                     spend_by=date.fromisoformat(spec["spend_by"]) if spec.get("spend_by")
                     else None)
    db.session.add(pot)
    db.session.flush()
    start = int(spec["financial_year"][:4])
    ledger.post(officer, [ledger.Posting(pot.id, LedgerKind.BUDGET, spec["budget_pounds"] * 100)],
                "Budget agreed at budget council", now=datetime(start, 4, 1, 9, tzinfo=UTC))
