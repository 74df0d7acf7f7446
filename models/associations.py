"""Many-to-many link tables between areas' models (wards and themes)."""

from sqlalchemy import Column, ForeignKey, Index, Table

from models.base import db

organisation_wards = Table(
    "organisation_wards", db.metadata,
    Column("organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"),
           primary_key=True),
    Column("ward_id", ForeignKey("wards.id"), primary_key=True),
)

round_wards = Table(
    "round_wards", db.metadata,
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True),
    Column("ward_id", ForeignKey("wards.id"), primary_key=True),
)

round_themes = Table(
    "round_themes", db.metadata,
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id"), primary_key=True),
)

application_wards = Table(
    "application_wards", db.metadata,
    Column("application_id", ForeignKey("applications.id", ondelete="CASCADE"),
           primary_key=True),
    Column("ward_id", ForeignKey("wards.id"), primary_key=True),
    # The primary key leads with the application; the list's ward filter reads the other way.
    Index("ix_application_wards_ward_id_application_id", "ward_id", "application_id"),
)

application_themes = Table(
    "application_themes", db.metadata,
    Column("application_id", ForeignKey("applications.id", ondelete="CASCADE"),
           primary_key=True),
    Column("theme_id", ForeignKey("themes.id"), primary_key=True),
    # The primary key leads with the application; the list's theme filter reads the other way.
    Index("ix_application_themes_theme_id_application_id", "theme_id", "application_id"),
)

# What a funding pot may pay for. A pot with none of a kind is not restricted in that way.
pot_schemes = Table(
    "funding_pot_schemes", db.metadata,
    Column("pot_id", ForeignKey("funding_pots.id", ondelete="CASCADE"), primary_key=True),
    Column("scheme_id", ForeignKey("schemes.id"), primary_key=True),
)

pot_themes = Table(
    "funding_pot_themes", db.metadata,
    Column("pot_id", ForeignKey("funding_pots.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id"), primary_key=True),
)

pot_wards = Table(
    "funding_pot_wards", db.metadata,
    Column("pot_id", ForeignKey("funding_pots.id", ondelete="CASCADE"), primary_key=True),
    Column("ward_id", ForeignKey("wards.id"), primary_key=True),
)

pot_programmes = Table(
    "funding_pot_programmes", db.metadata,
    Column("pot_id", ForeignKey("funding_pots.id", ondelete="CASCADE"), primary_key=True),
    Column("programme_id", ForeignKey("programmes.id"), primary_key=True),
)
