"""The base of every form: control characters never reach the rules, the database or a page."""

import re

from flask_wtf import FlaskForm

# Everything below a space but tab, newline and carriage return, and DEL: never typed on purpose,
# and a NUL echoed into a page would make its HTML invalid.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def without_control_characters(value):
    return CONTROL_CHARACTERS.sub("", value) if isinstance(value, str) else value


class PortalForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = [without_control_characters, *unbound_field.kwargs.get("filters", ())]
            return unbound_field.bind(form=form, **{**options, "filters": filters})
