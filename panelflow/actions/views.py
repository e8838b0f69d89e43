"""The action inbox: what each professional has been asked to do, and doing it.

The inbox lists, in SQL, the actions addressed to the person (by name, role or agency);
an action page outside that answers 404 (audited). Accepting, declining (with a reason,
which the panel chair is told), recording progress and completing (with an outcome) each
go through ``work_on``, one transaction, then back to the inbox.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import selectinload
from wtforms import HiddenField, TextAreaField

from panelflow import web
from panelflow.accounts.views import require_sign_in
from panelflow.actions.models import Action
from panelflow.actions.operations import NEEDS_TEXT, STEPS, ActionError, addressed_to, work_on
from panelflow.cases.due import due_summary
from panelflow.cases.models import Case
from panelflow.db import utcnow
from panelflow.organisations.models import Pupil
from panelflow.paging import Paging
from panelflow.roles import Actor
from panelflow.roles.policy import Permission, case_scope
from panelflow.roles.views import current_actor, not_found_for, require

bp = Blueprint("actions", __name__)
bp.before_request(require_sign_in)

RECENT = timedelta(days=30)
INBOX_PAGE = 50  # actions per page of each group of the inbox
INBOX_GROUPS = ("open", "accepted", "closed")
INBOX_DUE = 5  # items of each list of "Cases that need you"


class StepForm(FlaskForm):
    text = TextAreaField()
    expected_status = HiddenField()


def still_known(actor: Actor) -> ColumnElement[bool]:
    """An action stays in view while it is open or accepted; once it is completed or
    declined, only while its case is still within the person's need-to-know (so another
    agency's view of the pupil ends with its involvement)."""
    return or_(
        Action.status.in_(("open", "accepted")),
        Action.case_id.in_(select(Case.id).where(case_scope(actor))),
    )


def _with_pupil():  # type: ignore[no-untyped-def]
    return (
        select(Action)
        .options(
            selectinload(Action.assignee),
        )
        .join(Case, Case.id == Action.case_id)
        .join(Pupil, Pupil.id == Case.pupil_id)
        .add_columns(Pupil)
    )


@bp.get("/actions")
@require(Permission.WORK_ON_CASES)
def inbox() -> ResponseReturnValue:
    """New, under way, and recently finished: each group's soonest due first, a page of each;
    ``?group=`` shows one group, page by page."""
    actor = current_actor()
    session = web.session()
    now = utcnow()
    mine = (
        addressed_to(actor),
        still_known(actor),
        or_(Action.status.in_(("open", "accepted")), Action.status_changed_at >= now - RECENT),
    )
    group_of = sql_case(
        (Action.status == "open", "open"), (Action.status == "accepted", "accepted"), else_="closed"
    )
    totals: dict[str, int] = {key: 0 for key in INBOX_GROUPS}
    for key, count in session.execute(
        select(group_of, func.count()).where(*mine).group_by(group_of)
    ):
        totals[key] = count
    focus = request.args.get("group", "")
    focus = focus if focus in INBOX_GROUPS else ""
    pages = {
        key: Paging.at(
            totals[key], request.args.get("page", type=int) if key == focus else 1, INBOX_PAGE
        )
        for key in INBOX_GROUPS
    }
    # Each group's page in one query (need-to-know is worked out once, not once a group).
    ranked = (
        select(
            Action.id.label("action_id"),
            group_of.label("grp"),
            func.row_number()
            .over(
                partition_by=group_of,
                order_by=(Action.due_at.is_(None), Action.due_at, Action.id),
            )
            .label("n"),
        )
        .where(*mine)
        .subquery()
    )
    shown = [key for key in INBOX_GROUPS if totals[key] and focus in ("", key)]
    on_page = [
        and_(
            ranked.c.grp == key,
            ranked.c.n > pages[key].offset,
            ranked.c.n <= pages[key].offset + INBOX_PAGE,
        )
        for key in shown
    ]
    groups: dict[str, list[tuple[Action, Pupil]]] = {key: [] for key in shown}
    if on_page:
        for action, pupil, key in session.execute(
            _with_pupil()
            .join(ranked, ranked.c.action_id == Action.id)
            .add_columns(ranked.c.grp)
            .where(or_(*on_page))
            .order_by(ranked.c.grp, ranked.c.n)
        ):
            groups[key].append((action, pupil))
    # "Cases that need you" (panelflow/cases/due.py): the first few, on the inbox's first view.
    due = None if focus else due_summary(session, actor, now, INBOX_DUE)
    return render_template(
        "actions/inbox.html", groups=groups, pages=pages, focus=focus, now=now, due=due
    )


def _mine(action_id: int) -> tuple[Action, Pupil]:
    actor = current_actor()
    row = (
        web.session()
        .execute(
            _with_pupil()
            .options(selectinload(Action.updates))
            .where(Action.id == action_id, addressed_to(actor), still_known(actor))
        )
        .first()
    )
    if row is None:
        not_found_for(actor, Permission.WORK_ON_CASES, action=action_id)
    return row[0], row[1]


@bp.get("/actions/<int:action_id>")
@require(Permission.WORK_ON_CASES)
def action(action_id: int) -> ResponseReturnValue:
    found, pupil = _mine(action_id)
    return render_template(
        "actions/action.html", action=found, pupil=pupil, form=StepForm(), problem=None, step=None
    )


@bp.post("/actions/<int:action_id>/<step>")
@require(Permission.WORK_ON_CASES)
def take(action_id: int, step: str) -> ResponseReturnValue:
    found, pupil = _mine(action_id)
    if step not in STEPS:
        not_found_for(current_actor(), Permission.WORK_ON_CASES, action=action_id, step=step)
    form = StepForm()
    session = web.session()
    problem: str | None = None
    if not form.validate_on_submit():
        problem = "The form had expired; send it again"
    else:
        try:
            work_on(
                session,
                found.id,
                current_actor(),
                step,
                form.text.data or "",
                expected_status=form.expected_status.data or None,
            )
        except ActionError as error:
            problem = str(error)
        except LookupError:
            not_found_for(current_actor(), Permission.WORK_ON_CASES, action=action_id)
    if problem is None:
        session.commit()
        flash(DONE[step], "success")
        if step == "progress":
            return redirect(url_for("actions.action", action_id=found.id))
        return redirect(url_for("actions.inbox"))
    session.rollback()
    session.refresh(found)
    return (
        render_template(
            "actions/action.html", action=found, pupil=pupil, form=form, problem=problem, step=step
        ),
        400,
    )


DONE = {
    "accept": "Action accepted: it is yours now",
    "decline": "Action declined: the panel chair will be told",
    "progress": "Progress recorded",
    "complete": "Action completed",
}
assert set(DONE) == set(STEPS) and set(NEEDS_TEXT) <= set(STEPS)
