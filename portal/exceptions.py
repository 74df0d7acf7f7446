"""Exceptions that services raise and views translate: a missing object becomes the 404 page;
a refused permission becomes the 403 page; a broken rule becomes a GOV.UK error message beside
the field it concerns."""


class NotFound(Exception):
    """What was asked for does not exist, or not where it was looked for (rendered as 404).
    Its own class, not LookupError, so that a KeyError bug is a 500 to fix, not a quiet 404."""


class NotAllowed(Exception):
    """The user may not do this (rendered as 403)."""


class RuleBroken(Exception):
    """The request breaks a business rule; `field` names the form field to show it beside."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
