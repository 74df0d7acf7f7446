"""Forms for Community Anchor programmes (with the council's core budget target for each year)
and the contracts in them."""

import re
from decimal import Decimal
from fractions import Fraction
from typing import ClassVar

from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from forms.base import PortalForm, without_control_characters
from forms.fields import (
    GovDateField,
    GovTextInputWith,
    PoundsField,
    RowList,
    name_field,
    year_end,
    year_start,
)
from forms.funding import PotAmounts
from models import Contract, Programme
from models.enums import ContractLot
from portal.contracts.details import ContractDetails, ProgrammeDetails, Target
from portal.contracts.taper import CoreTaper, Taper, TotalRule
from portal.exceptions import RuleBroken
from portal.money import pounds_for_input

IN_ADVANCE, IN_ARREARS = "advance", "arrears"
BLANK_TARGET_ROWS = 3  # room to add years on each visit; blank rows are ignored
MAX_TARGET_ROWS = 20


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _upper(value):
    return value.upper() if isinstance(value, str) else value


class TargetFields(Form):
    """One year's row of targets. A plain Form: the page's form carries the CSRF token once."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = [without_control_characters, *unbound_field.kwargs.get("filters", ())]
            return unbound_field.bind(form=form, **{**options, "filters": filters})

    financial_year = StringField(
        "Financial year", filters=[_strip],
        widget=GovTextInputWith(classes="govuk-input--width-5", spellcheck=False))
    core_target = PoundsField("Core budget target", noun="the core budget target",
                              example="£180,000", allow_zero=True)

    def is_blank(self) -> bool:
        return not self.financial_year.data and not any(self.core_target.raw_data or [])


class ProgrammeForm(PortalForm):
    """A programme's details and its core budget targets, one row a financial year."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            # The list and its rows take no filters; TargetFields filters its own boxes.
            if unbound_field.field_class in (RowList, FormField):
                return unbound_field.bind(form=form, **options)
            return super().bind_field(form, unbound_field, options)

    code = StringField(
        "Code", description="Upper-case letters and digits, like ANCHORS",
        widget=GovTextInputWith(classes="govuk-input--width-10", spellcheck=False),
        filters=[_strip, _upper],
        validators=[DataRequired("Enter the code"),
                    Length(max=20, message="The code must be 20 characters or fewer")])
    name = name_field("Name", "Enter the programme’s name")
    description = TextAreaField(
        "Description (optional)", widget=GovTextArea(), filters=[_strip],
        validators=[Length(max=5000, message="The description must be 5,000 characters "
                                             "or fewer")])
    targets = RowList(FormField(TargetFields), min_entries=BLANK_TARGET_ROWS,
                      max_entries=MAX_TARGET_ROWS)
    submit = SubmitField("Save programme", widget=GovSubmitInput())

    def _kept(self) -> list[tuple[int, FormField]]:
        """(number shown on the page, row) for each row typed in."""
        return [(number, entry) for number, entry in enumerate(self.targets, 1)
                if not entry.form.is_blank()]

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        for number, entry in self._kept():
            row = entry.form
            # Say which row each message is about: the summary lists them all.
            if not row.financial_year.data:
                row.financial_year.errors = [f"Enter the financial year in row {number}"]
            if row.core_target.errors:
                row.core_target.errors = [
                    f"Enter the core budget target in row {number} in pounds, like £180,000"]
            elif row.core_target.data is None:
                row.core_target.errors = [f"Enter the core budget target in row {number}"]
        self._refresh_errors()
        return not self.errors

    def show_rule_broken(self, error: RuleBroken) -> None:
        """Put a service's message beside its box: "targets-<index>-<box>" counts the rows
        typed in; other fields by name."""
        if not (error.field or "").startswith("targets-"):
            name = error.field if error.field in self else "code"
            self[name].errors = [*self[name].errors, error.message]
            self._errors = None
            return
        _, index, attribute = error.field.split("-", 2)
        kept = [entry for _, entry in self._kept()] or list(self.targets)
        row = kept[min(int(index), len(kept) - 1)]
        field = row.form._fields.get(attribute, row.form.financial_year)
        field.errors = [*field.errors, error.message]
        self._refresh_errors()

    def _refresh_errors(self) -> None:
        """Flask-WTF caches errors after validation; recompute them with the messages added."""
        for entry in self.targets:
            entry.form._errors = None
        self.targets.errors = ([entry.errors for entry in self.targets]
                               if any(entry.errors for entry in self.targets) else [])
        self._errors = None

    def details(self) -> ProgrammeDetails:
        return ProgrammeDetails(
            code=self.code.data, name=self.name.data, description=self.description.data or "",
            targets=[Target(entry.form.financial_year.data, entry.form.core_target.data)
                     for _, entry in self._kept()])


def programme_form_data(programme: Programme | None) -> dict:
    """A programme's stored answers (none for a new one), with blank rows to add years."""
    years = programme.years if programme else []
    targets = [{"financial_year": year.financial_year, "core_target": year.core_target_pence}
               for year in years]
    targets += [{}] * BLANK_TARGET_ROWS
    if programme is None:
        return {"targets": targets}
    return {"code": programme.code, "name": programme.name,
            "description": programme.description, "targets": targets}


def _optional_id(value: str | int | None) -> int | None:
    """'' (the "Select ..." option) -> None; '12' -> 12; anything else is not a choice."""
    return None if value in ("", None) else int(value)


class ContractForm(PortalForm):
    """A draft contract's details; `choices` (a services.ContractChoices) gives the
    providers, localities and wards."""

    reference = StringField(
        "Reference", description="For example, CA-LLA-01",
        widget=GovTextInputWith(classes="govuk-input--width-10", spellcheck=False),
        filters=[_strip],
        validators=[DataRequired("Enter the reference"),
                    Length(max=30, message="The reference must be 30 characters or fewer")])
    title = name_field("Title", "Enter the title")
    provider = SelectField(
        "Provider", coerce=_optional_id, choices=[], widget=GovSelect(),
        validators=[DataRequired("Select the provider")],
        invalid_choice_message="Select the provider", invalid_value_message="Select the provider")
    lot = RadioField(
        "Lot", choices=[SelectChoice(lot.value, lot.label) for lot in ContractLot],
        widget=GovRadioInput(), validators=[InputRequired("Select the lot")],
        invalid_choice_message="Select the lot")
    locality = SelectField(
        "Locality (optional)", coerce=_optional_id, choices=[], widget=GovSelect(),
        validators=[Optional()], invalid_choice_message="Select a locality from the list",
        invalid_value_message="Select a locality from the list")
    wards = SelectMultipleField(
        "Wards (optional)", description="Select the wards the contract serves", coerce=int,
        choices=[], widget=GovCheckboxesInput(),
        invalid_choice_message="Select wards from the list",
        invalid_value_message="Select wards from the list")
    starts_on = GovDateField("Start date", example=year_start(),
                             validators=[InputRequired("Enter the start date")])
    ends_on = GovDateField("End date", example=year_end(3),
                           validators=[InputRequired("Enter the end date")])
    pays_in_advance = RadioField(
        "When is each quarter’s instalment paid?", widget=GovRadioInput(),
        choices=[SelectChoice(IN_ADVANCE, "In advance, at the start of each quarter"),
                 SelectChoice(IN_ARREARS, "In arrears, at the end of each quarter")],
        default=IN_ADVANCE, validators=[Optional()],  # not sent: the default, in advance
        invalid_choice_message="Select when each quarter’s instalment is paid")
    submit = SubmitField("Save contract", widget=GovSubmitInput())

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.provider.choices = [SelectChoice("", "Select the provider"),
                                 *(SelectChoice(org.id, org.name)
                                   for org in choices.organisations)]
        self.locality.choices = [SelectChoice("", "No locality"),
                                 *(SelectChoice(locality.id, locality.name)
                                   for locality in choices.localities)]
        self.wards.choices = [SelectChoice(ward.id, ward.name) for ward in choices.wards]

    def details(self) -> ContractDetails:
        return ContractDetails(
            reference=self.reference.data, title=self.title.data,
            provider_id=self.provider.data, lot=ContractLot(self.lot.data),
            locality_id=self.locality.data, ward_ids=list(self.wards.data or []),
            starts_on=self.starts_on.data, ends_on=self.ends_on.data,
            pays_in_advance=self.pays_in_advance.data != IN_ARREARS)


def contract_form_data(contract: Contract) -> dict:
    """A contract's stored details as the edit form's starting answers."""
    return {"reference": contract.reference, "title": contract.title,
            "provider": contract.provider_id, "lot": contract.lot.value,
            "locality": contract.locality_id, "wards": [ward.id for ward in contract.wards],
            "starts_on": contract.starts_on, "ends_on": contract.ends_on,
            "pays_in_advance": IN_ADVANCE if contract.pays_in_advance else IN_ARREARS}


# Taper pages and what-if scenarios ------------------------------------------------------------

CORE_TAPERS = [
    SelectChoice(CoreTaper.FIXED_AMOUNT.value, "By a fixed amount a year"),
    SelectChoice(CoreTaper.PERCENTAGE.value, "By a percentage a year"),
    SelectChoice(CoreTaper.TO_TARGET.value, "To a target by the last year"),
    SelectChoice(CoreTaper.CUSTOM.value, "As I set it for each year"),
]
TOTAL_RULES = [
    SelectChoice(TotalRule.FLAT.value, "Stays the same: external funding replaces the core lost"),
    SelectChoice(TotalRule.WITH_CORE.value,
                 "Falls with core: external funding stays at the first year’s"),
    SelectChoice(TotalRule.PERCENTAGE.value, "Falls by a percentage a year"),
    SelectChoice(TotalRule.TO_TARGET.value, "Falls to a target by the last year"),
]
# Which boxes each choice uses: the others are ignored, whatever they hold.
CORE_BOXES = {CoreTaper.FIXED_AMOUNT: "amount", CoreTaper.PERCENTAGE: "percentage",
              CoreTaper.TO_TARGET: "target", CoreTaper.CUSTOM: "schedule"}
TOTAL_BOXES = {TotalRule.PERCENTAGE: "total_percentage", TotalRule.TO_TARGET: "total_target"}
# The taper rules' RuleBroken fields (Taper attribute names) and the boxes they are about.
TAPER_FIELDS = {"core": "core", "amount_pence": "amount", "percentage": "percentage",
                "target_pence": "target", "schedule_pence": "schedule", "total": "total",
                "total_percentage": "total_percentage", "total_target_pence": "total_target"}
_PERCENTAGE = re.compile(r"-?[0-9]{1,6}(\.[0-9]{1,6})?")


class PercentageField(StringField):
    """A percentage typed as a number ("20", "12.5" or "20%"); `data` is an exact Fraction,
    never a float, or None when the box is empty. Whether it is between 0 and 100 is the taper
    rule's to say."""

    widget = GovTextInputWith(suffix={"text": "%"}, classes="govuk-input--width-5",
                              spellcheck=False, inputmode="decimal")

    def __init__(self, label: str, noun: str, **kwargs):
        super().__init__(label, **kwargs)
        self.noun = noun

    def process_formdata(self, valuelist: list[str]) -> None:
        text = without_control_characters(valuelist[0]).strip() if valuelist else ""
        self.raw_data = [text] if valuelist else []  # shown again in the box as typed
        self.data = None
        number = text.removesuffix("%").strip()
        if not number:
            return
        if not _PERCENTAGE.fullmatch(number):
            raise ValueError(f"Enter {self.noun} as a number, like 20 or 12.5")
        self.data = Fraction(Decimal(number))

    def _value(self) -> str:
        # Only ever filled in from what was typed (the taper pages carry the text on).
        return self.raw_data[0] if self.raw_data else ""


class TaperForm(PortalForm):
    """A taper rule for a programme: how its core funding falls after the first year and what
    its total does. Each choice's boxes sit after the radios (not as conditional reveals:
    GOV.UK Frontend puts aria-expanded on the radio, which axe-core refuses), and only the
    chosen kinds' boxes are read. `years` are the programme's years: one core box each for a
    custom schedule."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            # The schedule's boxes filter their own text.
            if unbound_field.field_class is RowList:
                return unbound_field.bind(form=form, **options)
            return super().bind_field(form, unbound_field, options)

    core = RadioField("How does core funding fall each year?", choices=CORE_TAPERS,
                      widget=GovRadioInput(), invalid_choice_message="Select how core funding "
                      "falls", validators=[InputRequired("Select how core funding falls")])
    amount = PoundsField("Yearly fall in core funding", noun="the yearly fall in core funding",
                         example="£20,000", allow_zero=True,
                         description="Only if core falls by a fixed amount a year")
    percentage = PercentageField("Yearly fall in core funding, as a percentage",
                                 noun="the yearly fall in core funding",
                                 description="Only if core falls by a percentage a year. "
                                             "For example, 20")
    target = PoundsField("Core funding in the last year", noun="the core funding target",
                         example="£100,000", allow_zero=True,
                         description="Only if core falls to a target. It falls in equal steps")
    schedule = RowList(PoundsField("Core funding", allow_zero=True, example="£180,000"),
                       max_entries=MAX_TARGET_ROWS)
    total = RadioField("What happens to the total funding?", choices=TOTAL_RULES,
                       widget=GovRadioInput(),
                       invalid_choice_message="Select what happens to the total funding",
                       validators=[InputRequired("Select what happens to the total funding")])
    total_percentage = PercentageField("Yearly fall in total funding, as a percentage",
                                       noun="the yearly fall in total funding",
                                       description="Only if the total falls by a percentage "
                                                   "a year. For example, 10")
    total_target = PoundsField("Total funding in the last year",
                               noun="the total funding target", example="£400,000",
                               allow_zero=True,
                               description="Only if the total falls to a target")
    preview = SubmitField("Preview", widget=GovSubmitInput())

    def __init__(self, *args, years: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.years = years
        if years:
            self.target.label.text = f"Core funding in {years[-1]}"
            self.total_target.label.text = f"Total funding in {years[-1]}"
        while len(self.schedule) < len(years):
            self.schedule.append_entry()
        for entry, year in zip(self.schedule, years, strict=False):
            entry.label.text = f"Core funding in {year}"

    def _used(self) -> set[str]:
        """The boxes the chosen kinds of taper read."""
        # The enums are StrEnums, so the radios' text finds its kind's box.
        return {box for box in (CORE_BOXES.get(self.core.data),
                                TOTAL_BOXES.get(self.total.data)) if box}

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        # A box that does not go with the choice made is ignored, even if it holds nonsense.
        for name in (set(CORE_BOXES.values()) | set(TOTAL_BOXES.values())) - self._used():
            for field in self._boxes(name):
                field.errors = []
        # Say which year a schedule box's message is about: the summary lists them all.
        for entry, year in zip(self.schedule, self.years, strict=False):
            if entry.errors:
                entry.errors = [f"Enter the core funding for {year} in pounds, like £180,000"]
        self.schedule.errors = [entry.errors for entry in self.schedule]
        if not any(self.schedule.errors):
            self.schedule.errors = []
        self._errors = None
        return not self.errors

    def taper_refused(self) -> bool:
        """True when a message is about the taper's own choices or boxes."""
        return any(self[name].errors for name in TAPER_FIELDS.values())

    def _boxes(self, name: str) -> list:
        return list(self.schedule) if name == "schedule" else [self[name]]

    def taper(self) -> Taper:
        """The rule typed in, with only the chosen kinds' amounts (the rest left out)."""
        used = self._used()

        def given(name: str):
            return self[name].data if name in used else None

        schedule = (tuple(entry.data for entry in self.schedule[:len(self.years)])
                    if "schedule" in used else ())
        return Taper(core=CoreTaper(self.core.data), total=TotalRule(self.total.data),
                     amount_pence=given("amount"), percentage=given("percentage"),
                     target_pence=given("target"), schedule_pence=schedule,
                     total_percentage=given("total_percentage"),
                     total_target_pence=given("total_target"))

    def carried(self) -> list[tuple[str, str]]:
        """(name, text) of the choices and the boxes they use, as typed: sent on in hidden
        fields so the preview's next step, or a way back to the form, keeps them."""
        pairs = [(self.core.name, self.core.data or ""), (self.total.name, self.total.data or "")]
        for name in sorted(self._used()):
            pairs += [(field.name, field._value()) for field in self._boxes(name)]
        return pairs

    def show_rule_broken(self, error: RuleBroken) -> None:
        """Put a taper rule's message beside the box it is about (a year's schedule box when
        the message names that year); other messages beside the core choice, first on the
        form."""
        name = TAPER_FIELDS.get(error.field or "", "core")
        boxes = self._boxes(name) or [self.core]
        field = next((box for box, year in zip(boxes, self.years, strict=False)
                      if name == "schedule" and year in error.message), boxes[0])
        field.errors = [*field.errors, error.message]
        if name == "schedule":
            self.schedule.errors = [entry.errors for entry in self.schedule]
        self._errors = None


def taper_query(taper: Taper) -> dict[str, str]:
    """A taper as the taper form's answers, for a link that starts a new taper from it."""
    rule = taper.as_dict()
    query = {"core": rule["core"], "total": rule["total"]}
    for box, key in (("amount", "amount_pence"), ("target", "target_pence"),
                     ("total_target", "total_target_pence")):
        if rule[key] is not None:
            query[box] = pounds_for_input(rule[key])
    for box in ("percentage", "total_percentage"):
        if rule[box] is not None:
            query[box] = rule[box]
    for index, pence in enumerate(rule["schedule_pence"]):
        query[f"schedule-{index}"] = pounds_for_input(pence)
    return query


def _reason(label: str, required: str) -> TextAreaField:
    return TextAreaField(
        label, widget=GovTextArea(), filters=[_strip],
        description="Recorded with each contract’s new plan and in the audit log",
        validators=[DataRequired(required),
                    Length(max=5000, message=f"{label} must be 5,000 characters or fewer")])


class ApplyTaperForm(TaperForm):
    """The taper previewed (carried in hidden fields) and why it is being applied."""

    reason = _reason("Reason for applying the taper", "Enter the reason for applying the taper")
    apply = SubmitField("Apply this taper", widget=GovSubmitInput())


class SaveScenarioForm(TaperForm):
    """The taper previewed (carried in hidden fields) and the name to save it under."""

    name = name_field("Scenario name", "Enter a name for the scenario", max_length=120)
    save = SubmitField("Save as a scenario", widget=GovSubmitInput())


class ApplyScenarioForm(PortalForm):
    reason = _reason("Reason for applying the scenario",
                     "Enter the reason for applying the scenario")
    apply = SubmitField("Apply this scenario", widget=GovSubmitInput())


class DeleteScenarioForm(PortalForm):
    delete = SubmitField("Delete this scenario", widget=GovSubmitInput())


class CompareScenariosForm(PortalForm):
    """Two of the programme's scenarios to compare (a GET form: it changes nothing)."""

    class Meta:
        csrf = False

    first = SelectField("First scenario", coerce=_optional_id, choices=[], widget=GovSelect(),
                        validate_choice=False, validators=[DataRequired("Select the first "
                                                                        "scenario")],
                        invalid_value_message="Select the first scenario")
    second = SelectField("Second scenario", coerce=_optional_id, choices=[],
                         widget=GovSelect(), validate_choice=False,
                         validators=[DataRequired("Select the second scenario")],
                         invalid_value_message="Select the second scenario")
    compare = SubmitField("Compare", widget=GovSubmitInput())

    def __init__(self, *args, scenarios, **kwargs):
        super().__init__(*args, **kwargs)
        for field, prompt in ((self.first, "Select the first scenario"),
                              (self.second, "Select the second scenario")):
            field.choices = [SelectChoice("", prompt),
                             *(SelectChoice(scenario.id, scenario.name)
                               for scenario in scenarios)]


# Contract money: planning its years, choosing their pots, and variations ---------------------

YEAR_BOX = re.compile(r"years-([0-9]+)-([a-z_]+)", re.ASCII)
REASON_HINT = "Kept with the new version of the contract and in the funding ledger"


def _why(label: str, required: str | None) -> TextAreaField:
    """A reason box; required for a variation (`required` is its message), else optional."""
    return TextAreaField(
        label, widget=GovTextArea(), filters=[_strip], description=REASON_HINT,
        validators=[DataRequired(required) if required else Optional(),
                    Length(max=5000, message=f"{label} must be 5,000 characters or fewer")])


def _year_boxes(labels: dict[int, str]) -> dict[str, PoundsField]:
    """A core and an external box for each year, named years-<row>-core and -external: the
    names the contract-years service gives its broken rules."""
    boxes = {}
    for row, label in labels.items():
        for part in ("core", "external"):
            boxes[f"years-{row}-{part}"] = PoundsField(
                f"{part.capitalize()} funding for {label}",
                noun=f"the {part} funding for {label}", example="£60,000", allow_zero=True,
                validators=[InputRequired(f"Enter the {part} funding for {label}")])
    return boxes


class YearRows:
    """Rows of core and external boxes, one a financial year (`rows`: row number -> label),
    for the plan and extend forms. The service numbers its plans in the order given, so a
    broken rule about plan <n> goes beside the n-th row shown."""

    rows: ClassVar[dict[int, str]]  # set by the form's builder

    def year_money(self) -> list[tuple[str, int, int]]:
        """(financial year, core pence, external pence) for each row, in order."""
        return [(label, self[f"years-{row}-core"].data, self[f"years-{row}-external"].data)
                for row, label in self.rows.items()]

    def field_for(self, name: str | None) -> str:
        """The box to show a service's broken rule beside."""
        match = YEAR_BOX.fullmatch(name or "")
        numbers = list(self.rows)
        if match and int(match[1]) < len(numbers):
            part = match[2] if match[2] in ("core", "external") else "core"
            return f"years-{numbers[int(match[1])]}-{part}"
        if name in self:
            return name
        return f"years-{numbers[0]}-core" if numbers else next(iter(self._fields))


class PlanYearsForm(YearRows, PortalForm):
    submit = SubmitField("Save the money", widget=GovSubmitInput())


def plan_years_form(rows: dict[int, str], needs_reason: bool, **kwargs) -> PlanYearsForm:
    """Boxes for the years in `rows` (row number -> label; years that can no longer change
    are left out), and a reason when the change is a variation of an active contract."""
    fields = {**_year_boxes(rows),
              "reason": _why("Reason for the change",
                             "Enter the reason for the change" if needs_reason else None)}
    form_class = type("PlanYearsForm", (PlanYearsForm,), {**fields, "rows": rows})
    return form_class(**kwargs)


class YearFundingForm(PotAmounts, PortalForm):
    submit = SubmitField("Save the pots", widget=GovSubmitInput())

    def field_for(self, name: str | None) -> str:
        """A broken rule about the reason goes beside it; about the money, beside the first
        pot's box."""
        if name == "reason" or not self.pot_fields():
            return "reason"
        return self.pot_fields()[0].name


def year_funding_form(pots: dict[int, str], needs_reason: bool, **kwargs) -> YearFundingForm:
    """An amount box named pot_<id> for each pot (pot id -> name), and a reason when the
    change is a variation."""
    fields = {f"pot_{pot_id}": PoundsField(f"Amount from {name}",
                                           noun=f"the amount from {name}", allow_zero=True,
                                           validators=[Optional()])
              for pot_id, name in pots.items()}
    fields["reason"] = _why("Reason for the change",
                            "Enter the reason for the change" if needs_reason else None)
    return type("YearFundingForm", (YearFundingForm,), fields)(**kwargs)


class ExtendForm(YearRows, PortalForm):
    ends_on = GovDateField("New end date", example=year_end(2),
                           validators=[InputRequired("Enter the new end date")])
    submit = SubmitField("Extend the contract", widget=GovSubmitInput())


def extend_form(rows: dict[int, str], **kwargs) -> ExtendForm:
    """The new end date, boxes for the years it adds (`rows`), and the reason."""
    fields = {**_year_boxes(rows),
              "reason": _why("Reason for extending", "Enter the reason for extending")}
    return type("ExtendForm", (ExtendForm,), {**fields, "rows": rows})(**kwargs)


class TerminateForm(PortalForm):
    """The date and reason; `confirmed` is set on the check-your-answers step."""

    terminated_on = GovDateField("Date the contract ends",
                                 validators=[InputRequired("Enter the date the contract ends")])
    reason = _why("Reason for ending the contract early",
                  "Enter the reason for ending the contract early")
    confirmed = HiddenField()
    submit = SubmitField("Continue", widget=GovSubmitInput())


class ActivateForm(PortalForm):
    submit = SubmitField("Make the contract active", widget=GovSubmitInput())


class EndForm(PortalForm):
    submit = SubmitField("Mark the contract as ended", widget=GovSubmitInput())


class ContractDocumentForm(PortalForm):
    """A file to keep with a contract, and what it is. Size and content are checked by the
    service, as for applications' documents."""

    title = StringField("What is the document?", widget=GovTextInput(),
                        description="For example, Signed contract or Service specification",
                        validators=[InputRequired("Enter what the document is, for example "
                                                  "Signed contract"), Length(max=200)])
    file = FileField("Upload a file", widget=GovFileInput(),
                     validators=[FileRequired("Select a file")])
    upload = SubmitField("Upload document", widget=GovSubmitInput())

    def __init__(self, max_mb: int, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.file.description = (f"A PDF, Word document (DOCX), Excel spreadsheet (XLSX), "
                                 f"OpenDocument text (ODT), JPG or PNG, smaller than {max_mb}MB")
