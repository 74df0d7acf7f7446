"""The base of every form: control characters never reach the rules, the database or a page,
and a one-line box never keeps a line break."""

import re

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from werkzeug.datastructures import MultiDict
from wtforms import StringField, SubmitField, TextAreaField

# Everything below a space but tab, newline and carriage return, and DEL: never typed on purpose,
# and a NUL echoed into a page would make its HTML invalid.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LINE_BREAKS = re.compile(r"[\r\n]+")


def without_control_characters(value):
    return CONTROL_CHARACTERS.sub("", value) if isinstance(value, str) else value


def on_one_line(value):
    """A browser drops line breaks from a one-line box; a hand-made request may not, and a
    line break in a name would split an email header or a CSV row. Each becomes a space."""
    return LINE_BREAKS.sub(" ", value) if isinstance(value, str) else value


def _is_one_line(unbound_field) -> bool:
    field_class = unbound_field.field_class
    return issubclass(field_class, StringField) and not issubclass(field_class, TextAreaField)


class PortalForm(FlaskForm):
    class Meta:
        def wrap_formdata(self, form, formdata):
            # Cleaned before any field reads it, so what a field shows again (its raw data, a
            # button's value) is clean too, not only its data.
            formdata = super().wrap_formdata(form, formdata)
            if formdata is None:
                return None
            return MultiDict((name, without_control_characters(value))
                             for name, value in formdata.items(multi=True))

        def bind_field(self, form, unbound_field, options):
            filters = [*unbound_field.kwargs.get("filters", ())]
            if _is_one_line(unbound_field):
                filters.insert(0, on_one_line)
            return unbound_field.bind(form=form, **{**options, "filters": filters})


class ConfirmForm(PortalForm):
    """A button and the CSRF token, for actions such as signing out."""

    submit = SubmitField("Continue", widget=GovSubmitInput())
