"""Forms for the admin area: staff invitations, roles and the audit log filter."""

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import SelectChoice, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import InputRequired, Optional

from forms.base import PortalForm
from forms.fields import (
    RECENTLY,
    GovDateField,
    email_field,
    name_field,
    weeks_ago,
)
from models.enums import STAFF_ROLES

STAFF_ROLE_CHOICES = [SelectChoice(role.value, role.label) for role in STAFF_ROLES]


def staff_roles_field() -> SelectMultipleField:
    return SelectMultipleField(
        "Roles",
        description="Select all that apply",
        choices=STAFF_ROLE_CHOICES,
        widget=GovCheckboxesInput(),
        validators=[InputRequired("Select at least one role")],
    )


class StaffInvitationForm(PortalForm):
    full_name = name_field("Full name", "Enter the person’s full name")
    email = email_field("Work email address")
    roles = staff_roles_field()
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class PartnerStaffInvitationForm(PortalForm):
    full_name = name_field("Full name", "Enter the person’s full name")
    email = email_field("Work email address")
    partner = SelectField("Funding partner they work for", coerce=int, choices=[],
                          widget=GovSelect(),
                          validators=[InputRequired("Select the funding partner they work for")])
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class StaffRolesForm(PortalForm):
    roles = SelectMultipleField(
        "Staff roles",
        description="Select all that apply. Leave all unselected to remove every staff role",
        choices=STAFF_ROLE_CHOICES,
        widget=GovCheckboxesInput(),
    )
    submit = SubmitField("Save roles", widget=GovSubmitInput())


class AuditFilterForm(PortalForm):
    """Read by GET, so it changes nothing and needs no CSRF token."""

    class Meta:
        csrf = False

    action = SelectField("Action", choices=[], widget=GovSelect(), validators=[Optional()])
    actor = StringField("Email address of the person", widget=GovTextInput(),
                        validators=[Optional()])
    date_from = GovDateField("From", example=weeks_ago(4), validators=[Optional()])
    date_to = GovDateField("To", example=RECENTLY, validators=[Optional()])
    submit = SubmitField("Filter", widget=GovSubmitInput())
