"""Forms for award offers, payments, variations and monitoring returns. The offer form has one
amount box per pot that may fund the award, so its class is made for the pots in hand
(`offer_form`); a return's form likewise has boxes for its application's themes, wards and
budget lines (`grant_return_form`)."""

from collections.abc import Iterable

from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from forms.base import PortalForm
from forms.fields import (
    RECENTLY,
    GovDateField,
    PeopleField,
    PoundsField,
    record_id,
)
from forms.funding import POT_FIELD, PotAmounts
from models import MonitoringReturn
from models.enums import PaymentTiming, RecoveryKind
from portal.awards.return_details import Answers, Review
from portal.awards.terms import MAX_INSTALMENTS, MAX_RETURNS, ReturnDue, ScheduledPayment, Terms
from portal.money import format_pounds

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

    def payment_rows(self) -> list[tuple[GovDateField, PoundsField, SelectField]]:
        return [(self[f"payment_{n}_date"], self[f"payment_{n}_amount"],
                 self[f"payment_{n}_held_for"]) for n in range(1, MAX_INSTALMENTS + 1)]

    def return_rows(self) -> list[tuple[StringField, GovDateField]]:
        return [(self[f"return_{n}_title"], self[f"return_{n}_date"])
                for n in range(1, MAX_RETURNS + 1)]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for number, (when, amount, _) in enumerate(self.payment_rows(), 1):
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
            tuple(ScheduledPayment(when.data, amount.data, held_for.data)
                  for when, amount, held_for in self.payment_rows()
                  if when.data and amount.data),
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


def _return_number(value) -> int | None:
    """A return's number chosen in a select box; None for no return (or nothing sent)."""
    return int(value) if value not in (None, "", "None") else None


def terms_data(terms: Terms) -> dict:
    """Form data showing `terms` in a TermsForm's boxes."""
    data = {"start_date": terms.start_date, "end_date": terms.end_date,
            "payment_timing": terms.payment_timing.value}
    for number, payment in enumerate(terms.instalments, 1):
        data[f"payment_{number}_date"] = payment.due_on
        data[f"payment_{number}_amount"] = payment.amount_pence
        data[f"payment_{number}_held_for"] = payment.held_for
    for number, due in enumerate(terms.monitoring_returns, 1):
        data[f"return_{number}_title"] = due.title
        data[f"return_{number}_date"] = due.due_on
    return data


for _number in range(1, MAX_INSTALMENTS + 1):
    setattr(TermsForm, f"payment_{_number}_date", GovDateField(
        f"Date of payment {_number}", validators=[Optional()]))
    setattr(TermsForm, f"payment_{_number}_amount", PoundsField(
        f"Amount of payment {_number}", validators=[Optional()]))
    setattr(TermsForm, f"payment_{_number}_held_for", SelectField(
        f"Hold payment {_number} until a return is accepted?", widget=GovSelect(),
        coerce=_return_number, validate_choice=True,
        choices=[SelectChoice("", "No, do not hold it")] + [
            SelectChoice(str(n), f"Yes, until return {n} is accepted")
            for n in range(1, MAX_RETURNS + 1)]))
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
    received_on = GovDateField("Date received", example=RECENTLY,
                               validators=[InputRequired("Enter the date received")])
    reason = _text("Reason for the recovery", hint="Recorded with the award and in the "
                                                     "funding ledger",
                   required="Enter the reason for the recovery")
    submit = SubmitField("Record the recovery", widget=GovSubmitInput())


class CloseForm(PortalForm):
    received_on = GovDateField("Date the organisation repaid the unspent money",
                               example=RECENTLY, validators=[Optional()])
    note = _text("Note for the closure letter (optional)",
                 hint="For example, thanks for the project’s work. The letter prints it")
    submit = SubmitField("Close the award", widget=GovSubmitInput())


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


# Monitoring returns --------------------------------------------------------------------------


class GrantReturnForm(PortalForm):
    """A monitoring return's answers. It has a box for each of the application's themes
    (theme_<id>), wards (ward_<id>) and budget lines (line_<id>), so its class is made for the
    return in hand (`grant_return_form`); the end-of-grant questions only on that report."""

    progress = _text("What progress has the project made?",
                     hint="What you have done since the grant started or since your last "
                          "return", required="Enter the progress made with the project")
    outcomes = _text("What has the project achieved against what your application said it "
                     "would?", required="Enter the outcomes so far against what the "
                                        "application said the project would achieve")
    people_reached = PeopleField("How many people has the project reached so far?", minimum=0,
                                 validators=[InputRequired("Enter the number of people "
                                                           "reached so far")])
    difference_made = _text("What difference has the grant made?",
                            required="Enter what difference the grant made")
    lessons_learned = _text("What have you learned that others could use? (optional)")
    underspend = PoundsField("How much of the grant is unspent?", noun="the unspent amount",
                             allow_zero=True, example="£0 or £250",
                             description="Enter 0 if you have spent all of it. The council "
                                         "will ask for the unspent money back",
                             validators=[InputRequired("Enter how much of the grant is "
                                                       "unspent, or 0")])
    submit = SubmitField("Save and continue", widget=GovSubmitInput())

    def boxes(self, prefix: str) -> list:
        return [field for name, field in self._fields.items() if name.startswith(prefix)]

    def _counts(self, prefix: str) -> dict[int, int]:
        return {int(field.name.removeprefix(prefix)): field.data
                for field in self.boxes(prefix) if field.data is not None}

    def answers(self) -> Answers:
        final = "underspend" in self
        return Answers(
            progress=self.progress.data, outcomes=self.outcomes.data,
            people_reached=self.people_reached.data,
            people_by_theme=self._counts("theme_"), people_by_ward=self._counts("ward_"),
            spend_by_line=self._counts("line_"),
            difference_made=self.difference_made.data if final else "",
            lessons_learned=(self.lessons_learned.data or "") if final else "",
            underspend_pence=self.underspend.data if final else None)

    def field_for(self, name: str | None) -> str | None:
        """Where to show a broken rule about a set of boxes: the first of them."""
        prefix = {"people_by_theme": "theme_", "people_by_ward": "ward_",
                  "spend_by_line": "line_"}.get(name or "")
        boxes = self.boxes(prefix) if prefix else []
        return boxes[0].name if boxes else name


def grant_return_form(monitoring_return: MonitoringReturn, **kwargs) -> GrantReturnForm:
    """The form for the return: a box for each theme, ward and budget line of its
    application, and the end-of-grant questions when it is that report."""
    application = monitoring_return.award.application
    boxes = {
        **{f"theme_{theme.id}": PeopleField(theme.name, minimum=0, validators=[Optional()])
           for theme in application.themes},
        **{f"ward_{ward.id}": PeopleField(ward.name, minimum=0, validators=[Optional()])
           for ward in application.wards},
        **{f"line_{line.id}": PoundsField(
            f"{line.description} (budget {format_pounds(line.amount_pence)})",
            noun=f"the spending on {line.description}", allow_zero=True,
            validators=[Optional()]) for line in application.cost_lines},
    }
    form = type("ReturnGrantReturnForm", (GrantReturnForm,), boxes)(**kwargs)
    if not monitoring_return.end_of_grant:
        for name in ("difference_made", "lessons_learned", "underspend"):
            del form[name]
    return form


def grant_return_data(monitoring_return: MonitoringReturn) -> dict:
    """Form data showing the return's saved answers in its boxes."""
    data = {"progress": monitoring_return.progress, "outcomes": monitoring_return.outcomes,
            "people_reached": monitoring_return.people_reached,
            "difference_made": monitoring_return.difference_made,
            "lessons_learned": monitoring_return.lessons_learned,
            "underspend": monitoring_return.underspend_pence}
    for prefix, counts in (("theme_", monitoring_return.people_by_theme),
                           ("ward_", monitoring_return.people_by_ward),
                           ("line_", monitoring_return.spend_by_line)):
        data.update({f"{prefix}{key}": value for key, value in counts.items()})
    return data


class SendReturnForm(PortalForm):
    query_answer = _text("Your answer to the council’s query",
                         hint="Say what you have explained or corrected")
    submit = SubmitField("Send the return", widget=GovSubmitInput())


class EvidenceForm(PortalForm):
    """A file of evidence of spending on one budget line. Size and content are checked by
    the service, as for applications' documents."""

    cost_line = RadioField("Which budget line is this evidence for?", coerce=record_id,
                           widget=GovRadioInput(), choices=[],
                           validators=[InputRequired("Select the budget line the evidence "
                                                     "is for")],
                           invalid_choice_message="Select the budget line the evidence is for")
    file = FileField("Upload a file", widget=GovFileInput(),
                     validators=[FileRequired("Select a file")])
    upload = SubmitField("Upload evidence", widget=GovSubmitInput())


def evidence_form(monitoring_return: MonitoringReturn, max_mb: int, **kwargs) -> EvidenceForm:
    form = EvidenceForm(**kwargs)
    form.cost_line.choices = [SelectChoice(line.id, line.description)
                              for line in monitoring_return.award.application.cost_lines]
    form.file.description = (f"For example, a receipt or an invoice: a PDF, Word document "
                             f"(DOCX), Excel spreadsheet (XLSX), OpenDocument text (ODT), JPG "
                             f"or PNG, smaller than {max_mb}MB")
    return form


class ReturnReviewForm(PortalForm):
    outcome = RadioField(
        "What do you want to do with this return?", widget=GovRadioInput(),
        choices=[SelectChoice("accept", "Accept it"),
                 SelectChoice("query", "Query it: ask the organisation to explain or "
                                       "correct it")],
        validators=[InputRequired("Select whether to accept or query the return")],
        invalid_choice_message="Select whether to accept or query the return")
    note = _text("Note (needed to query the return)",
                 hint="The organisation sees this: say what they need to explain or correct")
    submit = SubmitField("Save review", widget=GovSubmitInput())

    def review(self) -> Review:
        return Review(accept=self.outcome.data == "accept", note=self.note.data or "")
