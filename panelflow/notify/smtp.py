"""SMTP settings from the environment, the message panelflow sends, and one SMTP session per
batch of messages.

Settings are read from the environment only (``PANELFLOW_SMTP_*``, ``PANELFLOW_MAIL_FROM``).
Without ``PANELFLOW_SMTP_HOST`` mail is not configured: messages wait in the outbox. Errors are
described without personal data (the exception's class and the server's code and words, with
anything that looks like an address taken out), so they can be stored and logged.
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

DEFAULT_FROM = "panelflow@localhost"
DEFAULT_PORT = 25
DEFAULT_TIMEOUT = 30.0
ERROR_LIMIT = 500  # outgoing_emails.last_error
_ADDRESS_LIKE = re.compile(r"[^\s<>\"'(),;:\[\]]+@[^\s<>\"'(),;:\[\]]+")


class MailSettingsError(ValueError):
    """An SMTP setting in the environment has a value panelflow cannot use."""


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to hand mail over; ``host`` empty means mail is not configured."""

    host: str = ""
    port: int = DEFAULT_PORT
    username: str = ""
    password: str = field(default="", repr=False)
    starttls: bool = False
    mail_from: str = DEFAULT_FROM
    timeout: float = DEFAULT_TIMEOUT

    @property
    def configured(self) -> bool:
        return bool(self.host)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> SmtpSettings:
        """Read ``PANELFLOW_SMTP_HOST``, ``_PORT`` (25), ``_USERNAME``, ``_PASSWORD``,
        ``_STARTTLS`` ("1" to use it), ``_TIMEOUT`` (seconds, 30) and ``PANELFLOW_MAIL_FROM``.

        Raises ``MailSettingsError`` with a plain message when a value is unusable; a missing
        host is not an error (mail is simply not configured).
        """
        env = os.environ if environ is None else environ
        username = env.get("PANELFLOW_SMTP_USERNAME", "")
        password = env.get("PANELFLOW_SMTP_PASSWORD", "")
        if bool(username) != bool(password):
            raise MailSettingsError(
                "set both PANELFLOW_SMTP_USERNAME and PANELFLOW_SMTP_PASSWORD, or neither"
            )
        mail_from = env.get("PANELFLOW_MAIL_FROM", "") or DEFAULT_FROM
        if "@" not in mail_from or _has_line_break(mail_from):
            raise MailSettingsError(
                f"PANELFLOW_MAIL_FROM must be one email address, not '{mail_from}'"
            )
        return cls(
            host=env.get("PANELFLOW_SMTP_HOST", "").strip(),
            port=_port(env.get("PANELFLOW_SMTP_PORT", "")),
            username=username,
            password=password,
            starttls=_flag("PANELFLOW_SMTP_STARTTLS", env.get("PANELFLOW_SMTP_STARTTLS", "")),
            mail_from=mail_from,
            timeout=_timeout(env.get("PANELFLOW_SMTP_TIMEOUT", "")),
        )


def _port(text: str) -> int:
    if not text.strip():
        return DEFAULT_PORT
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise MailSettingsError(
            f"PANELFLOW_SMTP_PORT must be a port number from 1 to 65535, not '{text}'"
        )
    return port


def _timeout(text: str) -> float:
    if not text.strip():
        return DEFAULT_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds <= 600:
        raise MailSettingsError(
            "PANELFLOW_SMTP_TIMEOUT must be a number of seconds above 0 and at most 600, "
            f"not '{text}'"
        )
    return seconds


def _flag(name: str, text: str) -> bool:
    # Strict, so that "true" or "yes" never silently means "send in clear text".
    if text.strip() in ("", "0"):
        return False
    if text.strip() == "1":
        return True
    raise MailSettingsError(f"{name} must be 1 (use it) or 0 (do not), not '{text}'")


def _has_line_break(text: str) -> bool:
    return "\r" in text or "\n" in text


def build_message(
    settings: SmtpSettings,
    *,
    email_id: int,
    to: str,
    subject: str,
    body: str,
    created_at: datetime,
) -> EmailMessage:
    """The message for one outbox row. Its Message-ID depends only on the row, so if a
    message is ever handed over twice (a sender died after sending, before recording it),
    mail systems and readers can tell the copies are one message."""
    domain = settings.mail_from.rpartition("@")[2] or "localhost"
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(created_at)
    message["Message-ID"] = f"<panelflow.{email_id}.{int(created_at.timestamp())}@{domain}>"
    # RFC 3834: an automatic notice; out-of-office replies should not answer it.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    return message


class SmtpConnection:
    """One SMTP session, opened when first needed and reused for a batch of messages."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def open(self) -> None:
        """Connect (STARTTLS and log in as configured) unless already connected."""
        if self._smtp is not None:
            return
        s = self.settings
        smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            if s.starttls:
                # Verifies the server's certificate and name; never falls back to clear text
                # (smtplib raises if the server does not offer STARTTLS).
                smtp.starttls(context=ssl.create_default_context())
            if s.username:
                smtp.login(s.username, s.password)
        except BaseException:
            smtp.close()
            raise
        self._smtp = smtp

    def send(self, message: EmailMessage) -> None:
        """Hand one message over; a refusal leaves the session usable for the next one."""
        self.open()
        assert self._smtp is not None
        try:
            self._smtp.send_message(message)
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused):
            # The server answered and smtplib reset the transaction, so the session can carry
            # on; unless the answer was 421, after which smtplib has closed it.
            if self._smtp.sock is None:
                self._smtp = None
            raise
        except BaseException:
            self.close()  # dropped or out of step: reconnect for the next message
            raise

    def close(self) -> None:
        """Say goodbye politely if possible; a dead connection is simply closed."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def describe_error(error: BaseException) -> str:
    """The exception's class and the server's code and words, without personal data.

    Servers often echo the recipient ("550 <ann@example.org>: no such user"), so anything
    that looks like an address is replaced; exceptions that are not about the conversation
    with the server (they could quote a header) give their class name only.
    """
    name = type(error).__name__
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        text = "; ".join(f"{code} {_decoded(reply)}" for code, reply in error.recipients.values())
    elif isinstance(error, smtplib.SMTPResponseException):
        text = f"{error.smtp_code} {_decoded(error.smtp_error)}"
    elif isinstance(error, OSError):  # smtplib's own errors, sockets, TLS
        text = str(error)
    else:
        text = ""
    text = " ".join(_ADDRESS_LIKE.sub("<address>", text).split())
    described = f"{name}: {text}" if text else name
    return described if len(described) <= ERROR_LIMIT else described[: ERROR_LIMIT - 1] + "…"


def _decoded(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
