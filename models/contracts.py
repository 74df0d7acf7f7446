"""Community Anchor commissioning: programmes with the council's core budget target for each
financial year, and the multi-year contracts in them. Each contract year's planned value is
split into core and external money drawn from named pots of that year, committed and paid
through the funding ledger (whose entries carry the contract's id). Providers send quarterly
monitoring returns against the contract's KPIs."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.accounts import User
from models.base import db, utcnow
from models.enums import ContractLot, ContractStatus, Pathway, Rag, ReturnStatus
from models.funding import FundingPot
from models.organisations import Organisation
from models.places import Locality, Ward
from models.types import UTCDateTime, enum_type

contract_wards = Table(
    "contract_wards", db.metadata,
    Column("contract_id", ForeignKey("contracts.id", ondelete="CASCADE"), primary_key=True),
    Column("ward_id", ForeignKey("wards.id"), primary_key=True),
)


class Programme(db.Model):
    """A commissioning programme, e.g. Community Anchors 2024-27 (code ANCHORS)."""

    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    years: Mapped[list["ProgrammeYear"]] = relationship(
        back_populates="programme", cascade="all, delete-orphan",
        order_by="ProgrammeYear.financial_year")
    contracts: Mapped[list["Contract"]] = relationship(back_populates="programme",
                                                       order_by="Contract.reference")


class ProgrammeYear(db.Model):
    """The council's target for its own (core) money in the programme in one year."""

    __tablename__ = "programme_years"
    __table_args__ = (
        UniqueConstraint("programme_id", "financial_year"),
        CheckConstraint("core_target_pence >= 0", name="core_target_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"),
                                              index=True)
    financial_year: Mapped[str] = mapped_column(String(7))
    core_target_pence: Mapped[int] = mapped_column(BigInteger)

    programme: Mapped[Programme] = relationship(back_populates="years")


class Contract(db.Model):
    """A service commissioned from a provider organisation over several financial years."""

    __tablename__ = "contracts"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    reference: Mapped[str] = mapped_column(String(30), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    provider_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    lot: Mapped[ContractLot] = mapped_column(enum_type(ContractLot), index=True)
    locality_id: Mapped[int | None] = mapped_column(ForeignKey("localities.id"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    status: Mapped[ContractStatus] = mapped_column(enum_type(ContractStatus),
                                                   default=ContractStatus.DRAFT, index=True)
    # Quarterly instalments fall due at the start of each quarter (in advance) or at its end.
    pays_in_advance: Mapped[bool] = mapped_column(default=True)
    # Ended early: when and why (its future commitments are released).
    terminated_on: Mapped[date | None]
    termination_reason: Mapped[str] = mapped_column(Text, default="")
    # The newest version of its terms (1 when first made active; each variation adds one).
    version: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    programme: Mapped[Programme] = relationship(back_populates="contracts")
    provider: Mapped[Organisation] = relationship()
    locality: Mapped[Locality | None] = relationship()
    wards: Mapped[list[Ward]] = relationship(secondary=contract_wards, order_by=Ward.name)
    created_by: Mapped[User] = relationship()
    years: Mapped[list["ContractYear"]] = relationship(
        back_populates="contract", cascade="all, delete-orphan",
        order_by="ContractYear.financial_year")
    kpis: Mapped[list["Kpi"]] = relationship(back_populates="contract",
                                             cascade="all, delete-orphan", order_by="Kpi.id")


class ContractYear(db.Model):
    """One financial year of a contract: its planned value, split into core and external,
    and the pots each part is drawn from."""

    __tablename__ = "contract_years"
    __table_args__ = (
        UniqueConstraint("contract_id", "financial_year"),
        CheckConstraint("core_pence >= 0", name="core_not_negative"),
        CheckConstraint("external_pence >= 0", name="external_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"),
                                             index=True)
    financial_year: Mapped[str] = mapped_column(String(7), index=True)
    core_pence: Mapped[int] = mapped_column(BigInteger, default=0)
    external_pence: Mapped[int] = mapped_column(BigInteger, default=0)

    contract: Mapped[Contract] = relationship(back_populates="years")
    funding: Mapped[list["ContractFunding"]] = relationship(
        back_populates="year", cascade="all, delete-orphan", order_by="ContractFunding.id")
    instalments: Mapped[list["ContractInstalment"]] = relationship(
        back_populates="year", cascade="all, delete-orphan",
        order_by="ContractInstalment.quarter")

    @property
    def total_pence(self) -> int:
        return self.core_pence + self.external_pence


class ContractFunding(db.Model):
    """The part of a contract year one pot pays for, committed in the ledger."""

    __tablename__ = "contract_funding"
    __table_args__ = (
        UniqueConstraint("contract_year_id", "pot_id"),
        CheckConstraint("amount_pence > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_year_id: Mapped[int] = mapped_column(
        ForeignKey("contract_years.id", ondelete="CASCADE"), index=True)
    pot_id: Mapped[int] = mapped_column(ForeignKey("funding_pots.id"), index=True)
    amount_pence: Mapped[int] = mapped_column(BigInteger)

    year: Mapped[ContractYear] = relationship(back_populates="funding")
    pot: Mapped[FundingPot] = relationship()


class ContractInstalment(db.Model):
    """A quarter's scheduled payment of a contract year."""

    __tablename__ = "contract_instalments"
    __table_args__ = (
        UniqueConstraint("contract_year_id", "quarter"),
        CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter_1_to_4"),
        CheckConstraint("amount_pence > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_year_id: Mapped[int] = mapped_column(
        ForeignKey("contract_years.id", ondelete="CASCADE"), index=True)
    quarter: Mapped[int]
    due_on: Mapped[date]
    amount_pence: Mapped[int] = mapped_column(BigInteger)

    year: Mapped[ContractYear] = relationship(back_populates="instalments")


class ContractPayment(db.Model):
    """Money paid to the provider against a quarter's instalment; its ledger entries share
    the batch."""

    __tablename__ = "contract_payments"
    __table_args__ = (CheckConstraint("amount_pence > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    instalment_id: Mapped[int] = mapped_column(ForeignKey("contract_instalments.id"),
                                               index=True)
    paid_on: Mapped[date]
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    reference: Mapped[str] = mapped_column(String(100))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    batch: Mapped[uuid.UUID] = mapped_column(db.Uuid, index=True)

    contract: Mapped[Contract] = relationship()
    instalment: Mapped[ContractInstalment] = relationship()
    recorded_by: Mapped[User] = relationship()


class ContractVersion(db.Model):
    """A contract's years, values and splits as they stood after it was made active or
    varied, with why, kept as data."""

    __tablename__ = "contract_versions"
    __table_args__ = (UniqueConstraint("contract_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"),
                                             index=True)
    number: Mapped[int]
    reason: Mapped[str] = mapped_column(Text, default="")
    terms: Mapped[dict[str, Any]] = mapped_column(db.JSON)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    contract: Mapped[Contract] = relationship()
    created_by: Mapped[User] = relationship()


class Kpi(db.Model):
    """A measure a contract reports on each quarter, e.g. people supported."""

    __tablename__ = "kpis"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"),
                                             index=True)
    name: Mapped[str] = mapped_column(String(120))
    unit: Mapped[str] = mapped_column(String(40), default="")
    # The pathway the KPI counts towards in the district roll-up; None: in no pathway.
    pathway: Mapped[Pathway | None] = mapped_column(enum_type(Pathway))

    contract: Mapped[Contract] = relationship(back_populates="kpis")
    targets: Mapped[list["KpiTarget"]] = relationship(
        back_populates="kpi", cascade="all, delete-orphan",
        order_by="(KpiTarget.financial_year, KpiTarget.quarter)")


class KpiTarget(db.Model):
    """A KPI's target for one quarter of one financial year."""

    __tablename__ = "kpi_targets"
    __table_args__ = (
        UniqueConstraint("kpi_id", "financial_year", "quarter"),
        CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter_1_to_4"),
        CheckConstraint("target >= 0", name="target_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpis.id", ondelete="CASCADE"), index=True)
    financial_year: Mapped[str] = mapped_column(String(7))
    quarter: Mapped[int]
    target: Mapped[Decimal] = mapped_column(Numeric(14, 2))

    kpi: Mapped[Kpi] = relationship(back_populates="targets")


class ContractReturn(db.Model):
    """A provider's quarterly monitoring return: a value for each KPI, a narrative and a
    red/amber/green self-assessment, and the commissioner's review."""

    __tablename__ = "contract_returns"
    __table_args__ = (
        UniqueConstraint("contract_id", "financial_year", "quarter"),
        CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter_1_to_4"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"),
                                             index=True)
    financial_year: Mapped[str] = mapped_column(String(7))
    quarter: Mapped[int]
    status: Mapped[ReturnStatus] = mapped_column(enum_type(ReturnStatus),
                                                 default=ReturnStatus.SUBMITTED)
    narrative: Mapped[str] = mapped_column(Text, default="")
    rag: Mapped[Rag] = mapped_column(enum_type(Rag))
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_note: Mapped[str] = mapped_column(Text, default="")

    contract: Mapped[Contract] = relationship()
    submitted_by: Mapped[User] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    values: Mapped[list["ReturnValue"]] = relationship(
        back_populates="contract_return", cascade="all, delete-orphan",
        order_by="ReturnValue.kpi_id")

    @hybrid_property
    def counted(self) -> bool:
        """Whether its values count in the figures (benchmarks, trends, partners' KPIs): a
        queried return's do not until it is sent again. Works in queries too."""
        return self.status != ReturnStatus.QUERIED


class ReturnValue(db.Model):
    """What a return reports for one KPI."""

    __tablename__ = "return_values"
    __table_args__ = (
        UniqueConstraint("return_id", "kpi_id"),
        CheckConstraint("value >= 0", name="value_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("contract_returns.id", ondelete="CASCADE"),
                                           index=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpis.id"), index=True)
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2))

    contract_return: Mapped[ContractReturn] = relationship(back_populates="values")
    kpi: Mapped[Kpi] = relationship()


class Scenario(db.Model):
    """A what-if taper for a programme, saved to compare; it never touches live data."""

    __tablename__ = "scenarios"
    __table_args__ = (UniqueConstraint("programme_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"),
                                              index=True)
    name: Mapped[str] = mapped_column(String(120))
    # The taper rule as data (see portal.contracts.taper).
    rule: Mapped[dict[str, Any]] = mapped_column(db.JSON)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    programme: Mapped[Programme] = relationship()
    created_by: Mapped[User] = relationship()


class ContractDocument(db.Model):
    """A file kept with a contract (the signed contract, its specification, a variation
    letter). The bytes live outside static/ under a random name, as applications' do."""

    __tablename__ = "contract_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"),
                                             index=True)
    title: Mapped[str] = mapped_column(String(200))
    original_filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    contract: Mapped[Contract] = relationship()
    uploaded_by: Mapped[User] = relationship()
