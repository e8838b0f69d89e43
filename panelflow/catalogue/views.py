"""The read-only workflow catalogue: published workflows, their steps and diagrams."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template
from sqlalchemy import select

from panelflow import web
from panelflow.accounts.views import require_sign_in
from panelflow.catalogue.models import WorkflowVersion
from panelflow.catalogue.operations import engine_for, live_version, version_by_number
from panelflow.roles.policy import Permission, allowed
from panelflow.roles.views import current_actor, require
from panelflow.workflows.conditions import describe_condition
from panelflow.workflows.diagram import DiagramUnavailable, render_svg

bp = Blueprint("catalogue", __name__)


# The catalogue is for staff: every page needs a signed-in person who may read workflows.
bp.before_request(require_sign_in)


@bp.get("/")
@require(Permission.VIEW_WORKFLOWS)
def home() -> str:
    version = live_version(web.session())
    workflows = engine_for(version).definitions.workflows if version else {}
    return render_template(
        "catalogue/home.html", version=version, workflows=workflows, due=_due_totals()
    )


def _due_totals() -> tuple[int, int] | None:
    """For people who work on cases, how much is due on theirs: the home page points them to
    their work (``cases/due.py``), and the catalogue stays below."""
    from panelflow.cases.due import Due
    from panelflow.db import utcnow

    actor = current_actor()
    if not allowed(actor, Permission.WORK_ON_CASES):
        return None
    return Due(web.session(), actor, utcnow()).totals()


def _version_or_404(number: int | None) -> WorkflowVersion:
    session = web.session()
    version = live_version(session) if number is None else version_by_number(session, number)
    if version is None:
        abort(404)
    return version


@bp.get("/workflows")
@require(Permission.VIEW_WORKFLOWS)
def index() -> str:
    version = live_version(web.session())
    definitions = engine_for(version).definitions if version else None
    return render_template("catalogue/index.html", version=version, definitions=definitions)


@bp.get("/workflows/versions")
@require(Permission.VIEW_WORKFLOWS)
def versions() -> str:
    rows = (
        web.session().scalars(select(WorkflowVersion).order_by(WorkflowVersion.number.desc())).all()
    )
    return render_template("catalogue/versions.html", versions=rows)


@bp.get("/workflows/versions/<int:number>")
@require(Permission.VIEW_WORKFLOWS)
def version_detail(number: int) -> str:
    version = _version_or_404(number)
    live = live_version(web.session())
    return render_template(
        "catalogue/version.html",
        version=version,
        is_live=live is not None and live.id == version.id,
    )


@bp.get("/workflows/versions/<int:number>/<key>")
@require(Permission.VIEW_WORKFLOWS)
def workflow_in_version(number: int, key: str) -> str:
    return _workflow_page(_version_or_404(number), key)


@bp.get("/workflows/<key>")
@require(Permission.VIEW_WORKFLOWS)
def workflow(key: str) -> str:
    return _workflow_page(_version_or_404(None), key)


def _workflow_page(version: WorkflowVersion, key: str) -> str:
    definitions = engine_for(version).definitions
    wf = definitions.workflows.get(key)
    if wf is None:
        abort(404)
    return render_template(
        "catalogue/workflow.html",
        version=version,
        wf=wf,
        definitions=definitions,
        describe=describe_condition,
    )


@bp.get("/workflows/versions/<int:number>/<key>/diagram.svg")
@require(Permission.VIEW_WORKFLOWS)
def diagram(number: int, key: str) -> Response:
    version = _version_or_404(number)
    wf = engine_for(version).definitions.workflows.get(key)
    if wf is None:
        abort(404)
    try:
        svg = render_svg(wf)
    except DiagramUnavailable as error:
        return Response(str(error), status=503, mimetype="text/plain")
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=86400, immutable"
    return response
