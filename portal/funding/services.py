"""Rules of the funding area."""
