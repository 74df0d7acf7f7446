"""Rules of the decisions area."""
