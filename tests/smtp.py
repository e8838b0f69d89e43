"""A real SMTP server on loopback for tests (aiosmtpd), reusable by any test package.

Use it from a package's ``conftest.py``::

    from tests.smtp import make_smtp_server, smtp_server  # noqa: F401 (fixtures)

- ``smtp_server``: a plain server on 127.0.0.1 for the test. ``.host``, ``.port``,
  ``.messages`` (parsed ``email.message.EmailMessage``, in arrival order), ``.envelopes``
  (``(mail_from, rcpt_tos)``), ``.logins`` (user names that authenticated),
  ``.reject_next(code, text, at="DATA"|"RCPT", count=1)`` to refuse the next message(s), and
  ``.environment(**extra)``: the ``PANELFLOW_SMTP_*`` variables that point panelflow at it.
- ``make_smtp_server(users=None, tls=False)``: one with accounts (``{"name": "password"}``;
  AUTH is offered, and without TLS also in clear text) and/or STARTTLS with a fresh
  certificate for 127.0.0.1, which ``.environment()`` makes the client trust through
  ``SSL_CERT_FILE``. Every server is stopped at the end of the test.
"""

from __future__ import annotations

import email
import email.policy
import ipaddress
import socket
import ssl
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Literal

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

HOST = "127.0.0.1"
Stage = Literal["RCPT", "DATA"]


class SmtpServer:
    """A running aiosmtpd server that keeps what it receives (thread-safe)."""

    def __init__(
        self, *, users: Mapping[str, str] | None = None, certificate_dir: Path | None = None
    ) -> None:
        self.host = HOST
        self.port = 0
        self.users = dict(users or {})
        self.ca_file: Path | None = None
        self._tls: ssl.SSLContext | None = None
        if certificate_dir is not None:
            self.ca_file, self._tls = _self_signed(certificate_dir)
        self._lock = threading.Lock()
        self._messages: list[EmailMessage] = []
        self._envelopes: list[tuple[str, list[str]]] = []
        self._logins: list[str] = []
        self._rejections: deque[tuple[Stage, str]] = deque()
        self._controller: Controller | None = None

    # --- what was received ----------------------------------------------------------------

    @property
    def messages(self) -> list[EmailMessage]:
        with self._lock:
            return list(self._messages)

    @property
    def envelopes(self) -> list[tuple[str, list[str]]]:
        with self._lock:
            return list(self._envelopes)

    @property
    def logins(self) -> list[str]:
        with self._lock:
            return list(self._logins)

    def reject_next(
        self,
        code: int = 451,
        text: str = "4.3.0 Try again later",
        *,
        at: Stage = "DATA",
        count: int = 1,
    ) -> None:
        """Refuse the next ``count`` messages with ``code text`` at RCPT TO or after DATA."""
        if not 400 <= code <= 599:
            raise ValueError("a refusal needs a 4xx (try later) or 5xx (failed) code")
        with self._lock:
            self._rejections.extend([(at, f"{code} {text}")] * count)

    def environment(self, **extra: str) -> dict[str, str]:
        """``PANELFLOW_SMTP_*`` settings for this server (plus ``extra``, e.g. a username)."""
        env = {
            "PANELFLOW_SMTP_HOST": self.host,
            "PANELFLOW_SMTP_PORT": str(self.port),
            "PANELFLOW_SMTP_TIMEOUT": "10",
        }
        if self._tls is not None:
            env["PANELFLOW_SMTP_STARTTLS"] = "1"
        env.update(extra)
        return env

    # --- running --------------------------------------------------------------------------

    def start(self) -> None:
        kwargs: dict[str, Any] = {"server_hostname": "smtp.panelflow.test"}
        if self.users:
            kwargs["authenticator"] = self._authenticate
            kwargs["auth_require_tls"] = self._tls is not None
        if self._tls is not None:
            kwargs["tls_context"] = self._tls
            kwargs["require_starttls"] = True
        # aiosmtpd cannot report the port it got for port 0, so ask the system for a free
        # one, and try again in the rare case another process took it meanwhile.
        for attempt in range(5):
            self.port = _free_port()
            controller = Controller(
                _Handler(self), hostname=HOST, port=self.port, ready_timeout=10, **kwargs
            )
            try:
                controller.start()
            except OSError:
                if attempt == 4:
                    raise
                continue
            self._controller = controller
            return

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    # --- called in the server's thread ----------------------------------------------------

    def _take_rejection(self, stage: Stage) -> str | None:
        with self._lock:
            if self._rejections and self._rejections[0][0] == stage:
                return self._rejections.popleft()[1]
        return None

    def _received(self, envelope: Envelope) -> None:
        content = envelope.original_content or envelope.content or b""
        raw = content if isinstance(content, bytes) else content.encode()
        message = email.message_from_bytes(raw, policy=email.policy.default)
        with self._lock:
            self._messages.append(message)
            self._envelopes.append((envelope.mail_from or "", list(envelope.rcpt_tos)))

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if isinstance(data, LoginPassword):
            name, password = data.login.decode(), data.password.decode()
            if self.users.get(name) == password:
                with self._lock:
                    self._logins.append(name)
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)


class _Handler:
    def __init__(self, owner: SmtpServer) -> None:
        self.owner = owner

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        refusal = self.owner._take_rejection("RCPT")
        if refusal is not None:
            return refusal.replace("{address}", address)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        refusal = self.owner._take_rejection("DATA")
        if refusal is not None:
            return refusal
        self.owner._received(envelope)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def closed_port() -> int:
    """A loopback port with nothing listening (connections are refused)."""
    return _free_port()


def _self_signed(directory: Path) -> tuple[Path, ssl.SSLContext]:
    """A fresh key and certificate for 127.0.0.1; returns the CA file and the server context."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "panelflow test SMTP")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    cert_file, key_file = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return cert_file, context


MakeSmtpServer = Callable[..., SmtpServer]


@pytest.fixture
def make_smtp_server(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MakeSmtpServer]:
    """Start servers with ``make_smtp_server(users={"name": "password"}, tls=True)``.

    With ``tls=True`` the client trusts the server's certificate through ``SSL_CERT_FILE``
    (set for the rest of the test), as it would trust a council's mail relay.
    """
    servers: list[SmtpServer] = []

    def make(*, users: Mapping[str, str] | None = None, tls: bool = False) -> SmtpServer:
        server = SmtpServer(
            users=users, certificate_dir=tmp_path_factory.mktemp("smtp") if tls else None
        )
        if server.ca_file is not None:
            monkeypatch.setenv("SSL_CERT_FILE", str(server.ca_file))
        server.start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def smtp_server(make_smtp_server: MakeSmtpServer) -> SmtpServer:
    """A plain SMTP server on 127.0.0.1 for this test."""
    return make_smtp_server()
