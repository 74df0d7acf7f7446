"""Forms for moderation, recommendations and decisions. The decisions service judges which
answers each outcome needs, so every field here is optional to the form but the outcome's."""

import re
from decimal import Decimal

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import RadioField, SelectChoice, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from forms.base import PortalForm, without_control_characters
from forms.fields import (
    RECENTLY,
    GovDateField,
    GovTextInputWith,
    PoundsField,
)
from models.enums import DecisionAuthority, DecisionOutcome, RejectionReason

TEXT_LIMIT = 5_000


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _text(label: str, hint: str | None = None, required: str | None = None) -> TextAreaField:
    return TextAreaField(
        label, description=hint or "", widget=GovTextArea(), filters=[_strip],
        validators=[DataRequired(required) if required else Optional(),
                    Length(max=TEXT_LIMIT, message=f"{label} must be 5,000 characters or "
                                                   "fewer")])


def _radio(label: str, options, message: str, hint: str | None = None) -> RadioField:
    return RadioField(label, description=hint or "", widget=GovRadioInput(),
                      choices=[SelectChoice(option.value, option.label) for option in options],
                      invalid_choice_message=message, validators=[InputRequired(message)])


def _authority() -> RadioField:
    return _radio("Who made the decision?", DecisionAuthority,
                  "Select who made the decision",
                  hint="A key decision (an award, or a round’s approved total, over the "
                       "threshold) can only be made by Cabinet")


def _decided_on() -> GovDateField:
    return GovDateField("Date of the decision", example=RECENTLY,
                        validators=[InputRequired("Enter the date of the decision")])


class ScoreField(StringField):
    """A percentage score from 0 to 100 with up to 2 decimal places, read exactly as a
    Decimal (never a float); `data` is None when the box is empty."""

    widget = GovTextInputWith(classes="govuk-input--width-5", spellcheck=False,
                              inputmode="decimal", suffix={"text": "%"})
    PATTERN = re.compile(r"[0-9]{1,3}(\.[0-9]{1,2})?", re.ASCII)
    MESSAGE = "The moderated score must be a number from 0 to 100, with up to 2 decimal places"

    def process_formdata(self, valuelist: list[str]) -> None:
        text = without_control_characters(valuelist[0]).strip() if valuelist else ""
        self.raw_data = [text] if valuelist else []
        self.data = None
        if text:
            if not self.PATTERN.fullmatch(text) or Decimal(text) > 100:
                raise ValueError(self.MESSAGE)
            self.data = Decimal(text)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


class ModerationForm(PortalForm):
    total = ScoreField("Moderated score",
                       description="The weighted total from 0 to 100, like 62.5",
                       validators=[InputRequired("Enter the moderated score")])
    reason = _text("Reason for the moderated score", required="Enter a reason for the "
                                                              "moderated score")
    submit = SubmitField("Record moderated score", widget=GovSubmitInput())


class RecommendationForm(PortalForm):
    amount = PoundsField("Recommended amount", noun="the recommended amount", allow_zero=True,
                         description="Enter 0 to recommend no award",
                         validators=[InputRequired("Enter the recommended amount")])
    note = _text("Note", hint="Why you changed the amount",
                 required="Enter a note to say why you changed the amount")
    submit = SubmitField("Save recommendation", widget=GovSubmitInput())


class DecisionForm(PortalForm):
    outcome = _radio("Decision", DecisionOutcome, "Select a decision")
    amount = PoundsField("Amount to award", noun="the amount to award",
                         description="Only if you approve. It cannot be more than the amount "
                                     "requested or the round’s maximum award",
                         validators=[Optional()])
    rejection_reason = RadioField(
        "Reason for rejecting", description="Only if you reject",
        choices=[SelectChoice(reason.value, reason.label) for reason in RejectionReason],
        widget=GovRadioInput(), validators=[Optional()],
        invalid_choice_message="Select a reason for rejecting from the list")
    reason = _text("Reason for the decision",
                   hint="Needed to reject, to defer, or to approve a different amount from the "
                        "request")
    authority = _authority()
    decided_on = _decided_on()
    feedback = _text("Feedback for the applicant",
                     hint="Only if you reject. It is sent once an officer approves it")
    submit = SubmitField("Record decision", widget=GovSubmitInput())

    def rejection(self) -> RejectionReason | None:
        return RejectionReason(self.rejection_reason.data) if self.rejection_reason.data else None


class FeedbackForm(PortalForm):
    feedback = _text("Feedback for the applicant",
                     required="Enter the feedback for the applicant")
    submit = SubmitField("Approve and send feedback", widget=GovSubmitInput())


class RoundDecisionForm(PortalForm):
    authority = _authority()
    decided_on = _decided_on()
    reason = _text("Reason for these decisions",
                   hint="Recorded with every decision, for example the panel meeting",
                   required="Enter the reason for these decisions")
    submit = SubmitField("Record these decisions", widget=GovSubmitInput())
