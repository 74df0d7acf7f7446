"""Forms for Community Anchor programmes (with the council's core budget target for each year)
and the contracts in them."""

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
)
from wtforms import (
    Form,
    FormField,
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
from forms.fields import GovDateField, GovTextInputWith, PoundsField, name_field
from forms.schemes import RowList
from models import Contract, Programme
from models.enums import ContractLot
from portal.contracts.details import ContractDetails, ProgrammeDetails, Target
from portal.exceptions import RuleBroken

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
    starts_on = GovDateField("Start date", example="1 4 2024",
                             validators=[InputRequired("Enter the start date")])
    ends_on = GovDateField("End date", example="31 3 2027",
                           validators=[InputRequired("Enter the end date")])
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
            starts_on=self.starts_on.data, ends_on=self.ends_on.data)


def contract_form_data(contract: Contract) -> dict:
    """A contract's stored details as the edit form's starting answers."""
    return {"reference": contract.reference, "title": contract.title,
            "provider": contract.provider_id, "lot": contract.lot.value,
            "locality": contract.locality_id, "wards": [ward.id for ward in contract.wards],
            "starts_on": contract.starts_on, "ends_on": contract.ends_on}
