"""Forms for open data: approving a year's publication, withholding a grant, and the filters
of the public register of grants."""

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import HiddenField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from forms.assessment import optional_id
from forms.base import PortalForm
from portal.opendata.grants import REASON_LIMIT


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class PublishForm(PortalForm):
    # The fingerprint of the grants the officer reviewed: publishing refuses if they changed.
    digest = HiddenField()
    submit = SubmitField("Publish these grants", widget=GovSubmitInput())


class WithholdForm(PortalForm):
    reason = TextAreaField(
        "Why must this grant not be published?", widget=GovTextArea(), filters=[_strip],
        description="For example, naming the group would show where people at risk meet. "
                    "Officers see the reason; the public does not.",
        validators=[DataRequired("Enter why this grant must not be published"),
                    Length(max=REASON_LIMIT,
                           message=f"The reason must be {REASON_LIMIT:,} characters or fewer")])
    submit = SubmitField("Withhold the grant", widget=GovSubmitInput())


# The first option of each select, which leaves its filter off.
ANY = {"scheme": "Any scheme", "year": "Any year", "ward": "Any ward", "theme": "Any theme"}


def _select(label: str, error: str, *, ids: bool = True) -> SelectField:
    return SelectField(label, choices=[], default="", widget=GovSelect(),
                       coerce=optional_id if ids else str,
                       invalid_choice_message=error, invalid_value_message=error)


class RegisterFilterForm(PortalForm):
    """Read by GET, so it changes nothing and needs no CSRF token. A value that is not one of
    the options is left out of the filtering and its error says so."""

    class Meta:
        csrf = False

    q = StringField("Search", description="Organisation name or project title",
                    widget=GovTextInput(), default="",
                    filters=[lambda value: value.strip() if value else ""],
                    validators=[Length(max=200, message="Search must be 200 characters or fewer")])
    scheme = _select("Scheme", "Select a scheme from the list")
    year = _select("Financial year", "Select a financial year from the list", ids=False)
    ward = _select("Ward", "Select a ward from the list")
    theme = _select("Theme", "Select a theme from the list")
    submit = SubmitField("Apply filters", widget=GovSubmitInput())

    def offer(self, choices: dict[str, list[tuple[str, str]]]) -> None:
        """Fill the selects with `choices` (value, label) by field name, after their "any"
        option."""
        for name, options in choices.items():
            self[name].choices = [SelectChoice("", ANY[name])] + [
                SelectChoice(value, label) for value, label in options]

    def filter_values(self) -> dict:
        """The values that passed validation, by field name; a field with an error is left out,
        so the register does not filter by it."""
        return {field.name: field.data for field in self
                if field.name != "submit" and not field.errors}
