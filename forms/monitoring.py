"""Forms for quarterly monitoring: a contract's KPIs with a target for each quarter, the
provider's return (a value for each KPI, a narrative and a RAG self-assessment), and the
commissioner's review. The KPI and return forms have a box for each quarter or KPI, so they are
made for the contract in hand."""

import re
from decimal import Decimal
from typing import ClassVar

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import RadioField, SelectChoice, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from forms.base import PortalForm
from forms.fields import GovTextInputWith, name_field
from models import Kpi
from models.enums import Pathway, Rag, ReturnStatus
from portal.monitoring.benchmarking import format_figure, format_number
from portal.monitoring.details import (
    KpiDetails,
    ReturnAnswers,
    Review,
    target_field,
    value_field,
)
from portal.monitoring.quarters import Quarter

# Digits with optional thousands commas and up to 2 decimal places (Numeric(14, 2) columns).
_NUMBER = re.compile(r"^(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$", re.ASCII)
LARGEST = Decimal("999999999999.99")
RAG_CHOICES = [SelectChoice(Rag.GREEN.value, "Green: on track"),
               SelectChoice(Rag.AMBER.value, "Amber: some risk to delivery"),
               SelectChoice(Rag.RED.value, "Red: not on track")]
NO_PATHWAY = "none"
PATHWAY_CHOICES = [*(SelectChoice(pathway.value, pathway.label) for pathway in Pathway),
                   SelectChoice(NO_PATHWAY, "Not in a pathway")]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class NumberField(StringField):
    """A number of 0 or more with up to 2 decimal places ("1,250", "12.5"); `data` is a
    Decimal, or None when the box is empty (for InputRequired or Optional to judge).

    Messages name the figure by `noun`: "Enter the number of people supported as a number",
    "The number of people supported must be 0 or more"."""

    def __init__(self, label: str, noun: str, unit: str = "", **kwargs):
        prefix = {"prefix": {"text": "£"}} if unit == "£" else {}
        suffix = {"suffix": {"text": unit}} if unit and unit != "£" else {}
        kwargs.setdefault("widget", GovTextInputWith(classes="govuk-input--width-10",
                                                     spellcheck=False, inputmode="decimal",
                                                     **prefix, **suffix))
        kwargs.setdefault("filters", [_strip])
        super().__init__(label, **kwargs)
        self.noun = noun

    def process_formdata(self, valuelist: list[str]) -> None:
        text = (valuelist[0] if valuelist else "").strip().removeprefix("£")
        self.raw_data = valuelist
        self.data = None
        if not text:
            return
        noun = self.noun[:1].upper() + self.noun[1:]
        if text.startswith("-") and _NUMBER.match(text[1:].removeprefix("£")):
            raise ValueError(f"{noun} must be 0 or more")
        if not _NUMBER.match(text):
            raise ValueError(f"Enter {self.noun} as a number")
        value = Decimal(text.replace(",", ""))
        # Judged before the decimal places: quantize() cannot give 27 digits and 2 places.
        if value > LARGEST:
            raise ValueError(f"{noun} must be less than 1,000,000,000,000")
        if value != value.quantize(Decimal("0.01")):
            raise ValueError(f"{noun} must have no more than 2 decimal places")
        self.data = value

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else format_number(self.data, grouping=False)


def _target_box(quarter: Quarter, unit: str) -> NumberField:
    return NumberField(f"{quarter.label} ({quarter.months})", noun=f"the target for "
                       f"{quarter.label}", unit=unit, validators=[Optional()])


class KpiForm(PortalForm):
    """A KPI's name and unit; kpi_form adds a target box for each quarter."""

    name = name_field("Name", "Enter the KPI’s name", max_length=120)
    unit = StringField(
        "Unit (optional)", description="What is counted, like people, hours or £",
        widget=GovTextInputWith(classes="govuk-input--width-10"), filters=[_strip],
        validators=[Length(max=40, message="The unit must be 40 characters or fewer")])
    pathway = RadioField(
        "Pathway", description="The district roll-up adds this KPI up across the anchors "
        "under its pathway", choices=PATHWAY_CHOICES, default=NO_PATHWAY,
        widget=GovRadioInput(), invalid_choice_message="Select a pathway, or not in a pathway")
    submit = SubmitField("Save KPI", widget=GovSubmitInput())

    quarters: ClassVar[tuple[Quarter, ...]] = ()  # set by kpi_form

    def target_boxes(self, year: str) -> list[NumberField]:
        return [self[target_field(quarter)] for quarter in self.quarters
                if quarter.financial_year == year]

    def years(self) -> list[str]:
        return list(dict.fromkeys(quarter.financial_year for quarter in self.quarters))

    def details(self) -> KpiDetails:
        pathway = None if self.pathway.data == NO_PATHWAY else Pathway(self.pathway.data)
        return KpiDetails(name=self.name.data, unit=self.unit.data or "", pathway=pathway,
                          targets={quarter: self[target_field(quarter)].data
                                   for quarter in self.quarters})


def kpi_form(quarters: list[Quarter], unit: str = "", **kwargs) -> KpiForm:
    """The KPI form with a target box for each of `quarters` (a contract's)."""
    boxes = {target_field(quarter): _target_box(quarter, unit) for quarter in quarters}
    form_class = type("ContractKpiForm", (KpiForm,), {**boxes, "quarters": tuple(quarters)})
    return form_class(**kwargs)


def kpi_form_data(kpi: Kpi) -> dict:
    """A KPI's stored name, unit and targets as the form's starting answers."""
    return {"name": kpi.name, "unit": kpi.unit,
            "pathway": kpi.pathway.value if kpi.pathway else NO_PATHWAY,
            **{target_field(Quarter.of(target.financial_year, target.quarter)): target.target
               for target in kpi.targets}}


def kpi_noun(kpi: Kpi) -> str:
    """How messages name a KPI's figure: "the number of people supported", or for money,
    "the external funding levered in"."""
    name = kpi.name[:1].lower() + kpi.name[1:]
    return f"the {name}" if kpi.unit == "£" else f"the number of {name}"


class ReturnForm(PortalForm):
    """A quarter's return; return_form adds a box for each KPI before these."""

    narrative = TextAreaField(
        "How the quarter went",
        description="What you delivered, what changed and any problems, in your own words",
        widget=GovTextArea(), filters=[_strip],
        validators=[DataRequired("Enter how the quarter went"),
                    Length(max=10_000, message="How the quarter went must be 10,000 "
                                               "characters or fewer")])
    rag = RadioField("Your red, amber or green self-assessment", choices=RAG_CHOICES,
                     widget=GovRadioInput(),
                     validators=[InputRequired("Select a red, amber or green self-assessment")],
                     invalid_choice_message="Select a red, amber or green self-assessment")
    submit = SubmitField("Continue", widget=GovSubmitInput())

    kpis: ClassVar[tuple[Kpi, ...]] = ()  # set by return_form

    def value_boxes(self) -> list[NumberField]:
        return [self[value_field(kpi.id)] for kpi in self.kpis]

    def answers(self) -> ReturnAnswers:
        return ReturnAnswers(values={kpi.id: self[value_field(kpi.id)].data
                                     for kpi in self.kpis},
                             narrative=self.narrative.data, rag=Rag(self.rag.data))


def _value_box(kpi: Kpi, target: Decimal | None) -> NumberField:
    noun = kpi_noun(kpi)
    return NumberField(kpi.name, noun=noun, unit=kpi.unit,
                       description=("No target set" if target is None else
                                    f"Target: {format_figure(target, kpi.unit)}"),
                       validators=[InputRequired(f"Enter {noun}")])


def return_form(kpis: list[Kpi], targets: dict[int, Decimal], **kwargs) -> ReturnForm:
    """The return form with a box for each KPI, its hint giving the quarter's target."""
    boxes = {value_field(kpi.id): _value_box(kpi, targets.get(kpi.id)) for kpi in kpis}
    form_class = type("ContractReturnForm", (ReturnForm,), {**boxes, "kpis": tuple(kpis)})
    return form_class(**kwargs)


def return_form_data(contract_return) -> dict:
    """A queried return's answers, to change and send again."""
    if contract_return is None:
        return {}
    return {"narrative": contract_return.narrative, "rag": contract_return.rag.value,
            **{value_field(value.kpi_id): value.value for value in contract_return.values}}


class ReviewForm(PortalForm):
    outcome = RadioField(
        "What do you want to do with this return?",
        choices=[SelectChoice(ReturnStatus.ACCEPTED.value, "Accept it"),
                 SelectChoice(ReturnStatus.QUERIED.value,
                              "Query it: ask the provider to explain or correct it")],
        widget=GovRadioInput(), validators=[InputRequired("Select whether to accept or query "
                                                          "the return")],
        invalid_choice_message="Select whether to accept or query the return")
    note = TextAreaField(
        "Note (needed to query the return)",
        description="The provider sees this: say what they need to explain or correct",
        widget=GovTextArea(), filters=[_strip],
        validators=[Length(max=5000, message="The note must be 5,000 characters or fewer")])
    submit = SubmitField("Save review", widget=GovSubmitInput())

    def review(self) -> Review:
        return Review(outcome=ReturnStatus(self.outcome.data), note=self.note.data or "")
