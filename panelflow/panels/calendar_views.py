"""Meeting dates in the web UI: a panel's calendar page, monthly series, moving and
cancelling a meeting, and the personal iCalendar feed.

Every page but the feed needs someone signed in who can see the panel
(``panels.views.visible_panel``); planning needs ``run_panels``. The feed,
``/calendar/<token>.ics``, is the one route that answers without signing in: the token is
the key, so it is never logged, never audited in full and never put in a redirect. It is a
GET, so CSRF protection (on POST only) does not apply, and the security headers are added
to it like to every response.
"""

from __future__ import annotations

import logging
from datetime import date, time, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import StringField, TextAreaField

from panelflow import web
from panelflow.db import utcnow
from panelflow.forms import boxed_date
from panelflow.panels.calendar_models import LAST_WEEK, MeetingSeries
from panelflow.panels.feeds import (
    active_feed,
    build_calendar,
    create_feed,
    feed_meetings,
    open_feed,
    revoke_feed,
)
from panelflow.panels.models import Meeting, Panel
from panelflow.panels.schedule import (
    WEEKDAYS,
    WEEKS,
    Pattern,
    ScheduleError,
    SeriesPlan,
    cancel_meeting,
    changes_of,
    check_pattern,
    create_series,
    london,
    london_day,
    move_meeting,
    preview,
    typed_time,
    update_series,
)
from panelflow.panels.views import visible_panel
from panelflow.presentation import LONDON
from panelflow.roles.policy import Permission
from panelflow.roles.views import current_actor, not_found_for, require

logger = logging.getLogger(__name__)

bp = Blueprint("calendar", __name__)

DURATIONS = {
    30: "30 minutes",
    45: "45 minutes",
    60: "1 hour",
    90: "1 hour 30 minutes",
    120: "2 hours",
    150: "2 hours 30 minutes",
    180: "3 hours",
    240: "4 hours",
}
WEEK_CHOICES = {"1": 1, "2": 2, "3": 3, "4": 4, "last": LAST_WEEK}
CLOSURES_BEFORE, CLOSURES_AFTER = timedelta(days=30), timedelta(days=90)
DEFAULT_START = time(16, 0)


class SeriesForm(FlaskForm):
    week = StringField()
    weekday = StringField()
    start_time = StringField()
    duration = StringField()
    location = StringField()
    from_day = StringField()
    from_month = StringField()
    from_year = StringField()
    until_day = StringField()
    until_month = StringField()
    until_year = StringField()
    action = StringField()


class MoveForm(FlaskForm):
    day = StringField()
    month = StringField()
    year = StringField()
    time = StringField()


class CancelForm(FlaskForm):
    reason = TextAreaField()


class ConfirmForm(FlaskForm):
    pass


# -- the panel's calendar page and the feed address --------------------------------------------


def _calendar_page(panel: Panel, new_url: str | None = None) -> str:
    actor = current_actor()
    session = web.session()
    now = utcnow()
    meetings = session.scalars(
        select(Meeting)
        .where(Meeting.panel_id == panel.id, Meeting.starts_at >= now - timedelta(days=1))
        .order_by(Meeting.starts_at, Meeting.id)
    ).all()
    series = session.scalars(
        select(MeetingSeries)
        .where(MeetingSeries.panel_id == panel.id)
        .order_by(MeetingSeries.starts_on, MeetingSeries.id)
    ).all()
    assert actor.user_id is not None
    return render_template(
        "calendar/panel.html",
        panel=panel,
        meetings=meetings,
        changes=changes_of(session, [m.id for m in meetings]),
        series=series,
        patterns={s.id: Pattern.of(s) for s in series},
        feed=active_feed(session, actor.user_id, panel.id),
        new_url=new_url,
        form=ConfirmForm(),
    )


@bp.get("/panels/<int:panel_id>/calendar")
@require(Permission.VIEW_PUPILS)
def panel_calendar(panel_id: int) -> ResponseReturnValue:
    return _calendar_page(visible_panel(panel_id))


@bp.post("/panels/<int:panel_id>/calendar/feed")
@require(Permission.VIEW_PUPILS)
def make_feed(panel_id: int) -> ResponseReturnValue:
    panel = visible_panel(panel_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    session = web.session()
    _, token = create_feed(session, current_actor(), panel)
    session.commit()
    # Shown once, in this response only: never flashed (the session cookie) nor redirected to.
    return _calendar_page(panel, url_for("calendar.feed", token=token, _external=True))


@bp.post("/panels/<int:panel_id>/calendar/feed/revoke")
@require(Permission.VIEW_PUPILS)
def stop_feed(panel_id: int) -> ResponseReturnValue:
    panel = visible_panel(panel_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    session = web.session()
    revoked = revoke_feed(session, current_actor(), panel)
    session.commit()
    if revoked:
        flash("Your calendar address no longer works; calendars using it stop updating", "success")
    return redirect(url_for("calendar.panel_calendar", panel_id=panel.id))


@bp.get("/calendar/<token>.ics")
def feed(token: str) -> ResponseReturnValue:
    session = web.session()
    access = open_feed(session, token)
    if access is None:
        session.rollback()
        abort(404)
    meetings = feed_meetings(session, access.panel.id)
    body = build_calendar(
        session,
        access.panel,
        meetings,
        lambda m: url_for("panels.meeting", meeting_id=m.id, _external=True),
    )
    session.commit()  # the feed's last use
    logger.info("calendar feed %s read (%d meetings)", access.feed.id, len(meetings))
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="panel-meetings.ics"'
    response.headers["Cache-Control"] = "no-store"
    return response


# -- monthly series ------------------------------------------------------------------------------


def _pattern_from(form: SeriesForm) -> tuple[Pattern | None, dict[str, str]]:
    problems: dict[str, str] = {}
    week = WEEK_CHOICES.get(form.week.data or "")
    if week is None:
        problems["week"] = "Choose which week of the month the panel meets"
    weekday_text = form.weekday.data or ""
    weekday = int(weekday_text) if weekday_text.isdigit() else None
    if weekday not in WEEKDAYS:
        problems["weekday"] = "Choose the day of the week, Monday to Friday"
    start_time = typed_time(form.start_time.data or "")
    if start_time is None:
        problems["start_time"] = "Enter the start time like 16:00 or 4pm"
    duration_text = (form.duration.data or "").strip()
    duration = int(duration_text) if duration_text.isdigit() else None
    if duration is None:
        problems["duration"] = "Choose how long the meeting lasts"
    location = " ".join((form.location.data or "").split())
    starts_on, _ = boxed_date(form, "from", "the first date")
    if starts_on is None:
        problems["from"] = "Enter the first date as a real date, for example 1 9 2026"
    ends_on, _ = boxed_date(form, "until", "the last date")
    if ends_on is None:
        problems["until"] = "Enter the last date as a real date, for example 23 7 2027"
    if problems:
        return None, problems
    assert week is not None and weekday is not None and start_time is not None
    assert duration is not None and starts_on is not None and ends_on is not None
    return Pattern(week, weekday, start_time, duration, location, starts_on, ends_on), {}


def _fill(form: SeriesForm, pattern: Pattern) -> None:
    form.week.data = next(k for k, v in WEEK_CHOICES.items() if v == pattern.week)
    form.weekday.data = str(pattern.weekday)
    form.start_time.data = pattern.start_time.strftime("%H:%M")
    form.duration.data = str(pattern.duration_minutes)
    form.location.data = pattern.location
    for prefix, day in (("from", pattern.starts_on), ("until", pattern.ends_on)):
        getattr(form, f"{prefix}_day").data = str(day.day)
        getattr(form, f"{prefix}_month").data = str(day.month)
        getattr(form, f"{prefix}_year").data = str(day.year)


def _end_of_school_year(today: date) -> date:
    year = today.year + (1 if today.month >= 8 else 0)
    return date(year, 7, 31)


def _series_page(panel: Panel, series: MeetingSeries | None) -> ResponseReturnValue:
    actor = current_actor()
    session = web.session()
    form = SeriesForm()
    problems: dict[str, str] = {}
    outcome: SeriesPlan | None = None
    if not form.is_submitted():
        today = london_day(utcnow())
        _fill(
            form,
            Pattern.of(series)
            if series is not None
            else Pattern(2, 3, DEFAULT_START, 90, "", today, _end_of_school_year(today)),
        )
    elif not form.validate():
        problems["week"] = "The form had expired; check the details and send it again"
    else:
        pattern, problems = _pattern_from(form)
        if pattern is not None:
            try:
                if form.action.data == "save":
                    if series is None:
                        _, outcome = create_series(session, actor, panel, pattern)
                    else:
                        outcome = update_series(
                            session,
                            actor,
                            series,
                            pattern,
                            link=url_for(
                                "calendar.panel_calendar", panel_id=panel.id, _external=True
                            ),
                        )
                    session.commit()
                    flash(f"Meeting series saved: {outcome.summary()}", "success")
                    return redirect(url_for("calendar.panel_calendar", panel_id=panel.id))
                check_pattern(pattern, london_day(utcnow()))
                outcome = preview(session, panel, pattern, series=series)
            except ScheduleError as error:
                session.rollback()
                problems[error.field or "week"] = str(error)
    return (
        render_template(
            "calendar/series.html",
            panel=panel,
            series=series,
            form=form,
            problems=problems,
            outcome=outcome,
            weeks=WEEKS,
            week_choices=WEEK_CHOICES,
            weekdays=WEEKDAYS,
            durations=DURATIONS,
        ),
        400 if problems else 200,
    )


@bp.route("/panels/<int:panel_id>/series/new", methods=["GET", "POST"])
@require(Permission.RUN_PANELS)
def new_series(panel_id: int) -> ResponseReturnValue:
    return _series_page(visible_panel(panel_id), None)


@bp.route("/series/<int:series_id>", methods=["GET", "POST"])
@require(Permission.RUN_PANELS)
def edit_series(series_id: int) -> ResponseReturnValue:
    found = web.session().get(MeetingSeries, series_id)
    if found is None:
        not_found_for(current_actor(), Permission.RUN_PANELS, series=series_id)
    return _series_page(visible_panel(found.panel_id), found)


# -- moving and cancelling one meeting -----------------------------------------------------------


def _meeting(meeting_id: int) -> tuple[Meeting, Panel]:
    found = web.session().get(Meeting, meeting_id)
    if found is None:
        not_found_for(current_actor(), Permission.RUN_PANELS, meeting=meeting_id)
    return found, visible_panel(found.panel_id)


def _closures_near(panel: Panel, meeting: Meeting) -> list[str]:
    """The closures around the meeting's date, where a chair is likely to move it."""
    from panelflow.terms.dates import plain_runs
    from panelflow.terms.operations import closures_of

    if panel.local_authority_id is None:
        return []
    planned = london_day(meeting.starts_at)
    first = max(london_day(utcnow()), planned - CLOSURES_BEFORE)
    return plain_runs(
        c
        for c in closures_of(web.session(), panel.local_authority_id)
        if first <= c.day <= planned + CLOSURES_AFTER
    )


def _meeting_link(meeting: Meeting) -> str:
    return url_for("panels.meeting", meeting_id=meeting.id, _external=True)


@bp.route("/meetings/<int:meeting_id>/move", methods=["GET", "POST"])
@require(Permission.RUN_PANELS)
def move(meeting_id: int) -> ResponseReturnValue:
    found, panel = _meeting(meeting_id)
    session = web.session()
    form = MoveForm()
    problems: dict[str, str] = {}
    if form.is_submitted():
        if not form.validate():
            problems["day"] = "The form had expired; check the details and send it again"
        else:
            day, _ = boxed_date(form, "", "the date")
            at = typed_time(form.time.data or "")
            if day is None:
                problems["day"] = "Enter the new date as a real date, for example 12 11 2026"
            if at is None:
                problems["time"] = "Enter the new time like 16:00 or 4pm"
            if day is not None and at is not None:
                try:
                    move_meeting(
                        session,
                        current_actor(),
                        found,
                        london(day, at),
                        link=_meeting_link(found),
                    )
                except ScheduleError as error:
                    session.rollback()
                    problems[error.field or "day"] = str(error)
                else:
                    session.commit()
                    flash("The meeting has moved; the panel's members have been emailed", "success")
                    return redirect(url_for("panels.meeting", meeting_id=found.id))
    else:
        form.time.data = found.starts_at.astimezone(LONDON).strftime("%H:%M")
    return (
        render_template(
            "calendar/move.html",
            meeting=found,
            panel=panel,
            form=form,
            problems=problems,
            closures=_closures_near(panel, found),
        ),
        400 if problems else 200,
    )


@bp.route("/meetings/<int:meeting_id>/cancel", methods=["GET", "POST"])
@require(Permission.RUN_PANELS)
def cancel(meeting_id: int) -> ResponseReturnValue:
    found, panel = _meeting(meeting_id)
    session = web.session()
    form = CancelForm()
    problems: dict[str, str] = {}
    if form.is_submitted():
        if not form.validate():
            problems["reason"] = "The form had expired; send it again"
        else:
            try:
                cancel_meeting(
                    session,
                    current_actor(),
                    found,
                    form.reason.data or "",
                    link=_meeting_link(found),
                )
            except ScheduleError as error:
                session.rollback()
                problems[error.field or "reason"] = str(error)
            else:
                session.commit()
                flash("The meeting is cancelled; the panel's members have been emailed", "success")
                return redirect(url_for("panels.meeting", meeting_id=found.id))
    return (
        render_template(
            "calendar/cancel.html", meeting=found, panel=panel, form=form, problems=problems
        ),
        400 if problems else 200,
    )
