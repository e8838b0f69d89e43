"""Monthly meeting series on the school calendar, and moving or cancelling a meeting.

The first half is pure: ``plan(pattern, calendar, closures)`` turns "the 2nd Thursday of each
month at 4pm" into dates. When the rule's day is not a school day on the local authority's
term dates (a half term, a training day, a bank holiday), the meeting moves to the next
school day in the same month; when the month has none left (August), the month is skipped.
Each date says why, so a chair reads "moved from Tuesday 27 October (Autumn half term)".
Times are Europe/London wall-clock times, so a 4pm meeting stays at 4pm across the clock
change at the end of October; they are stored in UTC like every moment.

The second half holds the operations (a session and an actor, never a commit): setting up
a series, editing it (only meetings still to come, still scheduled and with nothing on their
agenda are re-planned; the others are kept and the preview says why), moving a meeting and
cancelling one. Members of the panel are told by email, with no pupil data.
"""

from __future__ import annotations

import calendar
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from panelflow.accounts.models import User
from panelflow.audit.operations import log
from panelflow.db import utcnow
from panelflow.notify.outbox import queue
from panelflow.panels.calendar_models import LAST_WEEK, MeetingChange, MeetingSeries
from panelflow.panels.models import AgendaItem, Meeting, Panel, PanelMember
from panelflow.presentation import LONDON, when
from panelflow.roles import Actor
from panelflow.roles.policy import Permission, can
from panelflow.workflows.durations import SchoolCalendar

logger = logging.getLogger(__name__)

WEEKS = {1: "first", 2: "second", 3: "third", 4: "fourth", LAST_WEEK: "last"}
WEEKDAYS = {n: calendar.day_name[n] for n in range(5)}
EARLIEST, LATEST = time(7, 0), time(21, 0)
MIN_MINUTES, MAX_MINUTES = 15, 480
MAX_SPAN = timedelta(days=2 * 366)
LOCATION_LIMIT = 200
REASON_LIMIT = 500
# A meeting outside a series has no length of its own; calendars show it as this long.
DEFAULT_MINUTES = 120


class ScheduleError(Exception):
    """A meeting or series cannot be planned as asked; ``field`` names the form field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# -- the pure part: a rule, a calendar, dates ------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    """What the chair chose for a monthly series."""

    week: int  # 1 to 4, or LAST_WEEK
    weekday: int  # 0 Monday to 4 Friday
    start_time: time  # London wall clock
    duration_minutes: int
    location: str
    starts_on: date
    ends_on: date

    def describe(self) -> str:
        """'the second Thursday of each month at 4pm'."""
        weekday = WEEKDAYS[self.weekday]
        return f"the {WEEKS[self.week]} {weekday} of each month at {clock(self.start_time)}"

    @classmethod
    def of(cls, series: MeetingSeries) -> Pattern:
        return cls(
            series.week,
            series.weekday,
            series.start_time,
            series.duration_minutes,
            series.location,
            series.starts_on,
            series.ends_on,
        )


@dataclass(frozen=True)
class PlannedDate:
    """One month of a series: the rule's day, where the meeting lands and why."""

    month: date  # the first of the month
    rule_day: date  # the nth (or last) weekday
    day: date | None  # the meeting's day; None when the month is skipped
    closure: str = ""  # why the rule's day is not a school day

    @property
    def moved(self) -> bool:
        return self.day is not None and self.day != self.rule_day

    @property
    def skipped(self) -> bool:
        return self.day is None

    @property
    def note(self) -> str:
        """'' on the rule's day; otherwise why the meeting moved or the month was skipped."""
        if self.skipped:
            return (
                f"No meeting in {self.month:%B %Y}: schools are closed on "
                f"{short(self.rule_day)} ({self.closure}) and no school day follows that month"
            )
        if self.moved:
            return f"Moved from {short(self.rule_day)} ({self.closure})"
        return ""


def clock(moment: time) -> str:
    """'4pm', '9:30am'."""
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes}{'am' if moment.hour < 12 else 'pm'}"


def short(day: date) -> str:
    """'Tuesday 27 October'."""
    return f"{day:%A} {day.day} {day:%B}"


def nth_weekday(year: int, month: int, weekday: int, week: int) -> date:
    """The ``week``-th (1 to 4, or LAST_WEEK) ``weekday`` (0 is Monday) of a month."""
    if week == LAST_WEEK:
        last = date(year, month, calendar.monthrange(year, month)[1])
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    if week not in (1, 2, 3, 4):
        raise ValueError(f"week must be 1 to 4 or {LAST_WEEK}, not {week}")
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (week - 1))


def months_between(first: date, last: date) -> Iterable[date]:
    """The first day of each month from ``first``'s month to ``last``'s."""
    month = first.replace(day=1)
    while month <= last:
        yield month
        month = (month + timedelta(days=32)).replace(day=1)


def plan(
    pattern: Pattern, school_days: SchoolCalendar, closures: Mapping[date, str]
) -> list[PlannedDate]:
    """Every month of the series from ``starts_on`` to ``ends_on``, in order.

    A month whose rule day falls outside those dates is not part of the series. A rule day
    that is not a school day moves to the next school day of the same month (never past
    ``ends_on``); without one, the month is skipped. ``closures`` names the closed days.
    """
    planned = []
    for month in months_between(pattern.starts_on, pattern.ends_on):
        rule_day = nth_weekday(month.year, month.month, pattern.weekday, pattern.week)
        if not pattern.starts_on <= rule_day <= pattern.ends_on:
            continue
        if school_days.is_school_day(rule_day):
            planned.append(PlannedDate(month, rule_day, rule_day))
            continue
        closure = closures.get(rule_day) or "closed"
        found: date | None = None
        day = rule_day + timedelta(days=1)
        while day.month == month.month and day <= pattern.ends_on:
            if school_days.is_school_day(day):
                found = day
                break
            day += timedelta(days=1)
        planned.append(PlannedDate(month, rule_day, found, closure))
    return planned


def london(day: date, at: time) -> datetime:
    """The UTC moment of a London wall-clock time on a day (BST or GMT, as it falls)."""
    return datetime.combine(day, at, LONDON).astimezone(UTC)


def london_day(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$")


def typed_time(words: str) -> time | None:
    """A time as people type it: 16:00, 4pm, 4:30 pm, 9.30am, 0930 is not understood."""
    words = " ".join(words.lower().split())
    if words in ("noon", "midday", "12 noon"):
        return time(12, 0)
    match = _TIME.match(words)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    suffix = (match.group(3) or "").replace(".", "")
    if suffix:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    elif match.group(2) is None:
        return None  # "4" alone: morning or afternoon?
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return time(hour, minute)


def check_pattern(pattern: Pattern, today: date) -> None:
    """Refuse a series that cannot be planned, naming the field at fault."""
    if pattern.week not in WEEKS:
        raise ScheduleError("Choose which week of the month", "week")
    if pattern.weekday not in WEEKDAYS:
        raise ScheduleError("Choose a day from Monday to Friday", "weekday")
    if not EARLIEST <= pattern.start_time <= LATEST:
        raise ScheduleError(
            f"Choose a start time between {clock(EARLIEST)} and {clock(LATEST)}", "start_time"
        )
    if not MIN_MINUTES <= pattern.duration_minutes <= MAX_MINUTES:
        raise ScheduleError(
            f"A meeting lasts from {MIN_MINUTES} minutes to {MAX_MINUTES // 60} hours; "
            "enter the length in minutes",
            "duration",
        )
    if len(pattern.location) > LOCATION_LIMIT:
        raise ScheduleError(
            f"Keep the location to {LOCATION_LIMIT} characters (it has {len(pattern.location)})",
            "location",
        )
    if pattern.ends_on < pattern.starts_on:
        raise ScheduleError("The last date must be the same as or after the first date", "until")
    if pattern.ends_on < today:
        raise ScheduleError("The last date has passed; a series must run into the future", "until")
    if pattern.ends_on - pattern.starts_on > MAX_SPAN:
        raise ScheduleError(
            "A series can cover at most 2 years; set up another one when it ends", "until"
        )


# -- planning against the database ---------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """What saving a series does to one month (or one meeting): shown in the preview."""

    kind: str  # new | same | changed | kept | taken | skipped | dropped
    month: date
    starts_at: datetime | None  # when the meeting will be (for dropped: when it was)
    note: str
    meeting_id: int | None = None
    was: datetime | None = None  # for changed: the time before

    @property
    def heading(self) -> str:
        return STEP_WORDS[self.kind]


STEP_WORDS = {
    "new": "New meeting",
    "same": "Already planned",
    "changed": "Re-planned",
    "kept": "Kept as it is",
    "taken": "Not added",
    "skipped": "No meeting",
    "dropped": "Cancelled",
}


@dataclass(frozen=True)
class SeriesPlan:
    """Every step saving the series takes, in date order."""

    steps: tuple[Step, ...]

    def count(self, kind: str) -> int:
        return sum(1 for s in self.steps if s.kind == kind)

    def summary(self) -> str:
        """'3 new meetings, 1 meeting kept as it is'."""
        parts = []
        for kind, (one, many) in SUMMARY_WORDS.items():
            n = self.count(kind)
            if n:
                parts.append(f"{n} {one if n == 1 else many}")
        return ", ".join(parts) or "no change to the meetings"


SUMMARY_WORDS = {
    "new": ("new meeting", "new meetings"),
    "changed": ("meeting re-planned", "meetings re-planned"),
    "kept": ("meeting kept as it is", "meetings kept as they are"),
    "taken": ("day that already had a meeting", "days that already had a meeting"),
    "dropped": ("meeting cancelled", "meetings cancelled"),
}


def closure_names(session: Session, local_authority_id: int | None) -> dict[date, str]:
    """Why each closed day is closed, from the authority's stored term dates."""
    from panelflow.terms.operations import closures_of

    if local_authority_id is None:
        return {}
    return {c.day: c.name for c in closures_of(session, local_authority_id)}


def plan_for_panel(session: Session, panel: Panel, pattern: Pattern) -> list[PlannedDate]:
    """``plan`` on the panel's local authority's term dates (Monday to Friday without)."""
    from panelflow.terms.operations import calendar_for

    return plan(
        pattern,
        calendar_for(session, panel.local_authority_id),
        closure_names(session, panel.local_authority_id),
    )


def _kept_because(meeting: Meeting, items: int) -> str | None:
    """Why a meeting of the series is not re-planned, or None when it may be."""
    if meeting.status == "cancelled":
        return "it was cancelled"
    if meeting.status != "scheduled":
        return f"it is {meeting.status.replace('_', ' ')}"
    if items:
        return f"it has {items} item{'s' if items != 1 else ''} on its agenda"
    return None


def _meetings_on(session: Session, panel_id: int, day: date) -> list[Meeting]:
    start = london(day, time())
    end = london(day + timedelta(days=1), time())
    return list(
        session.scalars(
            select(Meeting).where(
                Meeting.panel_id == panel_id,
                Meeting.status != "cancelled",
                Meeting.starts_at >= start,
                Meeting.starts_at < end,
            )
        )
    )


def _month_of(meeting: Meeting) -> date:
    return london_day(meeting.moved_from or meeting.starts_at).replace(day=1)


def preview(
    session: Session,
    panel: Panel,
    pattern: Pattern,
    *,
    series: MeetingSeries | None = None,
    now: datetime | None = None,
) -> SeriesPlan:
    """What saving ``pattern`` (as a new series, or as ``series`` edited) would do.

    Only meetings from ``now`` on are planned. Future meetings of the series that are still
    scheduled with nothing on their agenda are re-planned (moved to the new day, or
    cancelled when their month has no meeting any more); the others are kept.
    """
    now = now or utcnow()
    future: list[Meeting] = []
    items: dict[int, int] = {}
    if series is not None and series.id is not None:
        future = list(
            session.scalars(
                select(Meeting)
                .where(Meeting.series_id == series.id, Meeting.starts_at > now)
                .order_by(Meeting.starts_at, Meeting.id)
            )
        )
        items = {
            meeting_id: count
            for meeting_id, count in session.execute(
                select(AgendaItem.meeting_id, func.count())
                .where(AgendaItem.meeting_id.in_([m.id for m in future]))
                .group_by(AgendaItem.meeting_id)
            )
        }
    kept: dict[date, list[tuple[Meeting, str]]] = {}
    replaceable: dict[date, list[Meeting]] = {}
    for one in future:
        because = _kept_because(one, items.get(one.id, 0))
        if because is None:
            replaceable.setdefault(_month_of(one), []).append(one)
        else:
            kept.setdefault(_month_of(one), []).append((one, because))

    steps: list[Step] = []
    dropped_because: dict[date, str] = {
        month: "the month's other meeting is kept" for month in kept
    }
    for month, held in kept.items():
        steps.extend(
            Step("kept", month, m.starts_at, f"Kept as it is: {because}", m.id)
            for m, because in held
        )
    for planned in plan_for_panel(session, panel, pattern):
        if planned.day is None:
            if planned.month >= london_day(now).replace(day=1):
                steps.append(Step("skipped", planned.month, None, planned.note))
            dropped_because[planned.month] = (
                "the month has no school day left on or after the series' day"
            )
            continue
        starts_at = london(planned.day, pattern.start_time)
        if planned.month in kept:
            continue
        candidates = replaceable.get(planned.month, [])
        if starts_at <= now:
            # This month's day has passed; a meeting of the month still to come stays.
            steps.extend(
                Step(
                    "kept",
                    planned.month,
                    m.starts_at,
                    "Kept as it is: this month's day has passed",
                    m.id,
                )
                for m in candidates
            )
            candidates.clear()
            continue
        meeting: Meeting | None = candidates.pop(0) if candidates else None
        others = [
            m
            for m in _meetings_on(session, panel.id, planned.day)
            if meeting is None or m.id != meeting.id
        ]
        if others:
            steps.append(
                Step(
                    "taken",
                    planned.month,
                    others[0].starts_at,
                    "The panel already has a meeting that day, so none is added",
                    others[0].id,
                )
            )
            if meeting is not None:
                candidates.insert(0, meeting)  # left over: cancelled below
                dropped_because[planned.month] = "the panel already meets on the series' day"
            continue
        if meeting is None:
            steps.append(Step("new", planned.month, starts_at, planned.note))
        elif meeting.starts_at == starts_at and meeting.location == pattern.location:
            steps.append(Step("same", planned.month, starts_at, planned.note, meeting.id))
        else:
            note = f"Was {when(meeting.starts_at)}" if meeting.starts_at != starts_at else ""
            if meeting.location != pattern.location:
                note = "; ".join(filter(None, [note, "new location"]))
            if planned.note:
                note = f"{note}. {planned.note}" if note else planned.note
            steps.append(
                Step("changed", planned.month, starts_at, note, meeting.id, meeting.starts_at)
            )
    for month, left in replaceable.items():
        steps.extend(
            Step(
                "dropped",
                month,
                m.starts_at,
                "Cancelled: "
                + dropped_because.get(month, "the series no longer has a meeting that month"),
                m.id,
            )
            for m in left
        )
    steps.sort(key=lambda s: (s.month, s.starts_at or datetime.combine(s.month, time(), UTC)))
    return SeriesPlan(tuple(steps))


def _by(actor: Actor) -> dict[str, object]:
    return {"by_user_id": actor.user_id, "by_name": actor.name}


def _apply(
    session: Session,
    actor: Actor,
    series: MeetingSeries,
    panel: Panel,
    outcome: SeriesPlan,
    now: datetime,
) -> list[str]:
    """Write a previewed plan; returns what changed for the members, a line a meeting."""
    changed: list[str] = []
    for step in outcome.steps:
        if step.kind == "new":
            assert step.starts_at is not None
            session.add(
                Meeting(
                    panel_id=panel.id,
                    series_id=series.id,
                    starts_at=step.starts_at,
                    location=series.location,
                    status="scheduled",
                )
            )
        elif step.kind == "changed":
            meeting = session.get(Meeting, step.meeting_id)
            assert meeting is not None and step.starts_at is not None
            session.add(
                MeetingChange(
                    meeting_id=meeting.id,
                    kind="replanned",
                    from_starts_at=meeting.starts_at,
                    to_starts_at=step.starts_at,
                    at=now,
                    **_by(actor),
                )
            )
            if meeting.starts_at != step.starts_at:
                changed.append(f"{when(meeting.starts_at)}: moved to {when(step.starts_at)}")
            if meeting.location != series.location:
                changed.append(
                    f"{when(step.starts_at)}: now in {series.location or 'a place to be confirmed'}"
                )
            meeting.starts_at = step.starts_at
            meeting.location = series.location
        elif step.kind == "dropped":
            meeting = session.get(Meeting, step.meeting_id)
            assert meeting is not None
            meeting.status = "cancelled"
            session.add(
                MeetingChange(
                    meeting_id=meeting.id,
                    kind="cancelled",
                    from_starts_at=meeting.starts_at,
                    reason="The meeting series no longer has a meeting that month",
                    at=now,
                    **_by(actor),
                )
            )
            changed.append(f"{when(meeting.starts_at)}: cancelled")
    session.flush()
    return changed


def _series_details(series: MeetingSeries, outcome: SeriesPlan) -> dict[str, object]:
    return {
        "series": series.id,
        "panel": series.panel_id,
        "week": series.week,
        "weekday": series.weekday,
        "start_time": series.start_time.strftime("%H:%M"),
        "duration_minutes": series.duration_minutes,
        "starts_on": series.starts_on.isoformat(),
        "ends_on": series.ends_on.isoformat(),
        "steps": {kind: outcome.count(kind) for kind in STEP_WORDS if outcome.count(kind)},
    }


def _require_chair(actor: Actor) -> None:
    if not can(actor, Permission.RUN_PANELS):
        raise ScheduleError("Only someone who runs panels can plan their meetings")


def create_series(
    session: Session,
    actor: Actor,
    panel: Panel,
    pattern: Pattern,
    *,
    now: datetime | None = None,
) -> tuple[MeetingSeries, SeriesPlan]:
    """Set up a monthly series and its meetings, never a second meeting on a day."""
    _require_chair(actor)
    now = now or utcnow()
    check_pattern(pattern, london_day(now))
    outcome = preview(session, panel, pattern, now=now)
    series = MeetingSeries(
        panel_id=panel.id,
        week=pattern.week,
        weekday=pattern.weekday,
        start_time=pattern.start_time,
        duration_minutes=pattern.duration_minutes,
        location=pattern.location,
        starts_on=pattern.starts_on,
        ends_on=pattern.ends_on,
        created_at=now,
        created_by_user_id=actor.user_id,
    )
    session.add(series)
    session.flush()
    _apply(session, actor, series, panel, outcome, now)
    log(
        session,
        actor,
        "meeting_series.create",
        f"set up monthly meetings for {panel.name}: {pattern.describe()} "
        f"({outcome.count('new')} meetings)",
        details=_series_details(series, outcome),
        at=now,
    )
    logger.info("meeting series %s set up for panel %s", series.id, panel.id)
    return series, outcome


def update_series(
    session: Session,
    actor: Actor,
    series: MeetingSeries,
    pattern: Pattern,
    *,
    now: datetime | None = None,
    link: str = "",
) -> SeriesPlan:
    """Change a series and re-plan its meetings still to come (see ``preview``)."""
    _require_chair(actor)
    now = now or utcnow()
    check_pattern(pattern, london_day(now))
    panel = session.get(Panel, series.panel_id)
    assert panel is not None
    outcome = preview(session, panel, pattern, series=series, now=now)
    series.week = pattern.week
    series.weekday = pattern.weekday
    series.start_time = pattern.start_time
    series.duration_minutes = pattern.duration_minutes
    series.location = pattern.location
    series.starts_on = pattern.starts_on
    series.ends_on = pattern.ends_on
    series.updated_at = now
    changed = _apply(session, actor, series, panel, outcome, now)
    log(
        session,
        actor,
        "meeting_series.update",
        f"changed the monthly meetings of {panel.name}: {outcome.summary()}",
        details=_series_details(series, outcome),
        at=now,
    )
    if changed:
        lines = "\n".join(f"- {line}" for line in changed)
        _tell_members(
            session,
            panel,
            f"Panel meetings changed: {panel.name}",
            f"The chair of {panel.name} changed the panel's monthly meetings "
            f"({pattern.describe()}).\n\nMeetings that changed:\n{lines}\n",
            link,
            now,
        )
    return outcome


# -- moving and cancelling one meeting ----------------------------------------------------------


def members_to_tell(session: Session, panel_id: int) -> Sequence[User]:
    """The panel's standing members whose accounts are active."""
    return session.scalars(
        select(User)
        .join(PanelMember, PanelMember.user_id == User.id)
        .where(PanelMember.panel_id == panel_id, User.active.is_(True))
        .order_by(User.id)
    ).all()


def _tell_members(
    session: Session,
    panel: Panel,
    subject: str,
    body: str,
    link: str,
    now: datetime,
    dedupe: str | None = None,
) -> int:
    text = body
    if link:
        text += f"\nThe panel's meetings: {link}\n"
    text += (
        "\nYou are told because you are a member of this panel. Calendars subscribed to "
        "panelflow update by themselves.\n"
    )
    members = members_to_tell(session, panel.id)
    for user in members:
        queue(
            session,
            to=user.email,
            subject=subject,
            body=text,
            dedupe_key=f"{dedupe}:user:{user.id}" if dedupe else None,
            now=now,
        )
    return len(members)


def school_day_problem(session: Session, panel: Panel, day: date) -> str | None:
    """Why ``day`` is not a school day for the panel's schools, or None when it is."""
    from panelflow.terms.dates import say
    from panelflow.terms.operations import calendar_for

    if day.weekday() >= 5:
        return f"{say(day)} is a {day:%A}, not a school day; choose a school day"
    if calendar_for(session, panel.local_authority_id).is_school_day(day):
        return None
    reason = closure_names(session, panel.local_authority_id).get(day, "a closure")
    return f"{say(day)} is not a school day ({reason}); choose a school day"


def _check_scheduled(meeting: Meeting, doing: str) -> None:
    if meeting.status != "scheduled":
        raise ScheduleError(
            f"Only a scheduled meeting can be {doing}; this one is "
            f"{meeting.status.replace('_', ' ')}"
        )


def move_meeting(
    session: Session,
    actor: Actor,
    meeting: Meeting,
    starts_at: datetime,
    *,
    now: datetime | None = None,
    link: str = "",
) -> MeetingChange:
    """Move a scheduled meeting to a school day still to come, and tell the members.

    ``moved_from`` keeps the time the meeting was first planned for, however often it moves.
    """
    _require_chair(actor)
    _check_scheduled(meeting, "moved")
    now = now or utcnow()
    panel = session.get(Panel, meeting.panel_id)
    assert panel is not None
    day = london_day(starts_at)
    if starts_at <= now:
        raise ScheduleError("That time has passed; choose a time still to come", "day")
    if starts_at == meeting.starts_at:
        raise ScheduleError("The meeting is already at that time; choose another", "day")
    problem = school_day_problem(session, panel, day)
    if problem:
        raise ScheduleError(problem, "day")
    local = starts_at.astimezone(LONDON).time()
    if not EARLIEST <= local <= LATEST:
        raise ScheduleError(f"Choose a time between {clock(EARLIEST)} and {clock(LATEST)}", "time")
    if any(m.id != meeting.id for m in _meetings_on(session, panel.id, day)):
        raise ScheduleError(
            "The panel already has a meeting that day; move that one or choose another day",
            "day",
        )
    old = meeting.starts_at
    change = MeetingChange(
        meeting_id=meeting.id,
        kind="moved",
        from_starts_at=old,
        to_starts_at=starts_at,
        at=now,
        **_by(actor),
    )
    session.add(change)
    meeting.moved_from = meeting.moved_from or old
    meeting.starts_at = starts_at
    session.flush()
    log(
        session,
        actor,
        "meeting.moved",
        f"moved the {panel.name} meeting from {when(old)} to {when(starts_at)}",
        details={
            "meeting": meeting.id,
            "panel": panel.id,
            "from": old.isoformat(),
            "to": starts_at.isoformat(),
            "change": change.id,
        },
        at=now,
    )
    _tell_members(
        session,
        panel,
        f"Panel meeting moved: {panel.name}",
        f"The {panel.name} meeting on {when(old)} has moved.\n\n"
        f"New time: {when(starts_at)}\n"
        f"Where: {meeting.location or 'to be confirmed'}\n",
        link,
        now,
        dedupe=f"meeting:{meeting.id}:change:{change.id}",
    )
    return change


def cancel_meeting(
    session: Session,
    actor: Actor,
    meeting: Meeting,
    reason: str,
    *,
    now: datetime | None = None,
    link: str = "",
) -> MeetingChange:
    """Cancel a scheduled meeting with a reason the members are told."""
    _require_chair(actor)
    _check_scheduled(meeting, "cancelled")
    reason = " ".join(reason.split())
    if not reason:
        raise ScheduleError("Say why the meeting is cancelled; the members are told", "reason")
    if len(reason) > REASON_LIMIT:
        raise ScheduleError(
            f"Keep the reason to {REASON_LIMIT} characters (it has {len(reason)})", "reason"
        )
    now = now or utcnow()
    panel = session.get(Panel, meeting.panel_id)
    assert panel is not None
    change = MeetingChange(
        meeting_id=meeting.id,
        kind="cancelled",
        from_starts_at=meeting.starts_at,
        reason=reason,
        at=now,
        **_by(actor),
    )
    session.add(change)
    meeting.status = "cancelled"
    session.flush()
    log(
        session,
        actor,
        "meeting.cancelled",
        f"cancelled the {panel.name} meeting on {when(meeting.starts_at)}",
        details={"meeting": meeting.id, "panel": panel.id, "change": change.id},
        at=now,
    )
    _tell_members(
        session,
        panel,
        f"Panel meeting cancelled: {panel.name}",
        f"The {panel.name} meeting on {when(meeting.starts_at)} has been cancelled.\n\n"
        f"Why: {reason}\n",
        link,
        now,
        dedupe=f"meeting:{meeting.id}:change:{change.id}",
    )
    return change


def changes_of(session: Session, meeting_ids: Sequence[int]) -> dict[int, list[MeetingChange]]:
    """Each meeting's changes, oldest first (their count is the iCalendar SEQUENCE)."""
    found: dict[int, list[MeetingChange]] = {}
    if not meeting_ids:
        return found
    for change in session.scalars(
        select(MeetingChange)
        .where(MeetingChange.meeting_id.in_(meeting_ids))
        .order_by(MeetingChange.at, MeetingChange.id)
    ):
        found.setdefault(change.meeting_id, []).append(change)
    return found
