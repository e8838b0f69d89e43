"""Queueing emails in the caller's transaction, and sending the due ones over SMTP.

``queue`` only inserts a row, so an email exists if and only if the business change that
produced it commits. ``send_pending`` works in three steps so that no database transaction
stays open while the SMTP server is slow:

1. claim: in one short transaction, take due rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL;
   SQLite's ``BEGIN IMMEDIATE`` serialises claims), count the attempt and move
   ``next_attempt_at`` a lease ahead, so no other sender takes them meanwhile;
2. send them over one SMTP session, with no transaction open;
3. record each result in a second short transaction: sent, or the error and when to retry.

A sender that dies between 1 and 3 leaves its rows leased; they are retried when the lease
ends, so a message may (rarely) be handed over twice but is never lost. Two senders at once
never claim the same row.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from panelflow.db import Database, utcnow
from panelflow.notify.models import MAX_ATTEMPTS, OutgoingEmail
from panelflow.notify.smtp import SmtpConnection, SmtpSettings, build_message, describe_error

logger = logging.getLogger(__name__)

# How long a sender holds the rows it claimed; it stops starting new messages halfway through.
LEASE = timedelta(minutes=10)
# The wait after the 1st, 2nd, ... failed attempt; the last one repeats. Ten attempts span
# about two and a half days, long enough to ride out a mail server's weekend outage.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
    timedelta(hours=12),
)
MAX_ADDRESS = 320
MAX_SUBJECT = 300
MAX_DEDUPE_KEY = 200


def queue(
    session: Session,
    *,
    to: str,
    subject: str,
    body: str,
    dedupe_key: str | None = None,
    now: datetime | None = None,
) -> OutgoingEmail | None:
    """Add an email to the outbox in the caller's transaction (the caller commits).

    With a ``dedupe_key`` that is already in the outbox (sent or not), nothing is added and
    None is returned, e.g. ``f"overdue:action:{action.id}:{day}"`` so a reminder goes out once.
    The caller's transaction stays usable either way. Raises ``ValueError`` for an address or
    subject that cannot go in an email header.
    """
    _check(to, subject, dedupe_key)
    if dedupe_key is not None and _queued(session, dedupe_key):
        return None
    now = now or utcnow()
    email = OutgoingEmail(
        to_address=to,
        subject=subject,
        body=body,
        dedupe_key=dedupe_key,
        created_at=now,
        attempts=0,
        next_attempt_at=now,
    )
    session.flush()  # the caller's own pending changes, outside the savepoint below
    if dedupe_key is None:
        session.add(email)
        session.flush()
        return email
    try:
        with session.begin_nested():
            session.add(email)
    except IntegrityError:
        # Another transaction queued the same key after our check and has committed (on
        # PostgreSQL the insert waited for it). Only the savepoint is rolled back.
        if _queued(session, dedupe_key):
            return None
        raise
    return email


def _queued(session: Session, dedupe_key: str) -> bool:
    found = session.scalar(select(OutgoingEmail.id).where(OutgoingEmail.dedupe_key == dedupe_key))
    return found is not None


def _check(to: str, subject: str, dedupe_key: str | None) -> None:
    # The messages never quote the values: they may be personal data.
    if not to or "@" not in to or len(to) > MAX_ADDRESS or any(c in to for c in " ,;\r\n\t"):
        raise ValueError(
            f"the recipient must be one email address of at most {MAX_ADDRESS} characters"
        )
    if not subject.strip() or "\r" in subject or "\n" in subject:
        raise ValueError("the subject must be one line of text")
    if len(subject) > MAX_SUBJECT:
        raise ValueError(f"the subject is longer than {MAX_SUBJECT} characters")
    if dedupe_key is not None and not 0 < len(dedupe_key) <= MAX_DEDUPE_KEY:
        raise ValueError(f"a dedupe key must have 1 to {MAX_DEDUPE_KEY} characters")


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt (1, 5, 30 min, 2, 6, 12 h)."""
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


@dataclass
class SendReport:
    """What one ``send_pending`` run did, for the CLI and the logs (counts, no personal data)."""

    configured: bool = True
    sent: int = 0
    failed: int = 0  # failed in this run, including those given up
    gave_up: int = 0  # failed for the last time in this run: no further attempt
    waiting: int = 0  # still to be sent after this run (including those to be retried)
    last_error: str = ""  # the last failure's description, e.g. "ConnectionRefusedError: ..."

    @property
    def message(self) -> str:
        if not self.configured:
            return (
                "Mail is not configured (PANELFLOW_SMTP_HOST is not set): "
                f"{_emails(self.waiting)} waiting in the outbox, none sent."
            )
        text = f"Sent {_emails(self.sent)}, {self.failed} failed, {self.waiting} waiting."
        if self.gave_up:
            text += (
                f" Gave up on {_emails(self.gave_up)} after {MAX_ATTEMPTS} failed attempts "
                "(kept in the outbox with the last error)."
            )
        if self.failed:
            text += f" Last error: {self.last_error}"
        return text


def _emails(n: int) -> str:
    return f"{n} email{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class _Claimed:
    """A claimed row's contents, read in the claim transaction (no ORM object is kept)."""

    id: int
    to_address: str
    subject: str
    body: str
    created_at: datetime
    attempts: int  # including this attempt


def send_pending(
    database: Database,
    *,
    settings: SmtpSettings | None = None,
    now: datetime | None = None,
    limit: int = 100,
) -> SendReport:
    """Send up to ``limit`` due emails and record the results; safe to run several at once.

    Commits its own short transactions, so call it after (never inside) a transaction that
    queued mail. ``settings`` default to ``SmtpSettings.from_environment()``; without a host
    nothing is sent and the report says mail is not configured. ``now`` fixes the clock
    (tests). SMTP failures are recorded and reported, never raised; database errors are
    raised, and so is ``MailSettingsError`` when the environment's settings are unusable.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    settings = settings or SmtpSettings.from_environment()
    report = SendReport(configured=settings.configured)
    if settings.configured:
        claimed = _claim(database, now or utcnow(), limit)
        if claimed:
            _send(database, settings, claimed, now, report)
    report.waiting = _waiting(database)
    if not report.configured:
        logger.info("mail is not configured; %d email(s) waiting", report.waiting)
    elif report.failed:
        logger.warning(
            "mail: %d sent, %d failed (%d given up), %d waiting; last error: %s",
            report.sent,
            report.failed,
            report.gave_up,
            report.waiting,
            report.last_error,
        )
    else:
        logger.info("mail: %d sent, %d waiting", report.sent, report.waiting)
    return report


def _claim(database: Database, now: datetime, limit: int) -> list[_Claimed]:
    with database.transaction() as session:
        rows = session.scalars(
            select(OutgoingEmail)
            .where(
                OutgoingEmail.sent_at.is_(None),
                OutgoingEmail.next_attempt_at <= now,
                OutgoingEmail.attempts < MAX_ATTEMPTS,
            )
            .order_by(OutgoingEmail.next_attempt_at, OutgoingEmail.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        for row in rows:
            row.attempts += 1
            row.next_attempt_at = now + LEASE
        return [
            _Claimed(r.id, r.to_address, r.subject, r.body, r.created_at, r.attempts) for r in rows
        ]


def _send(
    database: Database,
    settings: SmtpSettings,
    claimed: Sequence[_Claimed],
    now: datetime | None,
    report: SendReport,
) -> None:
    outcomes: list[tuple[_Claimed, Exception | None]] = []
    unsent: Sequence[_Claimed] = ()
    connection = SmtpConnection(settings)
    started = time.monotonic()
    try:
        for i, item in enumerate(claimed):
            if time.monotonic() - started > LEASE.total_seconds() / 2:
                unsent = claimed[i:]  # a slow server: hand the rest back before the lease ends
                break
            try:
                connection.open()
            except Exception as error:  # unreachable: the rest would fail the same way
                outcomes.extend((rest, error) for rest in claimed[i:])
                break
            try:
                connection.send(
                    build_message(
                        settings,
                        email_id=item.id,
                        to=item.to_address,
                        subject=item.subject,
                        body=item.body,
                        created_at=item.created_at,
                    )
                )
            except Exception as error:
                outcomes.append((item, error))
            else:
                outcomes.append((item, None))
    finally:
        connection.close()
        # Also after an interruption: what was sent is recorded, the rest waits for the lease.
        _record(database, outcomes, unsent, now or utcnow(), report)


def _record(
    database: Database,
    outcomes: Sequence[tuple[_Claimed, Exception | None]],
    unsent: Sequence[_Claimed],
    now: datetime,
    report: SendReport,
) -> None:
    if not outcomes and not unsent:
        return
    with database.transaction() as session:
        for item, error in outcomes:
            mine = (
                OutgoingEmail.id == item.id,
                OutgoingEmail.sent_at.is_(None),
            )
            if error is None:
                session.execute(
                    update(OutgoingEmail).where(*mine).values(sent_at=now, last_error=None)
                )
                report.sent += 1
                continue
            report.failed += 1
            report.last_error = describe_error(error)
            values: dict[str, object] = {"last_error": report.last_error}
            if item.attempts >= MAX_ATTEMPTS:
                report.gave_up += 1
            else:
                values["next_attempt_at"] = now + backoff(item.attempts)
            # Only while our lease holds: a row another sender has since claimed is theirs.
            session.execute(
                update(OutgoingEmail)
                .where(*mine, OutgoingEmail.attempts == item.attempts)
                .values(**values)
            )
        for item in unsent:
            session.execute(
                update(OutgoingEmail)
                .where(
                    OutgoingEmail.id == item.id,
                    OutgoingEmail.sent_at.is_(None),
                    OutgoingEmail.attempts == item.attempts,
                )
                .values(attempts=item.attempts - 1, next_attempt_at=now)
            )


def _waiting(database: Database) -> int:
    with database.transaction() as session:
        count = session.scalar(
            select(func.count())
            .select_from(OutgoingEmail)
            .where(OutgoingEmail.sent_at.is_(None), OutgoingEmail.attempts < MAX_ATTEMPTS)
        )
    return count or 0
