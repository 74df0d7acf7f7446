"""Forms for award offers. The offer form has one amount box per pot that may fund the award,
so its class is made for the pots in hand (`offer_form`)."""

import re
from collections.abc import Iterable

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from forms.base import PortalForm
from forms.fields import GovDateField, PoundsField

TEXT_LIMIT = 10_000
POT_FIELD = re.compile(r"pot_([0-9]{1,9})", re.ASCII)
MAX_POTS = 100  # more boxes than any council has pots: the rest of a tampered form is ignored


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _text(label: str, hint: str = "", required: str | None = None) -> TextAreaField:
    return TextAreaField(
        label, description=hint, widget=GovTextArea(), filters=[_strip],
        validators=[DataRequired(required) if required else Optional(),
                    Length(max=TEXT_LIMIT, message=f"{label} must be 10,000 characters or "
                                                   "fewer")])


class OfferForm(PortalForm):
    standard_conditions = _text("Standard conditions",
                                hint="The council’s standard grant conditions. Change them only "
                                     "if this award needs it",
                                required="Enter the standard conditions")
    special_conditions = _text("Special conditions (optional)",
                               hint="Conditions for this award only, for example evidence to "
                                    "send before the first payment")
    accept_by = GovDateField("Date to accept by",
                             validators=[InputRequired("Enter the date to accept by")])
    submit = SubmitField("Make the award offer", widget=GovSubmitInput())

    def pot_fields(self) -> list[PoundsField]:
        return [field for field in self if POT_FIELD.fullmatch(field.name)]

    def allocations(self) -> dict[int, int]:
        """Pence from each pot (pot id -> pence), an empty box counting as nothing."""
        return {int(POT_FIELD.fullmatch(field.name).group(1)): field.data or 0
                for field in self.pot_fields()}


def pot_ids_sent(names: Iterable[str]) -> list[int]:
    """The pot ids of the amount boxes in a submitted form, in order, a bounded number."""
    ids = sorted({int(match.group(1)) for name in names if (match := POT_FIELD.fullmatch(name))})
    return ids[:MAX_POTS]


def offer_form(pot_ids: Iterable[int], **kwargs) -> OfferForm:
    """An OfferForm with an amount box named pot_<id> for each pot."""
    boxes = {f"pot_{pot_id}": PoundsField("Amount from this pot", noun="the amount from the pot",
                                          allow_zero=True, validators=[Optional()])
             for pot_id in pot_ids}
    return type("PotsOfferForm", (OfferForm,), boxes)(**kwargs)


class WithdrawForm(PortalForm):
    reason = _text("Reason for withdrawing the offer",
                   hint="Recorded with the award and in the funding ledger",
                   required="Enter the reason for withdrawing the offer")
    submit = SubmitField("Withdraw the offer", widget=GovSubmitInput())


def _name(label: str, required: str) -> StringField:
    return StringField(label, widget=GovTextInput(), filters=[_strip], validators=[
        DataRequired(required),
        Length(max=200, message=f"{label} must be 200 characters or fewer")])


class AcceptForm(PortalForm):
    """The organisation's acceptance: a named signatory and a declaration. The declaration's
    wording names the organisation, so the page gives it as the label."""

    signatory_name = _name("Full name of the person accepting",
                           "Enter the name of the person accepting")
    signatory_position = _name("Their position in the organisation",
                               "Enter their position in the organisation")
    declaration = BooleanField(widget=GovCheckboxInput(), validators=[InputRequired(
        "Confirm that you are authorised to accept this grant")])
    submit = SubmitField("Accept the grant offer", widget=GovSubmitInput())


class DeclineForm(PortalForm):
    reason = _text("Why is the organisation declining the offer?",
                   hint="The grants team will see this",
                   required="Enter why the organisation is declining the offer")
    submit = SubmitField("Decline the offer", widget=GovSubmitInput())


def accept_form(organisation_name: str, **kwargs) -> AcceptForm:
    """An AcceptForm whose declaration names the organisation."""
    form = AcceptForm(**kwargs)
    form.declaration.label.text = (
        f"I confirm that I am authorised to accept this grant on behalf of {organisation_name} "
        "and that the organisation will meet the conditions")
    return form
