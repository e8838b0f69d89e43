"""'Your cases': the open cases a person runs, page by page, filterable by workflow."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from panelflow import web
from panelflow.accounts.views import require_sign_in
from panelflow.cases.worklist import worklist
from panelflow.roles.policy import Permission
from panelflow.roles.views import current_actor, require

bp = Blueprint("worklist", __name__)
bp.before_request(require_sign_in)

PER_PAGE = 50


@bp.get("/cases")
@require(Permission.WORK_ON_CASES)
def cases() -> ResponseReturnValue:
    chosen = request.args.get("workflow", "")
    found = worklist(
        web.session(),
        current_actor(),
        workflow=chosen,
        page=request.args.get("page", 1, type=int),
        per_page=PER_PAGE,
    )
    return render_template("cases/worklist.html", found=found, chosen=chosen)
