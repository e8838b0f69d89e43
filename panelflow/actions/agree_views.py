"""Agreeing an action on a case between meetings: an EWO consultation's action plan, the next
steps of a support plan. The action goes to its owner's inbox at once.

Whoever runs the case now (``runs_case``: may take a step that moves it on) may agree actions
on it, within need-to-know.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from panelflow import web
from panelflow.accounts.views import require_sign_in
from panelflow.actions.agreeing import agree_action, role_owners, runs_case
from panelflow.actions.operations import ActionError
from panelflow.cases.views import typed_date, visible_case
from panelflow.catalogue.operations import pinned
from panelflow.roles.policy import Permission
from panelflow.roles.views import current_actor, forbidden_for, require

bp = Blueprint("case_actions", __name__)
bp.before_request(require_sign_in)

OWNER_HINT = "Anyone in a role: it goes to their inbox straight away."


@bp.route("/cases/<int:case_id>/actions/new", methods=["GET", "POST"])
@require(Permission.WORK_ON_CASES)
def agree(case_id: int) -> ResponseReturnValue:
    actor = current_actor()
    session = web.session()
    case = visible_case(case_id)
    definitions = pinned(session, case.workflow_version_id).engine.definitions
    if not runs_case(definitions, case, actor.roles):
        forbidden_for(actor, Permission.WORK_ON_CASES, case=case_id, doing="agree an action")
    form = FlaskForm()
    owners = role_owners(definitions)
    values = {k: request.form.get(k, "") for k in ("title", "owner", "due")}
    problems: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        typed = values["due"].strip()
        due = typed_date(typed) if typed else None
        if not form.validate_on_submit():
            problems["title"] = "The form had expired; check your answers and send them again"
        elif typed and due is None:
            problems["due"] = "Enter the due date as day/month/year, like 12/1/2027"
        else:
            try:
                action = agree_action(
                    session,
                    actor,
                    case,
                    title=values["title"],
                    owner_key=values["owner"],
                    due=due,
                    owners=owners,
                )
            except ActionError as error:
                session.rollback()
                problems[error.field or "title"] = str(error)
            else:
                session.commit()
                flash(f"Action agreed: “{action.title}”; it is in its owner's inbox", "success")
                return redirect(url_for("cases.case", case_id=case.id) + "#actions")
        status = 400
    return (
        render_template(
            "actions/agree.html",
            case=case,
            form=form,
            owners=owners,
            values=values,
            problems=problems,
            hint=OWNER_HINT,
        ),
        status,
    )
