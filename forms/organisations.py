"""Forms for organisations and their members."""

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import RadioField, SelectChoice, SubmitField
from wtforms.validators import InputRequired

from forms.base import PortalForm
from forms.fields import email_field, name_field
from models.enums import OrganisationRole


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
