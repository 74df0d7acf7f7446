"""Forms for the schemes and rounds that grants officers set up."""

import re
from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    Form,
    FormField,
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
from forms.fields import (
    FinancialYearField,
    GovDateField,
    GovTextInputWith,
    PoundsField,
    RowList,
    TimeOfDayField,
    name_field,
    weeks_ahead,
)
from models import Round, Theme, Ward
from models.enums import LegalForm, ScoreScale, ShortfallRule
from portal.dates import london_to_utc, to_london
from portal.exceptions import RuleBroken
from portal.financial_years import FinancialYear
from portal.schemes.rules import (
    ASSESSMENT_COLUMNS,
    MAX_CRITERIA,
    AssessmentSettings,
    CriterionSettings,
    RoundSettings,
    assessment_problems,
    criteria_problems,
    round_problems,
)

ANY_WARD, ONLY_THESE_WARDS = "any", "only"
YES, NO = "yes", "no"
COMPETITIVE, ROLLING = "competitive", "rolling"


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


# The fields a published round shares with a draft one.

def _closing_date() -> GovDateField:
    return GovDateField("Closing date", example=weeks_ahead(10),
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


def _assessors() -> WholeNumberField:
    return WholeNumberField(
        "Assessors for each application", noun="the number of assessors", example="2",
        description="How many assessors score each application, from 1 to 10", default=2,
        validators=[InputRequired("Enter how many assessors score each application")])


def _pass_mark() -> WholeNumberField:
    return WholeNumberField(
        "Pass mark", noun="the pass mark", example="50", default=50,
        description="The weighted total, from 0% to 100%, that an application needs to be "
                    "recommended for funding",
        validators=[InputRequired("Enter the pass mark")])


def _moderation_margin() -> WholeNumberField:
    return WholeNumberField(
        "Moderation margin", noun="the moderation margin", example="20", default=20,
        description="Applications whose assessors’ totals are further apart than this are "
                    "flagged for moderation",
        validators=[InputRequired("Enter the moderation margin")])


def _shortfall_rule() -> RadioField:
    return RadioField(
        "When recommending within budget, what happens to an application that does not fit "
        "in what is left?",
        choices=[SelectChoice(rule.value, rule.label) for rule in ShortfallRule],
        default=ShortfallRule.SKIP.value, widget=GovRadioInput(),
        validators=[InputRequired("Select what happens to an application that does not fit "
                                  "the budget")])


def _assessment_values(form) -> dict:
    """The assessment answers that parsed, by AssessmentSettings' names."""
    return {"assessors_per_application": form.assessors_per_application.data,
            "pass_mark_percent": form.pass_mark_percent.data,
            "moderation_margin_percent": form.moderation_margin_percent.data,
            "shortfall_rule": ShortfallRule(form.shortfall_rule.data)
            if form.shortfall_rule.data in set(ShortfallRule) else None}


def _instant(day_field: GovDateField, time_field: TimeOfDayField) -> datetime | None:
    """The UTC instant of a UK date and time, or None when either did not parse."""
    if day_field.data is None or time_field.data is None:
        return None
    return london_to_utc(day_field.data, time_field.data)


class RoundForm(PortalForm):
    """Every setting of a round, for a draft round. `ward_list` and `theme_list` (the
    scheme's themes) give the checkboxes' choices."""

    name = name_field("Round name", "Enter the round name")
    financial_year = FinancialYearField()
    opens_on = GovDateField("Opening date", example=weeks_ahead(4),
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
    round_type = RadioField(
        "When are applications decided?",
        choices=[SelectChoice(COMPETITIVE, "Once the round has closed, comparing them all "
                                           "(a competitive round)"),
                 SelectChoice(ROLLING, "As they arrive, while the round is open "
                                       "(a rolling round)")],
        default=COMPETITIVE, widget=GovRadioInput(),
        validators=[InputRequired("Select when applications are decided")])
    assessors_per_application = _assessors()
    pass_mark_percent = _pass_mark()
    moderation_margin_percent = _moderation_margin()
    shortfall_rule = _shortfall_rule()
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
            **_assessment_values(self),
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
            rolling=self.round_type.data == ROLLING,
            **{**values, "ward_ids": [] if values["any_ward"] else values["ward_ids"]},
        )


class PublishedRoundForm(PortalForm):
    """A published round: organisations may already be applying, so only the closing time (to
    extend it), the guidance and the required documents can change, and the assessment
    settings until scoring begins (`lock_assessment` then takes them off the form)."""

    closes_on = _closing_date()
    closes_time = _closing_time()
    guidance = _guidance()
    required_documents = _required_documents()
    assessors_per_application = _assessors()
    pass_mark_percent = _pass_mark()
    moderation_margin_percent = _moderation_margin()
    shortfall_rule = _shortfall_rule()
    submit = SubmitField("Save changes", widget=GovSubmitInput())

    def lock_assessment(self) -> None:
        for name in ASSESSMENT_COLUMNS:
            del self[name]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if "shortfall_rule" in self:
            for field_name, message in assessment_problems(_assessment_values(self)).items():
                if not self[field_name].errors:
                    self[field_name].errors.append(message)
                    valid = False
            self._errors = None
        return valid

    def closes_at(self) -> datetime:
        return _instant(self.closes_on, self.closes_time)

    def assessment(self) -> AssessmentSettings | None:
        """The assessment settings, or None when they are locked."""
        if "shortfall_rule" not in self:
            return None
        return AssessmentSettings(**_assessment_values(self))


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
        "round_type": ROLLING if round_.rolling else COMPETITIVE,
        "assessors_per_application": round_.assessors_per_application,
        "pass_mark_percent": round_.pass_mark_percent,
        "moderation_margin_percent": round_.moderation_margin_percent,
        "shortfall_rule": round_.shortfall_rule.value,
    }


def copy_form_data(round_: Round, today: date) -> dict:
    """A copy's initial answers: the round's own, moved on by whole years (with its financial
    year, and the year in its name) until it opens after `today`."""
    data = round_form_data(round_)
    years = 1
    while data["opens_on"] + relativedelta(years=years) <= today:
        years += 1
    year = FinancialYear.parse(round_.financial_year)
    later = year.following(years).label
    name = round_.name.replace(year.label, later)
    return {**data, "name": name if name != round_.name else f"{round_.name} (copy)",
            "financial_year": later,
            "opens_on": data["opens_on"] + relativedelta(years=years),
            "closes_on": data["closes_on"] + relativedelta(years=years)}


class CloseEarlyForm(PortalForm):
    reason = TextAreaField(
        "Why is the round closing early?",
        description="This is kept with the round and told to applicants with a draft",
        widget=GovTextArea(), filters=[_strip],
        validators=[InputRequired("Enter why the round is closing early"),
                    Length(max=2_000, message="The reason must be 2,000 characters or fewer")])
    submit = SubmitField("Close the round now", widget=GovSubmitInput())


# Scoring criteria


class CriterionFields(Form):
    """One criterion's boxes in the criteria form. A plain Form: the page's form carries the
    CSRF token once. Every rule is checked by CriteriaForm, which knows each row's number."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = [without_control_characters, *unbound_field.kwargs.get("filters", ())]
            return unbound_field.bind(form=form, **{**options, "filters": filters})

    name = StringField("Name", widget=GovTextInput(), filters=[_strip])
    guidance = TextAreaField("Guidance for assessors", widget=GovTextArea(), filters=[_strip],
                             description="One line on what a strong answer shows")
    weight_percent = WholeNumberField("Weight", noun="the weight", example="25")
    scale = RadioField("Scale", widget=GovRadioInput(), default=ScoreScale.ZERO_TO_THREE.value,
                       choices=[SelectChoice(scale.value, scale.label) for scale in ScoreScale],
                       validate_choice=False)
    minimum_score = WholeNumberField(
        "Minimum score (optional)", noun="the minimum score", example="1",
        description="An application scored below this on this criterion fails, whatever its "
                    "total. For pass or fail, 1 means it must pass")
    remove = BooleanField("Remove this criterion", widget=GovCheckboxInput())

    def is_blank(self) -> bool:
        """Nothing typed: an added row left empty is ignored rather than refused."""
        typed = [self.name.data, self.guidance.data,
                 *(self.weight_percent.raw_data or []), *(self.minimum_score.raw_data or [])]
        return not any(typed)

    def values(self) -> dict:
        """The answers that parsed, by CriterionSettings' names (None where one did not)."""
        scale = self.scale.data if self.scale.data in set(ScoreScale) else None
        return {"name": self.name.data or "", "guidance": self.guidance.data or "",
                "weight_percent": None if self.weight_percent.errors
                else self.weight_percent.data,
                "scale": ScoreScale(scale) if scale else None,
                "minimum_score": None if self.minimum_score.errors
                else self.minimum_score.data}


class CriteriaForm(PortalForm):
    """A round's whole set of criteria, edited at once so the weights can be made to total
    100%. "Add another criterion" adds an empty row; a ticked "Remove" drops a row on saving
    (it stays on the page, ticked, if something else needs correcting)."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            # The list and its rows take no filters; CriterionFields filters its own boxes.
            if unbound_field.field_class in (RowList, FormField):
                return unbound_field.bind(form=form, **options)
            return super().bind_field(form, unbound_field, options)

    criteria = RowList(FormField(CriterionFields), min_entries=1, max_entries=MAX_CRITERIA)
    add = SubmitField("Add another criterion", widget=GovSubmitInput())
    submit = SubmitField("Save criteria", widget=GovSubmitInput())

    @property
    def can_add(self) -> bool:
        return len(self.criteria) < MAX_CRITERIA

    def add_row(self) -> None:
        if self.can_add:
            self.criteria.append_entry()

    def _kept(self) -> list[tuple[int, FormField]]:
        """(number shown on the page, row) for each row to be saved."""
        return [(number, entry) for number, entry in enumerate(self.criteria, 1)
                if not entry.remove.data and not entry.form.is_blank()]

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        kept = self._kept()
        kept_ids = {id(entry) for _, entry in kept}
        for number, entry in enumerate(self.criteria, 1):
            row = entry.form
            if id(entry) not in kept_ids:
                for field in row:
                    field.errors = []
                continue
            # Say which criterion each message is about: the summary lists them all.
            if row.weight_percent.errors:
                row.weight_percent.errors = [
                    f"The weight of criterion {number} must be a whole number, like 25"]
            elif row.weight_percent.data is None:
                row.weight_percent.errors = [f"Enter the weight of criterion {number}"]
            if row.minimum_score.errors:
                row.minimum_score.errors = [
                    f"The minimum score for criterion {number} must be a whole number, like 1"]
            if row.values()["scale"] is None:
                row.scale.errors = [f"Select the scale for criterion {number}"]
        problems = criteria_problems([entry.form.values() for _, entry in kept],
                                     [number for number, _ in kept])
        for (index, attribute), message in problems.items():
            field = (kept[index][1] if kept else self.criteria[0]).form[attribute]
            if not field.errors:
                field.errors = [message]
        self._refresh_errors()
        return not self.errors

    def show_rule_broken(self, error: RuleBroken) -> None:
        """Put a service's message ("criteria-<index>-<attribute>", counting the rows saved)
        beside its box, or beside the first criterion's name."""
        kept = [entry for _, entry in self._kept()] or list(self.criteria)
        _, index, attribute = (error.field or "criteria-0-name").split("-", 2)
        row = kept[int(index)] if int(index) < len(kept) else kept[0]
        field = row.form._fields.get(attribute, row.form.name)
        field.errors = [*field.errors, error.message]
        self._refresh_errors()

    def _refresh_errors(self) -> None:
        """Flask-WTF caches errors after validation; recompute them with the messages added."""
        for entry in self.criteria:
            entry.form._errors = None
        self.criteria.errors = (
            [entry.errors for entry in self.criteria]
            if any(entry.errors for entry in self.criteria) else [])
        self._errors = None

    def settings(self) -> list[CriterionSettings]:
        """The validated criteria to save, in order."""
        return [CriterionSettings(**entry.form.values()) for _, entry in self._kept()]


def criteria_form_data(round_: Round) -> dict:
    """A round's saved criteria as the criteria form's initial answers."""
    return {"criteria": [{"name": criterion.name, "guidance": criterion.guidance,
                          "weight_percent": criterion.weight_percent,
                          "scale": criterion.scale.value,
                          "minimum_score": criterion.minimum_score}
                         for criterion in round_.criteria]}
