"""Forms for the grants officers' view of applications and their eligibility checks."""

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from forms.applications import text_box
from forms.base import PortalForm
from forms.fields import (
    RECENTLY,
    GovDateField,
)
from models.base import utcnow
from portal.dates import to_london


def optional_id(value: str | int | None) -> int | None:
    """'' (the "any" option) -> None; '12' -> 12; anything else is not a valid choice."""
    return None if value in ("", None) else int(value)


def _select(label: str, error: str, *, ids: bool = False, default: str = "") -> SelectField:
    return SelectField(label, choices=[], default=default, widget=GovSelect(),
                       coerce=optional_id if ids else str,
                       invalid_choice_message=error, invalid_value_message=error)


def _text(label: str, hint: str | None = None) -> StringField:
    return StringField(label, description=hint, widget=GovTextInput(), default="",
                       filters=[lambda value: value.strip() if value else ""],
                       validators=[Length(max=200, message=f"{label} must be 200 characters "
                                                           "or fewer")])


# The first option of each filter, which leaves it off.
ANY = {"round": "Any round", "status": "Any status", "ward": "Any ward", "theme": "Any theme",
       "amount": "Any amount"}
ORDERS = [SelectChoice("desc", "Descending (newest, largest or Z first)"),
          SelectChoice("asc", "Ascending (oldest, smallest or A first)")]


class ApplicationFilterForm(PortalForm):
    """Read by GET, so it changes nothing and needs no CSRF token. A value that is not one of
    the options is left out of the filtering and its error says so."""

    class Meta:
        csrf = False

    q = _text("Search", "Reference, organisation name or project title")
    round = _select("Round", "Select a round from the list", ids=True)
    status = _select("Status", "Select a status from the list")
    ward = _select("Ward", "Select a ward from the list", ids=True)
    theme = _select("Theme", "Select a theme from the list", ids=True)
    amount = _select("Amount requested", "Select an amount from the list")
    organisation = _text("Organisation name")
    sort = _select("Sort by", "Select what to sort by from the list", default="submitted")
    order = _select("Order", "Select an order from the list", default="desc")
    submit = SubmitField("Apply filters", widget=GovSubmitInput())

    def offer(self, choices: dict[str, list[tuple[str, str]]]) -> None:
        """Fill the selects with `choices` (value, label) by field name; filters start with
        their "any" option."""
        for name, options in choices.items():
            first = [SelectChoice("", ANY[name])] if name in ANY else []
            self[name].choices = first + [SelectChoice(value, label) for value, label in options]
        self.order.choices = ORDERS

    def filter_values(self) -> dict:
        """The values that passed validation, by field name; a field with an error is left out,
        so the service uses its default (no filter) instead."""
        return {field.name: field.data for field in self
                if field.name != "submit" and not field.errors}


# Eligibility and due diligence ---------------------------------------------------------------

DOCUMENTS_SEEN = [SelectChoice("governing_document", "Governing document"),
                  SelectChoice("accounts", "Accounts"),
                  SelectChoice("safeguarding_policy", "Safeguarding policy")]


def _note(label: str, hint: str | None = None, max_length: int = 2000) -> TextAreaField:
    return text_box(label, max_length, rows=3, hint=hint)


class DueDiligenceForm(PortalForm):
    """The checks, saved as they are made: saving records nothing about the outcome. A date
    in the future is refused; a ticked check needs its date."""

    register_checked = BooleanField(
        "The charity or company number has been checked against the public register",
        widget=GovCheckboxInput())
    register_checked_on = GovDateField("Date checked", example=RECENTLY,
                                       validators=[Optional()])
    register_note = _note("Note on the register check (optional)",
                          "For example, the register entry and what it showed")
    bank_details_verified = BooleanField("The bank details have been verified",
                                         widget=GovCheckboxInput())
    bank_details_verified_on = GovDateField("Date verified", example=RECENTLY,
                                            validators=[Optional()])
    documents_seen = SelectMultipleField("Documents seen", choices=DOCUMENTS_SEEN,
                                         widget=GovCheckboxesInput(),
                                         description="Select all that you have seen",
                                         invalid_choice_message="Select documents from the "
                                                                "list")
    duplicate_funding_note = _note(
        "Duplicate funding", "What you found in the organisation’s other applications and "
        "approved decisions, listed on this page")
    save_checks = SubmitField("Save checks", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        today = to_london(utcnow()).date()
        for ticked, day, missing in (
                (self.register_checked, self.register_checked_on,
                 "Enter the date the register was checked"),
                (self.bank_details_verified, self.bank_details_verified_on,
                 "Enter the date the bank details were verified")):
            if day.errors:
                continue
            if ticked.data and day.data is None:
                day.errors = [*day.errors, missing]
                valid = False
            elif day.data is not None and day.data > today:
                day.errors = [*day.errors, f"{day.label.text} must be today or in the past"]
                valid = False
        return valid


OUTCOMES = [SelectChoice("eligible", "Eligible: the application goes on to assessment"),
            SelectChoice("ineligible", "Not eligible"),
            SelectChoice("clarification_requested", "Ask the applicant a question first")]


class DueDiligenceOutcomeForm(PortalForm):
    """The outcome of the checks. The reason and the question are plain boxes rather than
    conditional reveals (see templates/applications/declarations.html): each is needed only
    with its outcome."""

    outcome = RadioField("Outcome of the checks", choices=OUTCOMES, widget=GovRadioInput(),
                         invalid_choice_message="Select an outcome",
                         validators=[InputRequired("Select an outcome")])
    ineligible_reason = _note("Reason the application is not eligible",
                              "Only if it is not eligible. We send this to the applicant")
    question = _note("Question for the applicant",
                     "Only if you are asking for clarification. We send this to the applicant")
    record_outcome = SubmitField("Record outcome", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        needed = {"ineligible": (self.ineligible_reason, "Enter the reason the application is "
                                                         "not eligible"),
                  "clarification_requested": (self.question,
                                              "Enter your question for the applicant")}
        if self.outcome.data in needed:
            field, message = needed[self.outcome.data]
            if not field.data and not field.errors:
                field.errors = [*field.errors, message]
                valid = False
        return valid
