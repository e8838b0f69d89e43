"""Pupils and their cases in the web UI: find a pupil, read their cases, take a step.

Every query is filtered by need-to-know in SQL (``pupil_scope``, ``case_scope``); a pupil or
case outside it answers 404 through ``not_found_for`` (audited). Opening a pupil's page or a
case is itself an audit record. Searching posts the words typed, so names never travel in a
URL's query string.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload
from wtforms import HiddenField, StringField

from panelflow import web
from panelflow.accounts.views import require_sign_in
from panelflow.actions.agreeing import runs_case
from panelflow.actions.models import Action
from panelflow.attendance.figures import pupil_figures
from panelflow.audit.operations import log
from panelflow.cases.models import Case, CaseTimer
from panelflow.cases.operations import options, suggestions
from panelflow.cases.rows import CaseRow
from panelflow.cases.timeline import timeline
from panelflow.catalogue.operations import pinned
from panelflow.organisations.models import Pupil
from panelflow.plans.forms import attach, plan_inputs
from panelflow.roles.policy import Permission, allowed, case_scope, pupil_scope
from panelflow.roles.views import current_actor, not_found_for, require
from panelflow.signoffs.models import SignOffRequest
from panelflow.signoffs.operations import take
from panelflow.workflows.definitions import TransitionDef, WorkflowSet
from panelflow.workflows.engine import Refused
from panelflow.workflows.structured import parse_day as typed_date  # 27/3/2015, 2015-03-27

bp = Blueprint("cases", __name__)
bp.before_request(require_sign_in)

PAGE_SIZE = 50


class SearchForm(FlaskForm):
    q = StringField("Name, date of birth or UPN")


class StepForm(FlaskForm):
    """Only the CSRF token and the version seen travel in the form object; the step's own
    fields come from the workflow file and are read by name."""

    expected_version = HiddenField()


def visible_pupil(pupil_id: int) -> Pupil:
    """The pupil, if the person may see them; 404 (audited) otherwise."""
    actor = current_actor()
    pupil = web.session().scalar(
        select(Pupil)
        .options(selectinload(Pupil.school))
        .where(Pupil.id == pupil_id, pupil_scope(actor))
    )
    if pupil is None:
        not_found_for(actor, Permission.VIEW_PUPILS, pupil=pupil_id)
    return pupil


def visible_case(case_id: int) -> Case:
    actor = current_actor()
    case = web.session().scalar(
        select(Case)
        .options(selectinload(Case.pupil).selectinload(Pupil.school))
        .where(Case.id == case_id, case_scope(actor))
    )
    if case is None:
        not_found_for(actor, Permission.VIEW_PUPILS, case=case_id)
    return case


def pupil_search(words: str) -> object:
    """A SQL condition for what was typed: part of a name, a UPN, or a date of birth."""
    words = " ".join(words.split())
    day = typed_date(words)
    if day is not None:
        return Pupil.date_of_birth == day
    like = f"%{words.lower()}%"
    full = func.lower(Pupil.given_name + " " + Pupil.family_name)
    return or_(full.like(like), func.lower(Pupil.upn) == words.lower())


@bp.route("/pupils", methods=["GET", "POST"])
@require(Permission.VIEW_PUPILS)
def pupils() -> ResponseReturnValue:
    actor = current_actor()
    form = SearchForm()
    query = select(Pupil).options(selectinload(Pupil.school)).where(pupil_scope(actor))
    searched = ""
    if form.validate_on_submit() and (form.q.data or "").strip():
        searched = form.q.data.strip()
        query = query.where(pupil_search(searched))  # type: ignore[arg-type]
    found = (
        web.session()
        .scalars(query.order_by(Pupil.family_name, Pupil.given_name, Pupil.id).limit(PAGE_SIZE + 1))
        .all()
    )
    return render_template(
        "cases/pupils.html",
        form=form,
        pupils=found[:PAGE_SIZE],
        more=len(found) > PAGE_SIZE,
        searched=searched,
    )


def _definitions(case: Case) -> WorkflowSet:
    return pinned(web.session(), case.workflow_version_id).engine.definitions


def _labels(cases: Sequence[Case]) -> dict[tuple[str, str], str]:
    labels: dict[tuple[str, str], str] = {}
    for case in cases:
        wf = _definitions(case).workflows.get(case.workflow_key)
        for t in wf.transitions if wf else ():
            labels[(case.workflow_key, t.trigger)] = t.label
    return labels


def _rows(cases: Sequence[Case]) -> list[CaseRow]:
    return [CaseRow(c, _definitions(c).workflows.get(c.workflow_key)) for c in cases]


@bp.get("/pupils/<int:pupil_id>")
@require(Permission.VIEW_PUPILS)
def pupil(pupil_id: int) -> ResponseReturnValue:
    actor = current_actor()
    session = web.session()
    found = visible_pupil(pupil_id)
    cases = session.scalars(
        select(Case).where(Case.pupil_id == found.id, case_scope(actor)).order_by(Case.opened_at)
    ).all()
    case_ids = [c.id for c in cases]
    actions = session.scalars(
        select(Action)
        .where(Action.case_id.in_(case_ids), Action.status.in_(("open", "accepted")))
        .order_by(Action.due_at)
    ).all()
    definitions = _definitions(cases[-1]) if cases else None
    entries = timeline(session, case_ids, definitions, _labels(cases))
    attendance = pupil_figures(session, found.id)
    log(
        session,
        actor,
        "pupil.view",
        "opened a pupil's page",
        pupil_id=found.id,
        details={"address": request.remote_addr or ""},
    )
    session.commit()
    return render_template(
        "cases/pupil.html",
        pupil=found,
        cases=_rows(cases),
        actions=actions,
        entries=entries,
        numbered={case_id: n for n, case_id in enumerate(case_ids, start=1)},
        attendance=attendance,
    )


@bp.get("/cases/<int:case_id>")
@require(Permission.VIEW_PUPILS)
def case(case_id: int) -> ResponseReturnValue:
    from panelflow.funding.operations import case_funding
    from panelflow.signoffs.operations import case_panel

    actor = current_actor()
    session = web.session()
    found = visible_case(case_id)
    linked = session.scalars(
        select(Case)
        .where(Case.group_id == found.group_id, Case.id != found.id, case_scope(actor))
        .order_by(Case.opened_at)
    ).all()
    definitions = _definitions(found)
    steps = options(found, actor) if allowed(actor, Permission.WORK_ON_CASES) else []
    # The history flows both ways: a linked case's steps show here too, marked with its name.
    entries = timeline(
        session, [found.id, *(c.id for c in linked)], definitions, _labels([found, *linked])
    )
    actions = session.scalars(
        select(Action).where(Action.case_id == found.id).order_by(Action.created_at)
    ).all()
    coming = session.scalars(
        select(CaseTimer)
        .where(CaseTimer.case_id == found.id, CaseTimer.status == "pending")
        .order_by(CaseTimer.due_at, CaseTimer.id)
    ).all()
    funding = case_funding(session, actor, found)
    formal = case_panel(session, actor, found, steps)
    suggested = suggestions(found, [s for s in steps if s.permitted and s.transition.allowed])
    log(
        session,
        actor,
        "case.view",
        "opened a case",
        case_id=found.id,
        pupil_id=found.pupil_id,
        details={"address": request.remote_addr or ""},
    )
    session.commit()
    return render_template(
        "cases/case.html",
        case=found,
        row=_rows([found])[0],
        linked=_rows(linked),
        steps=[s for s in steps if s.permitted and s.transition.allowed],
        formal=formal,
        actions=actions,
        may_agree=allowed(actor, Permission.WORK_ON_CASES)
        and runs_case(definitions, found, actor.roles),
        coming=coming,
        entries=entries,
        sources={row.case.id: row.title for row in _rows(linked)},
        definitions=definitions,
        funding=funding,
        suggested=suggested,
    )


def seen_version(form: StepForm) -> int | None:
    """The case's version as the person saw it when the form was shown, if it came back."""
    try:
        return int(form.expected_version.data or "")
    except ValueError:
        return None


def explained(refused: Refused) -> tuple[dict[str, str], list[str], int]:
    """A refusal as messages beside fields, general messages, and the HTTP status."""
    problems: dict[str, str] = {}
    general: list[str] = []
    for reason in refused.reasons:
        message = reason.message[0].upper() + reason.message[1:]
        if reason.field:
            problems[reason.field] = message
        else:
            general.append(message)
    return problems, general, 409 if any(r.kind == "conflict" for r in refused.reasons) else 400


def _transition(case: Case, trigger: str) -> tuple[WorkflowSet, TransitionDef | None]:
    definitions = _definitions(case)
    wf = definitions.workflows.get(case.workflow_key)
    found = next((t for t in wf.transitions if t.trigger == trigger), None) if wf else None
    return definitions, found


@bp.route("/cases/<int:case_id>/steps/<trigger>", methods=["GET", "POST"])
@require(Permission.WORK_ON_CASES)
def step(case_id: int, trigger: str) -> ResponseReturnValue:
    actor = current_actor()
    session = web.session()
    found = visible_case(case_id)
    definitions, transition = _transition(found, trigger)
    if transition is None or not transition.allowed:
        # Unknown steps, and steps only the timer takes, have no page.
        not_found_for(actor, Permission.WORK_ON_CASES, case=case_id, trigger=trigger)
    form = StepForm()
    values = {name: request.form.get(name, "") for name in transition.records}
    # A support plan or a plan review is a form of its own (panelflow/plans/forms.py).
    values.update(plan_inputs(session, found, definitions, transition, request.form or None))
    problems: dict[str, str] = {}
    general: list[str] = []
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            general.append("The form had expired; check your answers and send them again")
            status = 400
        else:
            # A step with 'sign_off:' waits for a second person instead of being taken now.
            result = take(
                session, found, trigger, actor, values, expected_version=seen_version(form)
            )
            if not isinstance(result, Refused):
                session.commit()
                asked = isinstance(result, SignOffRequest)
                flash(
                    f"{transition.label}: {'waiting for a second sign-off' if asked else 'done'}",
                    "success",
                )
                return redirect(url_for("cases.case", case_id=found.id))
            session.rollback()
            problems, general, status = explained(result)
            attach(values, problems)
    else:
        form.expected_version.data = str(found.lock_version)
    available = next((o for o in options(found, actor) if o.transition.trigger == trigger), None)
    return (
        render_template(
            "cases/step.html",
            case=found,
            row=_rows([found])[0],
            transition=transition,
            fields=[definitions.fields[name] for name in transition.records],
            required=set(transition.requires),
            values=values,
            problems=problems,
            general=general,
            form=form,
            blocked=[] if available is None else [r.message for r in available.blockers],
        ),
        status,
    )
