"""The mail service: a file outbox without MAIL_SERVER, SMTP with it."""

import logging
from pathlib import Path
from types import SimpleNamespace
from typing import ClassVar

import pytest

from portal import mail

RECIPIENT = "reader@example.org"


def send(link="https://portal.example.org/reset-password/abc"):
    return mail.send_email(RECIPIENT, "Reset your password", "accounts/reset_password",
                           user=SimpleNamespace(full_name="Rita Reader"), link=link, minutes=60)


class FakeSMTP:
    """Stands in for smtplib.SMTP and remembers what was asked of it."""

    instances: ClassVar[list["FakeSMTP"]] = []

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.calls: list[tuple] = []
        FakeSMTP.instances.append(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.calls.append(("quit",))

    def starttls(self, context=None):
        self.calls.append(("starttls",))

    def login(self, username, password):
        self.calls.append(("login", username, password))

    def send_message(self, message):
        self.calls.append(("send_message", message["To"], message["Subject"]))


@pytest.fixture
def smtp(ctx, monkeypatch):
    """SMTP settings for this test only, with the fake server in place of the real one."""
    FakeSMTP.instances = []
    monkeypatch.setattr(mail.smtplib, "SMTP", FakeSMTP)
    for key, value in {"MAIL_SERVER": "smtp.example.org", "MAIL_PORT": 2525,
                       "MAIL_USERNAME": "portal", "MAIL_PASSWORD": "smtp-secret",
                       "MAIL_USE_TLS": True, "MAIL_USE_SSL": False}.items():
        monkeypatch.setitem(ctx.config, key, value)
    return FakeSMTP


def test_without_a_server_mail_goes_to_the_outbox(ctx, outbox, caplog):
    """The message is an .eml file with text and HTML parts, from the council, and logged."""
    caplog.set_level(logging.INFO, logger=ctx.logger.name)
    send()

    [message] = outbox.messages()
    assert message["To"] == RECIPIENT
    assert message["Subject"] == "Reset your password"
    [sender] = message["From"].addresses
    assert sender.display_name == ctx.config["COUNCIL_NAME"]
    assert sender.addr_spec == ctx.config["MAIL_SENDER"]
    assert message["Message-ID"]

    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Dear Rita Reader" in text
    assert "https://portal.example.org/reset-password/abc" in text
    assert '<a href="https://portal.example.org/reset-password/abc">' in html
    assert ctx.config["COUNCIL_NAME"] in text and ctx.config["COUNCIL_NAME"] in html

    [record] = [r for r in caplog.records if r.name == ctx.logger.name]
    assert RECIPIENT in record.getMessage()
    assert "Reset your password" in record.getMessage()


def test_council_name_with_punctuation_is_one_sender(ctx, outbox, monkeypatch):
    """A council name with a comma or accents still makes a single, correct From address."""
    monkeypatch.setitem(ctx.config, "COUNCIL_NAME", "Cyngor Sir Ynys Môn, Grants Team")
    send()
    [sender] = outbox.messages()[-1]["From"].addresses
    assert sender.display_name == "Cyngor Sir Ynys Môn, Grants Team"
    assert sender.addr_spec == ctx.config["MAIL_SENDER"]


def test_html_part_escapes_what_it_is_given(ctx, outbox):
    """Values put into the HTML email are escaped, like any page."""
    mail.send_email(RECIPIENT, "Hello", "accounts/reset_password",
                    user=SimpleNamespace(full_name="<script>x</script>"), link="x", minutes=1)
    html = outbox.messages()[-1].get_body(("html",)).get_content()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_with_a_server_mail_goes_by_smtp(ctx, outbox, smtp):
    """With MAIL_SERVER set, the message is sent over STARTTLS with a login, and not filed."""
    send()
    [server] = smtp.instances
    assert (server.host, server.port) == ("smtp.example.org", 2525)
    assert server.calls == [
        ("starttls",),
        ("login", "portal", "smtp-secret"),
        ("send_message", RECIPIENT, "Reset your password"),
        ("quit",),
    ]
    assert list(Path(ctx.config["MAIL_OUTBOX"]).glob("*.eml")) == []


def test_smtp_without_credentials_or_tls_skips_those_steps(ctx, outbox, smtp, monkeypatch):
    """No username means no login; MAIL_USE_TLS off means no STARTTLS."""
    monkeypatch.setitem(ctx.config, "MAIL_USERNAME", None)
    monkeypatch.setitem(ctx.config, "MAIL_USE_TLS", False)
    send()
    assert [call[0] for call in smtp.instances[0].calls] == ["send_message", "quit"]
    assert outbox.messages() == []
