"""``panelflow mail send`` against the test database and a real SMTP server on loopback.

The command builds its app from the environment (``DATABASE_URL``, ``PANELFLOW_SMTP_*``), as
cron would run it. The test's session is committed before each run and expired after it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select
from sqlalchemy.orm import Session

from panelflow import cli
from panelflow.db import Database
from panelflow.notify.models import OutgoingEmail
from panelflow.notify.outbox import queue
from tests.smtp import SmtpServer

Invoke = Callable[..., Result]


@pytest.fixture
def invoke(db: Database, session: Session, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    monkeypatch.setenv("DATABASE_URL", db.url)

    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        session.commit()
        result = CliRunner().invoke(cli.main, list(args))
        session.expire_all()
        return result

    return run


def queue_two(session: Session) -> None:
    queue(session, to="chair@school.example.org", subject="Panel on Tuesday", body="Agenda")
    queue(session, to="ewo@council.example.org", subject="Action agreed", body="Please call")


def test_mail_send_delivers_and_says_how_many(
    invoke: Invoke, session: Session, smtp_server: SmtpServer
) -> None:
    queue_two(session)

    result = invoke("mail", "send", env=smtp_server.environment())

    assert result.exit_code == 0, result.output
    assert result.stdout == "Sent 2 emails, 0 failed, 0 waiting.\n"
    assert sorted(m["Subject"] for m in smtp_server.messages) == [
        "Action agreed",
        "Panel on Tuesday",
    ]
    again = invoke("mail", "send")
    assert again.stdout == "Sent 0 emails, 0 failed, 0 waiting.\n"


def test_mail_send_reports_a_failure_and_still_exits_0(
    invoke: Invoke, session: Session, smtp_server: SmtpServer
) -> None:
    queue_two(session)
    smtp_server.reject_next(452, "4.3.1 Insufficient system storage")

    result = invoke("mail", "send", "--limit", "5", env=smtp_server.environment())

    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Sent 1 email, 1 failed, 1 waiting. "
        "Last error: SMTPDataError: 452 4.3.1 Insufficient system storage\n"
    )
    assert len(smtp_server.messages) == 1


def test_mail_send_with_a_limit_leaves_the_rest_waiting(
    invoke: Invoke, session: Session, smtp_server: SmtpServer
) -> None:
    queue_two(session)

    result = invoke("mail", "send", "--limit", "1", env=smtp_server.environment())

    assert result.stdout == "Sent 1 email, 0 failed, 1 waiting.\n"


def test_mail_send_without_a_host_keeps_mail_in_the_outbox(
    invoke: Invoke, session: Session
) -> None:
    queue_two(session)

    result = invoke("mail", "send")

    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Mail is not configured (PANELFLOW_SMTP_HOST is not set): 2 emails waiting in the "
        "outbox, none sent.\n"
    )
    rows = session.scalars(select(OutgoingEmail)).all()
    assert [(r.attempts, r.sent_at) for r in rows] == [(0, None), (0, None)]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"PANELFLOW_SMTP_PORT": "smtp"},
            "PANELFLOW_SMTP_PORT must be a port number from 1 to 65535, not 'smtp'",
        ),
        (
            {"PANELFLOW_SMTP_STARTTLS": "yes"},
            "PANELFLOW_SMTP_STARTTLS must be 1 (use it) or 0 (do not), not 'yes'",
        ),
    ],
    ids=["port", "starttls"],
)
def test_mail_send_explains_a_setting_it_cannot_use(
    invoke: Invoke, smtp_server: SmtpServer, env: dict[str, str], message: str
) -> None:
    result = invoke("mail", "send", env={**smtp_server.environment(), **env})

    assert result.exit_code == 1
    assert result.stderr == f"Error: {message}\n"
    assert "Traceback" not in result.output


def test_mail_send_on_a_database_without_the_schema_says_to_run_db_upgrade(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.setenv("PANELFLOW_SMTP_HOST", "127.0.0.1")
    monkeypatch.setattr(sys, "argv", ["panelflow", "mail", "send"])

    with pytest.raises(SystemExit) as exited:
        cli.run()

    assert exited.value.code == 2
    out, err = capsys.readouterr()
    assert err == "the database schema is not set up yet: run 'panelflow db upgrade'\n"
    assert out == ""
