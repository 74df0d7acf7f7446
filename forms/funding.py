"""Forms for funding pots: setting one up, changing its details and budget, and transfers;
and the forms for money from pots that awards and contracts share: amounts per pot, and a
payment against a scheduled instalment."""

import re

from dateutil.relativedelta import relativedelta
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    RadioField,
    SelectChoice,
    SelectField,
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

from forms.base import PortalForm
from forms.fields import (
    RECENTLY,
    FinancialYearField,
    GovDateField,
    GovTextInputWith,
    PoundsField,
    name_field,
    year_end,
)
from models import FundingPartner, FundingPot
from models.enums import FundingSource, PotStatus
from portal.financial_years import FinancialYear

INCREASE, REDUCE = "increase", "reduce"
POOLED = "pooled"  # the create form's third source: external money from several partners
POT_FIELD = re.compile(r"pot_([0-9]{1,9})", re.ASCII)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _reason(label: str = "Reason", required: str = "Enter the reason for this change"
            ) -> TextAreaField:
    return TextAreaField(
        label, widget=GovTextArea(), filters=[_strip],
        description="This is kept in the pot’s ledger for anyone who checks it later",
        validators=[DataRequired(required),
                    Length(max=2000, message="The reason must be 2,000 characters or fewer")])


def _checkboxes(label: str, hint: str, message: str) -> SelectMultipleField:
    return SelectMultipleField(label, description=hint, coerce=int, choices=[],
                               widget=GovCheckboxesInput(), invalid_choice_message=message,
                               invalid_value_message=message)


def _org_id_field(label: str, hint: str, presence) -> StringField:
    return StringField(
        label, description=hint,
        widget=GovTextInputWith(classes="govuk-input--width-20", spellcheck=False),
        filters=[_strip],
        validators=[presence,
                    Regexp(r"^[A-Za-z]{2}(-[A-Za-z0-9]+)+\Z",
                           message="Enter the organisation identifier like GB-LAE-KIR or "
                                   "GB-CHC-1234567"),
                    Length(max=60, message="The organisation identifier must be 60 characters "
                                           "or fewer")])


def _acknowledgement_field(label: str, hint: str) -> TextAreaField:
    return TextAreaField(
        label, widget=GovTextArea(), filters=[_strip], description=hint,
        validators=[Length(max=1000, message="The acknowledgement must be 1,000 characters "
                                             "or fewer")])


def _partner_id(value: str | int | None) -> int | None:
    """'' (the "Select a partner" option) -> None; '12' -> 12; anything else is not a choice."""
    return None if value in ("", None) else int(value)


def _partner_choices(partners: list[FundingPartner]) -> list[SelectChoice]:
    return [SelectChoice("", "Select a partner"),
            *(SelectChoice(partner.id, f"{partner.name} ({partner.org_id})")
              for partner in partners)]


class PotDetailsForm(PortalForm):
    """A pot's details, which can be changed after it is set up; `choices` (a
    services.RestrictionChoices) gives the restriction checkboxes."""

    name = name_field("Pot name", "Enter the pot name")
    funder_name = name_field("Funder’s name", "Enter the funder’s name")
    funder_org_id = _org_id_field("Funder’s organisation identifier (optional)",
                                  "The funder’s org-id, like GB-LAE-KIR for Kirklees Council or "
                                  "GB-CHC-1234567 for a charity", Optional())
    acknowledgement = _acknowledgement_field(
        "Acknowledgement", "The line every award letter paid from this pot must print, like "
                           "Funded by the West Yorkshire Health Partnership")
    spend_by = GovDateField("Spend by (optional)", example=year_end(),
                            validators=[Optional()])
    schemes = _checkboxes("Schemes", "Leave all unticked if the pot can fund any scheme",
                          "Select schemes from the list")
    themes = _checkboxes("Themes", "Leave all unticked if the pot can fund any theme",
                          "Select themes from the list")
    wards = _checkboxes("Wards", "Leave all unticked if the pot can fund any ward",
                          "Select wards from the list")
    programmes = _checkboxes("Commissioning programmes",
                             "Tick a programme if the pot is for its contracts: it will then "
                             "fund no grants", "Select programmes from the list")

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.schemes.choices = [SelectChoice(scheme.id, scheme.name)
                                for scheme in choices.schemes]
        self.themes.choices = [SelectChoice(theme.id, f"{theme.scheme.name}: {theme.name}")
                               for theme in choices.themes]
        self.wards.choices = [SelectChoice(ward.id, ward.name) for ward in choices.wards]
        self.programmes.choices = [SelectChoice(programme.id, programme.name)
                                   for programme in choices.programmes]

    def details(self) -> dict:
        """The answers, by services.PotDetails' names."""
        return {"name": self.name.data, "funder_name": self.funder_name.data,
                "funder_org_id": self.funder_org_id.data or "",
                "acknowledgement": self.acknowledgement.data or "",
                "spend_by": self.spend_by.data, "scheme_ids": list(self.schemes.data or []),
                "theme_ids": list(self.themes.data or []),
                "ward_ids": list(self.wards.data or []),
                "programme_ids": list(self.programmes.data or [])}


class CreatePotForm(PotDetailsForm):
    """A new pot; `partners` are those who may contribute a pooled pot's opening budget."""

    financial_year = FinancialYearField()
    source = RadioField(
        "Where does the money come from?",
        choices=[SelectChoice(FundingSource.CORE.value, "Core: the council’s own budget"),
                 SelectChoice(FundingSource.EXTERNAL.value, "External: a partner’s money"),
                 SelectChoice(POOLED, "Pooled: contributions from several partners")],
        description="A pooled pot’s budget is only partners’ contributions, and what it pays "
                    "for is shared between them in proportion",
        widget=GovRadioInput(), validators=[InputRequired("Select where the money comes from")],
        invalid_choice_message="Select where the money comes from")
    budget = PoundsField("Opening budget", example="£50,000",
                         validators=[InputRequired("Enter the opening budget")])
    contributor = SelectField(
        "Partner contributing the opening budget (pooled pots only)",
        description="Add the other partners’ contributions from the pot’s page",
        coerce=_partner_id, choices=[], widget=GovSelect(),
        invalid_choice_message="Select a partner from the list",
        invalid_value_message="Select a partner from the list")
    reason = _reason("Reason for the opening budget",
                     "Enter the reason for the opening budget")
    submit = SubmitField("Create pot", widget=GovSubmitInput())

    def __init__(self, *args, choices, partners: list[FundingPartner], **kwargs):
        super().__init__(*args, choices=choices, **kwargs)
        self.contributor.choices = _partner_choices(partners)

    def validate_contributor(self, field) -> None:
        if self.source.data == POOLED and field.data is None:
            raise ValidationError("Select the partner contributing the opening budget")

    @property
    def funding_source(self) -> FundingSource:
        return FundingSource.CORE if self.source.data == FundingSource.CORE.value \
            else FundingSource.EXTERNAL

    @property
    def contributor_id(self) -> int | None:
        return self.contributor.data if self.source.data == POOLED else None


class EditPotForm(PotDetailsForm):
    status = RadioField(
        "Status", choices=[SelectChoice(status.value, status.label) for status in PotStatus],
        description="Nothing more can be committed from a closed pot",
        widget=GovRadioInput(), validators=[InputRequired("Select the pot’s status")],
        invalid_choice_message="Select the pot’s status")
    submit = SubmitField("Save pot", widget=GovSubmitInput())


def edit_pot_data(pot: FundingPot) -> dict:
    """A pot's stored details as the edit form's starting answers."""
    return {"name": pot.name, "funder_name": pot.funder_name,
            "funder_org_id": pot.funder_org_id, "acknowledgement": pot.acknowledgement,
            "spend_by": pot.spend_by, "status": pot.status.value,
            "schemes": [scheme.id for scheme in pot.schemes],
            "themes": [theme.id for theme in pot.themes],
            "wards": [ward.id for ward in pot.wards],
            "programmes": [programme.id for programme in pot.programmes]}


def next_year_pot_data(pot: FundingPot, budget_pence: int) -> dict:
    """The starting answers for next year's pot of the same kind: this year's details and
    budget, a year on (the year in its name too)."""
    year = FinancialYear.parse(pot.financial_year)
    following = year.following().label
    data = edit_pot_data(pot)
    del data["status"]
    return {**data, "name": pot.name.replace(year.label, following),
            "financial_year": following, "source": POOLED if pot.pooled else pot.source.value,
            "spend_by": pot.spend_by and pot.spend_by + relativedelta(years=1),
            "budget": budget_pence,
            "reason": f"Budget for {following}, set up from {pot.name} in {year.label}"}


class BudgetForm(PortalForm):
    """A budget change; for a pooled pot (given its `partners`), a partner's contribution."""

    partner = SelectField(
        "Which partner’s contribution is this?", coerce=_partner_id, choices=[],
        widget=GovSelect(),
        invalid_choice_message="Select a partner from the list",
        invalid_value_message="Select a partner from the list")
    direction = RadioField(
        "Do you want to increase or reduce the budget?",
        choices=[SelectChoice(INCREASE, "Increase the budget"),
                 SelectChoice(REDUCE, "Reduce the budget")],
        widget=GovRadioInput(),
        validators=[InputRequired("Select whether to increase or reduce the budget")],
        invalid_choice_message="Select whether to increase or reduce the budget")
    amount = PoundsField("Amount", noun="the amount", example="£5,000",
                         validators=[InputRequired("Enter the amount")])
    reason = _reason()
    submit = SubmitField("Change budget", widget=GovSubmitInput())

    def __init__(self, *args, partners: list[FundingPartner] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.pooled = partners is not None
        self.partner.choices = _partner_choices(partners or [])

    def validate_partner(self, field) -> None:
        if self.pooled and field.data is None:
            raise ValidationError("Select the partner whose contribution this is")

    @property
    def increase(self) -> bool:
        return self.direction.data == INCREASE

    @property
    def partner_id(self) -> int | None:
        return self.partner.data if self.pooled else None


class PartnerForm(PortalForm):
    name = name_field("Partner’s name", "Enter the partner’s name")
    org_id = _org_id_field("Organisation identifier",
                           "The partner’s org-id, like GB-NHS-QWO for an integrated care board "
                           "or GB-CHC-1234567 for a charity: open data names it by this",
                           DataRequired("Enter the partner’s organisation identifier"))
    acknowledgement = _acknowledgement_field(
        "Acknowledgement for pooled pots",
        "The line award letters print when a pooled pot the partner contributed to pays for "
        "the award, like Funded in part by the Integrated Care Board")
    submit = SubmitField("Save partner", widget=GovSubmitInput())

    def details(self) -> dict:
        """The answers, by PartnerDetails' names."""
        return {"name": self.name.data, "org_id": self.org_id.data,
                "acknowledgement": self.acknowledgement.data or ""}


def _pot_id(value: str | int | None) -> int | None:
    """'' (the "Select a pot" option) -> None; '12' -> 12; anything else is not a choice."""
    return None if value in ("", None) else int(value)


class TransferForm(PortalForm):
    to_pot = SelectField(
        "Pot to transfer to", coerce=_pot_id, choices=[], widget=GovSelect(),
        validators=[DataRequired("Select a pot to transfer to")],
        invalid_choice_message="Select a pot to transfer to",
        invalid_value_message="Select a pot to transfer to")
    amount = PoundsField("Amount", noun="the amount to transfer", example="£5,000",
                         validators=[InputRequired("Enter the amount to transfer")])
    reason = _reason(required="Enter the reason for the transfer")
    submit = SubmitField("Transfer budget", widget=GovSubmitInput())

    def __init__(self, *args, targets: list[FundingPot], **kwargs):
        super().__init__(*args, **kwargs)
        self.to_pot.choices = [SelectChoice("", "Select a pot"),
                               *(SelectChoice(pot.id, pot.name) for pot in targets)]


# Paying from pots, for awards and contracts ---------------------------------------------------


class PotAmounts:
    """An amount box named pot_<id> for each pot that may fund the award or contract year, for
    the award offer and variation forms and the contract year funding form."""

    def pot_fields(self) -> list[PoundsField]:
        return [field for field in self if POT_FIELD.fullmatch(field.name)]

    def allocations(self) -> dict[int, int]:
        """Pence from each pot (pot id -> pence), an empty box counting as nothing."""
        return {int(POT_FIELD.fullmatch(field.name).group(1)): field.data or 0
                for field in self.pot_fields()}

    def field_for(self, name: str | None) -> str | None:
        """A broken rule about the allocations goes beside the first pot's box."""
        pot_fields = self.pot_fields()
        if name == "allocations" and pot_fields:
            return pot_fields[0].name
        return super().field_for(name)


class PaymentForm(PortalForm):
    """A payment made against one of an award's or a contract's scheduled payments; the
    choices are the payments not yet paid in full (`payment_form`)."""

    instalment = RadioField("Which payment in the schedule is this?", widget=GovRadioInput(),
                            coerce=int, validate_choice=False, validators=[
                                InputRequired("Select the payment in the schedule that this "
                                              "pays")])
    paid_on = GovDateField("Date paid", example=RECENTLY,
                           validators=[InputRequired("Enter the date paid")])
    amount = PoundsField("Amount paid", validators=[InputRequired("Enter the amount paid")])
    reference = StringField("Payment reference", widget=GovTextInput(), filters=[_strip],
                            description="The finance system’s reference, as the organisation’s "
                                        "bank statement will show it",
                            validators=[DataRequired("Enter the payment reference"),
                                        Length(max=100, message="Payment reference must be 100 "
                                                                "characters or fewer")])
    submit = SubmitField("Record the payment", widget=GovSubmitInput())


def payment_form(choices: list[tuple[int, str]], **kwargs) -> PaymentForm:
    form = PaymentForm(**kwargs)
    form.instalment.choices = [SelectChoice(value, label) for value, label in choices]
    return form
