"""Benchmark the attendance import: rows per second and peak memory for a 200,000-row file.

    .venv/bin/python bench/attendance_bench.py                  # SQLite (a temporary file)
    .venv/bin/python bench/attendance_bench.py --xlsx-rows 50000   # an XLSX file as well
    .venv/bin/python bench/attendance_bench.py --database-url postgresql+psycopg://...  # throwaway!
    .venv/bin/python bench/attendance_bench.py --browser   # the browser's path as well

Generates a SIMS-style CSV (2,000 pupils x 100 weeks by default), written a row at a time,
then imports it into the database as the command does: both passes (check, then store in
batches of 1,000), one transaction, committed. Prints the rows per second of the whole
import and the process's peak resident memory before and after it (``getrusage``), so the
growth is what the import held. The database given is emptied: use a throwaway one.

With ``--browser`` the same file is also imported as an upload in the browser is: a job
checked by one worker and stored by another (``panelflow.attendance.jobs``), each phase
timed, with how many progress updates the page could have shown.
"""

from __future__ import annotations

import argparse
import csv
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import panelflow.models  # noqa: F401
from panelflow.attendance.operations import import_attendance
from panelflow.db import Database
from panelflow.migrate import downgrade, upgrade
from panelflow.organisations.models import LocalAuthority, Pupil, School
from panelflow.roles import cli_actor

HEADERS = [
    "UPN",
    "Week Commencing",
    "Possible Sessions",
    "Attended",
    "Authorised Absence",
    "Unauthorised Absence",
    "I - Illness",
    "O - Other unauthorised",
]
FIRST_MONDAY = date(2026, 9, 7)


def peak_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def upn(i: int) -> str:
    return f"B{i:012d}"


def rows(pupils: int, weeks: int):  # type: ignore[no-untyped-def]
    for week in range(weeks):
        monday = FIRST_MONDAY + timedelta(weeks=week)
        for i in range(pupils):
            illness = (i + week) % 3
            other = (i * 7 + week) % 2
            yield [
                upn(i),
                f"{monday:%d/%m/%Y}",
                10,
                10 - illness - other,
                illness,
                other,
                illness,
                other,
            ]


def write_csv(path: Path, pupils: int, weeks: int) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(HEADERS)
        for row in rows(pupils, weeks):
            writer.writerow(row)
            count += 1
    return count


def write_xlsx(path: Path, pupils: int, weeks: int) -> int:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Attendance")
    sheet.append(HEADERS)
    count = 0
    for row in rows(pupils, weeks):
        sheet.append(row)
        count += 1
    workbook.save(path)
    return count


def run_import(database: Database, school_id: int, path: Path) -> None:
    actor = cli_actor("bench")
    before = peak_mb()
    with database.transaction() as session:
        school = session.get(School, school_id)
        assert school is not None
        started = time.perf_counter()
        result = import_attendance(session, actor, school, path)
    seconds = time.perf_counter() - started
    if result.status != "imported":
        sys.exit(f"the import was refused: {[p.message for p in result.problems[:5]]}")
    size = path.stat().st_size / 1_048_576
    print(
        f"{path.suffix[1:]:>4}: {result.rows_imported:,} rows ({size:.1f} MB) in {seconds:.1f} s"
        f" = {result.rows_imported / seconds:,.0f} rows/s; peak memory {before:.0f} MB before,"
        f" {peak_mb():.0f} MB after ({result.rows_replaced:,} replaced)"
    )


def run_job(database: Database, school_id: int, path: Path) -> None:
    """The browser's path: the upload saved, checked by a worker, then imported by one."""
    from sqlalchemy import select

    from panelflow.attendance import jobs
    from panelflow.attendance.models import AttendanceImportJob

    actor = cli_actor("bench")
    folder = path.parent / "uploads"
    with path.open("rb") as stream:
        stored = jobs.save_upload(folder, stream, path.name)
    with database.transaction() as session:
        school = session.get(School, school_id)
        assert school is not None
        job_id = jobs.new_job(session, actor, school, path.name, stored).id
    updates = 0
    real_save = jobs._save_progress

    def counted(*args: object) -> None:
        nonlocal updates
        updates += 1
        real_save(*args)  # type: ignore[arg-type]

    jobs._save_progress = counted  # type: ignore[assignment]
    try:
        started = time.perf_counter()
        jobs.run_check(database, folder, job_id)
        checked = time.perf_counter() - started
        check_updates, updates = updates, 0
        with database.transaction() as session:
            job = session.scalars(
                select(AttendanceImportJob).where(AttendanceImportJob.id == job_id)
            ).one()
            assert job.status == "checked", (job.status, job.message)
            assert jobs.begin_import(session, job, clean_rows_only=False)
            rows = job.rows_read
        started = time.perf_counter()
        jobs.run_import(database, folder, job_id, actor)
        stored_in = time.perf_counter() - started
    finally:
        jobs._save_progress = real_save  # type: ignore[assignment]
    with database.transaction() as session:
        job = session.get(AttendanceImportJob, job_id)
        assert job is not None and job.status == "imported", job and job.message
    print(
        f"  browser: {rows:,} rows checked in {checked:.1f} s ({check_updates} progress"
        f" updates), stored in {stored_in:.1f} s ({updates} progress updates) ="
        f" {rows / (checked + stored_in):,.0f} rows/s; peak memory {peak_mb():.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a THROWAWAY database (default: temp SQLite)")
    parser.add_argument("--pupils", type=int, default=2_000)
    parser.add_argument("--weeks", type=int, default=100)
    parser.add_argument(
        "--xlsx-rows", type=int, default=0, help="also import an XLSX of about this many rows"
    )
    parser.add_argument(
        "--browser", action="store_true", help="also import the CSV as a browser upload does"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        downgrade(url, "base")
        upgrade(url, "head")
        database = Database(url)
        with database.transaction() as session:
            la = LocalAuthority(name="Bench Council")
            session.add(la)
            session.flush()
            school = School(name="Bench School", urn="999001", local_authority_id=la.id)
            session.add(school)
            session.flush()
            session.add_all(
                Pupil(
                    school_id=school.id,
                    given_name="Pupil",
                    family_name=str(i),
                    date_of_birth=date(2015, 1, 1) + timedelta(days=i % 365),
                    year_group=5,
                    upn=upn(i),
                )
                for i in range(args.pupils)
            )
            school_id = school.id
        csv_path = Path(folder) / "attendance.csv"
        written = write_csv(csv_path, args.pupils, args.weeks)
        print(f"generated {written:,} rows ({args.pupils:,} pupils x {args.weeks} weeks)")
        run_import(database, school_id, csv_path)
        if args.browser:
            run_job(database, school_id, csv_path)  # replaces the same weeks
        if args.xlsx_rows:
            weeks = max(1, args.xlsx_rows // args.pupils)
            xlsx_path = Path(folder) / "attendance.xlsx"
            started = time.perf_counter()
            count = write_xlsx(xlsx_path, args.pupils, weeks)
            print(f"generated {count:,} XLSX rows in {time.perf_counter() - started:.1f} s")
            run_import(database, school_id, xlsx_path)  # replaces the same weeks
        database.dispose()
        if not args.database_url:
            downgrade(url, "base")


if __name__ == "__main__":
    main()
