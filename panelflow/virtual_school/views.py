"""The virtual school in the web UI: the virtual school head's page across the local
authority, and recording flags and plan targets from a pupil's page.

Each view has the usual shape: load the pupil (404 outside need-to-know, audited), ask who
may record (403, audited), read the form, call one operation, commit, redirect.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from panelflow import web
from panelflow.accounts.views import require_sign_in
from panelflow.audit.operations import log
from panelflow.cases.views import visible_pupil
from panelflow.forms import boxed_date
from panelflow.organisations.models import Pupil
from panelflow.roles.policy import VIRTUAL_SCHOOL_ROLE, Permission, can
from panelflow.roles.views import current_actor, forbidden_for, not_found_for, require
from panelflow.virtual_school import operations
from panelflow.virtual_school.forms import (
    EndForm,
    FilterForm,
    PlanForm,
    StatusForm,
    typed_percentage,
)
from panelflow.virtual_school.models import PupilStatus
from panelflow.virtual_school.operations import VirtualSchoolError
from panelflow.workflows.definitions import VIRTUAL_SCHOOL_FLAGS

bp = Blueprint("virtual_school", __name__)
bp.before_request(require_sign_in)

# The field whose first box an error links to, by the operation's field name.
DATE_BOXES = {
    "started_on": "started_on_day",
    "ended_on": "ended_on_day",
    "plan_date": "plan_date_day",
}


@bp.app_template_global("virtual_school_record")
def virtual_school_record(pupil: Pupil) -> operations.PupilRecord:
    """For the pupil's page: the flags' periods, the PEP target, and whether the person
    signed in may record them."""
    return operations.pupil_record(web.session(), current_actor(), pupil)


def _recordable(pupil_id: int) -> Pupil:
    """The pupil, if the person may see them (else 404) and record for them (else 403)."""
    actor = current_actor()
    pupil = visible_pupil(pupil_id)
    if not operations.may_record(web.session(), actor, pupil):
        forbidden_for(actor, Permission.WORK_ON_CASES, pupil=pupil_id)
    return pupil


def _problem(problems: dict[str, str], error: VirtualSchoolError, general: list[str]) -> None:
    if error.field:
        problems[DATE_BOXES.get(error.field, error.field)] = error.message
    else:
        general.append(error.message)


def _after(pupil: Pupil) -> ResponseReturnValue:
    """Back to the pupil's page, or to the virtual school's page if the change took the
    pupil out of the person's view (a virtual school head ending the last flag)."""
    if can(current_actor(), Permission.VIEW_PUPILS, pupil.id, web.session()):
        return redirect(url_for("cases.pupil", pupil_id=pupil.id))
    return redirect(url_for("virtual_school.caseload"))


@bp.route("/pupils/<int:pupil_id>/virtual-school/flags/new", methods=["GET", "POST"])
@require(Permission.WORK_ON_CASES)
def new_status(pupil_id: int) -> ResponseReturnValue:
    pupil = _recordable(pupil_id)
    form = StatusForm()
    problems: dict[str, str] = {}
    general: list[str] = []
    if request.method == "POST":
        if not form.validate_on_submit():
            general.append("The form had expired; check the details and send it again")
        started_on, started_problem = boxed_date(form, "started_on", "the start date")
        ended_on, ended_problem = boxed_date(form, "ended_on", "the end date")
        if started_problem:
            problems["started_on_day"] = started_problem
        if ended_problem:
            problems["ended_on_day"] = ended_problem
        if not problems and not general:
            session = web.session()
            try:
                operations.record_status(
                    session,
                    current_actor(),
                    pupil,
                    (form.kind.data or "").strip(),
                    started_on,
                    ended_on=ended_on,
                    note=form.note.data or "",
                )
            except VirtualSchoolError as error:
                session.rollback()
                _problem(problems, error, general)
            else:
                session.commit()
                flash(f"Recorded: {pupil.given_name} {_flag_sentence(form.kind.data)}", "success")
                return _after(pupil)
    return (
        render_template(
            "virtual_school/status.html",
            pupil=pupil,
            form=form,
            flags=VIRTUAL_SCHOOL_FLAGS,
            problems=problems,
            general=general,
        ),
        400 if problems or general else 200,
    )


def _flag_sentence(kind: str | None) -> str:
    return {
        "looked_after": "is looked after",
        "previously_looked_after": "was previously looked after",
        "has_social_worker": "has a social worker",
    }.get(kind or "", "")


@bp.route(
    "/pupils/<int:pupil_id>/virtual-school/flags/<int:status_id>/end", methods=["GET", "POST"]
)
@require(Permission.WORK_ON_CASES)
def end_status(pupil_id: int, status_id: int) -> ResponseReturnValue:
    pupil = _recordable(pupil_id)
    session = web.session()
    status = session.scalar(
        select(PupilStatus).where(PupilStatus.id == status_id, PupilStatus.pupil_id == pupil.id)
    )
    if status is None:
        not_found_for(current_actor(), Permission.WORK_ON_CASES, pupil=pupil_id, status=status_id)
    form = EndForm()
    problems: dict[str, str] = {}
    general: list[str] = []
    if request.method == "POST":
        if not form.validate_on_submit():
            general.append("The form had expired; check the details and send it again")
        ended_on, problem = boxed_date(form, "ended_on", "the end date")
        if problem:
            problems["ended_on_day"] = problem
        if not problems and not general:
            try:
                operations.end_status(session, current_actor(), status, ended_on)
            except VirtualSchoolError as error:
                session.rollback()
                _problem(problems, error, general)
            else:
                session.commit()
                flash(f"Recorded the end of {operations.flag_words(status.kind)}", "success")
                return _after(pupil)
    return (
        render_template(
            "virtual_school/end.html",
            pupil=pupil,
            status=status,
            flag=operations.flag_words(status.kind),
            form=form,
            problems=problems,
            general=general,
        ),
        400 if problems or general else 200,
    )


@bp.route("/pupils/<int:pupil_id>/virtual-school/plan", methods=["GET", "POST"])
@require(Permission.WORK_ON_CASES)
def new_plan(pupil_id: int) -> ResponseReturnValue:
    pupil = _recordable(pupil_id)
    form = PlanForm()
    problems: dict[str, str] = {}
    general: list[str] = []
    if request.method == "POST":
        if not form.validate_on_submit():
            general.append("The form had expired; check the details and send it again")
        plan_date, problem = boxed_date(form, "plan_date", "the date of the plan")
        if problem:
            problems["plan_date_day"] = problem
        target = typed_percentage(form.target.data)
        if target is None and (form.target.data or "").strip():
            problems["target"] = (
                "Enter the attendance target as a whole percentage from 1 to 100, like 95"
            )
        if not problems and not general:
            session = web.session()
            try:
                operations.record_plan(session, current_actor(), pupil, plan_date, target)
            except VirtualSchoolError as error:
                session.rollback()
                _problem(problems, error, general)
            else:
                session.commit()
                flash(f"Recorded the attendance target of {target}%", "success")
                return _after(pupil)
    return (
        render_template(
            "virtual_school/plan.html", pupil=pupil, form=form, problems=problems, general=general
        ),
        400 if problems or general else 200,
    )


@bp.get("/virtual-school")
@require(Permission.VIEW_PUPILS)
def caseload() -> ResponseReturnValue:
    """The virtual school head's pupils across the local authority."""
    actor = current_actor()
    if VIRTUAL_SCHOOL_ROLE not in actor.roles:
        forbidden_for(actor, Permission.VIEW_PUPILS)
    session = web.session()
    form = FilterForm(request.args)
    raw_school = (form.school.data or "").strip()
    found = operations.caseload(
        session,
        actor,
        school_id=(int(raw_school) if raw_school.isdigit() else -1) if raw_school else None,
        flag=(form.flag.data or "").strip() or None,
        page=request.args.get("page", type=int),
    )
    query: dict[str, Any] = {}
    if found.school_id is not None:
        query["school"] = found.school_id
    if found.flag is not None:
        query["flag"] = found.flag
    log(
        session,
        actor,
        "virtual_school.view",
        "opened the virtual school's list of pupils",
        details={
            "page": found.paging.page,
            "pupils": [row.pupil.id for row in found.rows],
            "address": request.remote_addr or "",
            **query,
        },
    )
    session.commit()
    return (
        render_template(
            "virtual_school/caseload.html",
            found=found,
            form=form,
            query=query,
            problems=found.problems,
        ),
        400 if found.problems else 200,
    )
