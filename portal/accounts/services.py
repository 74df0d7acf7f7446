"""Accounts: registration, email verification, sign-in, password reset, staff invitations and
roles. Every change is audited and committed here."""

import enum
import hmac
from datetime import datetime, timedelta

import pyotp
from flask import current_app, session, url_for
from flask_login import login_user, logout_user
from sqlalchemy import select, update

from models import AccountToken, StaffInvitation, User, UserRole
from models.base import utcnow
from models.enums import Role, TokenPurpose
from portal import audit
from portal.accounts import sessions
from portal.accounts.passwords import hash_password, password_matches, password_problem
from portal.exceptions import RuleBroken
from portal.extensions import db
from portal.mail import send_email
from portal.tokens import hash_token, link_is_usable, new_token

INVALID_LINK = "This link has expired or has already been used"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def _check_password(password: str, email: str, full_name: str = "",
                    field: str = "password") -> None:
    problem = password_problem(password, email=email, full_name=full_name)
    if problem:
        raise RuleBroken(problem, field=field)


# Registration and verification -----------------------------------------------------------


def register_applicant(email: str, full_name: str, password: str) -> None:
    """Create an applicant account and email a verification link.

    If the address is already registered, its owner is told by email instead, so the response
    never reveals who has an account: both ways hash the password and send one email, so they
    take the same time too.
    """
    email = normalise_email(email)
    _check_password(password, email, full_name)
    password_hash = hash_password(password)
    existing = find_user_by_email(email)
    if existing is not None:
        send_email(email, "You already have an account", "accounts/already_registered",
                   user=existing, sign_in_url=url_for("accounts.sign_in", _external=True),
                   reset_url=url_for("accounts.forgot_password", _external=True))
        return
    user = User(email=email, full_name=full_name.strip(), password_hash=password_hash)
    user.role_grants.append(UserRole(role=Role.APPLICANT))
    db.session.add(user)
    db.session.flush()
    audit.record("account.registered", actor=user, subject=user)
    _send_verification(user)
    db.session.commit()


def resend_verification(email: str) -> None:
    user = find_user_by_email(email)
    if user is not None and user.email_verified_at is None and user.active:
        _send_verification(user)
        db.session.commit()


def _issue_token(user: User, purpose: TokenPurpose, lifetime: timedelta) -> str:
    token, token_hash = new_token()
    db.session.add(AccountToken(user=user, purpose=purpose, token_hash=token_hash,
                                expires_at=utcnow() + lifetime))
    return token


def _send_verification(user: User) -> None:
    hours = current_app.config["VERIFY_EMAIL_HOURS"]
    token = _issue_token(user, TokenPurpose.VERIFY_EMAIL, timedelta(hours=hours))
    send_email(user.email, "Confirm your email address", "accounts/verify_email", user=user,
               link=url_for("accounts.verify_email", token=token, _external=True), hours=hours)


def _redeem_token(token: str, purpose: TokenPurpose) -> AccountToken:
    record = db.session.scalar(
        select(AccountToken).where(AccountToken.token_hash == hash_token(token),
                                   AccountToken.purpose == purpose)
    )
    if record is None or not link_is_usable(record.used_at, record.expires_at):
        raise RuleBroken(INVALID_LINK)
    record.used_at = utcnow()
    return record


def verify_email(token: str) -> User:
    user = _redeem_token(token, TokenPurpose.VERIFY_EMAIL).user
    user.email_verified_at = user.email_verified_at or utcnow()
    audit.record("account.email_verified", actor=user, subject=user)
    db.session.commit()
    return user


# Signing in and out ------------------------------------------------------------------------


class NextStep(enum.Enum):
    """What a person must do after giving the right password."""

    NOTHING = "signed in"
    ENTER_CODE = "enter a code from their authenticator app"
    SET_UP_AUTHENTICATOR = "set up an authenticator app"


def sign_in(email: str, password: str, remember: bool = False) -> NextStep:
    """Check the password; applicants are then signed in, staff go on to the code step.

    A wrong email or password raises RuleBroken with a message that reveals neither.
    """
    user = find_user_by_email(email)
    valid = password_matches(user.password_hash if user else None, password)
    if not valid or user is None or not user.active:
        audit.record("sign_in.failed", actor=user if valid else None,
                     details={"email": normalise_email(email)[:254]})
        db.session.commit()
        raise RuleBroken("Enter a correct email address and password", field="email")
    if user.email_verified_at is None:
        _send_verification(user)
        db.session.commit()
        raise RuleBroken(
            "You need to confirm your email address before you can sign in. "
            "We have sent you a new link", field="email")
    session.clear()  # a fresh session on sign-in prevents session fixation
    if needs_second_factor(user):
        return _await_second_factor(user, remember)
    _complete_sign_in(user, remember)
    return NextStep.NOTHING


def _complete_sign_in(user: User, remember: bool) -> None:
    session.pop(PENDING_KEY, None)
    session.permanent = True  # the session then ends after SESSION_LIFETIME_MINUTES idle
    sessions.start(user, remember)
    login_user(user, remember=remember)
    user.last_signed_in_at = utcnow()
    audit.record("sign_in", actor=user, subject=user)
    db.session.commit()


def sign_out(user: User) -> None:
    """End the session on the server, so its cookies sign nobody in even if copied, and clear
    the browser's cookies, the remember cookie included."""
    sessions.end(user)
    audit.record("sign_out", actor=user, subject=user)
    db.session.commit()
    session.clear()
    logout_user()  # after clear(): it leaves the mark that deletes the remember cookie


# Second factor for staff -----------------------------------------------------------------

PENDING_KEY = "awaiting_second_factor"
CODE_STEP_MINUTES = 10  # how long after the password the code may be given
MAX_WRONG_CODES = 5
CODES_REFUSED_MINUTES = 15
TOO_MANY_CODES = (f"You have entered too many wrong codes. Wait {CODES_REFUSED_MINUTES} "
                  "minutes, then enter the code your authenticator app shows")


def needs_second_factor(user: User) -> bool:
    return user.uses_authenticator and current_app.config["STAFF_TWO_FACTOR"]


def _await_second_factor(user: User, remember: bool) -> NextStep:
    session[PENDING_KEY] = {"user": user.id, "remember": remember,
                            "since": utcnow().timestamp()}
    if user.totp_confirmed_at is None:
        return NextStep.SET_UP_AUTHENTICATOR
    return NextStep.ENTER_CODE


def awaiting_second_factor() -> User | None:
    """The person who gave the right password in this session and now owes a code, if any."""
    pending = session.get(PENDING_KEY)
    if not pending or utcnow().timestamp() - pending["since"] > CODE_STEP_MINUTES * 60:
        return None
    user = db.session.get(User, pending["user"])
    return user if user is not None and user.active else None


def authenticator_setup(user: User) -> tuple[str, str]:
    """The secret to put in an authenticator app, as text and as an otpauth:// URI.

    The secret is made once and kept until a code confirms it, so a reload shows the same one.
    """
    if user.totp_secret is None or user.totp_confirmed_at is not None:
        user.totp_secret = pyotp.random_base32()
        user.totp_confirmed_at = None
        user.totp_last_step = None
        db.session.commit()
    uri = pyotp.TOTP(user.totp_secret).provisioning_uri(
        name=user.email, issuer_name=current_app.config["SERVICE_NAME"])
    return user.totp_secret, uri


def confirm_authenticator(user: User, code: str) -> None:
    """Finish setting up the app with a first code, then finish signing in."""
    _check_code(user, code)
    user.totp_confirmed_at = utcnow()
    audit.record("second_factor.set_up", actor=user, subject=user)
    _complete_sign_in(user, session[PENDING_KEY]["remember"])


def sign_in_with_code(user: User, code: str) -> None:
    _check_code(user, code)
    _complete_sign_in(user, session[PENDING_KEY]["remember"])


def _check_code(user: User, code: str) -> None:
    """Accept the code for now or either neighbouring 30-second step (clock drift), each once.

    After MAX_WRONG_CODES wrong codes in a row the account takes no code for a while, whatever
    addresses the guesses come from: the rate limit per address alone would let a spread-out
    attacker who has the password keep guessing.
    """
    now = utcnow()
    if user.codes_refused_until is not None and user.codes_refused_until > now:
        raise RuleBroken(TOO_MANY_CODES, field="code")
    code = "".join(code.split())
    totp = pyotp.TOTP(user.totp_secret)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if step > (user.totp_last_step or 0) and hmac.compare_digest(
                totp.generate_otp(step), code):
            user.totp_last_step = step
            user.wrong_codes = 0
            return
    audit.record("sign_in.failed", actor=user, subject=user,
                 details={"reason": "authenticator code"})
    if _count_wrong_code(user) >= MAX_WRONG_CODES:
        _refuse_codes(user, now)
        db.session.commit()
        raise RuleBroken(TOO_MANY_CODES, field="code")
    db.session.commit()
    raise RuleBroken("Enter the 6-digit code your authenticator app shows now", field="code")


def _count_wrong_code(user: User) -> int:
    """Add one to the account's wrong codes in the database itself, so that guesses sent at
    the same moment are all counted; return the new count."""
    return db.session.execute(
        update(User).where(User.id == user.id).values(wrong_codes=User.wrong_codes + 1)
        .returning(User.wrong_codes)).scalar_one()


def _refuse_codes(user: User, now: datetime) -> None:
    user.wrong_codes = 0
    user.codes_refused_until = now + timedelta(minutes=CODES_REFUSED_MINUTES)
    audit.record("second_factor.codes_refused", actor=user, subject=user,
                 details={"minutes": CODES_REFUSED_MINUTES})
    # Whoever is guessing has the password: its owner should know, and change it.
    send_email(user.email, "Wrong codes were entered for your account",
               "accounts/wrong_codes", user=user, minutes=CODES_REFUSED_MINUTES,
               reset_url=url_for("accounts.forgot_password", _external=True))


# Password reset ----------------------------------------------------------------------------


def request_password_reset(email: str) -> None:
    """Email a reset link if the account exists; the caller's message is the same either way."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        return
    minutes = current_app.config["RESET_PASSWORD_MINUTES"]
    token = _issue_token(user, TokenPurpose.RESET_PASSWORD, timedelta(minutes=minutes))
    audit.record("password.reset_requested", actor=user, subject=user)
    send_email(user.email, "Reset your password", "accounts/reset_password", user=user,
               link=url_for("accounts.reset_password", token=token, _external=True),
               minutes=minutes)
    db.session.commit()


def check_reset_token(token: str) -> None:
    """Raise RuleBroken if the reset link cannot be used, without using it up."""
    record = db.session.scalar(
        select(AccountToken).where(AccountToken.token_hash == hash_token(token),
                                   AccountToken.purpose == TokenPurpose.RESET_PASSWORD)
    )
    if record is None or not link_is_usable(record.used_at, record.expires_at):
        raise RuleBroken(INVALID_LINK)


def reset_password(token: str, password: str) -> User:
    """Set a new password from a reset link; every other session and reset link stops working."""
    check_reset_token(token)
    record = db.session.scalar(
        select(AccountToken).where(AccountToken.token_hash == hash_token(token)))
    _check_password(password, record.user.email, record.user.full_name)
    _redeem_token(token, TokenPurpose.RESET_PASSWORD)
    user = record.user
    _expire_tokens(user, TokenPurpose.RESET_PASSWORD)
    user.password_hash = hash_password(password)
    sessions.end_all(user)
    # Following the emailed link proves the address, as verification would have.
    user.email_verified_at = user.email_verified_at or utcnow()
    audit.record("password.reset", actor=user, subject=user)
    db.session.commit()
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    """A signed-in person changes their password. Every other session ends (a browser left
    signed in elsewhere, or whoever copied its cookies); this one carries on."""
    if not password_matches(user.password_hash, current_password):
        audit.record("password.change_failed", actor=user, subject=user)
        db.session.commit()
        raise RuleBroken("Your current password is not right. Enter it again",
                         field="current_password")
    _check_password(new_password, user.email, user.full_name, field="new_password")
    if password_matches(user.password_hash, new_password):
        raise RuleBroken("Enter a new password that is different from your current one",
                         field="new_password")
    user.password_hash = hash_password(new_password)
    sessions.end_all(user, keep_current=True)
    _expire_tokens(user, TokenPurpose.RESET_PASSWORD)
    audit.record("password.changed", actor=user, subject=user)
    send_email(user.email, "Your password has been changed", "accounts/password_changed",
               user=user, reset_url=url_for("accounts.forgot_password", _external=True))
    db.session.commit()


def _expire_tokens(user: User, purpose: TokenPurpose) -> None:
    now = utcnow()
    for other in db.session.scalars(
        select(AccountToken).where(AccountToken.user_id == user.id,
                                   AccountToken.purpose == purpose,
                                   AccountToken.used_at.is_(None))
    ):
        other.used_at = now


# Accepting a staff invitation ---------------------------------------------------------------


def open_staff_invitation(token: str) -> StaffInvitation:
    invitation = db.session.scalar(
        select(StaffInvitation).where(StaffInvitation.token_hash == hash_token(token)))
    if invitation is None or not link_is_usable(invitation.accepted_at, invitation.expires_at):
        raise RuleBroken(INVALID_LINK)
    return invitation


def accept_staff_invitation(token: str, password: str) -> NextStep:
    """Create the staff account (or add the roles to an existing one) and start signing the
    person in: next they set up their authenticator app."""
    invitation = open_staff_invitation(token)
    user = find_user_by_email(invitation.email)
    if user is None:
        _check_password(password, invitation.email, invitation.full_name)
        user = User(email=invitation.email, full_name=invitation.full_name,
                    password_hash=hash_password(password))
        db.session.add(user)
    elif not password_matches(user.password_hash, password):
        raise RuleBroken("Enter the password for your existing account", field="password")
    user.email_verified_at = user.email_verified_at or utcnow()
    invitation.accepted_at = utcnow()
    # A partner's member of staff works for the partner the invitation names.
    user.partner_id = invitation.partner_id or user.partner_id
    db.session.flush()
    _grant(user, invitation.role_list, actor=invitation.invited_by)
    audit.record("staff.invitation_accepted", actor=user, subject=invitation)
    db.session.commit()
    session.clear()
    if needs_second_factor(user):
        return _await_second_factor(user, remember=False)
    _complete_sign_in(user, remember=False)
    return NextStep.NOTHING


def _grant(user: User, roles: list[Role], actor: User) -> None:
    """Add the invited roles; the admin who invited is recorded as the one who granted them."""
    added = [role for role in roles if role not in user.roles]
    for role in added:
        user.role_grants.append(UserRole(role=role))
    if added:
        audit.record("roles.changed", actor=actor, subject=user,
                     details={"added": sorted(added), "removed": []})
