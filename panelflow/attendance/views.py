"""Importing attendance in the browser: upload a file, watch it checked, choose its columns
if they are not recognised, see its problems, and import it (or only its clean rows).

Only people who may import attendance (panel chairs and attendance leads) reach these pages,
and always for their own school: a job of another school is answered 404 (audited), as any
record outside someone's reach is. The work runs in a worker thread (``jobs``); the pages
read the job, and a small script polls ``/attendance/imports/<id>/progress``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from panelflow import web
from panelflow.accounts.views import require_sign_in
from panelflow.attendance import jobs
from panelflow.attendance.forms import ColumnsForm, ImportForm, UploadForm
from panelflow.attendance.mapping import LABELS, resolve, unmapped
from panelflow.attendance.models import AttendanceImport, AttendanceImportJob
from panelflow.organisations.models import School
from panelflow.roles import Actor
from panelflow.roles.policy import Permission
from panelflow.roles.views import current_actor, forbidden_for, not_found_for, require

bp = Blueprint("attendance", __name__)
bp.before_request(require_sign_in)

PERMISSION = Permission.IMPORT_ATTENDANCE
RECENT = 20
STATUS_WORDS = {
    "checking": ("Checking", "govuk-tag--blue"),
    "needs_columns": ("Columns to choose", "govuk-tag--yellow"),
    "checked": ("Checked, not imported", "govuk-tag--yellow"),
    "importing": ("Importing", "govuk-tag--blue"),
    "imported": ("Imported", "govuk-tag--green"),
    "failed": ("Not imported", "govuk-tag--red"),
    "rejected": ("Refused", "govuk-tag--red"),
    "stopped": ("Stopped", "govuk-tag--red"),
}
COLUMN_HINTS = {
    "upn": "Or, if the file has no UPNs, the pupil's name and date of birth.",
    "name": "“Alex Taylor” or “Taylor, Alex”, in one column.",
    "week_commencing": "The Monday of the week. Or the period's start and end dates.",
    "possible": "Sessions are half-days: a morning or an afternoon registration.",
}


def upload_folder() -> Path:
    configured = current_app.config.get("ATTENDANCE_UPLOAD_FOLDER")
    return Path(configured or Path(current_app.instance_path) / "attendance-uploads")


def _own_school(actor: Actor) -> School:
    school = web.session().get(School, actor.school_id) if actor.school_id else None
    if school is None:
        forbidden_for(actor, PERMISSION, reason="no school")
    return school


def _job(actor: Actor, job_id: int) -> AttendanceImportJob:
    """The job, if it is for the person's own school; otherwise 404 (audited)."""
    job = web.session().get(AttendanceImportJob, job_id)
    if job is None or actor.school_id is None or job.school_id != actor.school_id:
        not_found_for(actor, PERMISSION, attendance_job_id=job_id)
    return job


@dataclass(frozen=True)
class Recent:
    """One line of the school's recent imports, from the browser or the command line."""

    at: datetime
    by: str
    file_name: str
    read: int
    imported: int
    replaced: int
    skipped: int
    status: str
    job_id: int | None


def _recent(school_id: int) -> list[Recent]:
    session = web.session()
    found = session.execute(
        select(AttendanceImportJob, AttendanceImport)
        .outerjoin(AttendanceImport, AttendanceImport.id == AttendanceImportJob.import_id)
        .where(AttendanceImportJob.school_id == school_id)
        .order_by(AttendanceImportJob.created_at.desc(), AttendanceImportJob.id.desc())
        .limit(RECENT)
    ).all()
    lines = [
        Recent(
            at=job.created_at,
            by=done.imported_by_name if done else job.created_by_name,
            file_name=job.file_name,
            read=job.rows_read,
            imported=done.rows_imported if done else 0,
            replaced=done.rows_replaced if done else 0,
            skipped=done.rows_skipped if done else job.rows_with_problems,
            status="stopped" if jobs.stopped(job) else job.status,
            job_id=job.id,
        )
        for job, done in found
    ]
    from_browser = select(AttendanceImportJob.import_id).where(
        AttendanceImportJob.import_id.is_not(None)
    )
    for done in session.scalars(
        select(AttendanceImport)
        .where(AttendanceImport.school_id == school_id, AttendanceImport.id.not_in(from_browser))
        .order_by(AttendanceImport.started_at.desc(), AttendanceImport.id.desc())
        .limit(RECENT)
    ):
        lines.append(
            Recent(
                at=done.started_at,
                by=done.imported_by_name,
                file_name=done.file_name,
                read=done.rows_read,
                imported=done.rows_imported,
                replaced=done.rows_replaced,
                skipped=done.rows_skipped,
                status=done.status,
                job_id=None,
            )
        )
    lines.sort(key=lambda line: line.at, reverse=True)
    return lines[:RECENT]


@bp.app_template_global("attendance_status")
def attendance_status(status: str) -> tuple[str, str]:
    return STATUS_WORDS.get(status, (status, ""))


def _upload_page(school: School, form: UploadForm, problems: dict[str, str], code: int = 200):
    return render_template(
        "attendance/import.html",
        school=school,
        form=form,
        problems=problems,
        recent=_recent(school.id),
        limit_mb=_limit_mb(),
    ), code


def _limit_mb() -> int | None:
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    return limit // (1024 * 1024) if limit else None


@bp.route("/attendance/import", methods=["GET", "POST"])
@require(PERMISSION)
def upload() -> ResponseReturnValue:
    actor = current_actor()
    school = _own_school(actor)
    form = UploadForm()
    if request.method == "GET":
        return _upload_page(school, form, {})
    chosen = request.files.get("file")
    if not form.validate_on_submit():
        return _upload_page(
            school, form, {"file": "The form had expired; choose the file again"}, 400
        )
    if chosen is None or not chosen.filename:
        return _upload_page(
            school, form, {"file": "Choose your school's attendance file (CSV or .xlsx)"}, 400
        )
    folder = upload_folder()
    stored = jobs.save_upload(folder, chosen.stream, chosen.filename)
    session = web.session()
    job = jobs.new_job(session, actor, school, chosen.filename, stored)
    jobs.remove_old_files(session, folder)
    session.commit()
    jobs.start(jobs.run_check, web.database(), folder, job.id)
    return redirect(url_for("attendance.job_page", job_id=job.id), 303)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
    return render_template("attendance/import_too_large.html", limit_mb=_limit_mb()), 413


def _percent(job: AttendanceImportJob) -> int | None:
    if not job.rows_total:
        return None
    return min(100, round(100 * job.rows_done / job.rows_total))


def _progress_words(job: AttendanceImportJob) -> str:
    done = f"{job.rows_done:,}"
    of = f" of about {job.rows_total:,}" if job.rows_total and job.status == "checking" else ""
    if job.status == "importing":
        of = f" of {job.rows_total:,}" if job.rows_total else ""
        return f"Imported {done}{of} rows"
    return f"Checked {done}{of} rows"


@bp.get("/attendance/imports/<int:job_id>")
@require(PERMISSION)
def job_page(job_id: int) -> ResponseReturnValue:
    actor = current_actor()
    job = _job(actor, job_id)
    if job.status == "needs_columns":
        return redirect(url_for("attendance.columns", job_id=job.id))
    return _job_page(job, ImportForm(), {})


def _job_page(job: AttendanceImportJob, form: ImportForm, problems: dict[str, str], code=200):
    done = web.session().get(AttendanceImport, job.import_id) if job.import_id else None
    return render_template(
        "attendance/import_job.html",
        job=job,
        done=done,
        stopped=jobs.stopped(job),
        percent=_percent(job),
        words=_progress_words(job),
        clean_rows=max(job.rows_read - job.rows_with_problems, 0),
        form=form,
        problems=problems,
    ), code


@bp.get("/attendance/imports/<int:job_id>/progress")
@require(PERMISSION)
def job_progress(job_id: int) -> ResponseReturnValue:
    job = _job(current_actor(), job_id)
    stopped = jobs.stopped(job)
    response = jsonify(
        status=job.status,
        running=job.status in jobs.RUNNING and not stopped,
        stopped=stopped,
        rows_done=job.rows_done,
        rows_total=job.rows_total,
        percent=_percent(job),
        words=_progress_words(job),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/attendance/imports/<int:job_id>/import")
@require(PERMISSION)
def start_import(job_id: int) -> ResponseReturnValue:
    actor = current_actor()
    job = _job(actor, job_id)
    form = ImportForm()
    if not form.validate_on_submit():
        return _job_page(job, form, {"confirm": "The form had expired; send it again"}, 400)
    clean_rows_only = form.clean_rows_only.data == "yes"
    if clean_rows_only and not form.confirm.data:
        bad = job.rows_with_problems
        message = (
            f"Tick the box to confirm that the {bad:,} row{'' if bad == 1 else 's'} with "
            "problems will not be imported"
        )
        return _job_page(job, form, {"confirm": message}, 400)
    session = web.session()
    if not jobs.begin_import(session, job, clean_rows_only=clean_rows_only):
        session.rollback()
        flash("This file is not waiting to be imported: it may have been imported already", "info")
        return redirect(url_for("attendance.job_page", job_id=job.id), 303)
    session.commit()
    jobs.start(jobs.run_import, web.database(), upload_folder(), job.id, actor)
    return redirect(url_for("attendance.job_page", job_id=job.id), 303)


@bp.route("/attendance/imports/<int:job_id>/columns", methods=["GET", "POST"])
@require(PERMISSION)
def columns(job_id: int) -> ResponseReturnValue:
    actor = current_actor()
    job = _job(actor, job_id)
    if job.status != "needs_columns":
        return redirect(url_for("attendance.job_page", job_id=job.id))
    headers = [header for header in job.headers or [] if header]
    form = ColumnsForm()
    chosen = {key: header for key, header in (job.columns or {}).items() if key in jobs.COLUMN_KEYS}
    problems: dict[str, str] = {}
    general: list[str] = []
    code = 200
    if request.method == "POST":
        chosen = {}
        for key in jobs.COLUMN_KEYS:
            header = request.form.get(f"column-{key}", "")
            if header:
                chosen[key] = header
        if not form.validate_on_submit():
            general.append("The form had expired; choose the columns again")
        else:
            problems = _column_problems(headers, chosen)
        if not problems and not general:
            session = web.session()
            if jobs.choose_columns(session, actor, job, chosen):
                session.commit()
                jobs.start(jobs.run_check, web.database(), upload_folder(), job.id)
            return redirect(url_for("attendance.job_page", job_id=job.id), 303)
        code = 400
    return render_template(
        "attendance/import_columns.html",
        job=job,
        form=form,
        headers=headers,
        keys=jobs.COLUMN_KEYS,
        labels=LABELS,
        hints=COLUMN_HINTS,
        chosen=chosen,
        missing=[] if request.method == "POST" else jobs.missing_values(job),
        problems=problems,
        general=general,
    ), code


def _column_problems(headers: list[str], chosen: dict[str, str]) -> dict[str, str]:
    """Each value that still has no column, and each column chosen twice, by field."""
    problems: dict[str, str] = {}
    first: dict[str, str] = {}
    for key, header in chosen.items():
        if header not in headers:
            problems[f"column-{key}"] = f"Choose one of the file's columns for the {LABELS[key]}"
        elif header in first:
            problems[f"column-{key}"] = (
                f"“{header}” is already chosen for the {LABELS[first[header]]}: choose "
                f"another column for the {LABELS[key]}"
            )
        else:
            first[header] = key
    if problems:
        return problems
    columns, _, found = resolve(headers, chosen, {})
    for key, what, _ in unmapped(columns.index):
        problems[f"column-{key}"] = f"Choose the column that holds the {what}"
    for place, text in found:
        if place is not None:
            problems.setdefault("column-upn", f"In your file, {text}")
    return problems
