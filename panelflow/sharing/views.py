"""Information sharing pages: record consent or a lawful basis, and record its withdrawal.

Both pages are for people who may record sharing (``record_sharing``) and work on the
pupil's cases within need-to-know; anyone else gets 404 (audited), so the pupil's existence
does not leak. The pupil's page shows the "Information sharing" section through
``sharing_for(pupil)``, a template global reading the pupil's bases and involvements.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from sqlalchemy import select

from panelflow import web
from panelflow.accounts.views import require_sign_in
from panelflow.cases.models import Case, Consent
from panelflow.catalogue.operations import engine_for, live_version
from panelflow.db import utcnow
from panelflow.forms import boxed_date
from panelflow.organisations.models import Pupil
from panelflow.roles.policy import Permission, pupil_scope
from panelflow.roles.views import current_actor, not_found_for, require
from panelflow.sharing import operations as ops
from panelflow.sharing.forms import BasisForm, WithdrawForm
from panelflow.sharing.models import Involvement

bp = Blueprint("sharing", __name__)
bp.before_request(require_sign_in)


def _pupil(pupil_id: int) -> Pupil:
    """The pupil, if the person may record sharing for them; 404 (audited) otherwise."""
    actor = current_actor()
    session = web.session()
    pupil = session.scalar(select(Pupil).where(Pupil.id == pupil_id, pupil_scope(actor)))
    if pupil is None or not ops.may_record(session, actor, pupil.id):
        not_found_for(actor, Permission.RECORD_SHARING, pupil=pupil_id)
    return pupil


def _agencies() -> dict[str, str]:
    live = live_version(web.session())
    return ops.agencies_to_share_with(engine_for(live).definitions if live else None)


@bp.route("/pupils/<int:pupil_id>/sharing/new", methods=["GET", "POST"])
@require(Permission.RECORD_SHARING)
def record(pupil_id: int) -> ResponseReturnValue:
    pupil = _pupil(pupil_id)
    session = web.session()
    form = BasisForm()
    problems: dict[str, str] = {}
    general: list[str] = []
    if form.is_submitted():
        if not form.validate():
            general.append("The form had expired; check your answers and send them again")
        else:
            given_on = _date(form, "given_on", "the date it was given", problems)
            expires_on = _date(form, "expires_on", "the last day it covers", problems)
            details = ops.BasisDetails(
                agency=form.agency.data or "",
                basis=form.basis.data or "",
                lawful_basis=form.lawful_basis.data or "",
                purpose=form.purpose.data or "",
                given_by=form.given_by.data or "",
                given_on=given_on,
                expires_on=expires_on,
            )
            try:
                ops.record_basis(session, current_actor(), pupil.id, details, problems=problems)
            except ops.SharingError as error:
                session.rollback()
                problems = error.problems
            except LookupError:
                not_found_for(current_actor(), Permission.RECORD_SHARING, pupil=pupil_id)
            else:
                session.commit()
                label = _agencies().get(details.agency, details.agency)
                flash(f"Recorded: {pupil.given_name}'s cases may be shared with {label}", "success")
                return redirect(url_for("cases.pupil", pupil_id=pupil.id) + "#information-sharing")
    return (
        render_template(
            "sharing/record.html",
            pupil=pupil,
            form=form,
            agencies=_agencies(),
            bases=ops.BASES,
            problems=problems,
            general=general,
        ),
        400 if problems or general else 200,
    )


@bp.route("/pupils/<int:pupil_id>/sharing/<int:consent_id>/withdraw", methods=["GET", "POST"])
@require(Permission.RECORD_SHARING)
def withdraw(pupil_id: int, consent_id: int) -> ResponseReturnValue:
    pupil = _pupil(pupil_id)
    session = web.session()
    consent = session.get(Consent, consent_id)
    if consent is None or consent.pupil_id != pupil.id:
        not_found_for(
            current_actor(), Permission.RECORD_SHARING, pupil=pupil_id, consent=consent_id
        )
    form = WithdrawForm()
    problems: dict[str, str] = {}
    general: list[str] = []
    if form.is_submitted():
        if not form.validate():
            general.append("The form had expired; check your answers and send them again")
        else:
            withdrawn_on = _date(form, "withdrawn_on", "the date it was withdrawn", problems)
            withdrawal = ops.Withdrawal(
                withdrawn_by=form.withdrawn_by.data or "",
                how=form.how.data or "",
                withdrawn_on=withdrawn_on,
            )
            try:
                ended = ops.withdraw(
                    session, current_actor(), consent.id, withdrawal, problems=problems
                )
            except ops.SharingError as error:
                session.rollback()
                problems = error.problems
            except LookupError:
                not_found_for(
                    current_actor(), Permission.RECORD_SHARING, pupil=pupil_id, consent=consent_id
                )
            else:
                session.commit()
                label = _agencies().get(consent.agency, consent.agency)
                flash(_withdrawn_message(label, ended), "success")
                return redirect(url_for("cases.pupil", pupil_id=pupil.id) + "#information-sharing")
    elif consent.withdrawn_at is None:
        today = ops.today(utcnow())
        form.withdrawn_on_day.data = str(today.day)
        form.withdrawn_on_month.data = str(today.month)
        form.withdrawn_on_year.data = str(today.year)
    return (
        render_template(
            "sharing/withdraw.html",
            pupil=pupil,
            consent=consent,
            label=_agencies().get(consent.agency, consent.agency.replace("_", " ")),
            form=form,
            problems=problems,
            general=general,
            last_day=ops.last_day(consent),
        ),
        400 if problems or general else 200,
    )


def _withdrawn_message(label: str, ended: ops.Ended) -> str:
    if ended.still_shared:
        return (
            f"Withdrawal recorded. Another basis for sharing with {label} still stands, so "
            "they keep their access"
        )
    n = len(ended.actions)
    return f"Withdrawal recorded: sharing with {label} has ended" + (
        f" and {n} of their action{'' if n == 1 else 's'} ended" if n else ""
    )


# -- the section on the pupil's page ---------------------------------------------------------


@dataclass(frozen=True)
class BasisRow:
    consent: Consent
    agency: str  # the agency's label
    last_day: date | None
    status: str  # current | withdrawn | expired


@dataclass(frozen=True)
class InvolvementRow:
    agency: str
    case_title: str
    involvement: Involvement


@dataclass(frozen=True)
class Section:
    bases: list[BasisRow]
    involvements: list[InvolvementRow]
    may_record: bool


def sharing_for(pupil: Pupil) -> Section:
    """What the pupil's page shows under "Information sharing". The page itself has already
    checked that the person may see the pupil."""
    from panelflow.presentation import agency_label

    session = web.session()
    actor = current_actor()
    now = utcnow()
    bases = []
    for consent in session.scalars(
        select(Consent)
        .where(Consent.pupil_id == pupil.id)
        .order_by(Consent.agency, Consent.recorded_at.desc(), Consent.id.desc())
    ):
        status = "current"
        if consent.withdrawn_at is not None:
            status = "withdrawn"
        elif consent.expires_at is not None and consent.expires_at <= now:
            status = "expired"
        bases.append(BasisRow(consent, agency_label(consent.agency), ops.last_day(consent), status))
    involvements = []
    rows = session.execute(
        select(Involvement, Case)
        .join(Case, Case.id == Involvement.case_id)
        .where(Involvement.pupil_id == pupil.id, Involvement.ended_at.is_(None))
        .order_by(Involvement.started_at)
    ).all()
    for involvement, case in rows:
        from panelflow.catalogue.operations import pinned

        workflow = pinned(session, case.workflow_version_id).engine.workflow(case.workflow_key)
        involvements.append(
            InvolvementRow(
                agency_label(involvement.agency),
                workflow.title if workflow else case.workflow_key,
                involvement,
            )
        )
    return Section(bases, involvements, ops.may_record(session, actor, pupil.id))


@bp.app_context_processor
def _globals() -> dict[str, object]:
    return {"sharing_for": sharing_for}


def _date(form: FlaskForm, prefix: str, what: str, problems: dict[str, str]) -> date | None:
    """A date from its three boxes; what is wrong with it goes beside them (``prefix``)."""
    found, problem = boxed_date(form, prefix, what)
    if problem:
        problems[prefix] = problem
    return found
