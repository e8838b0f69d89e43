"""Publishing workflow versions, loading the live one, and migrating cases between versions.

A file that does not validate is never published, so the live version is always valid. Every
process reads versions from the database and caches the built ``Engine`` per version, so a
publish reaches all processes at their next request, without a restart.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from panelflow.audit.operations import log
from panelflow.catalogue.models import WorkflowVersion
from panelflow.db import rowcount
from panelflow.roles import Actor
from panelflow.workflows.diff import describe_changes, text_diff
from panelflow.workflows.engine import Engine
from panelflow.workflows.loader import Problem
from panelflow.workflows.validation import validate_text

logger = logging.getLogger(__name__)

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def engine_for(version: WorkflowVersion) -> Engine:
    """The engine of a published version, built once per process and content."""
    engine = _engines.get(version.content_hash)
    if engine is None:
        result = validate_text(version.content)
        if not result.ok or result.definitions is None:
            # Published versions were valid when published; a failure here means the stored
            # text was changed behind the application's back.
            raise RuntimeError(f"stored workflow version {version.number} no longer validates")
        engine = Engine(result.definitions)
        with _engines_lock:
            _engines[version.content_hash] = engine
    return engine


@dataclass(frozen=True)
class Pinned:
    """A published version as a case uses it: its id, number and engine."""

    id: int
    number: int
    engine: Engine


def pinned(session: Session, version_id: int) -> Pinned:
    """The version a case is pinned to, with its engine.

    Only the version's number and content hash are read (one small query); the engine is
    built at most once per process per content, and checking the hash means a restored or
    rebuilt database can never be served a stale engine.
    """
    # Published versions are committed rows: read them without flushing the session.
    row = (
        session.connection()
        .execute(
            select(WorkflowVersion.number, WorkflowVersion.content_hash).where(
                WorkflowVersion.id == version_id
            )
        )
        .one_or_none()
    )
    if row is None:
        raise LookupError(f"workflow version id {version_id} does not exist")
    engine = _engines.get(row.content_hash)
    if engine is None:
        version = session.get(WorkflowVersion, version_id)
        assert version is not None
        engine = engine_for(version)
    return Pinned(version_id, row.number, engine)


def live_version(session: Session) -> WorkflowVersion | None:
    """The newest published version: the one new cases start on."""
    return session.scalars(
        select(WorkflowVersion).order_by(WorkflowVersion.number.desc()).limit(1)
    ).first()


def version_by_number(session: Session, number: int) -> WorkflowVersion | None:
    return session.scalars(select(WorkflowVersion).where(WorkflowVersion.number == number)).first()


@dataclass
class PublishResult:
    version: WorkflowVersion | None = None
    problems: list[Problem] = field(default_factory=list)
    refusal: str | None = None

    @property
    def ok(self) -> bool:
        return self.version is not None


def publish(session: Session, data: bytes | str, source_name: str, actor: Actor) -> PublishResult:
    """Validate and publish a workflow file as the next version; never publish an invalid one."""
    result = validate_text(data)
    if not result.ok or result.definitions is None:
        return PublishResult(
            problems=result.problems,
            refusal="the file has problems, so it was not published; the live version is unchanged",
        )
    text = data if isinstance(data, str) else data.decode("utf-8-sig")
    digest = content_hash(text)
    previous = live_version(session)
    if previous is not None and previous.content_hash == digest:
        return PublishResult(
            refusal=f"this file is identical to the live version "
            f"{previous.number}; nothing to publish"
        )
    old_definitions = engine_for(previous).definitions if previous else None
    number = (previous.number + 1) if previous else 1
    changes = describe_changes(old_definitions, result.definitions)
    version = WorkflowVersion(
        number=number,
        content=text,
        content_hash=digest,
        source_name=source_name,
        published_by=actor.name,
        changes="\n".join(changes),
        diff=text_diff(previous.content, text, f"version {previous.number}", f"version {number}")
        if previous
        else "",
    )
    try:
        with session.begin_nested():
            session.add(version)
            session.flush()
    except IntegrityError:
        return PublishResult(
            refusal="someone else published a version at the same moment; "
            "check the new live version and publish again"
        )
    log(
        session,
        actor,
        "workflow.publish",
        f"published workflow version {number}",
        workflow_version=number,
        details={"content_hash": digest, "source": source_name, "changes": changes},
    )
    logger.info("published workflow version %s", number)
    return PublishResult(version=version)


@dataclass(frozen=True)
class MigrationRow:
    case_id: int
    workflow: str
    from_version: int
    state: str
    movable: bool
    reason: str


@dataclass
class MigrationReport:
    target: int
    rows: list[MigrationRow]
    applied: bool = False

    @property
    def movable(self) -> list[MigrationRow]:
        return [r for r in self.rows if r.movable]

    @property
    def stuck(self) -> list[MigrationRow]:
        return [r for r in self.rows if not r.movable]


def plan_migration(session: Session, target: WorkflowVersion) -> MigrationReport:
    """Which open cases could move to ``target`` and which could not, and why."""
    from panelflow.cases.models import Case

    definitions = engine_for(target).definitions
    rows = []
    cases = session.execute(
        select(Case.id, Case.workflow_key, Case.state, WorkflowVersion.number)
        .join(WorkflowVersion, Case.workflow_version_id == WorkflowVersion.id)
        .where(Case.is_final.is_(False), Case.workflow_version_id != target.id)
        .order_by(Case.id)
    ).all()
    for case_id, workflow, state, number in cases:
        wf = definitions.workflows.get(workflow)
        if wf is None:
            movable, reason = (
                False,
                f"workflow '{workflow}' does not exist in version {target.number}",
            )
        elif state not in wf.states:
            movable, reason = (
                False,
                f"state '{state}' no longer exists in '{workflow}' in version {target.number}",
            )
        else:
            movable, reason = True, f"state '{state}' exists in version {target.number}"
        rows.append(MigrationRow(case_id, workflow, number, state, movable, reason))
    return MigrationReport(target.number, rows)


def apply_migration(session: Session, target: WorkflowVersion, actor: Actor) -> MigrationReport:
    """Move every case that can move to ``target``, auditing each; leave the rest."""
    from panelflow.cases.models import Case
    from panelflow.cases.operations import restart_timers

    report = plan_migration(session, target)
    moved = []
    for row in report.movable:
        changed = rowcount(
            session.execute(
                update(Case)
                .where(Case.id == row.case_id, Case.is_final.is_(False))
                .values(workflow_version_id=target.id, lock_version=Case.lock_version + 1)
                .execution_options(synchronize_session=False)
            )
        )
        if not changed:
            continue
        case = session.get(Case, row.case_id, populate_existing=True)
        assert case is not None
        restart_timers(session, case, engine_for(target))
        log(
            session,
            actor,
            "case.migrate",
            f"case moved from workflow version {row.from_version} to {target.number}",
            case_id=case.id,
            pupil_id=case.pupil_id,
            workflow_version=target.number,
            details={
                "from_version": row.from_version,
                "to_version": target.number,
                "workflow": row.workflow,
                "state": row.state,
            },
        )
        moved.append(row)
    log(
        session,
        actor,
        "workflow.migrate",
        f"migrated {len(moved)} case(s) to workflow version {target.number}",
        workflow_version=target.number,
        details={
            "moved": [r.case_id for r in moved],
            "not_moved": [r.case_id for r in report.stuck],
        },
    )
    report.applied = True
    return report


def version_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(WorkflowVersion)) or 0
