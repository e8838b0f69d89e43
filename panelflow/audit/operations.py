"""The one audit seam: ``log()`` appends a chained record; ``verify()`` checks the chain.

Only operations call ``log()``, inside the transaction of the decision they record, so a
decision and its audit record are committed together or not at all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from panelflow.audit.models import AuditHead, AuditRecord
from panelflow.db import utcnow
from panelflow.roles import Actor

GENESIS = "0" * 64


def _canonical(record: AuditRecord) -> bytes:
    body = {
        "seq": record.seq,
        "at": record.at.isoformat(timespec="microseconds"),
        "action": record.action,
        "actor_id": record.actor_id,
        "actor_name": record.actor_name,
        "role": record.role,
        "agency": record.agency,
        "case_id": record.case_id,
        "pupil_id": record.pupil_id,
        "workflow_version": record.workflow_version,
        "summary": record.summary,
        "details": record.details,
        "prev_hash": record.prev_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()


def record_hash(record: AuditRecord) -> str:
    return hashlib.sha256(_canonical(record)).hexdigest()


def log(
    session: Session,
    actor: Actor,
    action: str,
    summary: str,
    *,
    role: str | None = None,
    case_id: int | None = None,
    pupil_id: int | None = None,
    workflow_version: int | None = None,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditRecord:
    """Append an audit record to the chain, in the caller's transaction."""
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=1, seq=0, hash=GENESIS)
        session.add(head)
    record = AuditRecord(
        seq=head.seq + 1,
        at=(at or utcnow()).replace(microsecond=(at or utcnow()).microsecond),
        action=action,
        actor_id=actor.id,
        actor_name=actor.name,
        role=role or ",".join(sorted(actor.roles)),
        agency=actor.agency,
        case_id=case_id,
        pupil_id=pupil_id,
        workflow_version=workflow_version,
        summary=summary,
        details=details or {},
        prev_hash=head.hash,
    )
    record.hash = record_hash(record)
    head.seq, head.hash = record.seq, record.hash
    session.add(record)
    return record


@dataclass(frozen=True)
class ChainReport:
    intact: bool
    checked: int
    message: str
    first_bad_seq: int | None = None


def _records(session: Session, batch: int = 2000) -> Iterator[AuditRecord]:
    last = 0
    while True:
        rows = session.scalars(
            select(AuditRecord).where(AuditRecord.seq > last).order_by(AuditRecord.seq).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
        session.expunge_all()


def verify(session: Session) -> ChainReport:
    """Walk the chain and report the first record altered, inserted or deleted."""
    expected_prev = GENESIS
    expected_seq = 1
    checked = 0
    for record in _records(session):
        checked += 1
        if record.seq != expected_seq:
            missing = (
                f"record {expected_seq} is missing"
                if record.seq > expected_seq
                else f"record {record.seq} appears out of order"
            )
            return ChainReport(
                False,
                checked,
                f"{missing}: records were deleted or inserted before record {record.seq}",
                expected_seq,
            )
        if record.prev_hash != expected_prev:
            return ChainReport(
                False,
                checked,
                f"record {record.seq} does not follow record "
                f"{record.seq - 1}: a record was inserted or replaced here",
                record.seq,
            )
        if record_hash(record) != record.hash:
            return ChainReport(
                False,
                checked,
                f"record {record.seq} ({record.action}, "
                f"{record.at:%d %b %Y %H:%M}) has been altered since it was "
                "written",
                record.seq,
            )
        expected_prev = record.hash
        expected_seq += 1
    head = session.get(AuditHead, 1)
    last_seq = expected_seq - 1
    if head is None:
        if checked:
            return ChainReport(
                False,
                checked,
                "the chain head is missing: the trail cannot "
                "prove that no records were removed from its end",
                last_seq,
            )
        return ChainReport(True, 0, "the audit trail is empty")
    if head.seq != last_seq or head.hash != expected_prev:
        return ChainReport(
            False,
            checked,
            f"the trail ends at record {last_seq} but "
            f"{head.seq} were written: records {last_seq + 1} to {head.seq} "
            "have been deleted",
            last_seq + 1,
        )
    return ChainReport(True, checked, f"the audit trail is intact: {checked} records verified")
