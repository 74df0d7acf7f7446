"""Forms for the grants officers' view of applications."""

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import Length

from forms.base import PortalForm


def optional_id(value: str | int | None) -> int | None:
    """'' (the "any" option) -> None; '12' -> 12; anything else is not a valid choice."""
    return None if value in ("", None) else int(value)


def _select(label: str, error: str, *, ids: bool = False, default: str = "") -> SelectField:
    return SelectField(label, choices=[], default=default, widget=GovSelect(),
                       coerce=optional_id if ids else str,
                       invalid_choice_message=error, invalid_value_message=error)


def _text(label: str, hint: str | None = None) -> StringField:
    return StringField(label, description=hint, widget=GovTextInput(), default="",
                       filters=[lambda value: value.strip() if value else ""],
                       validators=[Length(max=200, message=f"{label} must be 200 characters "
                                                           "or fewer")])


# The first option of each filter, which leaves it off.
ANY = {"round": "Any round", "status": "Any status", "ward": "Any ward", "theme": "Any theme",
       "amount": "Any amount"}
ORDERS = [SelectChoice("desc", "Descending (newest, largest or Z first)"),
          SelectChoice("asc", "Ascending (oldest, smallest or A first)")]


class ApplicationFilterForm(PortalForm):
    """Read by GET, so it changes nothing and needs no CSRF token. A value that is not one of
    the options is left out of the filtering and its error says so."""

    class Meta:
        csrf = False

    q = _text("Search", "Reference, organisation name or project title")
    round = _select("Round", "Select a round from the list", ids=True)
    status = _select("Status", "Select a status from the list")
    ward = _select("Ward", "Select a ward from the list", ids=True)
    theme = _select("Theme", "Select a theme from the list", ids=True)
    amount = _select("Amount requested", "Select an amount from the list")
    organisation = _text("Organisation name")
    sort = _select("Sort by", "Select what to sort by from the list", default="submitted")
    order = _select("Order", "Select an order from the list", default="desc")
    submit = SubmitField("Apply filters", widget=GovSubmitInput())

    def offer(self, choices: dict[str, list[tuple[str, str]]]) -> None:
        """Fill the selects with `choices` (value, label) by field name; filters start with
        their "any" option."""
        for name, options in choices.items():
            first = [SelectChoice("", ANY[name])] if name in ANY else []
            self[name].choices = first + [SelectChoice(value, label) for value, label in options]
        self.order.choices = ORDERS

    def filter_values(self) -> dict:
        """The values that passed validation, by field name; a field with an error is left out,
        so the service uses its default (no filter) instead."""
        return {field.name: field.data for field in self
                if field.name != "submit" and not field.errors}
