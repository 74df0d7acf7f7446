"""Grant schemes, their themes, and the rounds in which organisations apply."""

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.associations import round_themes, round_wards
from models.base import db, utcnow
from models.enums import (
    LegalForm,
    RoundState,
    RoundStatus,
    ScoreScale,
    ShortfallRule,
    SplitPolicy,
)
from models.places import Ward
from models.types import UTCDateTime, enum_type


class Scheme(db.Model):
    __tablename__ = "schemes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    # The start of every application reference in the scheme, e.g. CPG-2425-0001.
    reference_prefix: Mapped[str] = mapped_column(String(6), unique=True)
    # How an award's amount is first proposed across the pots that may fund it.
    split_policy: Mapped[SplitPolicy] = mapped_column(
        enum_type(SplitPolicy), default=SplitPolicy.EXTERNAL_FIRST,
        server_default=SplitPolicy.EXTERNAL_FIRST.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    themes: Mapped[list["Theme"]] = relationship(
        back_populates="scheme", cascade="all, delete-orphan", order_by="Theme.name")
    rounds: Mapped[list["Round"]] = relationship(back_populates="scheme",
                                                 order_by="Round.opens_at.desc()")


class Theme(db.Model):
    """What a grant is for, e.g. reducing social isolation. Configured per scheme."""

    __tablename__ = "themes"
    __table_args__ = (UniqueConstraint("scheme_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id", ondelete="CASCADE"),
                                           index=True)
    name: Mapped[str] = mapped_column(String(120))

    scheme: Mapped[Scheme] = relationship(back_populates="themes")


class Round(db.Model):
    """One call for applications in a scheme. Money is in pence; times are UTC."""

    __tablename__ = "rounds"
    __table_args__ = (
        CheckConstraint("closes_at > opens_at", name="closes_after_opens"),
        CheckConstraint("min_award_pence > 0", name="min_award_positive"),
        CheckConstraint("min_award_pence <= max_award_pence", name="min_not_above_max"),
        CheckConstraint("max_award_pence <= budget_pence", name="max_not_above_budget"),
        CheckConstraint("max_project_months > 0", name="project_length_positive"),
        CheckConstraint("max_annual_income_pence IS NULL OR max_annual_income_pence > 0",
                        name="income_limit_positive"),
        CheckConstraint("assessors_per_application BETWEEN 1 AND 10",
                        name="assessor_count_in_range"),
        CheckConstraint("pass_mark_percent BETWEEN 0 AND 100", name="pass_mark_in_range"),
        CheckConstraint("moderation_margin_percent BETWEEN 0 AND 100",
                        name="moderation_margin_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    financial_year: Mapped[str] = mapped_column(String(7))  # "2024/25"
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    budget_pence: Mapped[int] = mapped_column(BigInteger)
    min_award_pence: Mapped[int] = mapped_column(BigInteger)
    max_award_pence: Mapped[int] = mapped_column(BigInteger)
    max_project_months: Mapped[int]
    eligible_legal_forms: Mapped[list[str]] = mapped_column(db.JSON, default=list)
    max_annual_income_pence: Mapped[int | None] = mapped_column(BigInteger)
    any_ward: Mapped[bool] = mapped_column(default=True)
    guidance: Mapped[str] = mapped_column(Text, default="")
    required_documents: Mapped[list[str]] = mapped_column(db.JSON, default=list)
    one_application_per_organisation: Mapped[bool] = mapped_column(default=True)
    # A competitive round decides once it has closed, comparing every application; a rolling
    # round decides each application while it is open.
    rolling: Mapped[bool] = mapped_column(default=False)
    # Set when an officer closed the round before its time (closes_at is then that moment).
    closed_early_reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[RoundStatus] = mapped_column(enum_type(RoundStatus),
                                                default=RoundStatus.DRAFT)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Assessment: how many assessors score each application, the weighted total (a percentage)
    # an application needs, how far apart assessors' totals may be before moderation, and what
    # "recommend within budget" does with an application that no longer fits.
    assessors_per_application: Mapped[int] = mapped_column(default=2, server_default="2")
    pass_mark_percent: Mapped[int] = mapped_column(default=50, server_default="50")
    moderation_margin_percent: Mapped[int] = mapped_column(default=20, server_default="20")
    shortfall_rule: Mapped[ShortfallRule] = mapped_column(
        enum_type(ShortfallRule), default=ShortfallRule.SKIP, server_default="skip")

    scheme: Mapped[Scheme] = relationship(back_populates="rounds")
    criteria: Mapped[list["ScoringCriterion"]] = relationship(
        back_populates="round", cascade="all, delete-orphan",
        order_by="[ScoringCriterion.position, ScoringCriterion.id]")
    wards: Mapped[list[Ward]] = relationship(secondary=round_wards, order_by=Ward.name)
    themes: Mapped[list[Theme]] = relationship(secondary=round_themes, order_by=Theme.name)

    def state_at(self, now: datetime) -> RoundState:
        """Open and closed follow from the times, so a round closes on time by itself."""
        if self.status is RoundStatus.DRAFT:
            return RoundState.DRAFT
        if self.status is RoundStatus.DECIDED:
            return RoundState.DECIDED
        if now < self.opens_at:
            return RoundState.UPCOMING
        return RoundState.OPEN if now < self.closes_at else RoundState.CLOSED

    @property
    def state(self) -> RoundState:
        return self.state_at(utcnow())

    @property
    def legal_forms(self) -> list[LegalForm]:
        return [LegalForm(value) for value in self.eligible_legal_forms]


class ScoringCriterion(db.Model):
    """What assessors score in a round. Weights are whole percentages totalling 100 per round;
    a score below `minimum_score` fails the application whatever its total."""

    __tablename__ = "scoring_criteria"
    __table_args__ = (
        UniqueConstraint("round_id", "name"),
        CheckConstraint("weight_percent BETWEEN 1 AND 100", name="weight_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"),
                                          index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(120))
    guidance: Mapped[str] = mapped_column(Text, default="")
    weight_percent: Mapped[int]
    scale: Mapped[ScoreScale] = mapped_column(enum_type(ScoreScale))
    minimum_score: Mapped[int | None]

    round: Mapped[Round] = relationship(back_populates="criteria")
