"""Checking and importing an uploaded attendance file in the background, with its progress.

A file uploaded in the browser becomes an ``AttendanceImportJob``. A worker thread, with
database sessions of its own, checks the file (the same checks as the command line's, with
nothing stored) and records what it found; the person then imports it, or only its clean
rows, and another worker stores the rows. The request that starts a worker returns at once;
the page polls the job's progress.

While it works, a worker commits the rows done and a heartbeat every ``PROGRESS_EVERY``
rows, each in a short transaction of its own. The rows themselves are stored in one
transaction, so a worker that dies (the server restarted) leaves nothing half-written: its
heartbeat goes stale (``STALE_AFTER``) and the page says the import stopped.

On SQLite every transaction takes the write lock, and the rows' transaction holds it until
they are all stored: the worker cannot commit its progress meanwhile (nobody could read it
anyway), so the bar moves while checking and jumps to the end when the rows are stored. On
PostgreSQL it moves throughout.

The worker is given the job's id and the acting person; it never reads the request. It logs
job and school ids only, never a name or a figure from the file.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from panelflow.attendance.mapping import LABELS
from panelflow.attendance.models import AttendanceImportJob
from panelflow.attendance.operations import (
    AttendanceError,
    Checked,
    Progress,
    check_rows,
    plan_import,
    record_import,
    remember_columns,
)
from panelflow.attendance.reading import ReadError, estimate_rows
from panelflow.db import Database, rowcount, utcnow
from panelflow.organisations.models import School
from panelflow.roles import Actor

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 5000  # rows between progress commits (a fraction of a second's work)
STALE_AFTER = timedelta(seconds=60)  # a heartbeat older than this: the worker has stopped
KEEP_FILES = timedelta(days=1)  # files never imported are removed after this
RUNNING = ("checking", "importing")
SUFFIXES = (".csv", ".txt", ".xlsx", ".xls", ".ods")
SOMETHING_WENT_WRONG = (
    "Something went wrong on the server while working on this file, and nothing from it was "
    "stored. Upload it again; if it happens again, tell your local authority's administrator."
)


EXPIRED = (
    "This file was not imported within a day of being uploaded, so it and the problems found "
    "in it have been removed from the server. Upload it again to import it."
)


def stopped(job: AttendanceImportJob) -> bool:
    """A worker should be at work on the job but has not moved its heartbeat for a while:
    it stopped (the server restarted), and stored nothing."""
    return job.status in RUNNING and utcnow() - job.heartbeat_at > STALE_AFTER


def stored_name_for(file_name: str) -> str:
    """A random name for the file on disk, keeping only a known suffix from the original."""
    suffix = Path(file_name).suffix.lower()
    return secrets.token_hex(16) + (suffix if suffix in SUFFIXES else "")


def save_upload(folder: Path, stream: IO[bytes], file_name: str) -> str:
    """Save an uploaded file under ``folder`` by a random name, and return that name."""
    folder.mkdir(parents=True, exist_ok=True)
    name = stored_name_for(file_name)
    with (folder / name).open("xb") as out:
        shutil.copyfileobj(stream, out, 1 << 20)
    return name


def new_job(
    session: Session, actor: Actor, school: School, file_name: str, stored_name: str
) -> AttendanceImportJob:
    """Record a file uploaded for checking (nothing is stored from it yet)."""
    job = AttendanceImportJob(
        school_id=school.id,
        created_by_user_id=actor.user_id,
        created_by_name=actor.name,
        file_name=(Path(file_name.replace("\\", "/")).name or "attendance file")[:255],
        stored_name=stored_name,
        status="checking",
        heartbeat_at=utcnow(),
    )
    session.add(job)
    session.flush()
    return job


def choose_columns(
    session: Session, actor: Actor, job: AttendanceImportJob, columns: dict[str, str]
) -> bool:
    """The person said which column holds which value: remember it for the school and check
    the file again with it. False (nothing changed) unless the job was waiting for this."""
    moved = rowcount(
        session.execute(
            update(AttendanceImportJob)
            .where(AttendanceImportJob.id == job.id, AttendanceImportJob.status == "needs_columns")
            .values(status="checking", columns=columns, heartbeat_at=utcnow(), rows_done=0)
        )
    )
    if not moved:
        return False
    school = session.get(School, job.school_id)
    assert school is not None
    remember_columns(session, actor, school, columns)
    return True


def begin_import(session: Session, job: AttendanceImportJob, *, clean_rows_only: bool) -> bool:
    """Mark a checked job as importing, once: False if it was not waiting to be imported
    (imported already, say, by a second press of the button)."""
    if job.file_problem or (job.problem_count and not clean_rows_only):
        return False
    if job.rows_read - job.rows_with_problems <= 0:
        return False
    moved = rowcount(
        session.execute(
            update(AttendanceImportJob)
            .where(AttendanceImportJob.id == job.id, AttendanceImportJob.status == "checked")
            .values(
                status="importing",
                clean_rows_only=clean_rows_only,
                rows_done=0,
                rows_total=job.rows_read - job.rows_with_problems,
                heartbeat_at=utcnow(),
            )
        )
    )
    return bool(moved)


def remove_old_files(session: Session, folder: Path) -> None:
    """Remove the files of jobs finished, stopped, or left unimported for a day, and forget
    the problems found in them (they may quote what was typed about a pupil). A job left
    unimported can then no longer be imported: it says so."""
    now = utcnow()
    for job in session.scalars(
        select(AttendanceImportJob).where(AttendanceImportJob.created_at < now - KEEP_FILES)
    ):
        if job.status not in RUNNING or stopped(job):
            _remove_files(folder, job.stored_name)
            if job.problems:
                job.problems = []
            if job.status in ("checked", "needs_columns") or stopped(job):
                job.status = "failed"
                job.message = EXPIRED
                job.finished_at = job.finished_at or now


def start(target: Callable[..., None], *args: Any) -> threading.Thread:
    """Run ``target(*args)`` in a worker thread (a daemon: it does not hold the server up when
    it stops; the heartbeat tells the page)."""
    thread = threading.Thread(target=target, args=args, name="attendance-import", daemon=True)
    thread.start()
    return thread


# -- the workers --------------------------------------------------------------------------


def _bad_rows_file(folder: Path, stored_name: str) -> Path:
    return folder / f"{stored_name}.rows"


def _remove_files(folder: Path, stored_name: str) -> None:
    for path in (folder / stored_name, _bad_rows_file(folder, stored_name)):
        path.unlink(missing_ok=True)


def _save_progress(database: Database, job_id: int, rows: int, total: int | None) -> None:
    with database.transaction() as session:
        session.execute(
            update(AttendanceImportJob)
            .where(AttendanceImportJob.id == job_id)
            .values(rows_done=rows, rows_total=total, heartbeat_at=utcnow())
        )


def _fail(database: Database, folder: Path, job_id: int, message: str) -> None:
    with database.transaction() as session:
        job = session.get(AttendanceImportJob, job_id)
        if job is None:
            return
        job.status = "failed"
        job.message = message
        job.finished_at = job.heartbeat_at = utcnow()
        stored_name = job.stored_name
    _remove_files(folder, stored_name)


def _in_words(error: Exception, path: Path, file_name: str) -> str:
    """The error's message with the file's name on disk replaced by the name it was given."""
    return str(error).replace(str(path), file_name).replace(path.name, file_name)


def run_check(database: Database, folder: Path, job_id: int) -> None:
    """The first phase, in a worker: check the file, store nothing, record what was found."""
    with database.transaction() as session:
        job = session.get(AttendanceImportJob, job_id)
        if job is None or job.status != "checking":
            return
        school = session.get(School, job.school_id)
        assert school is not None
        path = folder / job.stored_name
        file_name, explicit = job.file_name, dict(job.columns or {})
    try:
        # Every read from the database happens while planning; the rows are then checked
        # with no transaction open, so the worker holds no lock for long.
        with database.transaction() as session:
            school = session.get(School, school.id)
            assert school is not None
            plan = plan_import(session, school, path, explicit)
        total = estimate_rows(path) if plan.checker is not None else None
        _save_progress(database, job_id, 0, total)
        checked = check_rows(
            plan,
            path,
            progress=lambda rows: _save_progress(database, job_id, rows, total),
            progress_every=PROGRESS_EVERY,
        )
        _bad_rows_file(folder, path.name).write_text(
            "\n".join(str(row) for row in sorted(checked.bad_rows)), encoding="ascii"
        )
        missing_columns = bool(plan.headers) and any(
            p.row == 1 and not p.column for p in plan.problems
        )
        with database.transaction() as session:
            found = session.get(AttendanceImportJob, job_id)
            assert found is not None
            found.status = "needs_columns" if missing_columns else "checked"
            found.headers = plan.headers
            found.columns = plan.mapping
            found.rows_read = checked.rows_read
            found.rows_done = checked.rows_read
            found.rows_total = checked.rows_read
            found.rows_with_problems = len(checked.bad_rows)
            found.problem_count = checked.problem_count
            found.file_problem = checked.file_problem
            found.problems = [[p.row, p.column, p.message] for p in checked.problems]
            found.heartbeat_at = utcnow()
        logger.info(
            "attendance job %s checked: %s rows, %s problems",
            job_id,
            checked.rows_read,
            checked.problem_count,
        )
    except ReadError as error:
        _fail(database, folder, job_id, _in_words(error, path, file_name))
    except Exception as error:
        # The message may quote the file; only the kind of error is logged.
        logger.error("attendance job %s failed while checking: %s", job_id, type(error).__name__)
        _fail(database, folder, job_id, SOMETHING_WENT_WRONG)


def run_import(database: Database, folder: Path, job_id: int, actor: Actor) -> None:
    """The second phase, in a worker: store the checked file's clean rows in one transaction,
    replacing the pupils' records for the same periods, and record the import (audited)."""
    sqlite = database.engine.dialect.name == "sqlite"
    with database.transaction() as session:
        job = session.get(AttendanceImportJob, job_id)
        if job is None or job.status != "importing":
            return
        path = folder / job.stored_name
        file_name = job.file_name
        school_id = job.school_id
        explicit = dict(job.columns or {})
        checked = Checked(
            rows_read=job.rows_read,
            problem_count=job.problem_count,
            file_problem=job.file_problem,
        )
        clean_rows_only = job.clean_rows_only
        total = job.rows_total

    def progress(step: Progress) -> None:
        # On SQLite the rows' transaction holds the write lock: nothing else can be committed
        # (or read) until it ends, so the progress waits for the end.
        if not sqlite:
            _save_progress(database, job_id, step.rows, total)

    try:
        listed = _bad_rows_file(folder, path.name).read_text(encoding="ascii")
        checked.bad_rows = {int(row) for row in listed.split()}
        with database.transaction() as session:
            school = session.get(School, school_id)
            assert school is not None
            plan = plan_import(session, school, path, explicit)
            result = record_import(
                session,
                actor,
                school,
                path,
                plan,
                checked,
                file_name=file_name,
                clean_rows_only=clean_rows_only,
                progress=progress,
                progress_every=PROGRESS_EVERY,
            )
            if result.status != "imported":
                raise AttendanceError(
                    "the file has problems that stop it being imported; check it again"
                )
            now = utcnow()
            session.execute(
                update(AttendanceImportJob)
                .where(AttendanceImportJob.id == job_id)
                .values(
                    status="imported",
                    import_id=result.import_id,
                    rows_done=result.rows_imported,
                    finished_at=now,
                    heartbeat_at=now,
                )
            )
        _remove_files(folder, path.name)
        logger.info("attendance job %s imported as import %s", job_id, result.import_id)
    except (AttendanceError, ReadError, OSError) as error:
        message = _in_words(error, path, file_name)
        if isinstance(error, OSError):
            message = "the uploaded file is no longer on the server; upload it again"
        _fail(database, folder, job_id, message[:1].upper() + message[1:])
    except Exception as error:
        logger.error("attendance job %s failed while importing: %s", job_id, type(error).__name__)
        _fail(database, folder, job_id, SOMETHING_WENT_WRONG)


def missing_values(job: AttendanceImportJob) -> list[str]:
    """The problems with the job's columns, as found when it was checked (row 1, no column)."""
    return [message for row, column, message in (job.problems or []) if row == 1 and not column]


COLUMN_KEYS = tuple(key for key in LABELS if not key.startswith("code_"))
