"""Forms for the schemes and rounds that grants officers set up."""

import re
from datetime import datetime

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
)
from wtforms import (
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from forms.base import PortalForm, without_control_characters
from forms.fields import GovDateField, GovTextInputWith, PoundsField, TimeOfDayField, name_field
from models import Round, Theme, Ward
from models.enums import LegalForm
from portal.dates import london_to_utc, to_london
from portal.financial_years import FinancialYear
from portal.schemes.rules import RoundSettings, round_problems

ANY_WARD, ONLY_THESE_WARDS = "any", "only"
YES, NO = "yes", "no"


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class LinesField(TextAreaField):
    """A text area read as a list: one item a line; blank lines and outer spaces are dropped."""

    widget = GovTextArea()

    def process_formdata(self, valuelist: list[str]) -> None:
        text = without_control_characters(valuelist[0]) if valuelist else ""
        self.data = [line.strip() for line in text.splitlines() if line.strip()]

    def _value(self) -> str:
        return "\n".join(self.data or [])


def each_line_at_most(limit: int, item: str):
    def check(form, field) -> None:
        if any(len(line) > limit for line in field.data or []):
            raise ValidationError(f"Each {item} must be {limit} characters or fewer")

    return check


class WholeNumberField(StringField):
    """A whole number typed in a box; `data` is an int, or None when the box is empty."""

    widget = GovTextInputWith(classes="govuk-input--width-3", spellcheck=False,
                              inputmode="numeric")

    def __init__(self, label: str, noun: str, example: str, **kwargs):
        super().__init__(label, **kwargs)
        self.message = f"{noun[:1].upper()}{noun[1:]} must be a whole number, like {example}"

    def process_formdata(self, valuelist: list[str]) -> None:
        text = without_control_characters(valuelist[0]).strip() if valuelist else ""
        self.raw_data = [text] if valuelist else []
        self.data = None
        if text:
            if not re.fullmatch(r"[0-9]{1,9}", text):
                raise ValueError(self.message)
            self.data = int(text)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


class SchemeForm(PortalForm):
    name = name_field("Scheme name", "Enter the scheme name")
    description = TextAreaField(
        "Description", widget=GovTextArea(), filters=[_strip],
        validators=[Length(max=2000, message="Description must be 2,000 characters or fewer")])
    reference_prefix = StringField(
        "Reference prefix",
        description="2 to 6 capital letters that start every application reference in the "
                    "scheme, like CPG for CPG-2425-0001",
        widget=GovTextInputWith(classes="govuk-input--width-5", spellcheck=False),
        filters=[lambda value: value.strip().upper() if value else value],
        validators=[DataRequired("Enter the reference prefix"),
                    Regexp(r"^[A-Z]{2,6}\Z", message="The reference prefix must be 2 to 6 "
                                                     "capital letters, like CPG")],
    )
    themes = LinesField(
        "Themes", description="One theme a line, like Reducing social isolation",
        validators=[each_line_at_most(120, "theme")])
    submit = SubmitField("Save scheme", widget=GovSubmitInput())


def financial_year_label(form, field) -> None:
    try:
        FinancialYear.parse(field.data or "")
    except ValueError as error:
        raise ValidationError("Enter the financial year like 2024/25") from error


# The fields a published round shares with a draft one.

def _closing_date() -> GovDateField:
    return GovDateField("Closing date", example="30 6 2025",
                        validators=[InputRequired("Enter the closing date")])


def _closing_time() -> TimeOfDayField:
    return TimeOfDayField("Closing time", validators=[InputRequired("Enter the closing time")])


def _guidance() -> TextAreaField:
    return TextAreaField(
        "Guidance for applicants", description="Organisations read this before they apply",
        widget=GovTextArea(), filters=[_strip],
        validators=[Length(max=20_000, message="Guidance must be 20,000 characters or fewer")])


def _required_documents() -> LinesField:
    return LinesField("Required documents",
                      description="One document a line, like Latest accounts",
                      validators=[each_line_at_most(200, "document")])


def _instant(day_field: GovDateField, time_field: TimeOfDayField) -> datetime | None:
    """The UTC instant of a UK date and time, or None when either did not parse."""
    if day_field.data is None or time_field.data is None:
        return None
    return london_to_utc(day_field.data, time_field.data)


class RoundForm(PortalForm):
    """Every setting of a round, for a draft round. `ward_list` and `theme_list` (the
    scheme's themes) give the checkboxes' choices."""

    name = name_field("Round name", "Enter the round name")
    financial_year = StringField(
        "Financial year", description="For example, 2024/25",
        widget=GovTextInputWith(classes="govuk-input--width-5", spellcheck=False),
        filters=[_strip],
        validators=[DataRequired("Enter the financial year"), financial_year_label])
    opens_on = GovDateField("Opening date", example="1 4 2025",
                            validators=[InputRequired("Enter the opening date")])
    opens_time = TimeOfDayField("Opening time",
                                validators=[InputRequired("Enter the opening time")])
    closes_on = _closing_date()
    closes_time = _closing_time()
    budget = PoundsField("Budget", example="£50,000",
                         validators=[InputRequired("Enter the budget")])
    min_award = PoundsField("Minimum award", example="£500",
                            validators=[InputRequired("Enter the minimum award")])
    max_award = PoundsField("Maximum award", validators=[InputRequired("Enter the maximum award")])
    max_project_months = WholeNumberField(
        "Longest project length", noun="the longest project length", example="12",
        validators=[InputRequired("Enter the longest project length")])
    legal_forms = SelectMultipleField(
        "Legal forms that can apply", description="Select all that apply",
        choices=[SelectChoice(form.value, form.label) for form in LegalForm],
        widget=GovCheckboxesInput(), validators=[InputRequired("Select at least one legal form")])
    max_income = PoundsField(
        "Maximum annual income", noun="the maximum annual income", example="£250,000",
        description="Organisations with a higher income in their latest accounts cannot apply. "
                    "Leave empty for no limit",
        validators=[Optional()])
    ward_scope = RadioField(
        "Wards the round can fund",
        choices=[SelectChoice(ANY_WARD, "Any ward in the council’s area"),
                 SelectChoice(ONLY_THESE_WARDS, "Only these wards")],
        default=ANY_WARD, widget=GovRadioInput(),
        validators=[InputRequired("Select which wards the round can fund")])
    wards = SelectMultipleField("Wards", description="Select all that apply", coerce=int,
                                choices=[], widget=GovCheckboxesInput())
    themes = SelectMultipleField("Themes", description="Select the themes this round funds",
                                 coerce=int, choices=[], widget=GovCheckboxesInput())
    guidance = _guidance()
    required_documents = _required_documents()
    one_application = RadioField(
        "Limit each organisation to one application in this round?",
        choices=[SelectChoice(YES, "Yes"), SelectChoice(NO, "No")], default=YES,
        widget=GovRadioInput(), validators=[InputRequired("Select yes or no")])
    submit = SubmitField("Save round", widget=GovSubmitInput())

    def __init__(self, *args, ward_list: list[Ward] = (), theme_list: list[Theme] = (),
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.wards.choices = [SelectChoice(ward.id, ward.name) for ward in ward_list]
        self.themes.choices = [SelectChoice(theme.id, theme.name) for theme in theme_list]

    def _values(self) -> dict:
        """The answers that parsed, by RoundSettings' names (None where one did not)."""
        return {
            "opens_at": _instant(self.opens_on, self.opens_time),
            "closes_at": _instant(self.closes_on, self.closes_time),
            "budget_pence": self.budget.data,
            "min_award_pence": self.min_award.data,
            "max_award_pence": self.max_award.data,
            "max_project_months": self.max_project_months.data,
            "max_annual_income_pence": self.max_income.data,
            "eligible_legal_forms": list(self.legal_forms.data or []),
            "any_ward": self.ward_scope.data != ONLY_THESE_WARDS,
            "ward_ids": list(self.wards.data or []),
        }

    def validate(self, extra_validators=None) -> bool:
        """Each field's own checks, then the rules between fields (the same rules the
        services apply), so that every problem is shown at once."""
        valid = super().validate(extra_validators)
        for field_name, message in round_problems(self._values()).items():
            if not self[field_name].errors:
                self[field_name].errors.append(message)
                valid = False
        self._errors = None  # recomputed with the messages just added
        return valid

    def settings(self) -> RoundSettings:
        """The validated answers, for the services."""
        values = self._values()
        return RoundSettings(
            name=self.name.data,
            financial_year=FinancialYear.parse(self.financial_year.data).label,
            guidance=self.guidance.data or "",
            required_documents=self.required_documents.data,
            theme_ids=list(self.themes.data or []),
            one_application_per_organisation=self.one_application.data == YES,
            **{**values, "ward_ids": [] if values["any_ward"] else values["ward_ids"]},
        )


class PublishedRoundForm(PortalForm):
    """A published round: organisations may already be applying, so only the closing time (to
    extend it), the guidance and the required documents can change."""

    closes_on = _closing_date()
    closes_time = _closing_time()
    guidance = _guidance()
    required_documents = _required_documents()
    submit = SubmitField("Save changes", widget=GovSubmitInput())

    def closes_at(self) -> datetime:
        return _instant(self.closes_on, self.closes_time)


def round_form_data(round_: Round) -> dict:
    """A saved round as the round forms' initial answers, its times in UK time."""
    opens, closes = to_london(round_.opens_at), to_london(round_.closes_at)
    return {
        "name": round_.name,
        "financial_year": round_.financial_year,
        "opens_on": opens.date(),
        "opens_time": opens.time(),
        "closes_on": closes.date(),
        "closes_time": closes.time(),
        "budget": round_.budget_pence,
        "min_award": round_.min_award_pence,
        "max_award": round_.max_award_pence,
        "max_project_months": round_.max_project_months,
        "legal_forms": list(round_.eligible_legal_forms),
        "max_income": round_.max_annual_income_pence,
        "ward_scope": ANY_WARD if round_.any_ward else ONLY_THESE_WARDS,
        "wards": [ward.id for ward in round_.wards],
        "themes": [theme.id for theme in round_.themes],
        "guidance": round_.guidance,
        "required_documents": list(round_.required_documents),
        "one_application": YES if round_.one_application_per_organisation else NO,
    }
