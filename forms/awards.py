"""Forms for award offers. The offer form has one amount box per pot that may fund the award,
so its class is made for the pots in hand (`offer_form`)."""

from collections.abc import Iterable

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from forms.base import PortalForm
from forms.fields import GovDateField, PoundsField
from forms.funding import POT_FIELD, PotAmounts
from models.enums import PaymentTiming, RecoveryKind
from portal.awards.terms import MAX_INSTALMENTS, MAX_RETURNS, ReturnDue, ScheduledPayment, Terms

TEXT_LIMIT = 10_000
MAX_POTS = 100  # more boxes than any council has pots: the rest of a tampered form is ignored


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _text(label: str, hint: str = "", required: str | None = None) -> TextAreaField:
    return TextAreaField(
        label, description=hint, widget=GovTextArea(), filters=[_strip],
        validators=[DataRequired(required) if required else Optional(),
                    Length(max=TEXT_LIMIT, message=f"{label} must be 10,000 characters or "
                                                   "fewer")])


class TermsForm(PortalForm):
    """The grant period, payment schedule and monitoring returns, shared by the offer and the
    variation forms. Schedule and returns are rows of boxes (payment_<n>_date and _amount,
    return_<n>_title and _date); empty rows are ignored, half-filled ones are errors."""

    start_date = GovDateField("Start date",
                              validators=[InputRequired("Enter the start date of the grant")])
    end_date = GovDateField("End date",
                            validators=[InputRequired("Enter the end date of the grant")])
    payment_timing = RadioField(
        "Are payments made in advance or in arrears?", widget=GovRadioInput(),
        choices=[SelectChoice(timing.value, timing.label) for timing in PaymentTiming],
        default=PaymentTiming.IN_ADVANCE.value,
        validators=[InputRequired("Select whether payments are made in advance or in arrears")])

    def payment_rows(self) -> list[tuple[GovDateField, PoundsField]]:
        return [(self[f"payment_{n}_date"], self[f"payment_{n}_amount"])
                for n in range(1, MAX_INSTALMENTS + 1)]

    def return_rows(self) -> list[tuple[StringField, GovDateField]]:
        return [(self[f"return_{n}_title"], self[f"return_{n}_date"])
                for n in range(1, MAX_RETURNS + 1)]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for number, (when, amount) in enumerate(self.payment_rows(), 1):
            valid &= _row_complete(when, amount, f"the date of payment {number}",
                                   f"the amount of payment {number}")
        for number, (title, when) in enumerate(self.return_rows(), 1):
            valid &= _row_complete(title, when, f"what return {number} is",
                                   f"when return {number} is due")
        return valid

    def terms(self) -> Terms:
        """The terms typed, leaving out empty rows."""
        return Terms(
            self.start_date.data, self.end_date.data, PaymentTiming(self.payment_timing.data),
            tuple(ScheduledPayment(when.data, amount.data)
                  for when, amount in self.payment_rows() if when.data and amount.data),
            tuple(ReturnDue(title.data, when.data)
                  for title, when in self.return_rows() if title.data and when.data))

    def field_for(self, name: str | None) -> str | None:
        """Where to show a broken rule about the schedule or the returns: their first row."""
        return {"instalments": "payment_1_amount",
                "monitoring_returns": "return_1_title"}.get(name, name)


def _row_complete(first, second, first_noun: str, second_noun: str) -> bool:
    """A row is both boxes or neither; a half-filled one says what is missing. Boxes that
    already have an error (a date that is not a date) keep it."""
    if first.errors or second.errors:
        return False
    if bool(first.data) == bool(second.data):
        return True
    missing, noun = (first, first_noun) if not first.data else (second, second_noun)
    missing.errors = [f"Enter {noun}"]
    return False


def terms_data(terms: Terms) -> dict:
    """Form data showing `terms` in a TermsForm's boxes."""
    data = {"start_date": terms.start_date, "end_date": terms.end_date,
            "payment_timing": terms.payment_timing.value}
    for number, payment in enumerate(terms.instalments, 1):
        data[f"payment_{number}_date"] = payment.due_on
        data[f"payment_{number}_amount"] = payment.amount_pence
    for number, due in enumerate(terms.monitoring_returns, 1):
        data[f"return_{number}_title"] = due.title
        data[f"return_{number}_date"] = due.due_on
    return data


for _number in range(1, MAX_INSTALMENTS + 1):
    setattr(TermsForm, f"payment_{_number}_date", GovDateField(
        f"Date of payment {_number}", validators=[Optional()]))
    setattr(TermsForm, f"payment_{_number}_amount", PoundsField(
        f"Amount of payment {_number}", validators=[Optional()]))
for _number in range(1, MAX_RETURNS + 1):
    setattr(TermsForm, f"return_{_number}_title", StringField(
        f"Return {_number}", widget=GovTextInput(), filters=[_strip], validators=[
            Optional(), Length(max=200, message=f"Return {_number} must be 200 characters or "
                                                "fewer")]))
    setattr(TermsForm, f"return_{_number}_date", GovDateField(
        f"Date return {_number} is due", validators=[Optional()]))


class OfferForm(PotAmounts, TermsForm):
    minimal_financial_assistance = RadioField(
        "Is the award given as Minimal Financial Assistance?", widget=GovRadioInput(),
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No, on another basis")],
        default="yes", validators=[InputRequired(
            "Select whether the award is given as Minimal Financial Assistance")])
    subsidy_basis = _text("If not, the basis on which it is given (optional)",
                          hint="For example, the award is not a subsidy because the "
                               "organisation does not trade. The letter will state this")
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


def pot_ids_sent(names: Iterable[str]) -> list[int]:
    """The pot ids of the amount boxes in a submitted form, in order, a bounded number."""
    ids = sorted({int(match.group(1)) for name in names if (match := POT_FIELD.fullmatch(name))})
    return ids[:MAX_POTS]


def _with_pot_boxes(form_class: type, pot_ids: Iterable[int], **kwargs):
    """A `form_class` form with an amount box named pot_<id> for each pot."""
    boxes = {f"pot_{pot_id}": PoundsField("Amount from this pot", noun="the amount from the pot",
                                          allow_zero=True, validators=[Optional()])
             for pot_id in pot_ids}
    return type(f"Pots{form_class.__name__}", (form_class,), boxes)(**kwargs)


def offer_form(pot_ids: Iterable[int], **kwargs) -> OfferForm:
    """An OfferForm with an amount box named pot_<id> for each pot."""
    return _with_pot_boxes(OfferForm, pot_ids, **kwargs)


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


# Payments and variations ---------------------------------------------------------------------


class RecoveryForm(PortalForm):
    kind = RadioField("What kind of recovery is it?", widget=GovRadioInput(), choices=[
        SelectChoice(RecoveryKind.CLAWBACK.value, "Clawback: the council asked for it back"),
        SelectChoice(RecoveryKind.REPAYMENT.value,
                     "Repayment: the organisation returned it, for example an underspend")],
        validators=[InputRequired("Select what kind of recovery it is")])
    amount = PoundsField("Amount recovered",
                         validators=[InputRequired("Enter the amount recovered")])
    received_on = GovDateField("Date received",
                               validators=[InputRequired("Enter the date received")])
    reason = _text("Reason for the recovery", hint="Recorded with the award and in the "
                                                     "funding ledger",
                   required="Enter the reason for the recovery")
    submit = SubmitField("Record the recovery", widget=GovSubmitInput())


class VariationForm(PotAmounts, TermsForm):
    amount = PoundsField("Amount of the award", validators=[
        InputRequired("Enter the amount of the award")])
    reason = _text("Reason for the variation",
                   hint="Kept with this version of the terms and printed on the variation "
                        "letter",
                   required="Enter the reason for the variation")
    submit = SubmitField("Vary the award", widget=GovSubmitInput())


def variation_form(pot_ids: Iterable[int], **kwargs) -> VariationForm:
    """A VariationForm with an amount box named pot_<id> for each pot."""
    return _with_pot_boxes(VariationForm, pot_ids, **kwargs)
