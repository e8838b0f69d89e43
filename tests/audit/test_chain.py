"""The audit chain: every record carries the hash of the one before, so `verify` finds the
first record altered, inserted or deleted."""

from __future__ import annotations

import itertools

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, select, text, update
from sqlalchemy.orm import Session

from panelflow.audit.models import AuditHead, AuditRecord
from panelflow.audit.operations import GENESIS, log, record_hash, verify
from panelflow.db import Database
from tests.factories import person

CLERK = person("Ada Auditor", "auditor", agency="local_authority")


@pytest.fixture
def five(session: Session) -> list[AuditRecord]:
    records = [
        log(session, CLERK, "test.event", f"event {n}", details={"n": n}) for n in range(1, 6)
    ]
    session.commit()
    return records


def test_records_are_chained_in_order(session: Session, five: list[AuditRecord]) -> None:
    rows = session.scalars(select(AuditRecord).order_by(AuditRecord.seq)).all()

    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))
    assert all(record_hash(r) == r.hash for r in rows)
    head = session.get(AuditHead, 1)
    assert head is not None and (head.seq, head.hash) == (5, rows[-1].hash)


def test_an_intact_chain_verifies(session: Session, five: list[AuditRecord]) -> None:
    report = verify(session)

    assert report.intact
    assert report.message == "the audit trail is intact: 5 records verified"


def test_a_record_timed_in_london_summer_time_verifies(session: Session) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    at = datetime(2026, 6, 29, 9, 30, tzinfo=ZoneInfo("Europe/London"))  # 08:30 UTC
    log(session, person("Priya Chair", "panel_chair"), "meeting.start", "started", at=at)
    session.commit()
    session.expire_all()  # read back from the database, as verify does later

    assert verify(session).intact
    assert session.scalars(select(AuditRecord)).one().at == at


def test_an_empty_trail_verifies(session: Session) -> None:
    assert verify(session).intact


def test_an_altered_record_is_found(session: Session, five: list[AuditRecord]) -> None:
    session.execute(
        update(AuditRecord).where(AuditRecord.seq == 3).values(summary="event 3 (quietly edited)")
    )
    session.commit()

    report = verify(session)

    assert not report.intact and report.first_bad_seq == 3
    assert "record 3 (test.event" in report.message and "has been altered" in report.message


def test_altered_details_are_found(session: Session, five: list[AuditRecord]) -> None:
    session.execute(update(AuditRecord).where(AuditRecord.seq == 2).values(details={"n": 99}))
    session.commit()

    assert verify(session).first_bad_seq == 2


def test_a_deleted_record_is_found(session: Session, five: list[AuditRecord]) -> None:
    session.execute(delete(AuditRecord).where(AuditRecord.seq == 2))
    session.commit()

    report = verify(session)

    assert not report.intact and report.first_bad_seq == 2
    assert report.message.startswith("record 2 is missing")


def test_records_deleted_from_the_end_are_found(session: Session, five: list[AuditRecord]) -> None:
    session.execute(delete(AuditRecord).where(AuditRecord.seq >= 4))
    session.commit()

    report = verify(session)

    assert not report.intact and report.first_bad_seq == 4
    assert report.message == (
        "the trail ends at record 3 but 5 were written: records 4 to 5 have been deleted"
    )


def test_an_inserted_record_is_found(session: Session, five: list[AuditRecord]) -> None:
    # Forge a record between 2 and 3 by renumbering 3..5 up one and inserting a new 3 that
    # even carries a correct hash of its own: the chain still breaks at the next record.
    for seq in (5, 4, 3):
        session.execute(update(AuditRecord).where(AuditRecord.seq == seq).values(seq=seq + 1))
    session.expunge_all()
    second = session.get(AuditRecord, 2)
    assert second is not None
    forged = AuditRecord(
        seq=3,
        at=second.at,
        action="test.event",
        actor_id="x",
        actor_name="Mallory",
        role="auditor",
        agency="local_authority",
        summary="forged",
        details={},
        prev_hash=second.hash,
    )
    forged.hash = record_hash(forged)
    session.add(forged)
    session.commit()

    report = verify(session)

    assert not report.intact and report.first_bad_seq == 4
    assert "does not follow record 3" in report.message


def test_the_cli_reports_and_exits_non_zero_on_a_broken_chain(
    db: Database, session: Session, five: list[AuditRecord], monkeypatch: pytest.MonkeyPatch
) -> None:
    from panelflow.cli import main

    monkeypatch.setenv("DATABASE_URL", db.url)
    ok = CliRunner().invoke(main, ["audit", "verify"])
    assert ok.exit_code == 0 and "intact: 5 records" in ok.output

    with db.engine.begin() as connection:
        connection.execute(text("UPDATE audit_records SET actor_name = 'Someone' WHERE seq = 4"))
    broken = CliRunner().invoke(main, ["audit", "verify"])
    assert broken.exit_code == 1 and "record 4" in broken.output


def test_a_deleted_chain_head_is_reported_and_logging_continues_with_a_mark(
    session: Session, five: list[AuditRecord]
) -> None:
    session.execute(delete(AuditHead))
    session.commit()
    assert "the chain head is missing" in verify(session).message

    record = log(session, CLERK, "test.event", "after the head was deleted")
    session.commit()

    assert record.seq == 6 and record.details["chain_head_restored"] is True
    assert verify(session).intact
