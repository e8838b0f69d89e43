"""Nominating a pupil, and the panels' meetings and agendas, in the web UI.

Nomination is one short form: find the pupil on your school's roll (or add them with their
name, date of birth and year group) and write one sentence. Searching posts what was typed,
so names never travel in a URL. Agendas list only the cases the viewer may see.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload
from wtforms import StringField, TextAreaField

from panelflow import web
from panelflow.accounts.views import require_sign_in
from panelflow.audit.operations import log
from panelflow.cases.models import Case
from panelflow.cases.views import pupil_search, typed_date, visible_pupil
from panelflow.organisations.models import Pupil
from panelflow.paging import Paging
from panelflow.panels.meeting import may_run
from panelflow.panels.models import Meeting, Panel, PanelMember, PanelSchool
from panelflow.panels.operations import (
    Agenda,
    NominationError,
    meetings_of,
    next_meeting,
    nominate,
    nominations_for,
)
from panelflow.presentation import day
from panelflow.roles.policy import Permission, allowed, case_scope
from panelflow.roles.views import current_actor, not_found_for, require

AGENDA_PAGE = 50  # pupils per page of an agenda

bp = Blueprint("panels", __name__)
bp.before_request(require_sign_in)


class FindForm(FlaskForm):
    q = StringField()


class ReasonForm(FlaskForm):
    reason = TextAreaField()


class NewPupilForm(FlaskForm):
    given_name = StringField()
    family_name = StringField()
    date_of_birth = StringField()
    year_group = StringField()
    reason = TextAreaField()


def _landed(nominated_meeting: Meeting | None, joined: bool, name: str) -> str:
    where = (
        f"the agenda of the panel meeting on {day(nominated_meeting.starts_at)}"
        if nominated_meeting
        else "the agenda of the next panel meeting (no date is set yet)"
    )
    if joined:
        return f"{name} already has a panel case; your nomination has been added to it"
    return f"{name} is on {where}"


@bp.route("/nominate", methods=["GET", "POST"])
@require(Permission.NOMINATE)
def nominate_find() -> ResponseReturnValue:
    actor = current_actor()
    form = FindForm()
    found: list[Pupil] = []
    searched = ""
    if form.validate_on_submit():
        searched = (form.q.data or "").strip()
        if searched:
            found = list(
                web.session().scalars(
                    select(Pupil)
                    .where(Pupil.school_id == actor.school_id, pupil_search(searched))  # type: ignore[arg-type]
                    .order_by(Pupil.family_name, Pupil.given_name)
                    .limit(20)
                )
            )
    return render_template("panels/nominate_find.html", form=form, found=found, searched=searched)


def _nominate_and_go(pupil: Pupil, reason: str) -> ResponseReturnValue | NominationError:
    session = web.session()
    try:
        result = nominate(session, current_actor(), pupil, reason)
    except NominationError as error:
        session.rollback()
        return error
    session.commit()
    flash(_landed(result.meeting, result.joined, pupil.full_name), "success")
    return redirect(url_for("cases.pupil", pupil_id=pupil.id))


@bp.route("/nominate/pupils/<int:pupil_id>", methods=["GET", "POST"])
@require(Permission.NOMINATE)
def nominate_pupil(pupil_id: int) -> ResponseReturnValue:
    actor = current_actor()
    pupil = visible_pupil(pupil_id)
    if pupil.school_id != actor.school_id:
        not_found_for(actor, Permission.NOMINATE, pupil=pupil.id)
    form = ReasonForm()
    error: NominationError | None = None
    if form.validate_on_submit():
        outcome = _nominate_and_go(pupil, form.reason.data or "")
        if not isinstance(outcome, NominationError):
            return outcome
        error = outcome
    existing = web.session().scalar(
        select(Case).where(
            Case.pupil_id == pupil.id, Case.workflow_key == "school_panel", Case.is_final.is_(False)
        )
    )
    return (
        render_template(
            "panels/nominate.html", form=form, pupil=pupil, error=error, existing=existing
        ),
        400 if error else 200,
    )


@bp.route("/nominate/new", methods=["GET", "POST"])
@require(Permission.NOMINATE)
def nominate_new() -> ResponseReturnValue:
    actor = current_actor()
    session = web.session()
    form = NewPupilForm()
    problems: dict[str, str] = {}
    if form.validate_on_submit():
        given = " ".join((form.given_name.data or "").split())
        family = " ".join((form.family_name.data or "").split())
        born = typed_date((form.date_of_birth.data or "").strip())
        year_text = (form.year_group.data or "").strip().lower().removeprefix("year").strip()
        year = {"reception": 0, "r": 0, "nursery": -1}.get(year_text)
        if year is None and year_text.lstrip("-").isdigit():
            year = int(year_text)
        if not given:
            problems["given_name"] = "Enter the pupil's first name"
        if not family:
            problems["family_name"] = "Enter the pupil's last name"
        if born is None:
            problems["date_of_birth"] = "Enter the date of birth as day/month/year, like 27/3/2015"
        elif not date(1990, 1, 1) <= born <= date.today():
            problems["date_of_birth"] = "The date of birth must be a real date in the past"
        if year is None or not -1 <= year <= 14:
            problems["year_group"] = "Enter the year group as a number from 0 (Reception) to 14"
        if not (form.reason.data or "").strip():
            problems["reason"] = "Write a sentence about why you are nominating this pupil"
        if not problems:
            assert born is not None and year is not None
            duplicate = session.scalar(
                select(Pupil).where(
                    Pupil.school_id == actor.school_id,
                    Pupil.date_of_birth == born,
                    Pupil.given_name.ilike(given),
                    Pupil.family_name.ilike(family),
                )
            )
            pupil = duplicate or Pupil(
                school_id=actor.school_id,
                given_name=given,
                family_name=family,
                date_of_birth=born,
                year_group=year,
            )
            if duplicate is None:
                session.add(pupil)
                session.flush()
                log(
                    session,
                    actor,
                    "pupil.add",
                    "added a pupil to the school's roll",
                    pupil_id=pupil.id,
                )
            outcome = _nominate_and_go(pupil, form.reason.data or "")
            if not isinstance(outcome, NominationError):
                return outcome
            problems[outcome.field or "reason"] = str(outcome)
    return (
        render_template("panels/nominate_new.html", form=form, problems=problems),
        400 if problems else 200,
    )


# -- panels, meetings and agendas -------------------------------------------------------------


def my_panels_query(actor_user_id: int | None, school_id: int | None):  # type: ignore[no-untyped-def]
    member = select(PanelMember.panel_id).where(PanelMember.user_id == actor_user_id)
    at_school = select(PanelSchool.panel_id).where(PanelSchool.school_id == school_id)
    return select(Panel).where(or_(Panel.id.in_(member), Panel.id.in_(at_school)))


@bp.get("/panels")
@require(Permission.VIEW_PUPILS)
def panels() -> ResponseReturnValue:
    actor = current_actor()
    session = web.session()
    found = session.scalars(
        my_panels_query(actor.user_id, actor.school_id)
        .options(selectinload(Panel.schools))
        .order_by(Panel.name)
    ).all()
    upcoming = {p.id: next_meeting(session, p.id) for p in found}
    return render_template("panels/panels.html", panels=found, upcoming=upcoming)


def visible_panel(panel_id: int) -> Panel:
    actor = current_actor()
    panel = web.session().scalar(
        my_panels_query(actor.user_id, actor.school_id)
        .options(selectinload(Panel.schools))
        .where(Panel.id == panel_id)
    )
    if panel is None:
        not_found_for(actor, Permission.VIEW_PUPILS, panel=panel_id)
    return panel


@bp.get("/panels/<int:panel_id>")
@require(Permission.VIEW_PUPILS)
def panel(panel_id: int) -> ResponseReturnValue:
    session = web.session()
    found = visible_panel(panel_id)
    members = (
        session.execute(
            select(PanelMember)
            .where(PanelMember.panel_id == found.id)
            .order_by(PanelMember.is_chair.desc(), PanelMember.id)
        )
        .scalars()
        .all()
    )
    from panelflow.accounts.models import User

    people = {
        u.id: u
        for u in session.scalars(select(User).where(User.id.in_([m.user_id for m in members])))
    }
    return render_template(
        "panels/panel.html",
        panel=found,
        members=[(m, people[m.user_id]) for m in members],
        meetings=meetings_of(session, found.id),
        upcoming=next_meeting(session, found.id),
        runs=allowed(current_actor(), Permission.RUN_PANELS),
    )


@bp.get("/meetings/<int:meeting_id>")
@require(Permission.VIEW_PUPILS)
def meeting(meeting_id: int) -> ResponseReturnValue:
    actor = current_actor()
    session = web.session()
    found = session.get(Meeting, meeting_id)
    if found is None:
        not_found_for(actor, Permission.VIEW_PUPILS, meeting=meeting_id)
    visible_panel(found.panel_id)
    seen = Agenda(session, found, within=case_scope(actor))
    paging = Paging.at(seen.count(), request.args.get("page", type=int), AGENDA_PAGE)
    shown = seen.entries(paging.offset, paging.per_page)
    return render_template(
        "panels/meeting.html",
        meeting=found,
        entries=shown,
        paging=paging,
        hidden=Agenda(session, found).count() - paging.total,
        nominations=nominations_for(session, [e.case.id for e in shown]),
        runs=may_run(session, actor, found),
        form=FlaskForm(),
    )
