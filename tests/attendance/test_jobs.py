"""The background runner of browser imports: real worker threads on the real database.

A job is checked in one thread and imported in another; progress and a heartbeat are
committed as it goes; a job whose heartbeat is old has stopped; a failure stores nothing.
"""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from panelflow.attendance import jobs
from panelflow.attendance.models import (
    AttendanceImport,
    AttendanceImportJob,
    AttendanceMapping,
    AttendanceRecord,
)
from panelflow.audit.models import AuditRecord
from panelflow.db import Database, utcnow
from panelflow.organisations.models import Pupil, School
from panelflow.roles import Actor
from tests.attendance.files import SIMS_HEADERS, UPNS, clean_week, write_csv
from tests.attendance.weeks import AUTUMN_FIRST_HALF, add_period

LEAD = Actor("test:lead", "Lee Lead", frozenset({"attendance_lead"}), "school")


def upload(db: Database, folder: Path, school: School, rows: list[list[object]]) -> int:
    path = write_csv(folder.parent / "export.csv", rows)
    with db.transaction() as s:
        stored = jobs.save_upload(folder, io.BytesIO(path.read_bytes()), "My Export.CSV")
        job = jobs.new_job(
            s, LEAD, s.get(School, school.id), "C:\\Users\\me\\My Export.CSV", stored
        )
        job_id = job.id
    return job_id


def job_of(db: Database, job_id: int) -> AttendanceImportJob:
    with db.sessions() as s:
        found = s.get(AttendanceImportJob, job_id)
        assert found is not None
        return found


def check(db: Database, folder: Path, job_id: int) -> AttendanceImportJob:
    jobs.start(jobs.run_check, db, folder, job_id).join(timeout=60)
    return job_of(db, job_id)


def import_(db: Database, folder: Path, job_id: int, clean_rows_only: bool = False):
    with db.transaction() as s:
        job = s.get(AttendanceImportJob, job_id)
        assert job is not None
        assert jobs.begin_import(s, job, clean_rows_only=clean_rows_only)
    jobs.start(jobs.run_import, db, folder, job_id, LEAD).join(timeout=60)
    return job_of(db, job_id)


def count(db: Database, model: type) -> int:
    with db.sessions() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_a_clean_file_is_checked_then_imported_in_worker_threads(
    db: Database, session: Session, roll: tuple[School, list[Pupil]], tmp_path: Path
) -> None:
    school, _ = roll
    folder = tmp_path / "uploads"
    job_id = upload(db, folder, school, clean_week())
    stored_name = job_of(db, job_id).stored_name
    assert stored_name.endswith(".csv") and "Export" not in stored_name
    assert [p.name for p in folder.iterdir()] == [stored_name]
    assert job_of(db, job_id).file_name == "My Export.CSV"

    checked = check(db, folder, job_id)
    assert (checked.status, checked.rows_read, checked.problem_count) == ("checked", 3, 0)
    assert (checked.rows_done, checked.rows_total) == (3, 3)
    assert count(db, AttendanceRecord) == 0  # checking stores nothing

    done = import_(db, folder, job_id)
    assert done.status == "imported" and done.import_id is not None
    assert count(db, AttendanceRecord) == 3
    with db.sessions() as s:
        record = s.get(AttendanceImport, done.import_id)
        assert record is not None
        assert (record.file_name, record.imported_by_name, record.rows_imported) == (
            "My Export.CSV",
            "Lee Lead",
            3,
        )
        audit = s.scalars(select(AuditRecord).where(AuditRecord.action == "attendance.import"))
        assert audit.one().details["rows_imported"] == 3
    assert list(folder.iterdir()) == []  # the file is removed once imported
    with db.transaction() as s:
        again = s.get(AttendanceImportJob, job_id)
        assert again is not None
        assert not jobs.begin_import(s, again, clean_rows_only=False)  # only once


def test_progress_and_the_heartbeat_are_committed_as_the_rows_are_checked(
    db: Database,
    session: Session,
    roll: tuple[School, list[Pupil]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    school, _ = roll
    rows: list[list[object]] = [SIMS_HEADERS]
    for week in range(12):
        monday = f"{7 + 7 * (week % 3):02d}/09/2026"
        rows.append([UPNS[week % 3] if week < 3 else "X", monday, 10, 10, 0, 0])
    folder = tmp_path / "uploads"
    job_id = upload(db, folder, school, rows)
    seen: list[tuple[int, int | None, bool]] = []

    def save(database: Database, job: int, done: int, total: int | None) -> None:
        saved(database, job, done, total)
        committed = job_of(database, job)  # read back from another session: committed
        seen.append((committed.rows_done, committed.rows_total, jobs.stopped(committed)))

    saved = jobs._save_progress
    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 5)
    monkeypatch.setattr(jobs, "_save_progress", save)
    checked = check(db, folder, job_id)

    assert seen == [(0, 12, False), (5, 12, False), (10, 12, False), (12, 12, False)]
    assert (checked.status, checked.rows_with_problems, checked.problem_count) == ("checked", 9, 9)


def test_a_job_whose_heartbeat_is_old_has_stopped(
    db: Database, session: Session, roll: tuple[School, list[Pupil]], tmp_path: Path
) -> None:
    school, _ = roll
    job_id = upload(db, tmp_path / "uploads", school, clean_week())
    with db.transaction() as s:
        job = s.get(AttendanceImportJob, job_id)
        assert job is not None
        assert not jobs.stopped(job)  # just started
        job.heartbeat_at = utcnow() - jobs.STALE_AFTER + timedelta(seconds=5)
        assert not jobs.stopped(job)
        job.heartbeat_at = utcnow() - jobs.STALE_AFTER - timedelta(seconds=1)
        assert jobs.stopped(job)  # the worker died (the server restarted)
        job.status = "checked"
        assert not jobs.stopped(job)  # waiting for the person is not stopping


def test_an_upload_left_unimported_for_a_day_is_removed_with_its_problems(
    db: Database, session: Session, roll: tuple[School, list[Pupil]], tmp_path: Path
) -> None:
    school, _ = roll
    folder = tmp_path / "uploads"
    broken = clean_week()
    broken[1][0] = "Z999999999999"  # a pupil not on the roll
    job_id = upload(db, folder, school, broken)
    assert check(db, folder, job_id).problems
    fresh = upload(db, folder, school, clean_week())
    with db.transaction() as s:
        job = s.get(AttendanceImportJob, job_id)
        assert job is not None
        job.created_at = utcnow() - jobs.KEEP_FILES - timedelta(minutes=1)
    with db.transaction() as s:
        jobs.remove_old_files(s, folder)

    old = job_of(db, job_id)
    assert (old.status, old.problems, old.message) == ("failed", [], jobs.EXPIRED)
    assert old.problem_count == 1  # how many there were is kept
    assert sorted(p.name for p in folder.iterdir()) == [job_of(db, fresh).stored_name]
    with db.transaction() as s:
        again = s.get(AttendanceImportJob, job_id)
        assert again is not None
        assert not jobs.begin_import(s, again, clean_rows_only=True)


def test_rows_that_gain_a_problem_after_the_check_stop_the_import_and_store_nothing(
    db: Database, session: Session, roll: tuple[School, list[Pupil]], tmp_path: Path
) -> None:
    school, pupils = roll
    folder = tmp_path / "uploads"
    job_id = upload(db, folder, school, clean_week())
    assert check(db, folder, job_id).status == "checked"
    # Meanwhile, a half-term is stored for the second pupil (from the command line, say).
    with db.transaction() as s:
        add_period(s, pupils[1], *AUTUMN_FIRST_HALF, possible=70, attended=70)

    failed = import_(db, folder, job_id)
    assert failed.status == "failed"
    assert failed.message is not None
    assert failed.message.startswith("Row 3 had no problem when the file was checked")
    assert count(db, AttendanceRecord) == 1  # only the half-term: nothing half-written
    assert count(db, AttendanceImport) == 1
    assert list(folder.iterdir()) == []


def test_an_unreadable_file_fails_in_words_with_the_name_it_was_given(
    db: Database, session: Session, roll: tuple[School, list[Pupil]], tmp_path: Path
) -> None:
    school, _ = roll
    folder = tmp_path / "uploads"
    with db.transaction() as s:
        stored = jobs.save_upload(folder, io.BytesIO(b"UPN,Possible\n"), "week.xlsx")
        job_id = jobs.new_job(s, LEAD, s.get(School, school.id), "week.xlsx", stored).id
    failed = check(db, folder, job_id)
    assert failed.status == "failed"
    assert failed.message == (
        "week.xlsx is called .xlsx but is not an Excel workbook; save it again as .xlsx or .csv"
    )


def test_columns_not_recognised_wait_for_the_person_then_are_remembered(
    db: Database, session: Session, roll: tuple[School, list[Pupil]], tmp_path: Path
) -> None:
    school, _ = roll
    folder = tmp_path / "uploads"
    rows = [
        ["Pupil Ref", "WC", "Poss", "Pres", "Auth", "Unauth"],
        [UPNS[0], "07/09/2026", 10, 10, 0, 0],
    ]
    job_id = upload(db, folder, school, rows)
    waiting = check(db, folder, job_id)
    assert waiting.status == "needs_columns"
    assert waiting.headers == rows[0]
    assert jobs.missing_values(waiting)[0].startswith("no column holds the pupil's UPN")

    chosen = {
        "upn": "Pupil Ref",
        "week_commencing": "WC",
        "possible": "Poss",
        "attended": "Pres",
        "authorised": "Auth",
        "unauthorised": "Unauth",
    }
    with db.transaction() as s:
        job = s.get(AttendanceImportJob, job_id)
        assert job is not None
        assert jobs.choose_columns(s, LEAD, job, chosen)
    with db.transaction() as s:
        job = s.get(AttendanceImportJob, job_id)
        assert job is not None
        assert not jobs.choose_columns(s, LEAD, job, chosen)  # not waiting any more
    assert check(db, folder, job_id).status == "checked"
    with db.sessions() as s:
        remembered = s.scalars(select(AttendanceMapping)).one()
        assert remembered.columns == chosen
        audit = s.scalars(select(AuditRecord).where(AuditRecord.action == "attendance.columns"))
        assert audit.one().details["columns"]["possible"] == "Poss"
    assert import_(db, folder, job_id).status == "imported"
