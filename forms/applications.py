"""Forms for applying: starting an application, its sections, submitting and withdrawing.

The forms check only the shape of each answer (a real date, an amount in pounds, a length), so
a section can always be saved as a draft; what a complete section needs is checked by the
service when the applicant says the section is completed.
"""


from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from forms.base import PortalForm
from forms.fields import (
    GovDateField,
    PeopleField,
    PoundsField,
    record_id,
    weeks_ahead,
)
from models.enums import FundingStatus


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def text_box(label: str, max_length: int, *, noun: str | None = None, rows: int = 5,
             hint: str | None = None, required: str | None = None) -> TextAreaField:
    """A GOV.UK character count: the applicant sees how many characters are left. `noun`
    names the answer in the message when the label is a question."""
    return TextAreaField(
        label, description=hint, widget=GovCharacterCount(), filters=[_strip],
        render_kw={"params": {"maxlength": max_length, "rows": rows}},
        validators=[DataRequired(required) if required else Optional(),
                    Length(max=max_length, message=f"{noun or label} must be "
                                                   f"{max_length:,} characters or fewer")])


def line(label: str, required: str, noun: str, max_length: int = 200) -> StringField:
    return StringField(label, widget=GovTextInput(), filters=[_strip], validators=[
        DataRequired(required),
        Length(max=max_length, message=f"{noun} must be {max_length} characters or fewer")])


def completed_field() -> RadioField:
    """GOV.UK's question at the end of each task of a task list."""
    return RadioField(
        "Have you completed this section?",
        choices=[SelectChoice("yes", "Yes, I’ve completed this section"),
                 SelectChoice("no", "No, I’ll come back to it later")],
        widget=GovRadioInput(),
        validators=[InputRequired("Select whether you have completed this section")])


class SectionForm(PortalForm):
    completed = completed_field()
    submit = SubmitField("Save and continue", widget=GovSubmitInput())

    @property
    def is_completed(self) -> bool:
        return self.completed.data == "yes"


class StartForm(PortalForm):
    # The service judges the choices (a round may close between showing and sending the page).
    organisation_id = RadioField("Which organisation are you applying for?", coerce=record_id,
                                 widget=GovRadioInput(), validate_choice=False,
                                 validators=[InputRequired("Select the organisation")])
    round_id = RadioField("Which funding round are you applying to?", coerce=record_id,
                          widget=GovRadioInput(), validate_choice=False,
                          validators=[InputRequired("Select the funding round")])
    submit = SubmitField("Start application", widget=GovSubmitInput())


class ProjectForm(SectionForm):
    title = text_box("Project title", 140, rows=2,
                     hint="A short name for your project, like ‘Warm welcome lunch club’")
    summary = text_box("Summary", 500, rows=4,
                       hint="Describe your project in a few sentences. We may publish this")
    description = text_box("Describe your project", 5000, noun="Description", rows=10,
                           hint="What you will do, who will do it, and what difference it "
                                "will make")
    start_date = GovDateField("Project start date", example=weeks_ahead(12),
                              validators=[Optional()])
    end_date = GovDateField("Project end date", example=weeks_ahead(64), validators=[Optional()])


class BeneficiariesForm(SectionForm):
    beneficiaries = PeopleField("How many people will benefit from your project?")
    beneficiary_description = text_box(
        "Who will benefit?", 2000, noun="Who will benefit",
        hint="For example, older people living alone, or families on low incomes")
    wards = SelectMultipleField("Which wards will your project serve?", coerce=int,
                                widget=GovCheckboxesInput(), validate_choice=False,
                                description="Select all that apply")
    themes = SelectMultipleField("What will your project do?", coerce=int,
                                 widget=GovCheckboxesInput(), validate_choice=False,
                                 description="Select all that apply")


class CostForm(PortalForm):
    description = line("What is the cost for?", "Enter what the cost is for", "The description")
    amount = PoundsField("Cost", noun="the cost", example="£250",
                         validators=[InputRequired("Enter the cost")])
    submit = SubmitField("Add cost", widget=GovSubmitInput())


class OtherFundingForm(PortalForm):
    source = line("Who is the funding from?", "Enter who the funding is from",
                  "The funder’s name")
    amount = PoundsField("Amount", noun="the amount", example="£1,000",
                         validators=[InputRequired("Enter the amount")])
    status = RadioField("Is it secured or applied for?", widget=GovRadioInput(),
                        choices=[SelectChoice(s.value, s.label) for s in FundingStatus],
                        validators=[InputRequired("Select whether it is secured or applied for")])
    submit = SubmitField("Add funding", widget=GovSubmitInput())


class BudgetForm(SectionForm):
    amount_requested = PoundsField("How much are you asking for?", noun="the amount you are "
                                   "asking for", validators=[Optional()])


class PublicFundingForm(PortalForm):
    funder = line("Who gave the funding?", "Enter who gave the funding", "The funder’s name")
    purpose = line("What was it for?", "Enter what the funding was for", "What it was for")
    financial_year = RadioField("In which financial year?", widget=GovRadioInput(),
                                validators=[InputRequired("Select the financial year")])
    amount = PoundsField("Amount", noun="the amount", example="£1,000",
                         validators=[InputRequired("Enter the amount")])
    submit = SubmitField("Add funding", widget=GovSubmitInput())


class DeclarationsForm(SectionForm):
    has_conflict = RadioField(
        "Do you or anyone in your organisation have a connection to a councillor or council "
        "officer?", widget=GovRadioInput(), validators=[Optional()],
        description="For example, a family member, a business partner or a close friend",
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")])
    conflict_details = text_box("Describe the connection", 2000, noun="The description",
                                rows=4, hint="Only if you answered yes")
    safeguarding = BooleanField(
        "My organisation has a safeguarding policy, follows it, and will keep the people the "
        "project works with safe", widget=GovCheckboxInput())
    data_protection = BooleanField(
        "My organisation will look after personal information as UK data protection law "
        "requires, and agrees that the council may share this application with the people "
        "who assess it", widget=GovCheckboxInput())


class SubmitApplicationForm(PortalForm):
    declaration = BooleanField(widget=GovCheckboxInput(), validators=[InputRequired(
        "Confirm that the information is correct and you are authorised to apply")])
    submit = SubmitField("Submit application", widget=GovSubmitInput())


class WithdrawForm(PortalForm):
    reason = text_box("Why are you withdrawing this application?", 1000, noun="Your reason",
                      rows=4,
                      required="Enter why you are withdrawing this application")
    submit = SubmitField("Withdraw application", widget=GovSubmitInput())


class RemoveForm(PortalForm):
    """The CSRF token and a button, for removing one row of a list."""

    submit = SubmitField("Remove", widget=GovSubmitInput())


class ClarificationAnswerForm(PortalForm):
    answer = text_box("Your answer", 5000, noun="Your answer", rows=6,
                      required="Enter your answer")
    submit = SubmitField("Send your answer", widget=GovSubmitInput())
