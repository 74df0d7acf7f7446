"""Forms for open data: the filters of the public register of grants."""

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import Length

from forms.assessment import optional_id
from forms.base import PortalForm

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
