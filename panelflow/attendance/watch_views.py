"""Who may need help, in the web UI: the "may need a conversation" list of one school.

The list only suggests: each row links to the pupil and, for people who may nominate at that
school, to the nomination page, where a person decides. Need-to-know is applied in the
queries (``suggestions.conversations``); opening the list is audited with the pupils shown.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from panelflow import web
from panelflow.accounts.views import require_sign_in
from panelflow.attendance import suggestions
from panelflow.attendance.figures import PupilFigures, tag
from panelflow.audit.operations import log
from panelflow.roles.policy import Permission, allowed
from panelflow.roles.views import current_actor, require
from panelflow.workflows.facts import percent

bp = Blueprint("attendance_watch", __name__)
bp.before_request(require_sign_in)


@bp.app_template_global("attendance_percent")
def attendance_percent(share: Fraction | None) -> str:
    """A rate or a share as people read it: '96%', or '89.6%'."""
    return percent(share)


@bp.app_template_global("attendance_tag")
def attendance_tag(figures: PupilFigures | None) -> str | None:
    """'Severe absence', 'Persistent absence' or nothing."""
    return tag(figures)


@bp.get("/attendance/conversations")
@require(Permission.VIEW_PUPILS)
def conversations() -> ResponseReturnValue:
    actor = current_actor()
    session = web.session()
    raw_school = (request.args.get("school") or "").strip()
    school_id = (int(raw_school) if raw_school.isdigit() else -1) if raw_school else None
    found = suggestions.conversations(
        session, actor, school_id=school_id, page=request.args.get("page", type=int)
    )
    query: dict[str, Any] = {"school": found.school.id} if found.school is not None else {}
    log(
        session,
        actor,
        "attendance.conversations.view",
        "opened the list of pupils who may need a conversation",
        details={
            **query,
            "page": found.paging.page,
            "pupils": [row.pupil.id for row in found.rows],
            "address": request.remote_addr or "",
        },
    )
    session.commit()
    return (
        render_template(
            "attendance/watch_conversations.html",
            found=found,
            query=query,
            problems=found.problems,
            may_nominate=allowed(actor, Permission.NOMINATE),
            school_id=actor.school_id,
            rules=found.rules,
        ),
        400 if found.problems else 200,
    )
