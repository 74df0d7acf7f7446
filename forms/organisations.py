"""Forms for organisations, their members and their profile."""

import re
from datetime import datetime
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    SubmitField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from forms.base import PortalForm
from forms.fields import (
    EmailAddress,
    GovDateField,
    PoundsField,
    email_field,
    name_field,
    weeks_ago,
)
from models import Organisation
from models.enums import LegalForm, OrganisationRole
from portal.dates import LONDON
from portal.organisations import identifiers


class OrganisationForm(PortalForm):
    name = name_field("Organisation name", "Enter your organisation’s name")
    submit = SubmitField("Create organisation", widget=GovSubmitInput())


class InviteMemberForm(PortalForm):
    email = email_field("Email address of the person to invite")
    role = RadioField(
        "What can they do?",
        choices=[
            SelectChoice(OrganisationRole.MEMBER.value, "Member – can work on applications"),
            SelectChoice(OrganisationRole.ADMIN.value,
                         "Organisation admin – can also manage the organisation and invite people"),
        ],
        default=OrganisationRole.MEMBER.value,
        widget=GovRadioInput(),
        validators=[InputRequired("Select what they can do")],
    )
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


# The organisation profile, one short page at a time -----------------------------------------


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _text(label: str, required: str | None = None, hint: str | None = None,
          max_length: int = 200, check=None, **params) -> StringField:
    """A text box. `required` is the message when it is left empty (else it is optional),
    `check` one more validator, `params` the GOV.UK macro's (classes, autocomplete...)."""
    return StringField(
        label, description=hint, widget=GovTextInput(), filters=[_strip],
        render_kw={"params": params} if params else None,
        validators=[DataRequired(required) if required else Optional(),
                    Length(max=max_length,
                           message=f"{label} must be {max_length} characters or fewer"),
                    *([check] if check else [])])


class Normalised:
    """Checks a UK identifier with its `normalise_*` function and keeps the normalised form."""

    def __init__(self, normalise):
        self.normalise = normalise

    def __call__(self, form, field) -> None:
        try:
            field.data = self.normalise(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from error


class WholeNumber:
    """A count of people: digits (commas and spaces allowed, as in "1,200"), 0 or more."""

    def __init__(self, noun: str, maximum: int = 1_000_000):
        self.noun, self.maximum = noun, maximum  # the maximum keeps it inside an INTEGER

    def __call__(self, form, field) -> None:
        text = re.sub(r"[,\s]", "", field.data or "")
        if re.fullmatch(r"-\d+", text, re.ASCII):
            raise ValidationError(f"{self.noun} must be 0 or more")
        if not re.fullmatch(r"\d+", text, re.ASCII):
            raise ValidationError(f"{self.noun} must be a whole number, like 12")
        if int(text) > self.maximum:
            raise ValidationError(f"{self.noun} must be {self.maximum:,} or fewer")
        field.data = str(int(text))


class TelephoneNumber:
    """Digits and spaces with an optional + in front; 10 to 15 digits (the most E.164 allows)."""

    message = ("Enter a telephone number in the correct format, like 01632 960 001, "
               "07700 900 982 or +44 808 157 0192")

    def __call__(self, form, field) -> None:
        number = " ".join((field.data or "").split())
        digits = len(re.sub(r"[^0-9]", "", number))
        if not re.fullmatch(r"\+?[0-9 ]+", number) or not 10 <= digits <= 15:
            raise ValidationError(self.message)
        field.data = number


class ProfileForm(PortalForm):
    """One page of the profile. `initial` fills it from the organisation and `changes` gives
    what to save, both keyed by Organisation's attribute names (the service's vocabulary)."""

    FIELDS: tuple[str, ...] = ()
    submit = SubmitField("Save", widget=GovSubmitInput())

    @classmethod
    def initial(cls, organisation: Organisation) -> dict[str, Any]:
        return {name: getattr(organisation, name) for name in cls.FIELDS}

    def changes(self) -> dict[str, Any]:
        return {name: self[name].data for name in self.FIELDS}


class ProfileNamesForm(ProfileForm):
    FIELDS = ("legal_name", "name", "legal_form")
    LEGAL_FORM_REQUIRED = "Select your organisation’s legal form"

    legal_name = _text(
        "Legal name", "Enter your organisation’s legal name", autocomplete="organization",
        hint="As it appears in your governing document, or on the register of charities or "
             "companies")
    name = _text("Name it is known by", "Enter the name your organisation is known by",
                 hint="If it is the same as the legal name, enter that again")
    legal_form = RadioField(
        "Legal form", choices=[SelectChoice(form.value, form.label) for form in LegalForm],
        description="If you are not sure, check your governing document",
        widget=GovRadioInput(), invalid_choice_message=LEGAL_FORM_REQUIRED,
        validators=[InputRequired(LEGAL_FORM_REQUIRED)])

    def changes(self) -> dict[str, Any]:
        return {**super().changes(), "legal_form": LegalForm(self.legal_form.data)}


class ProfileRegistrationForm(ProfileForm):
    """Both optional here: which one a legal form must give is the service's rule."""

    FIELDS = ("charity_number", "company_number")

    charity_number = _text("Charity number", hint="For example, 1234567 or SC012345",
                           check=Normalised(identifiers.normalise_charity_number),
                           classes="govuk-input--width-10", spellcheck=False)
    company_number = _text("Company number", hint="For example, 01234567 or SC123456",
                           check=Normalised(identifiers.normalise_company_number),
                           classes="govuk-input--width-10", spellcheck=False)


class ProfileAddressForm(ProfileForm):
    FIELDS = ("address_line_1", "address_line_2", "town", "postcode")

    address_line_1 = _text("Address line 1",
                           "Enter address line 1, typically the building and street",
                           autocomplete="address-line1")
    address_line_2 = _text("Address line 2 (optional)", autocomplete="address-line2")
    town = _text("Town or city", "Enter town or city", max_length=100,
                 autocomplete="address-level2", classes="govuk-!-width-two-thirds")
    postcode = _text("Postcode", "Enter postcode", max_length=20,
                     check=Normalised(identifiers.normalise_postcode),
                     autocomplete="postal-code", classes="govuk-input--width-10",
                     spellcheck=False)


class ProfileSizeForm(ProfileForm):
    FIELDS = ("annual_income_pence", "paid_staff", "volunteers")

    annual_income_pence = PoundsField(
        "Income in your last accounts", noun="your organisation’s income", example="£12,500",
        allow_zero=True, description="The total income for the year, in pounds",
        validators=[InputRequired("Enter your organisation’s income in its last accounts")])
    paid_staff = _text("Number of paid staff", "Enter the number of paid staff",
                       hint="Count each person once, full-time or part-time. Enter 0 if none",
                       max_length=20, check=WholeNumber("Number of paid staff"),
                       classes="govuk-input--width-5", inputmode="numeric")
    volunteers = _text("Number of volunteers", "Enter the number of volunteers",
                       hint="People who regularly give their time. Enter 0 if none",
                       max_length=20, check=WholeNumber("Number of volunteers"),
                       classes="govuk-input--width-5", inputmode="numeric")

    @classmethod
    def initial(cls, organisation: Organisation) -> dict[str, Any]:
        counts = {name: getattr(organisation, name) for name in ("paid_staff", "volunteers")}
        return {**super().initial(organisation),
                **{name: None if count is None else str(count) for name, count in counts.items()}}

    def changes(self) -> dict[str, Any]:
        return {"annual_income_pence": self.annual_income_pence.data,
                "paid_staff": int(self.paid_staff.data), "volunteers": int(self.volunteers.data)}


class ProfileWardsForm(ProfileForm):
    """The view sets the choices (every ward) and renders them grouped by locality."""

    FIELDS = ("wards",)
    WARDS_REQUIRED = "Select the wards your organisation serves"

    wards = SelectMultipleField(
        "Which wards does your organisation serve?", coerce=int, choices=[],
        widget=GovCheckboxesInput(), invalid_choice_message=WARDS_REQUIRED,
        invalid_value_message=WARDS_REQUIRED, validators=[InputRequired(WARDS_REQUIRED)])

    @classmethod
    def initial(cls, organisation: Organisation) -> dict[str, Any]:
        return {"wards": [ward.id for ward in organisation.wards]}


class ProfileContactForm(ProfileForm):
    FIELDS = ("contact_name", "contact_email", "contact_phone")

    contact_name = _text("Full name", "Enter the main contact’s full name", autocomplete="name",
                         spellcheck=False)
    contact_email = _text("Email address", "Enter the main contact’s email address",
                          max_length=254, check=EmailAddress(), autocomplete="email",
                          spellcheck=False, type="email")
    contact_phone = _text("Telephone number (optional)", hint="For example, 01632 960 001",
                          max_length=40, check=TelephoneNumber(), autocomplete="tel",
                          type="tel", classes="govuk-input--width-20")


class ProfileSafeguardingForm(ProfileForm):
    FIELDS = ("has_safeguarding_policy", "safeguarding_review_date")
    POLICY_REQUIRED = "Select yes if your organisation has a safeguarding policy"
    REVIEW_DATE_REQUIRED = "Enter the date your safeguarding policy was last reviewed"

    has_safeguarding_policy = RadioField(
        "Does your organisation have a safeguarding policy?",
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
        description="A written policy on how your organisation keeps children and adults at "
                    "risk safe", widget=GovRadioInput(), invalid_choice_message=POLICY_REQUIRED,
        validators=[InputRequired(POLICY_REQUIRED)])
    safeguarding_review_date = GovDateField(
        "Date it was last reviewed", validators=[Optional()], example=weeks_ago(26),
        lead="If you have a policy.")

    @classmethod
    def initial(cls, organisation: Organisation) -> dict[str, Any]:
        held = organisation.has_safeguarding_policy
        return {"has_safeguarding_policy": None if held is None else ("yes" if held else "no"),
                "safeguarding_review_date": organisation.safeguarding_review_date}

    def validate_safeguarding_review_date(self, field) -> None:
        if field.data and field.data > datetime.now(LONDON).date():
            raise ValidationError("Date it was last reviewed must be today or in the past")

    def validate(self, extra_validators=None) -> bool:
        """The date is asked for only with "Yes": after "No", whatever is left in its (hidden)
        boxes is ignored, and not saved."""
        super().validate(extra_validators)
        date_field = self.safeguarding_review_date
        if self.has_safeguarding_policy.data == "no":
            date_field.errors, date_field.data = [], None
        elif self.has_safeguarding_policy.data == "yes" and date_field.data is None:
            date_field.errors = date_field.errors or [self.REVIEW_DATE_REQUIRED]
        self._errors = None  # Flask-WTF caches form.errors; let it see these changes
        return not any(field.errors for field in self)

    def changes(self) -> dict[str, Any]:
        return {"has_safeguarding_policy": self.has_safeguarding_policy.data == "yes",
                "safeguarding_review_date": self.safeguarding_review_date.data}
