"""Registration, email verification, sign-in and out, password reset, staff invitations."""

import segno
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required

from forms.accounts import (
    AcceptStaffInvitationForm,
    AuthenticatorCodeForm,
    ChangePasswordForm,
    EmailOnlyForm,
    RegisterForm,
    ResetPasswordForm,
    SignInForm,
)
from forms.base import ConfirmForm
from portal.accounts import services
from portal.exceptions import RuleBroken
from portal.extensions import limiter
from portal.security import safe_next_url
from portal.views import current_person, show_rule_broken

bp = Blueprint("accounts", __name__)

AFTER_CODE_KEY = "after_sign_in"  # where to go once the authenticator code is accepted


def _sign_in_limit() -> str:
    return current_app.config["SIGN_IN_RATE_LIMIT"]


def _reset_limit() -> str:
    return current_app.config["RESET_RATE_LIMIT"]


def _register_limit() -> str:
    return current_app.config["REGISTER_RATE_LIMIT"]


def _register_email_limit() -> str:
    return current_app.config["REGISTER_EMAIL_RATE_LIMIT"]


def _email_registered() -> str:
    """The rate-limit key for registrations of one email address, however it is written."""
    return "register:" + services.normalise_email(request.form.get("email", ""))


def _went_through(response) -> bool:
    return response.status_code == 302


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"])
# Only registrations that go through count for the address: a person correcting the form is not
# held back, and each one that does go through sends that address an email.
@limiter.limit(_register_email_limit, methods=["POST"], key_func=_email_registered,
               deduct_when=_went_through)
def register():
    """An applicant creates an account; a confirmation link is emailed."""
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            services.register_applicant(form.email.data, form.full_name.data, form.password.data)
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            return redirect(url_for("accounts.check_email", email=form.email.data))
    return render_template("accounts/register.html", form=form)


@bp.get("/register/check-your-email")
def check_email():
    return render_template("accounts/check_email.html", email=request.args.get("email", ""),
                           form=EmailOnlyForm())


@bp.post("/register/resend")
@limiter.limit(_reset_limit, methods=["POST"])
def resend_verification():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        services.resend_verification(form.email.data)
        flash("If that address needs confirming, we have sent a new link.", "success")
        return redirect(url_for("accounts.check_email", email=form.email.data))
    return render_template("accounts/check_email.html", email=form.email.data or "", form=form)


@bp.get("/verify/<token>")
def verify_email(token: str):
    try:
        services.verify_email(token)
    except RuleBroken as error:
        return render_template("accounts/link_invalid.html", message=error.message), 400
    flash("Your email address is confirmed. You can now sign in.", "success")
    return redirect(url_for("accounts.sign_in"))


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    form = SignInForm()
    if form.validate_on_submit():
        try:
            step = services.sign_in(form.email.data, form.password.data,
                                    remember=form.remember.data)
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            return _continue_signing_in(step, request.args.get("next"))
    return render_template("accounts/sign_in.html", form=form)


def _continue_signing_in(step: services.NextStep, next_url: str | None = None):
    """After the password: home (or `next`), or on to the authenticator code for staff."""
    if step is services.NextStep.NOTHING:
        return redirect(safe_next_url(next_url) or url_for("pages.home"))
    session[AFTER_CODE_KEY] = safe_next_url(next_url)
    if step is services.NextStep.SET_UP_AUTHENTICATOR:
        return redirect(url_for("accounts.set_up_authenticator"))
    return redirect(url_for("accounts.enter_code"))


def _awaiting_code():
    user = services.awaiting_second_factor()
    if user is None:
        flash("Your sign-in timed out. Sign in again.", "info")
    return user


@bp.route("/sign-in/code", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
def enter_code():
    """Staff give the code from their authenticator app after their password."""
    user = _awaiting_code()
    if user is None or user.totp_confirmed_at is None:
        return redirect(url_for("accounts.sign_in"))
    form = AuthenticatorCodeForm()
    if form.validate_on_submit():
        try:
            services.sign_in_with_code(user, form.code.data)
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            return redirect(session.pop(AFTER_CODE_KEY, None) or url_for("pages.home"))
    return render_template("accounts/enter_code.html", form=form)


@bp.route("/sign-in/set-up-authenticator", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
def set_up_authenticator():
    """Staff signing in for the first time link an authenticator app to their account."""
    user = _awaiting_code()
    if user is None:
        return redirect(url_for("accounts.sign_in"))
    if user.totp_confirmed_at is not None:
        return redirect(url_for("accounts.enter_code"))
    secret, uri = services.authenticator_setup(user)
    form = AuthenticatorCodeForm()
    if form.validate_on_submit():
        try:
            services.confirm_authenticator(user, form.code.data)
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash("Your authenticator app is set up. You will need a code from it each time "
                  "you sign in.", "success")
            return redirect(session.pop(AFTER_CODE_KEY, None) or url_for("pages.home"))
    qr_code = segno.make(uri, error="m").svg_data_uri(scale=5, border=2)
    return render_template("accounts/set_up_authenticator.html", form=form, qr_code=qr_code,
                           secret_groups=[secret[i:i + 4] for i in range(0, len(secret), 4)])


@bp.post("/sign-out")
@login_required
def sign_out():
    form = ConfirmForm()
    if form.validate_on_submit():
        services.sign_out(current_person())
        flash("You have signed out.", "success")
    return redirect(url_for("pages.home"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def forgot_password():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        return render_template("accounts/reset_sent.html", email=form.email.data)
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def reset_password(token: str):
    try:
        services.check_reset_token(token)
    except RuleBroken as error:
        return render_template("accounts/link_invalid.html", message=error.message), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash("Your password has been changed. Sign in with your new password.", "success")
            return redirect(url_for("accounts.sign_in"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
def accept_invitation(token: str):
    """A person invited by an admin sets a password and gets their staff roles."""
    try:
        invitation = services.open_staff_invitation(token)
    except RuleBroken as error:
        return render_template("accounts/link_invalid.html", message=error.message), 400
    form = AcceptStaffInvitationForm()
    if form.validate_on_submit():
        try:
            step = services.accept_staff_invitation(token, form.password.data)
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            return _continue_signing_in(step)
    return render_template("accounts/accept_invitation.html", form=form, invitation=invitation)


@bp.get("/account")
@login_required
def account():
    return render_template("accounts/account.html")


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(_sign_in_limit, methods=["POST"])
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_person(),
                                     form.current_password.data, form.new_password.data)
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash("Your password has been changed. Any other device signed in to your account "
                  "has been signed out.", "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/change_password.html", form=form)
