"""Rules of the awards area."""
