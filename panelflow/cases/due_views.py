"""'Cases that need you': everything due now on the cases a person runs, and what falls due
in the next two school weeks, a page at a time. The inbox shows the first few of each."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from panelflow import web
from panelflow.accounts.views import require_sign_in
from panelflow.cases.due import Due
from panelflow.db import utcnow
from panelflow.paging import Paging
from panelflow.roles.policy import Permission
from panelflow.roles.views import current_actor, require

bp = Blueprint("due", __name__)
bp.before_request(require_sign_in)

PER_PAGE = 50
GROUPS = ("now", "soon")


@bp.get("/due")
@require(Permission.WORK_ON_CASES)
def due() -> ResponseReturnValue:
    """Both lists, a page of each; ``?group=now`` or ``?group=soon`` pages through one."""
    focus = request.args.get("group", "")
    focus = focus if focus in GROUPS else ""
    asked = request.args.get("page", 1, type=int) if focus else 1
    found = Due(web.session(), current_actor(), utcnow())
    lists, pages = {}, {}
    for group, read in (("now", found.due_now), ("soon", found.coming_up)):
        if focus and group != focus:
            continue
        first = read(PER_PAGE)
        paging = Paging.at(first.total, asked if group == focus else 1, PER_PAGE)
        lists[group] = read(PER_PAGE, paging.offset) if paging.page > 1 else first
        pages[group] = paging
    return render_template(
        "cases/due.html", lists=lists, pages=pages, focus=focus, until=found.until
    )
