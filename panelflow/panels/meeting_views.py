"""Meeting mode in the web UI: the chair's agenda controls, one pupil at a time, the minutes.

The chair drives these pages on a shared screen. Every page checks that the person runs this
panel (``may_run``) and that each pupil shown is within their need-to-know; the minutes show
each reader only the pupils they may see. Every form carries a CSRF token.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select, true
from sqlalchemy.orm import joinedload, selectinload

from panelflow import web
from panelflow.accounts.models import User
from panelflow.accounts.views import require_sign_in
from panelflow.actions.models import ACTION_STATUSES, Action
from panelflow.audit.operations import log
from panelflow.cases.models import Case, CaseEvent
from panelflow.cases.views import StepForm, explained, seen_version, typed_date, visible_case
from panelflow.db import utcnow
from panelflow.funding.operations import decisions_for_cases
from panelflow.organisations.models import Pupil
from panelflow.paging import Paging
from panelflow.panels import meeting as ops
from panelflow.panels.models import AgendaItem, CaseBarrier, Meeting, PanelMember, PanelSchool
from panelflow.panels.operations import Agenda, nominations_for
from panelflow.panels.views import AGENDA_PAGE, visible_panel
from panelflow.presentation import action_owner, day
from panelflow.roles.policy import Permission, case_scope
from panelflow.roles.views import current_actor, not_found_for, require

ACTIONS_PAGE = 100  # actions per page of a panel's actions
NAV_AROUND = 10  # pupils listed either side of the current one in meeting mode

bp = Blueprint("meetings", __name__)
bp.before_request(require_sign_in)


# The CSRF token and the case version seen; other fields are read by name.
MeetingForm = StepForm


def _meeting(meeting_id: int, permission: Permission = Permission.RUN_PANELS) -> Meeting:
    """The meeting, if the person may see its panel (and, to change it, runs the panel)."""
    actor = current_actor()
    session = web.session()
    found = session.get(Meeting, meeting_id)
    if found is None:
        not_found_for(actor, permission, meeting=meeting_id)
    visible_panel(found.panel_id)
    if permission is Permission.RUN_PANELS and not ops.may_run(session, actor, found):
        not_found_for(actor, permission, meeting=meeting_id)
    return found


def _item(meeting: Meeting, item_id: int) -> tuple[AgendaItem, Case]:
    session = web.session()
    try:
        item = ops.item_of(session, meeting, item_id)
    except LookupError:
        not_found_for(current_actor(), Permission.RUN_PANELS, item=item_id)
    return item, visible_case(item.case_id)


def _done(
    meeting: Meeting, message: str | None = None, case_id: int | None = None
) -> ResponseReturnValue:
    """Commit, and go back to the agenda: to the page and the row of ``case_id`` if given."""
    session = web.session()
    session.commit()
    if message:
        flash(message, "success")
    if case_id is None:
        return redirect(url_for("panels.meeting", meeting_id=meeting.id))
    index = Agenda(session, meeting, within=case_scope(current_actor())).index_of(case_id) or 0
    page = index // AGENDA_PAGE + 1
    return redirect(
        url_for("panels.meeting", meeting_id=meeting.id, page=page if page > 1 else None)
        + f"#case-{case_id}"
    )


def _refused(meeting: Meeting, error: ops.MeetingError) -> ResponseReturnValue:
    web.session().rollback()
    flash(str(error), "error")
    return redirect(url_for("panels.meeting", meeting_id=meeting.id))


def _valid() -> bool:
    form = MeetingForm()
    if not form.validate_on_submit():
        flash("The form had expired; try again", "error")
        return False
    return True


# -- the agenda -------------------------------------------------------------------------------


@bp.post("/meetings/<int:meeting_id>/start")
@require(Permission.RUN_PANELS)
def start(meeting_id: int) -> ResponseReturnValue:
    found = _meeting(meeting_id)
    if not _valid():
        return redirect(url_for("panels.meeting", meeting_id=found.id))
    try:
        ops.start(web.session(), current_actor(), found)
    except ops.MeetingError as error:
        return _refused(found, error)
    web.session().commit()
    return redirect(url_for("meetings.attendance", meeting_id=found.id))


@bp.post("/meetings/<int:meeting_id>/agenda/<int:case_id>/<any(up, down):direction>")
@require(Permission.RUN_PANELS)
def move(meeting_id: int, case_id: int, direction: str) -> ResponseReturnValue:
    found = _meeting(meeting_id)
    if not _valid():
        return redirect(url_for("panels.meeting", meeting_id=found.id))
    try:
        ops.move(web.session(), current_actor(), found, case_id, direction)
    except LookupError:
        not_found_for(current_actor(), Permission.RUN_PANELS, case=case_id)
    except ops.MeetingError as error:
        return _refused(found, error)
    return _done(found, case_id=case_id)


@bp.post("/meetings/<int:meeting_id>/agenda/<int:case_id>/defer")
@require(Permission.RUN_PANELS)
def defer(meeting_id: int, case_id: int) -> ResponseReturnValue:
    found = _meeting(meeting_id)
    if not _valid():
        return redirect(url_for("panels.meeting", meeting_id=found.id))
    try:
        ops.defer(web.session(), current_actor(), found, case_id, request.form.get("reason", ""))
    except LookupError:
        not_found_for(current_actor(), Permission.RUN_PANELS, case=case_id)
    except ops.MeetingError as error:
        return _refused(found, error)
    if request.form.get("next") == "run":
        web.session().commit()
        flash("Deferred to the next meeting", "success")
        return redirect(url_for("meetings.run", meeting_id=found.id))
    return _done(found, "Deferred to the next meeting", case_id)


@bp.post("/meetings/<int:meeting_id>/agenda/<int:case_id>/restore")
@require(Permission.RUN_PANELS)
def restore(meeting_id: int, case_id: int) -> ResponseReturnValue:
    found = _meeting(meeting_id)
    if not _valid():
        return redirect(url_for("panels.meeting", meeting_id=found.id))
    try:
        ops.restore(web.session(), current_actor(), found, case_id)
    except LookupError:
        not_found_for(current_actor(), Permission.RUN_PANELS, case=case_id)
    except ops.MeetingError as error:
        return _refused(found, error)
    return _done(found, "Back on the agenda", case_id)


@bp.route("/meetings/<int:meeting_id>/add", methods=["GET", "POST"])
@require(Permission.RUN_PANELS)
def add(meeting_id: int) -> ResponseReturnValue:
    actor = current_actor()
    session = web.session()
    found = _meeting(meeting_id)
    form = MeetingForm()
    problem = None
    if form.validate_on_submit():
        try:
            ops.add(session, actor, found, int(request.form.get("case") or 0))
        except (ops.MeetingError, ValueError) as error:
            session.rollback()
            problem = (
                str(error)
                if isinstance(error, ops.MeetingError)
                else "Choose a pupil from the list"
            )
        else:
            return _done(found, "Added to the agenda")
    candidates = session.scalars(
        ops.addable(found)
        .options(joinedload(Case.pupil).joinedload(Pupil.school))
        .where(case_scope(actor))
    ).all()
    return (
        render_template(
            "meetings/add.html", meeting=found, form=form, candidates=candidates, problem=problem
        ),
        400 if problem else 200,
    )


@bp.route("/meetings/<int:meeting_id>/attendance", methods=["GET", "POST"])
@require(Permission.RUN_PANELS)
def attendance(meeting_id: int) -> ResponseReturnValue:
    actor = current_actor()
    session = web.session()
    found = _meeting(meeting_id)
    form = MeetingForm()
    members = session.execute(
        select(PanelMember, User)
        .join(User, User.id == PanelMember.user_id)
        .where(PanelMember.panel_id == found.panel_id)
        .order_by(PanelMember.is_chair.desc(), User.name)
    ).all()
    present = ops.attendance_of(session, found.id)
    problem: ops.MeetingError | None = None
    others = [(a.name, a.agency) for a in present if a.user_id is None]
    if form.validate_on_submit():
        others = list(
            zip(
                request.form.getlist("other_name"),
                request.form.getlist("other_agency"),
                strict=False,
            )
        )
        try:
            ops.record_attendance(
                session,
                actor,
                found,
                [int(v) for v in request.form.getlist("present") if v.isdigit()],
                others,
            )
        except ops.MeetingError as error:
            session.rollback()
            problem = error
        else:
            session.commit()
            flash("Attendance recorded", "success")
            return redirect(url_for("meetings.run", meeting_id=found.id))
    ticked = (
        {int(v) for v in request.form.getlist("present") if v.isdigit()}
        if request.method == "POST"
        else {a.user_id for a in present if a.user_id}
    )
    return (
        render_template(
            "meetings/attendance.html",
            meeting=found,
            form=form,
            members=members,
            ticked=ticked,
            others=[o for o in others if any(o)] + [("", "")] * 3,
            problem=problem,
        ),
        400 if problem else 200,
    )


# -- one pupil at a time ----------------------------------------------------------------------


@bp.get("/meetings/<int:meeting_id>/run")
@require(Permission.RUN_PANELS)
def run(meeting_id: int) -> ResponseReturnValue:
    """Meeting mode: straight to the next pupil still waiting, in agenda order."""
    actor = current_actor()
    session = web.session()
    found = _meeting(meeting_id)
    if found.status != "in_progress":
        return redirect(url_for("panels.meeting", meeting_id=found.id))
    waiting = Agenda(session, found, within=case_scope(actor)).next_waiting()
    if waiting is None:
        return redirect(url_for("meetings.close", meeting_id=found.id))
    return redirect(url_for("meetings.item", meeting_id=found.id, item_id=waiting.id))


def _item_page(
    found: Meeting,
    item: AgendaItem,
    case: Case,
    *,
    problems: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    actor = current_actor()
    session = web.session()
    definitions = ops.definitions_for(session, case)
    seen = Agenda(session, found, within=case_scope(actor))
    position = seen.index_of(case.id) or 0
    start = max(0, position - NAV_AROUND)
    open_actions = session.scalars(
        select(Action)
        .options(selectinload(Action.assignee))
        .where(Action.case_id == case.id, Action.status.in_(("open", "accepted", "declined")))
        .where(Action.meeting_id.is_(None) | (Action.meeting_id != found.id))
        .order_by(Action.due_at)
    ).all()
    agreed = ops.actions_at(session, found.id, [case.id])
    earlier = session.execute(
        select(AgendaItem, Meeting)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(
            AgendaItem.case_id == case.id,
            AgendaItem.status == "discussed",
            AgendaItem.meeting_id != found.id,
        )
        .order_by(Meeting.starts_at.desc())
    ).all()
    barriers = session.scalars(
        select(CaseBarrier).where(CaseBarrier.case_id == case.id).order_by(CaseBarrier.at)
    ).all()
    rates = [
        (e.at, e.fields["attendance_rate"])
        for e in session.scalars(
            select(CaseEvent)
            .where(CaseEvent.group_id == case.group_id)
            .order_by(CaseEvent.at.desc())
            .limit(50)
        )
        if e.fields.get("attendance_rate") not in (None, "")
    ]
    log(
        session,
        actor,
        "case.view",
        "opened a case in meeting mode",
        case_id=case.id,
        pupil_id=case.pupil_id,
        details={"meeting": found.id, "address": request.remote_addr or ""},
    )
    session.commit()
    form = MeetingForm()
    form.expected_version.data = str(case.lock_version)
    return (
        render_template(
            "meetings/item.html",
            meeting=found,
            item=item,
            case=case,
            form=form,
            position=position,
            total=seen.held_count(),
            nav=seen.held(start, 2 * NAV_AROUND + 1),
            nav_start=start,
            nominations=nominations_for(session, [case.id]).get(case.id, []),
            state=definitions.workflows[case.workflow_key].state_label(case.state)
            if case.workflow_key in definitions.workflows
            else case.state,
            open_actions=open_actions,
            agreed=agreed,
            earlier=earlier,
            barriers=[b for b in barriers if b.meeting_id != found.id],
            ticked={f"{b.category}:{b.barrier}" for b in barriers if b.meeting_id == found.id},
            taxonomy=definitions.barriers,
            owners=ops.owners(session, found, definitions),
            outcomes=ops.outcomes(session, actor, case) if found.status == "in_progress" else [],
            rates=rates[:3],
            funding=decisions_for_cases(session, [case.id]),
            problems=problems or {},
            values=values or {},
            definitions=definitions,
        ),
        status,
    )


@bp.get("/meetings/<int:meeting_id>/items/<int:item_id>")
@require(Permission.RUN_PANELS)
def item(meeting_id: int, item_id: int) -> ResponseReturnValue:
    found = _meeting(meeting_id)
    agenda_item, case = _item(found, item_id)
    return _item_page(found, agenda_item, case)


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/discussion")
@require(Permission.RUN_PANELS)
def discussion(meeting_id: int, item_id: int) -> ResponseReturnValue:
    found = _meeting(meeting_id)
    agenda_item, case = _item(found, item_id)
    session = web.session()
    if not _valid():
        return redirect(url_for("meetings.item", meeting_id=found.id, item_id=item_id))
    try:
        ops.record_discussion(
            session,
            current_actor(),
            found,
            agenda_item,
            request.form.get("discussion", ""),
            request.form.getlist("barriers"),
        )
    except ops.MeetingError as error:
        session.rollback()
        return _item_page(
            found,
            agenda_item,
            case,
            problems={error.field or "discussion": str(error)},
            values={"discussion": request.form.get("discussion", "")},
            status=400,
        )
    session.commit()
    flash("Discussion and barriers saved", "success")
    return redirect(url_for("meetings.item", meeting_id=found.id, item_id=item_id) + "#actions")


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/actions")
@require(Permission.RUN_PANELS)
def agree(meeting_id: int, item_id: int) -> ResponseReturnValue:
    found = _meeting(meeting_id)
    agenda_item, case = _item(found, item_id)
    session = web.session()
    if not _valid():
        return redirect(url_for("meetings.item", meeting_id=found.id, item_id=item_id))
    typed = request.form.get("due", "").strip()
    due = typed_date(typed) if typed else None
    values = {k: request.form.get(k, "") for k in ("title", "owner", "due")}
    if typed and due is None:
        return _item_page(
            found,
            agenda_item,
            case,
            problems={"due": "Enter the due date as day/month/year, like 12/1/2027"},
            values=values,
            status=400,
        )
    try:
        ops.agree_action(
            session,
            current_actor(),
            found,
            agenda_item,
            title=values["title"],
            owner_key=values["owner"],
            due=due,
        )
    except ops.MeetingError as error:
        session.rollback()
        return _item_page(
            found,
            agenda_item,
            case,
            problems={error.field or "title": str(error)},
            values=values,
            status=400,
        )
    session.commit()
    flash("Action agreed; it is sent to its owner when the meeting closes", "success")
    return redirect(url_for("meetings.item", meeting_id=found.id, item_id=item_id) + "#actions")


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/actions/<int:action_id>/withdraw")
@require(Permission.RUN_PANELS)
def withdraw(meeting_id: int, item_id: int, action_id: int) -> ResponseReturnValue:
    found = _meeting(meeting_id)
    agenda_item, _case = _item(found, item_id)
    session = web.session()
    if _valid():
        try:
            ops.withdraw_action(session, current_actor(), found, agenda_item, action_id)
        except LookupError:
            not_found_for(current_actor(), Permission.RUN_PANELS, action=action_id)
        except ops.MeetingError as error:
            session.rollback()
            flash(str(error), "error")
        else:
            session.commit()
            flash("Action taken back", "success")
    return redirect(url_for("meetings.item", meeting_id=found.id, item_id=item_id) + "#actions")


@bp.route(
    "/meetings/<int:meeting_id>/items/<int:item_id>/outcome/<trigger>", methods=["GET", "POST"]
)
@require(Permission.RUN_PANELS)
def outcome(meeting_id: int, item_id: int, trigger: str) -> ResponseReturnValue:
    actor = current_actor()
    session = web.session()
    found = _meeting(meeting_id)
    agenda_item, case = _item(found, item_id)
    definitions = ops.definitions_for(session, case)
    choice = next(
        (o for o in ops.outcomes(session, actor, case) if o.transition.trigger == trigger), None
    )
    if choice is None:
        not_found_for(actor, Permission.RUN_PANELS, case=case.id, trigger=trigger)
    transition = choice.transition
    form = MeetingForm()
    problems: dict[str, str] = {}
    general: list[str] = []
    status = 200
    if request.method == "POST":
        values = {name: request.form.get(name, "") for name in transition.records}
        if not form.validate_on_submit():
            general.append("The form had expired; check your answers and send them again")
            status = 400
        else:
            try:
                refused = ops.decide(
                    session,
                    actor,
                    found,
                    agenda_item,
                    trigger,
                    values,
                    expected_version=seen_version(form),
                )
            except ops.MeetingError as error:
                session.rollback()
                general.append(str(error))
                status = 400
            else:
                if refused is None:
                    session.commit()
                    flash(f"{case.pupil.full_name}: {transition.label}", "success")
                    return redirect(url_for("meetings.run", meeting_id=found.id))
                session.rollback()
                problems, general, status = explained(refused)
    else:
        values = {name: "" for name in transition.records} | ops.drafted(
            session, found, agenda_item, transition
        )
        form.expected_version.data = str(case.lock_version)
    return (
        render_template(
            "cases/step.html",
            case=case,
            back_href=url_for("meetings.item", meeting_id=found.id, item_id=agenda_item.id),
            back_text=f"Back to {case.pupil.full_name}",
            caption=f"{case.pupil.full_name} · panel meeting, {day(found.starts_at)}",
            intro="What the meeting recorded is written in below. "
            "Check it, change what you need, and confirm.",
            transition=transition,
            fields=[definitions.fields[name] for name in transition.records],
            required=set(transition.requires),
            values=values,
            problems=problems,
            general=general,
            blocked=choice.blockers if not (problems or general) else (),
            form=form,
        ),
        status,
    )


# -- closing and the minutes ------------------------------------------------------------------


@bp.route("/meetings/<int:meeting_id>/close", methods=["GET", "POST"])
@require(Permission.RUN_PANELS)
def close(meeting_id: int) -> ResponseReturnValue:
    actor = current_actor()
    session = web.session()
    found = _meeting(meeting_id)
    form = MeetingForm()
    if form.validate_on_submit():
        try:
            closed = ops.close(session, actor, found)
        except ops.MeetingError as error:
            return _refused(found, error)
        session.commit()
        flash(
            f"Meeting closed: {closed.discussed} discussed, {closed.deferred} deferred, "
            f"{closed.actions} action(s) sent to their owners",
            "success",
        )
        return redirect(url_for("meetings.minutes", meeting_id=found.id))
    items = ops.items_of(session, found) if found.status == "in_progress" else []
    return render_template(
        "meetings/close.html",
        meeting=found,
        form=form,
        waiting=sum(1 for i in items if i.status == "waiting"),
        discussed=sum(1 for i in items if i.status == "discussed"),
        actions=len(ops.actions_at(session, found.id)),
        present=len(ops.attendance_of(session, found.id)),
    )


def _minutes(found: Meeting) -> dict[str, object]:
    """What the minutes say, limited to the pupils the reader may see."""
    actor = current_actor()
    session = web.session()
    held = Agenda(session, found, within=case_scope(actor)).held()
    cases = {case.id: case for _, case in held}
    shown = [item for item, _ in held]
    ids = list(cases)
    barriers: dict[int, list[CaseBarrier]] = defaultdict(list)
    for barrier in session.scalars(
        select(CaseBarrier)
        .where(CaseBarrier.meeting_id == found.id, CaseBarrier.case_id.in_(ids))
        .order_by(CaseBarrier.category, CaseBarrier.barrier)
    ):
        barriers[barrier.case_id].append(barrier)
    actions: dict[int, list[Action]] = defaultdict(list)
    for action in session.scalars(
        select(Action)
        .options(selectinload(Action.assignee))
        .where(Action.meeting_id == found.id, Action.case_id.in_(ids))
        .order_by(Action.created_at, Action.id)
    ):
        actions[action.case_id].append(action)
    events = {
        e.id: e
        for e in session.scalars(
            select(CaseEvent).where(
                CaseEvent.id.in_([i.case_event_id for i in shown if i.case_event_id])
            )
        )
    }
    labels = {}
    one_per_version = {c.workflow_version_id: c for c in cases.values()}
    by_version = {v: ops.definitions_for(session, c) for v, c in one_per_version.items()}
    for case in cases.values():
        definitions = by_version[case.workflow_version_id]
        workflow = definitions.workflows.get(case.workflow_key)
        for transition in workflow.transitions if workflow else ():
            labels[(case.id, transition.trigger)] = transition.label
    return {
        "meeting": found,
        "items": shown,
        "hidden": Agenda(session, found).held_count() - len(shown),
        "cases": cases,
        "barriers": barriers,
        "actions": actions,
        "events": events,
        "labels": labels,
        "present": ops.attendance_of(session, found.id),
        "closed_by": session.get(User, found.closed_by_user_id)
        if found.closed_by_user_id
        else None,
        "generated_at": datetime.now().astimezone(),
    }


@bp.get("/meetings/<int:meeting_id>/minutes")
@require(Permission.VIEW_PUPILS)
def minutes(meeting_id: int) -> ResponseReturnValue:
    found = _meeting(meeting_id, Permission.VIEW_PUPILS)
    context = _minutes(found)
    log(
        web.session(),
        current_actor(),
        "meeting.minutes",
        "read the minutes of a panel meeting",
        details={"meeting": found.id, "address": request.remote_addr or ""},
    )
    web.session().commit()
    return render_template("meetings/minutes.html", **context)


@bp.get("/meetings/<int:meeting_id>/minutes.pdf")
@require(Permission.VIEW_PUPILS)
def minutes_pdf(meeting_id: int) -> ResponseReturnValue:
    from panelflow.documents import DocumentUnavailable, pdf_from_html

    found = _meeting(meeting_id, Permission.VIEW_PUPILS)
    context = _minutes(found)
    html = render_template("meetings/minutes_print.html", **context)
    try:
        document = pdf_from_html(html)
    except DocumentUnavailable as error:
        flash(f"{error}. Print this page instead.", "error")
        return redirect(url_for("meetings.minutes", meeting_id=found.id))
    log(
        web.session(),
        current_actor(),
        "export.minutes",
        "downloaded the minutes of a panel meeting as a PDF",
        details={"meeting": found.id, "address": request.remote_addr or ""},
    )
    web.session().commit()
    day = found.starts_at.strftime("%Y-%m-%d")
    return Response(
        document,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="panel-minutes-{day}.pdf"'},
    )


# -- the chair's view of the panel's actions --------------------------------------------------


@bp.get("/panels/<int:panel_id>/actions")
@require(Permission.RUN_PANELS)
def panel_actions(panel_id: int) -> ResponseReturnValue:
    """Every action of the panel's pupils, by status and owner, within need-to-know."""
    actor = current_actor()
    session = web.session()
    panel = visible_panel(panel_id)
    schools = select(PanelSchool.school_id).where(PanelSchool.panel_id == panel.id)
    now = utcnow()
    # The cases first, then their actions: a plan SQLite keeps whatever its statistics say.
    cases = (
        select(Case.id)
        .join(Pupil, Pupil.id == Case.pupil_id)
        .where(Pupil.school_id.in_(schools), case_scope(actor))
    )
    panels = select(Action).where(Action.case_id.in_(cases))
    counts: dict[str, int] = dict(
        session.execute(
            panels.with_only_columns(Action.status, func.count()).group_by(Action.status)
        ).all()
    )
    overdue = session.scalar(
        panels.with_only_columns(func.count()).where(
            Action.status.in_(("open", "accepted")), Action.due_at < now
        )
    )
    status = request.args.get("status", "")
    status = status if status in ACTION_STATUSES else ""
    paging = Paging.at(
        counts.get(status, 0) if status else sum(counts.values()),
        request.args.get("page", type=int),
        ACTIONS_PAGE,
    )
    # One owner's actions together: named person, else role, else agency; then by due date.
    owner = func.coalesce(User.name, Action.role, Action.agency)
    by_owner: dict[str, list[Action]] = defaultdict(list)
    for action in session.scalars(
        panels.where(Action.status == status if status else true())
        .outerjoin(User, User.id == Action.assigned_user_id)
        .options(selectinload(Action.assignee), joinedload(Action.case).joinedload(Case.pupil))
        .order_by(owner, Action.due_at.is_(None), Action.due_at, Action.id)
        .offset(paging.offset)
        .limit(paging.per_page)
    ):
        by_owner[action_owner(action)].append(action)
    return render_template(
        "meetings/panel_actions.html",
        panel=panel,
        by_owner=by_owner,
        counts=counts,
        status=status,
        paging=paging,
        overdue=overdue,
        now=now,
    )
