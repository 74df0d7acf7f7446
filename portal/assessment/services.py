"""Grants officers' view of the applications that have come in."""
