"""Forms for assigning assessors, declaring conflicts of interest and scoring."""

import re

from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
)
from wtforms import RadioField, SelectChoice, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from forms.assessment import optional_id
from forms.base import PortalForm, without_control_characters
from models import ScoringCriterion, User
from models.enums import ScoreScale

YES, NO = "yes", "no"


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _assessor_id(value):
    """The select's value; text that is not a number is kept as a choice nobody has."""
    try:
        return optional_id(value)
    except (TypeError, ValueError):
        return -1


class AssignAssessorForm(PortalForm):
    assessor = SelectField("Assessor", choices=[], coerce=_assessor_id, widget=GovSelect(),
                           validate_choice=False,
                           validators=[InputRequired("Select an assessor")])
    submit = SubmitField("Assign assessor", widget=GovSubmitInput())

    def __init__(self, *args, assessors: list[User] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.assessor.choices = [SelectChoice("", "Choose an assessor")] + [
            SelectChoice(str(person.id), person.full_name) for person in assessors]

    def validate_assessor(self, field) -> None:
        known = {choice.value for choice in self.assessor.choices if choice.value}
        if field.data is not None and str(field.data) not in known:
            raise ValidationError("Select an assessor from the list")


class AssignRoundForm(PortalForm):
    submit = SubmitField("Assign these assessors", widget=GovSubmitInput())


class DeclarationForm(PortalForm):
    conflict = RadioField(
        "Do you have a conflict of interest?",
        description="For example, you work for or volunteer with the organisation, or a "
                    "relative or close friend is involved in it",
        choices=[SelectChoice(YES, "Yes"), SelectChoice(NO, "No")],
        widget=GovRadioInput(),
        validators=[InputRequired("Select yes if you have a conflict of interest")],
        invalid_choice_message="Select yes if you have a conflict of interest")
    details = TextAreaField(
        "Details of your conflict of interest",
        description="Only if you answered yes: how you are connected to the organisation or "
                    "the people in it",
        widget=GovTextArea(), filters=[_strip],
        validators=[Length(max=2000, message="Details must be 2,000 characters or fewer")])
    submit = SubmitField("Continue", widget=GovSubmitInput())

    @property
    def has_conflict(self) -> bool:
        return self.conflict.data == YES

    def validate_details(self, field) -> None:
        if self.conflict.data == YES and not field.data:
            raise ValidationError("Enter details of your conflict of interest")


class ScoreField(RadioField):
    """A score on a criterion's scale as radios; `data` is an int, or None when none is chosen.
    A value off the scale is refused beside the field with `message`."""

    widget = GovRadioInput()

    def __init__(self, label: str, criterion: ScoringCriterion, **kwargs):
        scale = criterion.scale
        if scale is ScoreScale.PASS_FAIL:
            choices = [SelectChoice("1", "Pass"), SelectChoice("0", "Fail")]
        else:
            choices = [SelectChoice(str(n), str(n))
                       for n in range(scale.lowest, scale.highest + 1)]
        super().__init__(label, choices=choices, coerce=int, validate_choice=False, **kwargs)
        self.lowest, self.highest = scale.lowest, scale.highest
        self.message = f"Select a score for {criterion.name} on its scale"

    def process_formdata(self, valuelist: list[str]) -> None:
        text = without_control_characters(valuelist[0]).strip() if valuelist else ""
        self.data = None
        if text:
            if not re.fullmatch(r"[0-9]{1,3}", text) or not (
                    self.lowest <= int(text) <= self.highest):
                raise ValueError(self.message)
            self.data = int(text)



class ScoresForm(PortalForm):
    """A score and a justification per criterion, built for the round's criteria by
    scores_form(). Saving a draft accepts blanks; submitting needs every one."""

    save_draft = SubmitField("Save as draft", widget=GovSubmitInput())
    submit_scores = SubmitField("Submit scores", widget=GovSubmitInput())

    criteria: tuple[ScoringCriterion, ...] = ()

    @property
    def submitting(self) -> bool:
        return bool(self.submit_scores.data)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.submitting:
            return valid
        for criterion in self.criteria:
            score = self[f"score_{criterion.id}"]
            justification = self[f"justification_{criterion.id}"]
            if score.data is None and not score.errors:
                score.errors = [*score.errors, f"Select a score for {criterion.name}"]
                valid = False
            if not justification.data and not justification.errors:
                justification.errors = [*justification.errors,
                                        f"Enter a justification for {criterion.name}"]
                valid = False
        self._errors = None
        return valid

    def entries(self) -> list[tuple[int, int | None, str]]:
        """(criterion id, score, justification) for each criterion."""
        return [(c.id, self[f"score_{c.id}"].data, self[f"justification_{c.id}"].data or "")
                for c in self.criteria]


def scores_form(criteria: list[ScoringCriterion], **kwargs) -> ScoresForm:
    """A ScoresForm with fields named score_<id> and justification_<id> for `criteria`."""
    fields: dict = {"criteria": tuple(criteria)}
    for criterion in criteria:
        fields[f"score_{criterion.id}"] = ScoreField(f"Score for {criterion.name}", criterion)
        fields[f"justification_{criterion.id}"] = TextAreaField(
            f"Justification for {criterion.name}",
            description="Why you gave this score, with evidence from the application",
            widget=GovTextArea(), filters=[_strip],
            validators=[Length(max=5000,
                               message="Justification must be 5,000 characters or fewer")])
    form_class = type("RoundScoresForm", (ScoresForm,), fields)
    return form_class(**kwargs)


class ChangeScoresForm(PortalForm):
    reason = TextAreaField(
        "Why are you changing your scores?",
        description="This is kept with your scores and shown to the grants team",
        widget=GovTextArea(), filters=[_strip],
        validators=[DataRequired("Enter a reason for changing your scores"),
                    Length(max=2000, message="Reason must be 2,000 characters or fewer")])
    submit = SubmitField("Continue", widget=GovSubmitInput())
