"""Fields and validators shared by the forms, worded as GOV.UK error messages."""

from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovTextInput
from wtforms import DateField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from forms.base import without_control_characters


class EmailAddress:
    """Checks the shape of an email address without looking it up anywhere."""

    message = "Enter an email address in the correct format, like name@example.com"

    def __call__(self, form, field) -> None:
        try:
            validate_email(field.data or "", check_deliverability=False)
        except EmailNotValidError as error:
            raise ValidationError(self.message) from error


def email_field(label: str = "Email address", hint: str | None = None) -> StringField:
    return StringField(
        label,
        description=hint,
        widget=GovTextInput(),
        render_kw={"params": {"autocomplete": "email", "spellcheck": False, "type": "email"}},
        filters=[lambda value: value.strip() if value else value],
        validators=[
            DataRequired("Enter your email address" if label == "Email address"
                          else f"Enter the {label.lower()}"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
            EmailAddress(),
        ],
    )


def name_field(label: str, required_message: str, max_length: int = 200) -> StringField:
    return StringField(
        label,
        widget=GovTextInput(),
        filters=[lambda value: value.strip() if value else value],
        validators=[
            # DataRequired judges the stripped value, so a name of only spaces is refused.
            DataRequired(required_message),
            Length(max=max_length, message=f"{label} must be {max_length} characters or fewer"),
        ],
    )


MIN_YEAR, MAX_YEAR = 1900, 2100  # beyond these a date is a typing mistake


class GovDateField(DateField):
    """A day, month and year date (GOV.UK date input) with GOV.UK's error messages.

    All three boxes empty means no date, which `Optional()` or `InputRequired()` then judge.
    """

    widget = GovDateInput()

    def __init__(self, label: str, example: str = "27 3 2026", **kwargs):
        kwargs.setdefault("description", f"For example, {example}")
        super().__init__(label, format="%d %m %Y", **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        parts = [without_control_characters(value).strip() for value in valuelist]
        self.raw_data = parts  # what is shown again in the boxes
        if len(parts) != 3 or not any(parts):
            self.raw_data = None
            self.data = None
            return
        names = ("day", "month", "year")
        missing = [name for name, value in zip(names, parts, strict=True) if not value]
        if missing:
            self.data = None
            raise ValueError(f"{self.label.text} must include a {' and '.join(missing)}")
        try:
            self.data = datetime.strptime(" ".join(parts), "%d %m %Y").date()
        except ValueError as error:
            self.data = None
            raise ValueError(f"{self.label.text} must be a real date") from error
        if not MIN_YEAR <= self.data.year <= MAX_YEAR:
            self.data = None
            raise ValueError(f"{self.label.text} must be between {MIN_YEAR} and {MAX_YEAR}")

    def post_validate(self, form, validation_stopped: bool) -> None:
        # Optional() and InputRequired() look only at the first box (the day), so an empty day
        # with a month or year would pass as "no date" or get a vague message; a partly
        # filled date keeps its own message.
        if self.process_errors:
            self.errors = list(self.process_errors)
