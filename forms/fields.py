"""Fields and validators shared by the forms, worded as GOV.UK error messages."""

import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from email_validator import EmailNotValidError, validate_email
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovTextInput
from wtforms import DateField, FieldList, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from forms.base import without_control_characters
from models.base import utcnow
from portal.dates import to_london
from portal.financial_years import FinancialYear
from portal.money import MoneyError, format_pounds, parse_pounds


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


MAX_ID = 2**31 - 1  # the largest id an Integer column holds


def record_id(value) -> int:
    """A chosen row's id, for `coerce`: '12' -> 12. ValueError (not a valid choice) for what no
    row could have, such as 27 digits, which the database driver would refuse with an error."""
    number = int(value)
    if not 0 < number <= MAX_ID:
        raise ValueError(f"{value} is not an id")
    return number


MIN_YEAR, MAX_YEAR = 1900, 2100  # beyond these a date is a typing mistake


# A date field's example, worked out from today when the form is made, so that the hint is
# always plausible: a date soon for what is planned, a recent one for what has happened.
DateExample = Callable[[date], date]


def weeks_ahead(weeks: int) -> DateExample:
    return lambda today: today + timedelta(weeks=weeks)


def weeks_ago(weeks: int) -> DateExample:
    return lambda today: today - timedelta(weeks=weeks)


def year_start(years_ahead: int = 1) -> DateExample:
    """1 April of the financial year `years_ahead` after this one."""
    return lambda today: FinancialYear.containing(today).following(years_ahead).starts_on


def year_end(years_ahead: int = 0) -> DateExample:
    """31 March ending the financial year `years_ahead` after this one."""
    return lambda today: FinancialYear.containing(today).following(years_ahead).ends_on


SOON, RECENTLY = weeks_ahead(4), weeks_ago(1)


def example_date(example: DateExample) -> str:
    """'For example, 27 3 2027', in the boxes' order, from today in the UK."""
    day = example(to_london(utcnow()).date())
    return f"For example, {day.day} {day.month} {day.year}"


class GovDateField(DateField):
    """A day, month and year date (GOV.UK date input) with GOV.UK's error messages.

    All three boxes empty means no date, which `Optional()` or `InputRequired()` then judge.
    The hint gives an example date worked out from today (`example`).
    """

    widget = GovDateInput()

    def __init__(self, label: str, example: DateExample = SOON, lead: str = "", **kwargs):
        kwargs.setdefault("description", " ".join(filter(None, [lead, example_date(example)])))
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


class GovTextInputWith(GovTextInput):
    """A GOV.UK text input with default macro params, such as a £ prefix or a width class.
    Params given in the template win."""

    def __init__(self, **defaults):
        super().__init__()
        self.defaults = defaults

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        for key, value in self.defaults.items():
            params.setdefault(key, value)
        return params


# 9, 09:30, 9.30, 9:30am, 9.30 p.m. (spaces are removed first)
_TIME_OF_DAY = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?([ap])?(?:\.?m\.?)?$", re.ASCII)
_NAMED_TIMES = {"midday": time(12), "noon": time(12), "midnight": time(0)}


def parse_time_of_day(text: str) -> time:
    """'9am', '9:30am', '5.30pm', '17:00', '12pm' or 'midday' -> a time; ValueError otherwise.

    A bare hour with no am or pm ('9') is refused: it could be morning or evening.
    """
    cleaned = (text or "").lower().replace(" ", "")
    if cleaned in _NAMED_TIMES:
        return _NAMED_TIMES[cleaned]
    match = _TIME_OF_DAY.match(cleaned)
    if not match or (match[3] is None and cleaned[-1:] == "m"):
        raise ValueError(text)
    hour, minute = int(match[1]), int(match[2] or 0)
    if match[3]:  # 12-hour clock: 12am is midnight, 12pm is midday
        if not 1 <= hour <= 12:
            raise ValueError(text)
        hour = hour % 12 + (12 if match[3] == "p" else 0)
    elif match[2] is None:
        raise ValueError(text)
    if hour > 23 or minute > 59:
        raise ValueError(text)
    return time(hour, minute)


def format_time_of_day(value: time) -> str:
    """9:00am, 5:30pm: the way the portal shows times (see portal.dates.format_datetime)."""
    return f"{value.hour % 12 or 12}:{value.minute:02d}{'am' if value.hour < 12 else 'pm'}"


class TimeOfDayField(StringField):
    """A time of day typed the way people write it (9am, 5:30pm, 17:00, midday); `data` is a
    datetime.time, or None when the box is empty (for InputRequired or Optional to judge)."""

    widget = GovTextInputWith(classes="govuk-input--width-5", spellcheck=False)

    def __init__(self, label: str, **kwargs):
        kwargs.setdefault("description", "For example, 9am, 5:30pm or 17:00")
        super().__init__(label, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        text = without_control_characters(valuelist[0]).strip() if valuelist else ""
        self.raw_data = [text] if valuelist else []  # shown again in the box as typed
        self.data = None
        if text:
            try:
                self.data = parse_time_of_day(text)
            except ValueError as error:
                raise ValueError(
                    f"{self.label.text} must be a real time, like 9am or 5:30pm") from error

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return format_time_of_day(self.data) if self.data is not None else ""


class PoundsField(StringField):
    """An amount of money typed in pounds ("£1,250.50", "5000"); `data` is integer pence.

    Messages name the amount by `noun` (by default "the " + the label in lower case):
    "Enter the budget in pounds, like £5,000", "The budget must be more than £0". Whether an
    amount is required is for the validators (InputRequired or Optional); an empty box is None.
    A stored amount is shown back as pounds ("5,000" or "1,250.50", after a £ prefix).
    """

    widget = GovTextInputWith(prefix={"text": "£"}, classes="govuk-input--width-10",
                              spellcheck=False)

    def __init__(self, label: str, noun: str | None = None, example: str = "£5,000",
                 allow_zero: bool = False, **kwargs):
        super().__init__(label, **kwargs)
        self.noun = noun or f"the {self.label.text.lower()}"
        self.example = example
        self.allow_zero = allow_zero

    def process_formdata(self, valuelist: list[str]) -> None:
        text = without_control_characters(valuelist[0]).strip() if valuelist else ""
        self.raw_data = [text] if valuelist else []  # shown again in the box as typed
        self.data = None
        if not text:
            return
        noun = self.noun[:1].upper() + self.noun[1:]
        try:
            pence = parse_pounds(text)
        except MoneyError as error:
            if text.startswith(("-", "£-")):  # a negative amount says so, not "in pounds"
                raise ValueError(f"{noun} must be more than £0") from error
            raise ValueError(f"Enter {self.noun} in pounds, like {self.example}") from error
        if pence == 0 and not self.allow_zero:
            raise ValueError(f"{noun} must be more than £0")
        self.data = pence

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else format_pounds(self.data, whole=True).lstrip("£")


MAX_PEOPLE = 10_000_000


class PeopleField(StringField):
    """A whole number of people, `minimum` or more; commas are allowed ("1,200"). `data` is an
    int or None."""

    widget = GovTextInputWith(classes="govuk-input--width-10", inputmode="numeric",
                              spellcheck=False)

    def __init__(self, label: str, minimum: int = 1, **kwargs):
        super().__init__(label, **kwargs)
        self.minimum = minimum

    def process_formdata(self, valuelist: list[str]) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        self.raw_data = [text] if valuelist else []
        self.data = None
        if not text:
            return
        if not re.fullmatch(r"\d{1,3}(,\d{3})+|\d+", text):
            raise ValueError("Enter the number of people as a whole number, like 150")
        number = int(text.replace(",", ""))
        if number < self.minimum:
            raise ValueError(f"The number of people must be {self.minimum} or more")
        if number > MAX_PEOPLE:
            raise ValueError(f"The number of people must be {MAX_PEOPLE:,} or fewer")
        self.data = number

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


def financial_year_label(form, field) -> None:
    try:
        FinancialYear.parse(field.data or "")
    except ValueError as error:
        raise ValidationError("Enter the financial year like 2024/25") from error


class FinancialYearField(StringField):
    """A financial year like 2027/28; the hint's example is next year's."""

    def __init__(self, label: str = "Financial year", **kwargs):
        following = FinancialYear.containing(to_london(utcnow()).date()).following()
        kwargs.setdefault("description", f"For example, {following.label}")
        filters = [*kwargs.pop("filters", ()),
                   lambda value: value.strip() if isinstance(value, str) else value]
        super().__init__(
            label, widget=GovTextInputWith(classes="govuk-input--width-5", spellcheck=False),
            filters=filters,
            validators=[DataRequired("Enter the financial year"), financial_year_label],
            **kwargs)


class RowList(FieldList):
    """A FieldList reading only row numbers of a few ASCII digits: WTForms would also try
    "criteria-²-name" or a number of thousands of digits, which int() refuses."""

    def _extract_indices(self, prefix, formdata):
        offset = len(prefix) + 1
        for key in formdata:
            if key.startswith(prefix):
                index = key[offset:].split(self._field_separator, 1)[0]
                if re.fullmatch(r"[0-9]{1,4}", index):
                    yield int(index)
