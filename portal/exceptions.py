"""Exceptions that services raise and views translate: a refused permission becomes the 403
page; a broken rule becomes a GOV.UK error message beside the field it concerns."""


class NotAllowed(Exception):
    """The user may not do this (rendered as 403)."""


class RuleBroken(Exception):
    """The request breaks a business rule; `field` names the form field to show it beside."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
