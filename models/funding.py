"""Funding pots and the ledger of every movement of money against them.

A pot's budget, committed and paid amounts are sums of its ledger entries, which are only ever
added (portal.funding.ledger writes them). The pot keeps those sums too, written by the ledger
in the same transaction as the entries under the pot's row lock, so that dashboards read a row
a pot rather than summing the ledger; `flask funding check` compares them with the entries."""

import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.accounts import User
from models.associations import pot_programmes, pot_schemes, pot_themes, pot_wards
from models.base import db, utcnow
from models.enums import FundingSource, LedgerKind, PotStatus
from models.places import Ward
from models.schemes import Scheme, Theme
from models.types import UTCDateTime, enum_type

if TYPE_CHECKING:
    from models.contracts import Programme


class FundingPartner(db.Model):
    """A body that puts money into the council's pots (an ICB, Public Health, a national
    funder): the funder of its own external pots and a contributor to pooled ones. Its staff
    may sign in, read-only, to see what their money paid for."""

    __tablename__ = "funding_partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # The partner's org-id (360Giving), e.g. GB-NHS-QWO: unique, so that a pot's funder
    # org-id finds its partner.
    org_id: Mapped[str] = mapped_column(String(60), unique=True)
    # The line award letters print for money this partner contributed to a pooled pot.
    acknowledgement: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<FundingPartner {self.id} {self.org_id}>"


class FundingPot(db.Model):
    """Money available for one financial year from one source."""

    __tablename__ = "funding_pots"
    __table_args__ = (
        UniqueConstraint("financial_year", "name"),
        # The ledger's rules, held by the database too: a bug in the ledger cannot store a
        # pot that is overspent or has paid more than it committed.
        CheckConstraint("budget_pence >= committed_pence", name="not_overspent"),
        CheckConstraint("committed_pence >= paid_pence", name="paid_within_committed"),
        CheckConstraint("paid_pence >= 0", name="paid_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    financial_year: Mapped[str] = mapped_column(String(7), index=True)  # "2024/25"
    source: Mapped[FundingSource] = mapped_column(enum_type(FundingSource))
    funder_name: Mapped[str] = mapped_column(String(200))
    # The funder's org-id (360Giving), e.g. GB-LAE-KIR for Kirklees Council.
    funder_org_id: Mapped[str] = mapped_column(String(60), default="")
    # The partner whose money an external pot is (found by its funder org-id); None for core
    # pots and pooled ones, whose partners are the contributors named in the ledger.
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("funding_partners.id"),
                                                   index=True)
    # A pooled pot's budget is only partners' contributions, and what it pays for is
    # attributed to them pro rata (portal.funding.attribution).
    pooled: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The line every award letter paid from this pot must print.
    acknowledgement: Mapped[str] = mapped_column(Text, default="")
    spend_by: Mapped[date | None]
    status: Mapped[PotStatus] = mapped_column(enum_type(PotStatus), default=PotStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The sums of the pot's ledger entries (see the module's docstring): only
    # portal.funding.ledger writes them.
    budget_pence: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    committed_pence: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    paid_pence: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")

    partner: Mapped[FundingPartner | None] = relationship()
    schemes: Mapped[list[Scheme]] = relationship(secondary=pot_schemes, order_by=Scheme.name)
    themes: Mapped[list[Theme]] = relationship(secondary=pot_themes, order_by=Theme.name)
    wards: Mapped[list[Ward]] = relationship(secondary=pot_wards, order_by=Ward.name)
    # Commissioning programmes the pot may pay contracts of. A pot restricted to programmes
    # funds no grants; one with no restriction of any kind funds grants and contracts.
    programmes: Mapped[list["Programme"]] = relationship(secondary=pot_programmes,
                                                         order_by="Programme.name")

    def __repr__(self) -> str:
        return f"<FundingPot {self.id} {self.financial_year} {self.name}>"


class LedgerEntry(db.Model):
    """One movement of money against a pot. Rows are added, never changed or deleted."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint("amount_pence <> 0", name="amount_not_zero"),
        CheckConstraint("kind IN ('budget', 'transfer') OR amount_pence > 0",
                        name="only_budget_and_transfer_negative"),
        CheckConstraint("award_id IS NULL OR contract_id IS NULL", name="one_purpose"),
        CheckConstraint("partner_id IS NULL OR kind = 'budget'", name="contribution_is_budget"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pot_id: Mapped[int] = mapped_column(ForeignKey("funding_pots.id"), index=True)
    kind: Mapped[LedgerKind] = mapped_column(enum_type(LedgerKind))
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # Entries written together (a transfer's two sides, an award's allocations) share this.
    batch: Mapped[uuid.UUID] = mapped_column(db.Uuid, default=uuid.uuid4, index=True)
    # What the money is for: an award or a contract (at most one of them).
    award_id: Mapped[int | None] = mapped_column(ForeignKey("awards.id"), index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"), index=True)
    # A contribution: a budget entry naming the partner whose money it is (a pooled pot's
    # budget is made only of these; a negative one takes part of a contribution back).
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("funding_partners.id"),
                                                   index=True)

    pot: Mapped[FundingPot] = relationship()
    partner: Mapped[FundingPartner | None] = relationship()
    actor: Mapped[User] = relationship()


class SchemePotSpend(db.Model):
    """What one scheme's awards have committed and been paid from one pot: the sums of those
    awards' ledger entries against the pot, kept like the pot's own figures (written by the
    ledger under the pot's row lock, in the transaction that adds the entries), so that the
    funding dashboard and the scheme taper read a row a scheme and pot."""

    __tablename__ = "scheme_pot_spends"

    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id"), primary_key=True)
    pot_id: Mapped[int] = mapped_column(ForeignKey("funding_pots.id"), primary_key=True,
                                        index=True)
    committed_pence: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_pence: Mapped[int] = mapped_column(BigInteger, default=0)
