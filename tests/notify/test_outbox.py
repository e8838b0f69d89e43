"""The outbox against a real SMTP server on loopback: an email leaves if and only if the
change that queued it committed, exactly once, and a failure is retried later with backoff.

SQLite transactions begin IMMEDIATE (they take the write lock), so the test's session is
committed before each ``send_pending`` run and expired afterwards, as for a separate process.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from panelflow.db import Database
from panelflow.notify import smtp as smtp_module
from panelflow.notify.models import MAX_ATTEMPTS, OutgoingEmail
from panelflow.notify.outbox import BACKOFF, LEASE, SendReport, backoff, queue, send_pending
from panelflow.notify.smtp import SmtpSettings
from tests.smtp import HOST, MakeSmtpServer, SmtpServer, closed_port

T = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ADDRESS = "ewo.sam@council.example.gov.uk"
SUBJECT = "Action 12 is overdue"
BODY = "The action agreed at the panel on 2 March is now overdue.\nPlease update it."


def settings_for(server: SmtpServer, **extra: str) -> SmtpSettings:
    return SmtpSettings.from_environment(server.environment(**extra))


def run(db: Database, session: Session, settings: SmtpSettings, **kwargs: Any) -> SendReport:
    """``send_pending`` as another process would run it, then read what it wrote."""
    session.commit()
    report = send_pending(db, settings=settings, **kwargs)
    session.expire_all()
    return report


def outbox(session: Session) -> list[OutgoingEmail]:
    return list(session.scalars(select(OutgoingEmail).order_by(OutgoingEmail.id)))


def queue_some(session: Session, n: int, *, now: datetime | None = None) -> list[int]:
    emails = [
        queue(
            session,
            to=f"person{i}@school.example.org",
            subject=f"Notice {i}",
            body="Hello",
            now=now,
        )
        for i in range(n)
    ]
    session.commit()
    return [e.id for e in emails if e is not None]


# --- delivery ------------------------------------------------------------------------------


def test_a_queued_email_is_delivered_with_the_right_headers(
    db: Database, session: Session, smtp_server: SmtpServer
) -> None:
    email = queue(session, to=ADDRESS, subject=SUBJECT, body=BODY, now=T)
    assert email is not None
    session.commit()

    report = run(db, session, settings_for(smtp_server, PANELFLOW_MAIL_FROM="panels@la.example"))

    assert (report.sent, report.failed, report.waiting) == (1, 0, 0)
    assert report.message == "Sent 1 email, 0 failed, 0 waiting."
    [message] = smtp_server.messages
    assert message["From"] == "panels@la.example"
    assert message["To"] == ADDRESS
    assert message["Subject"] == SUBJECT
    assert message["Date"] == "Mon, 02 Mar 2026 09:00:00 +0000"
    assert message["Message-ID"] == f"<panelflow.{email.id}.{int(T.timestamp())}@la.example>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "text/plain"
    assert message.get_content().replace("\r\n", "\n") == BODY + "\n"
    assert smtp_server.envelopes == [("panels@la.example", [ADDRESS])]
    [row] = outbox(session)
    assert row.sent_at is not None and row.attempts == 1 and row.last_error is None

    # Sent is sent: a second run has nothing to do.
    again = run(db, session, settings_for(smtp_server))
    assert (again.sent, again.failed, again.waiting) == (0, 0, 0)
    assert len(smtp_server.messages) == 1


def test_non_ascii_subjects_and_bodies_arrive_intact(
    db: Database, session: Session, smtp_server: SmtpServer
) -> None:
    queue(
        session,
        to=ADDRESS,
        subject="Réunion du panel à Ysgol Bro Morgannwg",
        body="Siân's plan ✓ agreed; £50 funded",
    )
    session.commit()

    run(db, session, settings_for(smtp_server))

    [message] = smtp_server.messages
    assert message["Subject"] == "Réunion du panel à Ysgol Bro Morgannwg"
    assert message.get_content().strip() == "Siân's plan ✓ agreed; £50 funded"


def test_a_rolled_back_transaction_queues_nothing(
    db: Database, session: Session, smtp_server: SmtpServer
) -> None:
    queue(session, to=ADDRESS, subject=SUBJECT, body=BODY)
    session.rollback()  # the business change failed, so its email must not leave

    report = run(db, session, settings_for(smtp_server))

    assert (report.sent, report.waiting) == (0, 0)
    assert smtp_server.messages == []
    assert outbox(session) == []


@pytest.mark.postgres_only
def test_nothing_is_sent_before_the_transaction_commits(
    db: Database, session: Session, smtp_server: SmtpServer
) -> None:
    queue(session, to=ADDRESS, subject=SUBJECT, body=BODY)
    session.flush()  # written, but not committed

    before = send_pending(db, settings=settings_for(smtp_server))

    assert (before.sent, before.waiting) == (0, 0)
    assert smtp_server.messages == []
    session.commit()
    after = send_pending(db, settings=settings_for(smtp_server))
    assert (after.sent, after.waiting) == (1, 0)
    assert [m["To"] for m in smtp_server.messages] == [ADDRESS]


def test_without_an_smtp_host_mail_waits_in_the_outbox(
    db: Database, session: Session, smtp_server: SmtpServer
) -> None:
    queue_some(session, 2)

    report = run(db, session, SmtpSettings.from_environment({}))

    assert not report.configured
    assert (report.sent, report.failed, report.waiting) == (0, 0, 2)
    assert report.message == (
        "Mail is not configured (PANELFLOW_SMTP_HOST is not set): 2 emails waiting in the "
        "outbox, none sent."
    )
    assert all(r.attempts == 0 and r.sent_at is None for r in outbox(session))
    # Once configured, they go.
    assert run(db, session, settings_for(smtp_server)).sent == 2


# --- dedupe --------------------------------------------------------------------------------


def test_a_dedupe_key_is_queued_once_even_after_sending(
    db: Database, session: Session, smtp_server: SmtpServer
) -> None:
    key = "overdue:action:12:2026-11-23"
    first = queue(session, to=ADDRESS, subject=SUBJECT, body=BODY, dedupe_key=key)
    same_transaction = queue(session, to=ADDRESS, subject=SUBJECT, body=BODY, dedupe_key=key)
    assert first is not None and same_transaction is None
    session.commit()
    assert queue(session, to=ADDRESS, subject=SUBJECT, body=BODY, dedupe_key=key) is None
    other_day = queue(
        session, to=ADDRESS, subject=SUBJECT, body=BODY, dedupe_key="overdue:action:12:2026-11-24"
    )
    assert other_day is not None
    session.commit()

    assert run(db, session, settings_for(smtp_server)).sent == 2
    assert queue(session, to=ADDRESS, subject=SUBJECT, body=BODY, dedupe_key=key) is None
    session.commit()
    assert len(outbox(session)) == 2
    assert len(smtp_server.messages) == 2


@pytest.mark.postgres_only
def test_a_dedupe_key_queued_meanwhile_by_another_transaction_leaves_ours_usable(
    db: Database, session: Session
) -> None:
    key = "overdue:action:12:2026-11-23"
    assert queue(session, to=ADDRESS, subject=SUBJECT, body=BODY, dedupe_key=key) is not None
    session.flush()  # holds the key, uncommitted: the other insert must wait for us
    outcome: dict[str, Any] = {}

    def other_transaction() -> None:
        try:
            with db.transaction() as other:
                outcome["duplicate"] = queue(
                    other, to=ADDRESS, subject=SUBJECT, body=BODY, dedupe_key=key
                )
                # Its transaction goes on and commits its other work.
                outcome["other"] = queue(other, to=ADDRESS, subject="Another notice", body="x")
        except Exception as error:
            outcome["error"] = error

    thread = threading.Thread(target=other_transaction)
    thread.start()
    _wait_for_a_lock_wait(db)
    session.commit()
    thread.join(timeout=30)

    assert "error" not in outcome, outcome.get("error")
    assert outcome["duplicate"] is None
    assert outcome["other"] is not None
    session.expire_all()
    assert sorted(e.subject for e in outbox(session)) == sorted(["Another notice", SUBJECT])


def _wait_for_a_lock_wait(db: Database) -> None:
    """Until some PostgreSQL session is waiting for a lock (the other insert)."""
    deadline = time.monotonic() + 20
    with db.engine.connect() as connection:
        while time.monotonic() < deadline:
            waiting = connection.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted"))
            connection.rollback()
            if waiting:
                return
            time.sleep(0.02)
    raise AssertionError("the other transaction never waited for the dedupe key")


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"to": "nobody"}, "the recipient must be one email address"),
        ({"to": "a@example.org, b@example.org"}, "the recipient must be one email address"),
        ({"to": "a@example.org\r\nBcc: x@example.org"}, "the recipient must be one email address"),
        ({"subject": "Hello\r\nBcc: x@example.org"}, "the subject must be one line of text"),
        ({"subject": "  "}, "the subject must be one line of text"),
        ({"subject": "x" * 301}, "the subject is longer than 300 characters"),
        ({"dedupe_key": "k" * 201}, "a dedupe key must have 1 to 200 characters"),
    ],
)
def test_what_cannot_go_in_an_email_is_refused_when_queued(
    session: Session, kwargs: dict[str, str], problem: str
) -> None:
    values = {"to": ADDRESS, "subject": SUBJECT, "body": BODY, **kwargs}
    with pytest.raises(ValueError, match=problem):
        queue(session, **values)  # type: ignore[arg-type]
    assert outbox(session) == []


# --- failures and retries ------------------------------------------------------------------


def test_a_refused_message_is_retried_after_a_backoff_and_then_delivered(
    db: Database, session: Session, smtp_server: SmtpServer
) -> None:
    queue(session, to=ADDRESS, subject=SUBJECT, body=BODY, now=T)
    session.commit()
    smtp_server.reject_next(451, "4.7.1 Greylisted, try again later")
    settings = settings_for(smtp_server)

    failed = run(db, session, settings, now=T)

    assert (failed.sent, failed.failed, failed.gave_up, failed.waiting) == (0, 1, 0, 1)
    assert failed.message == (
        "Sent 0 emails, 1 failed, 1 waiting. "
        "Last error: SMTPDataError: 451 4.7.1 Greylisted, try again later"
    )
    [row] = outbox(session)
    assert row.attempts == 1 and row.sent_at is None
    assert row.last_error == "SMTPDataError: 451 4.7.1 Greylisted, try again later"
    assert row.next_attempt_at == T + timedelta(minutes=1)
    assert smtp_server.messages == []

    too_soon = run(db, session, settings, now=T + timedelta(seconds=59))
    assert (too_soon.sent, too_soon.failed, too_soon.waiting) == (0, 0, 1)

    later = run(db, session, settings, now=T + timedelta(minutes=1))
    assert (later.sent, later.failed, later.waiting) == (1, 0, 0)
    [row] = outbox(session)
    assert row.attempts == 2 and row.sent_at == T + timedelta(minutes=1)
    assert row.last_error is None
    assert [m["Subject"] for m in smtp_server.messages] == [SUBJECT]


def test_a_refusal_is_recorded_without_the_recipients_address(
    db: Database, session: Session, smtp_server: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="panelflow")
    queue(session, to=ADDRESS, subject=SUBJECT, body=BODY, now=T)
    queue(session, to="head@school.example.org", subject="Panel agenda", body="Agenda", now=T)
    session.commit()
    smtp_server.reject_next(550, "5.1.1 <{address}>: Recipient address rejected", at="RCPT")

    report = run(db, session, settings_for(smtp_server), now=T)

    assert (report.sent, report.failed) == (1, 1)
    refused = outbox(session)[0]
    assert refused.last_error == (
        "SMTPRecipientsRefused: 550 5.1.1 <<address>>: Recipient address rejected"
    )
    # The logs hold counts and the scrubbed error, never addresses, subjects or bodies.
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("panelflow"))
    assert "1 sent, 1 failed" in logged
    for personal in (ADDRESS, "head@school.example.org", SUBJECT, "Panel agenda", "Agenda"):
        assert personal not in logged


def test_the_backoff_grows_and_the_outbox_gives_up_after_ten_attempts(
    db: Database, session: Session
) -> None:
    queue(session, to=ADDRESS, subject=SUBJECT, body=BODY, now=T)
    session.commit()
    unreachable = SmtpSettings(host=HOST, port=closed_port(), timeout=5)
    now, waits = T, []

    for attempt in range(1, MAX_ATTEMPTS + 1):
        report = run(db, session, unreachable, now=now)
        assert report.failed == 1, f"attempt {attempt}: {report.message}"
        [row] = outbox(session)
        assert row.attempts == attempt
        assert row.last_error is not None
        assert row.last_error.startswith("ConnectionRefusedError: ")
        if attempt < MAX_ATTEMPTS:
            assert (report.gave_up, report.waiting) == (0, 1)
            waits.append(row.next_attempt_at - now)
            now = row.next_attempt_at

    assert waits == [backoff(n) for n in range(1, MAX_ATTEMPTS)]
    assert waits[:6] == list(BACKOFF) and waits[6:] == [timedelta(hours=12)] * 3
    assert (report.gave_up, report.waiting) == (1, 0)
    assert report.message.startswith(
        "Sent 0 emails, 1 failed, 0 waiting. Gave up on 1 email after 10 failed attempts "
        "(kept in the outbox with the last error). Last error: ConnectionRefusedError: "
    )
    [row] = outbox(session)
    assert row.given_up and row.sent_at is None
    # Never tried again, however late.
    later = run(db, session, unreachable, now=now + timedelta(days=365))
    assert (later.sent, later.failed, later.waiting) == (0, 0, 0)
    assert outbox(session)[0].attempts == MAX_ATTEMPTS


def test_a_server_that_hangs_up_fails_the_message_and_the_next_one_goes_through(
    db: Database, session: Session, smtp_server: SmtpServer
) -> None:
    queue_some(session, 3, now=T)
    # 421: the server is closing the connection; smtplib hangs up, so the sender reconnects.
    smtp_server.reject_next(421, "4.3.2 Shutting down")

    report = run(db, session, settings_for(smtp_server), now=T)

    assert (report.sent, report.failed, report.waiting) == (2, 1, 1)
    rows = outbox(session)
    assert [r.sent_at is None for r in rows] == [True, False, False]
    assert rows[0].last_error == "SMTPDataError: 421 4.3.2 Shutting down"
    assert sorted(m["Subject"] for m in smtp_server.messages) == ["Notice 1", "Notice 2"]


class Crash(BaseException):
    """The sending process dying (killed, out of memory) while it talks to the server."""


def test_a_sender_that_dies_mid_batch_loses_nothing(
    db: Database, session: Session, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue_some(session, 2, now=T)
    send = smtp_module.SmtpConnection.send
    calls = []

    def dies_after_handing_over_the_second(self: Any, message: Any) -> None:
        calls.append(message["Subject"])
        send(self, message)
        if len(calls) == 2:
            raise Crash

    monkeypatch.setattr(smtp_module.SmtpConnection, "send", dies_after_handing_over_the_second)
    session.commit()
    with pytest.raises(Crash):
        send_pending(db, settings=settings_for(smtp_server), now=T)
    monkeypatch.undo()
    session.expire_all()

    first, second = outbox(session)
    assert first.sent_at is not None  # recorded on the way down
    assert second.sent_at is None and second.next_attempt_at == T + LEASE
    # Within the lease nobody takes it; after it, it is sent again with the same Message-ID.
    assert run(db, session, settings_for(smtp_server), now=T + LEASE / 2).sent == 0
    assert run(db, session, settings_for(smtp_server), now=T + LEASE).sent == 1
    ids = [m["Message-ID"] for m in smtp_server.messages]
    assert len(ids) == 3 and ids[1] == ids[2] != ids[0]


# --- authentication and TLS ----------------------------------------------------------------


def test_credentials_are_used_over_starttls(
    db: Database, session: Session, make_smtp_server: MakeSmtpServer
) -> None:
    server = make_smtp_server(users={"panelflow": "relay-secret"}, tls=True)
    queue_some(session, 1)
    settings = settings_for(
        server, PANELFLOW_SMTP_USERNAME="panelflow", PANELFLOW_SMTP_PASSWORD="relay-secret"
    )
    assert settings.starttls

    report = run(db, session, settings)

    assert report.sent == 1, report.message
    assert server.logins == ["panelflow"]


def test_a_wrong_password_is_a_failure_that_does_not_record_the_password(
    db: Database, session: Session, make_smtp_server: MakeSmtpServer
) -> None:
    server = make_smtp_server(users={"panelflow": "relay-secret"})
    queue_some(session, 2)
    settings = settings_for(
        server, PANELFLOW_SMTP_USERNAME="panelflow", PANELFLOW_SMTP_PASSWORD="wrong-secret"
    )

    report = run(db, session, settings)

    assert (report.sent, report.failed, report.waiting) == (0, 2, 2)
    assert report.last_error.startswith("SMTPAuthenticationError: 535 ")
    assert all("secret" not in (r.last_error or "") for r in outbox(session))
    assert "secret" not in repr(settings)
    assert server.logins == [] and server.messages == []


def test_starttls_asked_for_but_not_offered_sends_nothing_in_clear_text(
    db: Database, session: Session, smtp_server: SmtpServer
) -> None:
    queue_some(session, 1)

    report = run(db, session, settings_for(smtp_server, PANELFLOW_SMTP_STARTTLS="1"))

    assert (report.sent, report.failed) == (0, 1)
    assert report.last_error == (
        "SMTPNotSupportedError: STARTTLS extension not supported by server."
    )
    assert smtp_server.messages == []


def test_a_certificate_the_client_does_not_trust_sends_nothing(
    db: Database,
    session: Session,
    make_smtp_server: MakeSmtpServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = make_smtp_server(tls=True)
    monkeypatch.delenv("SSL_CERT_FILE")
    queue_some(session, 1)

    report = run(db, session, settings_for(server))

    assert (report.sent, report.failed) == (0, 1)
    assert report.last_error.startswith("SSLCertVerificationError: ")
    assert server.messages == []


# --- running twice at once -----------------------------------------------------------------


def test_two_senders_at_once_deliver_every_message_exactly_once(
    db: Database, session: Session, smtp_server: SmtpServer
) -> None:
    count = 30
    queue_some(session, count)
    settings = settings_for(smtp_server)
    barrier = threading.Barrier(2)
    reports: list[SendReport] = []
    errors: list[BaseException] = []

    def sender() -> None:
        database = Database(db.url)  # its own engine and connections, like another process
        try:
            barrier.wait(timeout=30)
            while True:  # small batches, so the two keep claiming side by side
                report = send_pending(database, settings=settings, limit=3)
                reports.append(report)
                if report.sent + report.failed == 0:
                    break
        except BaseException as error:
            errors.append(error)
        finally:
            database.dispose()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert sum(r.sent for r in reports) == count
    assert sum(r.failed for r in reports) == 0
    ids = [m["Message-ID"] for m in smtp_server.messages]
    assert len(ids) == count and len(set(ids)) == count
    session.expire_all()
    assert all(r.sent_at is not None and r.attempts == 1 for r in outbox(session))


@pytest.mark.postgres_only
def test_rows_another_sender_holds_are_skipped_not_waited_for(
    db: Database, session: Session, smtp_server: SmtpServer
) -> None:
    ids = queue_some(session, 5)
    settings = settings_for(smtp_server)
    with db.sessions() as other:
        # Another sender, mid-claim, holds the first two rows.
        other.scalars(
            select(OutgoingEmail).where(OutgoingEmail.id.in_(ids[:2])).with_for_update()
        ).all()
        reports: list[SendReport] = []
        sender = threading.Thread(
            target=lambda: reports.append(send_pending(db, settings=settings))
        )
        sender.start()
        sender.join(timeout=10)
        waited = sender.is_alive()
        other.rollback()  # (lets a sender that waited finish)
        sender.join(timeout=30)
    assert not waited, "the sender waited for rows another sender holds"
    [report] = reports
    assert (report.sent, report.waiting) == (3, 2)

    assert send_pending(db, settings=settings).sent == 2
    assert len(smtp_server.messages) == 5
