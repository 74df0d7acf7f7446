"""The one mail service. SMTP when MAIL_SERVER is configured; otherwise each message is written
to the outbox folder as an .eml file and logged, so development and tests can read it."""

import smtplib
import ssl
import time
import uuid
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app, render_template


def send_email(to: str, subject: str, template: str, **context) -> EmailMessage:
    """Send `templates/mail/<template>.txt` (and its .html twin) to one address."""
    config = current_app.config
    context.setdefault("council_name", config["COUNCIL_NAME"])
    context.setdefault("service_name", config["SERVICE_NAME"])

    subject = _one_line(subject)
    message = EmailMessage()
    message["Subject"] = subject
    # An Address quotes the council's name if it needs it (a comma, say).
    message["From"] = Address(display_name=config["COUNCIL_NAME"], addr_spec=config["MAIL_SENDER"])
    message["To"] = _one_line(to)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=config["MAIL_SENDER"].rpartition("@")[2] or None)
    message.set_content(render_template(f"mail/{template}.txt", subject=subject, **context))
    message.add_alternative(
        render_template(f"mail/{template}.html", subject=subject, **context), subtype="html"
    )

    if config["MAIL_SERVER"]:
        _send_smtp(message)
    else:
        path = _write_to_outbox(message)
        current_app.logger.info("Mail to %s (%s) written to %s", to, subject, path)
    return message


def _one_line(text: str) -> str:
    """A header never carries a line break (it would start another header, and the email
    library refuses it): a subject naming an organisation "Friends\\r\\nBcc: ..." keeps one
    line."""
    return " ".join(text.split())


def send_each(people: list, subject: str, template: str, **context) -> None:
    """Send `template` to each person once (as `user` in the template), about a change that is
    committed already: a mail server's failure for one person is logged, never undoing the
    change nor stopping the others' emails."""
    for person in {person.id: person for person in people}.values():
        try:
            send_email(person.email, subject, template, user=person, **context)
        except Exception:
            current_app.logger.exception("Could not send %s to %s", template, person.email)


def _send_smtp(message: EmailMessage) -> None:
    config = current_app.config
    context = ssl.create_default_context()
    if config["MAIL_USE_SSL"]:
        smtp = smtplib.SMTP_SSL(config["MAIL_SERVER"], config["MAIL_PORT"], context=context)
    else:
        smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"])
    with smtp:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls(context=context)
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)


def _write_to_outbox(message: EmailMessage) -> Path:
    outbox = Path(current_app.config["MAIL_OUTBOX"])
    outbox.mkdir(parents=True, exist_ok=True)
    # A time prefix keeps the outbox in the order the messages were sent.
    path = outbox / f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml"
    path.write_bytes(message.as_bytes())
    return path


def public_url(endpoint: str, **values) -> str | None:
    """The full address of a page, for letters and emails sent outside a request, only when
    the portal's public name (SERVER_NAME) is set: a host taken from whichever request asked
    would make the same letter differ by request."""
    config = current_app.config
    if not config.get("SERVER_NAME"):
        return None
    adapter = current_app.url_map.bind(config["SERVER_NAME"],
                                       script_name=config["APPLICATION_ROOT"],
                                       url_scheme=config["PREFERRED_URL_SCHEME"])
    return adapter.build(endpoint, values, force_external=True)

