"""Registration, email verification, sign-in and out, password reset, staff invitations."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from forms.accounts import (
    AcceptStaffInvitationForm,
    ConfirmForm,
    EmailOnlyForm,
    RegisterForm,
    ResetPasswordForm,
    SignInForm,
)
from portal.accounts import services
from portal.exceptions import RuleBroken
from portal.extensions import limiter
from portal.security import safe_next_url
from portal.views import show_rule_broken

bp = Blueprint("accounts", __name__)


def _sign_in_limit() -> str:
    return current_app.config["SIGN_IN_RATE_LIMIT"]


def _reset_limit() -> str:
    return current_app.config["RESET_RATE_LIMIT"]


@bp.route("/register", methods=["GET", "POST"])
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
            services.sign_in(form.email.data, form.password.data, remember=form.remember.data)
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            return redirect(safe_next_url(request.args.get("next")) or url_for("pages.home"))
    return render_template("accounts/sign_in.html", form=form)


@bp.post("/sign-out")
@login_required
def sign_out():
    form = ConfirmForm()
    if form.validate_on_submit():
        services.sign_out(current_user._get_current_object())
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
            services.accept_staff_invitation(token, form.password.data)
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash("Welcome. Your account is ready.", "success")
            return redirect(url_for("pages.home"))
    return render_template("accounts/accept_invitation.html", form=form, invitation=invitation)


@bp.get("/account")
@login_required
def account():
    return render_template("accounts/account.html")
