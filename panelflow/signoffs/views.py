"""Second sign-offs in the web UI: the list of requests waiting for you, one request's page,
and signing it off, refusing it (with a reason) or withdrawing it.

Asking for a sign-off happens on the step page itself (``cases.views.step`` calls
``operations.take``). Every route needs the permission to work on cases, and a request is
only found within need-to-know (``case_scope``): outside it the answer is 404, audited.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from panelflow import web
from panelflow.accounts.views import require_sign_in
from panelflow.audit.operations import log
from panelflow.cases.models import Case
from panelflow.roles.policy import Permission, allowed
from panelflow.roles.views import current_actor, not_found_for, require
from panelflow.signoffs.operations import (
    Pending,
    SignOffError,
    asked_by,
    refuse,
    role_words,
    sign_off,
    visible_request,
    waiting_for,
    withdraw,
)
from panelflow.workflows.definitions import TransitionDef
from panelflow.workflows.engine import Refused

bp = Blueprint("signoffs", __name__)
bp.before_request(require_sign_in)


class SignOffForm(FlaskForm):
    """Only the CSRF token: signing off records who and when."""


class RefuseForm(FlaskForm):
    reason = TextAreaField("Why are you refusing to sign it off?")


class WithdrawForm(FlaskForm):
    reason = TextAreaField("Why are you withdrawing it? (optional)")


@bp.app_template_global("sign_offs_waiting")
def sign_offs_waiting() -> list[Pending]:
    """For the inbox: the requests the signed-in person could sign off now."""
    actor = current_actor()
    if not allowed(actor, Permission.WORK_ON_CASES):
        return []
    return waiting_for(web.session(), actor)


@bp.app_template_global("sign_off_note")
def sign_off_note(case: Case, transition: TransitionDef) -> str:
    """The step page's words for a step that needs a second sign-off ('' if it does not)."""
    if not getattr(transition, "sign_off", ()):
        return ""
    from panelflow.catalogue.operations import pinned

    definitions = pinned(web.session(), case.workflow_version_id).engine.definitions
    return (
        "This step needs a second person's sign-off. When you send it, nothing changes on the "
        f"case until someone else ({role_words(definitions, transition.sign_off)}) reads your "
        "reasons and signs it off; they may refuse it with a reason, and you may withdraw it."
    )


@bp.get("/sign-offs")
@require(Permission.WORK_ON_CASES)
def waiting() -> ResponseReturnValue:
    actor = current_actor()
    session = web.session()
    return render_template(
        "signoffs/waiting.html",
        waiting=waiting_for(session, actor),
        mine=asked_by(session, actor),
    )


def _pending(request_id: int) -> Pending:
    actor = current_actor()
    found = visible_request(web.session(), actor, request_id)
    if found is None:
        not_found_for(actor, Permission.WORK_ON_CASES, sign_off_request=request_id)
    return found


def _page(
    pending: Pending,
    *,
    errors: list[str] | None = None,
    refuse_form: RefuseForm | None = None,
    withdraw_form: WithdrawForm | None = None,
    reason_error: str = "",
    status: int = 200,
) -> ResponseReturnValue:
    return (
        render_template(
            "signoffs/request.html",
            pending=pending,
            errors=errors or [],
            sign_form=SignOffForm(formdata=None),
            refuse_form=refuse_form or RefuseForm(formdata=None),
            withdraw_form=withdraw_form or WithdrawForm(formdata=None),
            reason_error=reason_error,
        ),
        status,
    )


@bp.get("/sign-offs/<int:request_id>")
@require(Permission.WORK_ON_CASES)
def request_page(request_id: int) -> ResponseReturnValue:
    actor = current_actor()
    session = web.session()
    pending = _pending(request_id)
    log(
        session,
        actor,
        "signoff.view",
        "opened a request for a second sign-off",
        case_id=pending.case.id,
        pupil_id=pending.case.pupil_id,
        details={"request": request_id},
    )
    session.commit()
    return _page(pending)


EXPIRED = "The form had expired; send it again"


@bp.post("/sign-offs/<int:request_id>/sign-off")
@require(Permission.WORK_ON_CASES)
def give(request_id: int) -> ResponseReturnValue:
    actor = current_actor()
    session = web.session()
    pending = _pending(request_id)
    if not SignOffForm().validate_on_submit():
        return _page(pending, errors=[EXPIRED], status=400)
    try:
        result = sign_off(session, actor, request_id)
    except SignOffError as error:
        session.rollback()
        return _page(_pending(request_id), errors=[error.message], status=400)
    if isinstance(result, Refused):
        if any(r.kind == "stale" for r in result.reasons):
            session.commit()  # the request is marked out of date
        else:
            session.rollback()
        stale = any(r.kind == "stale" for r in result.reasons)
        messages = [r.message[0].upper() + r.message[1:] for r in result.reasons]
        return _page(_pending(request_id), errors=messages, status=409 if stale else 400)
    session.commit()
    flash(f"{pending.label}: signed off, and the step is taken", "success")
    return redirect(url_for("cases.case", case_id=pending.case.id))


@bp.post("/sign-offs/<int:request_id>/refuse")
@require(Permission.WORK_ON_CASES)
def refuse_page(request_id: int) -> ResponseReturnValue:
    actor = current_actor()
    session = web.session()
    pending = _pending(request_id)
    form = RefuseForm()
    if not form.validate_on_submit():
        return _page(pending, errors=[EXPIRED], refuse_form=form, status=400)
    try:
        refuse(session, actor, request_id, form.reason.data or "")
    except SignOffError as error:
        session.rollback()
        return _page(
            _pending(request_id),
            errors=[] if error.field else [error.message],
            refuse_form=form,
            reason_error=error.message if error.field else "",
            status=400,
        )
    session.commit()
    flash(f"{pending.label}: you refused to sign it off", "success")
    return redirect(url_for("cases.case", case_id=pending.case.id))


@bp.post("/sign-offs/<int:request_id>/withdraw")
@require(Permission.WORK_ON_CASES)
def withdraw_page(request_id: int) -> ResponseReturnValue:
    actor = current_actor()
    session = web.session()
    pending = _pending(request_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        return _page(pending, errors=[EXPIRED], withdraw_form=form, status=400)
    try:
        withdraw(session, actor, request_id, form.reason.data or "")
    except SignOffError as error:
        session.rollback()
        return _page(_pending(request_id), errors=[error.message], withdraw_form=form, status=400)
    session.commit()
    flash(f"{pending.label}: your request was withdrawn", "success")
    return redirect(url_for("cases.case", case_id=pending.case.id))
