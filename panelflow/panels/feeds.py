"""Personal iCalendar feeds of a panel's meetings, at a secret address.

Anyone who can see a panel can make their own feed address for it, to subscribe from Outlook
or Google Calendar. The address holds a random token (``secrets.token_urlsafe(32)``); only
its SHA-256 is stored, so it is shown once, when it is made. Making a new one revokes the
old one. The feed answers only while the token is not revoked, the account is active and
its owner can still see the panel; otherwise it is "not found", like any unknown address.

The calendar holds each meeting as an event: a stable UID, start and end in Europe/London
time (with its VTIMEZONE), the panel's name, the location, a SEQUENCE that goes up with
each change (so calendar programs replace what they hold), STATUS:CANCELLED once cancelled,
and a link to the meeting's page (which asks the reader to sign in). Never a pupil.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from icalendar import Calendar, Event
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from panelflow.accounts.models import User
from panelflow.audit.operations import log
from panelflow.db import rowcount, utcnow
from panelflow.panels.calendar_models import CalendarFeed, MeetingSeries
from panelflow.panels.models import Meeting, Panel
from panelflow.panels.schedule import DEFAULT_MINUTES, changes_of
from panelflow.presentation import LONDON
from panelflow.roles import Actor
from panelflow.roles.policy import Permission, allowed

logger = logging.getLogger(__name__)

PRODID = "-//panelflow//panel meetings//EN"
# Meetings held longer ago than this are left out of feeds.
HISTORY = timedelta(days=366)
# Writing "last used" on every poll would add a write per calendar program per hour.
LAST_USE_GRANULARITY = timedelta(minutes=5)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def sees_panel(session: Session, user: User, panel_id: int) -> bool:
    """Whether the account may see the panel now: active, seeing pupils, and a member of
    the panel or staff at one of its schools (as ``panels.views.visible_panel``)."""
    from panelflow.accounts.operations import actor_for
    from panelflow.panels.views import my_panels_query

    if not user.active or not allowed(actor_for(user), Permission.VIEW_PUPILS):
        return False
    found = session.scalar(
        my_panels_query(user.id, user.school_id)
        .where(Panel.id == panel_id)
        .with_only_columns(Panel.id)
    )
    return found is not None


def active_feed(session: Session, user_id: int, panel_id: int) -> CalendarFeed | None:
    return session.scalar(
        select(CalendarFeed)
        .where(
            CalendarFeed.user_id == user_id,
            CalendarFeed.panel_id == panel_id,
            CalendarFeed.revoked_at.is_(None),
        )
        .order_by(CalendarFeed.id.desc())
        .limit(1)
    )


def _revoke_all(session: Session, user_id: int, panel_id: int, now: datetime) -> int:
    return rowcount(
        session.execute(
            update(CalendarFeed)
            .where(
                CalendarFeed.user_id == user_id,
                CalendarFeed.panel_id == panel_id,
                CalendarFeed.revoked_at.is_(None),
            )
            .values(revoked_at=now)
            .execution_options(synchronize_session=False)
        )
    )


def create_feed(
    session: Session, actor: Actor, panel: Panel, *, now: datetime | None = None
) -> tuple[CalendarFeed, str]:
    """A new feed for the actor and panel, revoking any earlier one; returns the token,
    which is not stored and cannot be shown again."""
    if actor.user_id is None:
        raise ValueError("a calendar feed belongs to a person with an account")
    now = now or utcnow()
    revoked = _revoke_all(session, actor.user_id, panel.id, now)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed(
        panel_id=panel.id, user_id=actor.user_id, token_hash=token_hash(token), created_at=now
    )
    session.add(feed)
    session.flush()
    log(
        session,
        actor,
        "calendar_feed.create",
        f"made a calendar feed address for {panel.name}"
        + (" (the earlier one no longer works)" if revoked else ""),
        details={"feed": feed.id, "panel": panel.id, "revoked": revoked},
        at=now,
    )
    return feed, token


def revoke_feed(
    session: Session, actor: Actor, panel: Panel, *, now: datetime | None = None
) -> int:
    """Stop the actor's feed address for the panel working; returns how many were revoked."""
    if actor.user_id is None:
        return 0
    now = now or utcnow()
    revoked = _revoke_all(session, actor.user_id, panel.id, now)
    if revoked:
        log(
            session,
            actor,
            "calendar_feed.revoke",
            f"revoked their calendar feed address for {panel.name}",
            details={"panel": panel.id, "revoked": revoked},
            at=now,
        )
    return revoked


@dataclass(frozen=True)
class FeedAccess:
    feed: CalendarFeed
    panel: Panel
    user: User


def open_feed(session: Session, token: str, *, now: datetime | None = None) -> FeedAccess | None:
    """The feed a token opens, with its use recorded; None for an unknown or revoked token,
    a disabled account, or someone who can no longer see the panel."""
    if not token or len(token) > 100:
        return None
    feed = session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == token_hash(token)))
    if feed is None or feed.revoked_at is not None:
        return None
    user = session.get(User, feed.user_id)
    panel = session.get(Panel, feed.panel_id)
    if user is None or panel is None or not sees_panel(session, user, panel.id):
        logger.info("calendar feed %s refused: its owner cannot see the panel", feed.id)
        return None
    now = now or utcnow()
    if feed.last_used_at is None or now - feed.last_used_at >= LAST_USE_GRANULARITY:
        feed.last_used_at = now
    return FeedAccess(feed, panel, user)


def feed_meetings(
    session: Session, panel_id: int, *, now: datetime | None = None
) -> Sequence[Meeting]:
    """The panel's meetings for a feed: everything from a year ago on."""
    now = now or utcnow()
    return session.scalars(
        select(Meeting)
        .where(Meeting.panel_id == panel_id, Meeting.starts_at >= now - HISTORY)
        .order_by(Meeting.starts_at, Meeting.id)
    ).all()


def meeting_uid(meeting: Meeting) -> str:
    """Stable for the life of the meeting, whatever happens to it."""
    return f"panelflow-meeting-{meeting.id}@panelflow"


def build_calendar(
    session: Session,
    panel: Panel,
    meetings: Sequence[Meeting],
    meeting_url: Callable[[Meeting], str],
    *,
    now: datetime | None = None,
) -> bytes:
    """The iCalendar text of the meetings (RFC 5545), in Europe/London time."""
    now = now or utcnow()
    lengths = {
        series_id: minutes
        for series_id, minutes in session.execute(
            select(MeetingSeries.id, MeetingSeries.duration_minutes).where(
                MeetingSeries.id.in_({m.series_id for m in meetings if m.series_id})
            )
        )
    }
    changes = changes_of(session, [m.id for m in meetings])
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{panel.name} meetings")
    calendar.add("x-wr-timezone", "Europe/London")
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for meeting in meetings:
        start = meeting.starts_at.astimezone(LONDON)
        minutes = lengths.get(meeting.series_id or 0, DEFAULT_MINUTES)
        event = Event()
        event.add("uid", meeting_uid(meeting))
        event.add("dtstamp", now)
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=minutes))
        event.add("summary", f"{panel.name} meeting")
        if meeting.location:
            event.add("location", meeting.location)
        url = meeting_url(meeting)
        event.add("url", url)
        event.add("description", f"The agenda and papers (sign in to read them): {url}")
        event.add("sequence", len(changes.get(meeting.id, [])))
        event.add("status", "CANCELLED" if meeting.status == "cancelled" else "CONFIRMED")
        event.add("transp", "TRANSPARENT" if meeting.status == "cancelled" else "OPAQUE")
        calendar.add_component(event)
    if meetings:
        calendar.add_missing_timezones(
            first_date=(meetings[0].starts_at - timedelta(days=366)).date(),
            last_date=(meetings[-1].starts_at + timedelta(days=366)).date(),
        )
    text: bytes = calendar.to_ical()
    return text
