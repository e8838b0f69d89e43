"""The one audit seam: ``log()`` appends a chained record; ``verify()`` checks the chain.

Only operations call ``log()``, inside the transaction of the decision they record, so a
decision and its audit record are committed together or not at all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Row, func, select
from sqlalchemy.orm import Session

from panelflow.audit.models import AuditHead, AuditRecord
from panelflow.db import utcnow
from panelflow.paging import Paging
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
    restored = False
    if head is None:
        # The first record ever, or the head row was deleted. Continue from the last record
        # rather than fail, and say so in the new record: the gap stays in evidence.
        last = session.execute(
            select(AuditRecord.seq, AuditRecord.hash).order_by(AuditRecord.seq.desc()).limit(1)
        ).first()
        head = AuditHead(id=1, seq=last.seq if last else 0, hash=last.hash if last else GENESIS)
        session.add(head)
        restored = last is not None
        if restored:
            details = {**(details or {}), "chain_head_restored": True}
    record = AuditRecord(
        seq=head.seq + 1,
        # Kept in UTC, as it reads back from the database, so the hash verifies later.
        at=(at or utcnow()).astimezone(UTC),
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


# -- What auditors do: search, read, check and export the trail --------------------------------
#
# Each of these is itself audited, in the caller's transaction: the trail records who looked
# at it, with which filters (ids, actions and dates only: never a name), and what they took.

LONDON = ZoneInfo("Europe/London")
PAGE_SIZE = 50
EXPORT_BATCH = 500
EXPORT_COLUMNS = (
    "seq",
    "at",
    "action",
    "actor_id",
    "actor_name",
    "role",
    "agency",
    "case_id",
    "pupil_id",
    "workflow_version",
    "summary",
    "details",
    "prev_hash",
    "hash",
)


@dataclass(frozen=True)
class Filters:
    """What an auditor narrows the trail by; ``None`` means any. Dates are Europe/London
    calendar days, both inclusive."""

    actor_id: str | None = None
    pupil_id: int | None = None
    case_id: int | None = None
    action: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def used(self) -> dict[str, str | int]:
        """The filters given, as recorded in the audit trail."""
        given: dict[str, str | int] = {}
        for name, value in asdict(self).items():
            if value is not None:
                given[name] = value.isoformat() if isinstance(value, date) else value
        return given


def london_midnight(day: date) -> datetime:
    """The UTC moment a Europe/London calendar day begins (records are stored in UTC)."""
    return datetime.combine(day, time(), tzinfo=LONDON).astimezone(UTC)


def _matching(filters: Filters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.actor_id is not None:
        conditions.append(AuditRecord.actor_id == filters.actor_id)
    if filters.pupil_id is not None:
        conditions.append(AuditRecord.pupil_id == filters.pupil_id)
    if filters.case_id is not None:
        conditions.append(AuditRecord.case_id == filters.case_id)
    if filters.action is not None:
        conditions.append(AuditRecord.action == filters.action)
    if filters.date_from is not None:
        conditions.append(AuditRecord.at >= london_midnight(filters.date_from))
    if filters.date_to is not None:
        conditions.append(AuditRecord.at < london_midnight(filters.date_to + timedelta(days=1)))
    return conditions


def _count(session: Session, conditions: list[ColumnElement[bool]]) -> int:
    return session.scalar(select(func.count()).select_from(AuditRecord).where(*conditions)) or 0


def recorded_actions(session: Session) -> list[str]:
    """Every action the trail holds, for the search form's list."""
    return list(session.scalars(select(AuditRecord.action).distinct().order_by(AuditRecord.action)))


@dataclass(frozen=True)
class SearchPage:
    records: list[AuditRecord]
    paging: Paging

    @property
    def total(self) -> int:
        return self.paging.total


def search(
    session: Session, actor: Actor, filters: Filters, page: int = 1, per_page: int = PAGE_SIZE
) -> SearchPage:
    """One page of the records matching ``filters``, newest first; audited as a view.

    A page number past the end shows the last page. The search runs before its own audit
    record is written, so the page shows the trail as it was when asked.
    """
    conditions = _matching(filters)
    total = _count(session, conditions)
    paging = Paging.at(total, page, per_page)
    records = list(
        session.scalars(
            select(AuditRecord)
            .where(*conditions)
            .order_by(AuditRecord.seq.desc())
            .limit(per_page)
            .offset(paging.offset)
        )
    )
    log(
        session,
        actor,
        "audit.viewed",
        "searched the audit trail",
        details={
            "filters": filters.used(),
            "page": paging.page,
            "shown": len(records),
            "total": total,
        },
    )
    return SearchPage(records, paging)


def refused_search(session: Session, actor: Actor, fields: list[str]) -> None:
    """Record a search that was not run because its filters were invalid: which fields were
    wrong, never what was typed into them (it may be a name)."""
    log(
        session,
        actor,
        "audit.viewed",
        "searched the audit trail with invalid filters",
        details={"invalid": sorted(fields), "shown": 0},
    )


def read_record(session: Session, actor: Actor, seq: int) -> AuditRecord | None:
    """One record in full, or ``None`` if there is no such record; audited when found."""
    record = session.get(AuditRecord, seq)
    if record is not None:
        log(session, actor, "audit.viewed", f"read audit record {seq}", details={"seq": seq})
    return record


def check_chain(session: Session, actor: Actor) -> ChainReport:
    """``verify()`` on behalf of a person, with the outcome written to the trail."""
    report = verify(session)
    outcome = "intact" if report.intact else f"broken at record {report.first_bad_seq}"
    log(
        session,
        actor,
        "audit.verified",
        f"checked the audit trail: {outcome}",
        details={
            "intact": report.intact,
            "checked": report.checked,
            "first_bad_seq": report.first_bad_seq,
            "message": report.message,
        },
    )
    return report


@dataclass(frozen=True)
class Export:
    """An export taken: its filters, the newest record it may include, and its row count."""

    filters: Filters
    upto_seq: int
    rows: int


def start_export(session: Session, actor: Actor, filters: Filters) -> Export:
    """Fix what an export of ``filters`` contains, and audit it with its row count.

    The export is bounded by the newest record now, so records written while it streams
    (its own audit record among them) are not in it, and the count recorded is exactly the
    number of rows sent.
    """
    upto = session.scalar(select(func.max(AuditRecord.seq))) or 0
    conditions = [*_matching(filters), AuditRecord.seq <= upto]
    rows = _count(session, conditions)
    log(
        session,
        actor,
        "audit.exported",
        f"exported {rows} audit record{'' if rows == 1 else 's'}",
        details={"filters": filters.used(), "rows": rows, "up_to_record": upto},
    )
    return Export(filters, upto, rows)


def export_rows(
    session: Session, export: Export, batch: int = EXPORT_BATCH
) -> Iterator[Sequence[Row[Any]]]:
    """The export's records, oldest first, as batches of rows of ``EXPORT_COLUMNS``.

    Only one batch is in memory at a time; each is read by its own query (keyset on
    ``seq``), so the caller may end the read transaction between batches.
    """
    columns = [getattr(AuditRecord, name) for name in EXPORT_COLUMNS]
    conditions = [*_matching(export.filters), AuditRecord.seq <= export.upto_seq]
    last = 0
    while True:
        rows = session.execute(
            select(*columns)
            .where(*conditions, AuditRecord.seq > last)
            .order_by(AuditRecord.seq)
            .limit(batch)
        ).all()
        if not rows:
            return
        yield rows
        last = rows[-1].seq
