"""Rules of the scoring area."""
