"""Forms for registering, signing in and resetting passwords."""

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovPasswordInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Regexp, ValidationError

from forms.base import PortalForm
from forms.fields import email_field, name_field
from portal.accounts.passwords import MIN_LENGTH, password_problem

PASSWORD_ADVICE = (
    f"Use {MIN_LENGTH} characters or more. A good way to make a strong password is to use "
    "three random words, like ‘kettle purple harbour’"
)


def meets_password_rules(form, field) -> None:
    """The service applies the same rule; checking here too shows every problem at once."""
    email_field = getattr(form, "email", None)
    name_field = getattr(form, "full_name", None)
    problem = password_problem(field.data or "", email=email_field.data if email_field else "",
                               full_name=name_field.data if name_field else "")
    if problem:
        raise ValidationError(problem)


def new_password_field(label: str = "Create a password") -> PasswordField:
    return PasswordField(
        label,
        description=PASSWORD_ADVICE,
        widget=GovPasswordInput(),
        render_kw={"params": {"autocomplete": "new-password"}},
        validators=[InputRequired("Enter a password"), meets_password_rules],
    )


class RegisterForm(PortalForm):
    full_name = name_field("Full name", "Enter your full name")
    email = email_field(hint="We’ll send you a link to confirm it")
    password = new_password_field()
    submit = SubmitField("Create account", widget=GovSubmitInput())


class SignInForm(PortalForm):
    email = email_field()
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        render_kw={"params": {"autocomplete": "current-password"}},
        validators=[InputRequired("Enter your password")],
    )
    remember = BooleanField("Keep me signed in on this device", widget=GovCheckboxInput())
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class EmailOnlyForm(PortalForm):
    """Asks only for an email address: forgotten password, a new confirmation link."""

    email = email_field()
    submit = SubmitField("Send link", widget=GovSubmitInput())


class ChangePasswordForm(PortalForm):
    current_password = PasswordField(
        "Current password",
        widget=GovPasswordInput(),
        render_kw={"params": {"autocomplete": "current-password"}},
        validators=[InputRequired("Enter your current password")],
    )
    new_password = new_password_field("New password")
    submit = SubmitField("Change password", widget=GovSubmitInput())


class ResetPasswordForm(PortalForm):
    password = new_password_field()
    submit = SubmitField("Save password", widget=GovSubmitInput())


class AcceptStaffInvitationForm(PortalForm):
    password = PasswordField(
        "Password",
        description=PASSWORD_ADVICE + ". If you already have an account, enter its password",
        widget=GovPasswordInput(),
        render_kw={"params": {"autocomplete": "new-password"}},
        validators=[InputRequired("Enter a password")],
    )
    submit = SubmitField("Accept invitation", widget=GovSubmitInput())


class AuthenticatorCodeForm(PortalForm):
    code = StringField(
        "Code from your authenticator app",
        description="Enter the 6 digits it shows now, for example 123456",
        widget=GovTextInput(),
        render_kw={"params": {"autocomplete": "one-time-code", "inputmode": "numeric",
                              "spellcheck": False, "classes": "govuk-input--width-10"}},
        filters=[lambda value: "".join(value.split()) if value else value],
        validators=[
            DataRequired("Enter the code from your authenticator app"),
            Regexp(r"^\d{6}$", message="The code must be 6 digits"),
        ],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())
