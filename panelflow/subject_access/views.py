"""The subject access page: what the export holds, the request's reference, the download.

``/pupils/<id>/subject-access`` is for people whose roles allow exports and who see the
pupil (``operations.may_try``); anyone else gets 403 (audited), like the pupil's page. A
pupil outside their need-to-know is 404 (audited), so the pupil's existence does not leak;
someone who sees the pupil but not every one of their cases gets 403 (audited). Posting the
form (CSRF-checked) with a valid reference answers with the zip, once its audit record is
committed.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template
from flask.typing import ResponseReturnValue

from panelflow import web
from panelflow.accounts.views import require_sign_in
from panelflow.documents import DocumentUnavailable
from panelflow.organisations.models import Pupil
from panelflow.roles.policy import Permission
from panelflow.roles.views import current_actor, forbidden_for, not_found_for, require
from panelflow.subject_access import operations as ops
from panelflow.subject_access.forms import RequestForm
from panelflow.subject_access.gather import SECTIONS

bp = Blueprint("subject_access", __name__)
bp.before_request(require_sign_in)


def _pupil(pupil_id: int) -> Pupil:
    """The pupil, if the person may export everything held about them; 403 or 404 (audited)."""
    actor = current_actor()
    session = web.session()
    if not ops.may_try(actor):
        forbidden_for(actor, Permission.VIEW_PUPILS, pupil=pupil_id)
    pupil = ops.visible_pupil(session, actor, pupil_id)
    if pupil is None:
        not_found_for(actor, Permission.EXPORT, pupil=pupil_id)
    if not ops.sees_every_case(session, actor, pupil.id):
        forbidden_for(actor, Permission.EXPORT, pupil=pupil_id, reason="sees some cases only")
    return pupil


@bp.app_template_global("may_export_subject_access")
def may_export_subject_access(pupil: Pupil) -> bool:
    """For the pupil's page: whether to link to the export."""
    from flask_login import current_user

    if not current_user.is_authenticated or not ops.may_try(current_actor()):
        return False
    return ops.may_export(web.session(), current_actor(), pupil.id)


@bp.route("/pupils/<int:pupil_id>/subject-access", methods=["GET", "POST"])
@require(Permission.EXPORT)
def subject_access(pupil_id: int) -> ResponseReturnValue:
    pupil = _pupil(pupil_id)
    session = web.session()
    form = RequestForm()
    problems: dict[str, str] = {}
    general: list[str] = []
    status = 200
    if form.is_submitted():
        if not form.validate():
            general.append("The form had expired; enter the reference and send it again")
            status = 400
        else:
            try:
                made = ops.export(
                    session, current_actor(), pupil.id, form.reference.data or "", render_template
                )
            except ops.ReferenceProblem as problem:
                session.rollback()
                problems["reference"] = str(problem)
                status = 400
            except DocumentUnavailable as error:
                session.rollback()
                general.append(f"The export could not be made: {error}")
                status = 503
            else:
                session.commit()
                return Response(
                    made.chunks(),
                    mimetype="application/zip",
                    headers={
                        "Content-Disposition": f'attachment; filename="{made.filename}"',
                        "Content-Length": str(made.size),
                        "Cache-Control": "no-store",
                    },
                )
    return (
        render_template(
            "subject_access/request.html",
            pupil=pupil,
            form=form,
            sections=SECTIONS,
            problems=problems,
            general=general,
        ),
        status,
    )
