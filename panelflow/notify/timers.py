"""Morning emails about what came due on people's cases: the flags ``panelflow tick`` raised
("Review due", "Consultation not yet booked") and the steps it took ("Follow-up due").

Who: the people who can act on each case now (``cases.due.owners``: need-to-know, and a role
allowed on a step out of the case's state). What: one digest per person per day, listing each
case by its number, school, workflow and state, never the pupil's name; the link leads to the
case after signing in. When: at the first tick after ``DIGEST_AT`` (7am UK time), covering
what came due since the previous digest; a flag cleared before then (the case moved on) is not
sent. The product has no per-person notification settings yet; everyone who owns a due item
gets the digest.

Exactly once: the digest's dedupe key is ``timer-due:{user}:{day}``. An item belongs to the
first digest day whose cut-off (``DIGEST_AT`` less ``SETTLE``) comes after it; a person's
items are covered once a digest of that day or later is in the outbox. So two ticks at once
queue one digest, and a tick after downtime sends one digest with everything missed (up to
``LOOKBACK``). ``SETTLE`` leaves a tick that raised flags just before the cut-off time to
commit before the digest is read.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from panelflow.cases.due import CaseInfo, owners, since_due
from panelflow.cases.models import Case, CaseEvent, CaseFlag
from panelflow.catalogue.operations import pinned
from panelflow.db import utcnow
from panelflow.notify.compose import base_url, render, send, subject_line
from panelflow.notify.models import OutgoingEmail
from panelflow.roles import SYSTEM
from panelflow.workflows.durations import SCHOOL_TIME

logger = logging.getLogger(__name__)

DIGEST_AT = time(7, 0)
SETTLE = timedelta(minutes=15)
LOOKBACK = timedelta(days=14)
KEYS_PER_QUERY = 500


def digest_day(now: datetime) -> date:
    """The day of the latest digest time at or before ``now`` (UK time)."""
    local = now.astimezone(SCHOOL_TIME)
    return local.date() if local.time() >= DIGEST_AT else local.date() - timedelta(days=1)


def cut_off(day: date) -> datetime:
    """Items before this moment go in ``day``'s digest (or an earlier one)."""
    return datetime.combine(day, DIGEST_AT, tzinfo=SCHOOL_TIME) - SETTLE


def window_of(moment: datetime) -> date:
    """The first digest day whose cut-off comes after ``moment``."""
    local = moment.astimezone(SCHOOL_TIME)
    return local.date() if moment < cut_off(local.date()) else local.date() + timedelta(days=1)


def key(user_id: int, day: date) -> str:
    return f"timer-due:{user_id}:{day.isoformat()}"


@dataclass(frozen=True)
class Came:
    """One thing that came due on a case."""

    case_id: int
    text: str
    at: datetime  # when it was raised or taken: which digest it belongs to
    due: datetime  # when it came due (a tick after downtime raises flags late)

    @property
    def window(self) -> date:
        return window_of(self.at)


def came_due(session: Session, since: datetime, before: datetime) -> list[Came]:
    """Flags still raised, and steps a timer took that the case still waits in, between the
    two moments; on open cases."""
    flags = session.execute(
        select(CaseFlag.case_id, CaseFlag.text, CaseFlag.raised_at, since_due())
        .join(Case, Case.id == CaseFlag.case_id)
        .where(
            CaseFlag.cleared_at.is_(None),
            CaseFlag.raised_at >= since,
            CaseFlag.raised_at < before,
            Case.is_final.is_(False),
        )
        .order_by(CaseFlag.raised_at, CaseFlag.id)
    ).all()
    steps = session.execute(
        select(
            CaseEvent.case_id,
            CaseEvent.trigger,
            CaseEvent.at,
            Case.workflow_version_id,
            Case.workflow_key,
        )
        .join(Case, Case.id == CaseEvent.case_id)
        .where(
            CaseEvent.actor_id == SYSTEM.id,
            CaseEvent.at >= since,
            CaseEvent.at < before,
            CaseEvent.at == Case.state_entered_at,
            CaseEvent.to_state == Case.state,
            Case.is_final.is_(False),
        )
        .order_by(CaseEvent.at, CaseEvent.id)
    ).all()
    found = [Came(case_id, text, at, due) for case_id, text, at, due in flags]
    engines = {}
    for case_id, trigger, at, version_id, workflow_key in steps:
        if version_id not in engines:
            engines[version_id] = pinned(session, version_id).engine
        wf = engines[version_id].workflow(workflow_key)
        found.append(Came(case_id, wf.trigger_label(trigger) if wf else trigger, at, at))
    return sorted(found, key=lambda c: (c.at, c.case_id))


def _covered(session: Session, people: list[int], today: date) -> dict[int, date]:
    """The latest digest day already in the outbox for each person (within ``LOOKBACK``)."""
    days = [today - timedelta(days=n) for n in range(LOOKBACK.days + 2)]
    wanted = {key(person, day): (person, day) for person in people for day in days}
    latest: dict[int, date] = {}
    names = sorted(wanted)
    for start in range(0, len(names), KEYS_PER_QUERY):
        for found in session.scalars(
            select(OutgoingEmail.dedupe_key).where(
                OutgoingEmail.dedupe_key.in_(names[start : start + KEYS_PER_QUERY])
            )
        ):
            assert found is not None
            person, day = wanted[found]
            latest[person] = max(day, latest.get(person, day))
    return latest


def remind_due(session: Session, *, now: datetime | None = None) -> int:
    """Queue each owner's digest of what came due on their cases; returns how many emails
    were queued. Run by ``panelflow tick``; running it again, or two at once, queues nothing
    new."""
    now = now or utcnow()
    today = digest_day(now)
    items = came_due(session, cut_off(today) - LOOKBACK, cut_off(today))
    if not items:
        return 0
    owned, info, users = owners(session, {item.case_id for item in items})
    if not owned:
        return 0
    covered = _covered(session, sorted(owned), today)
    by_case: dict[int, list[Came]] = defaultdict(list)
    for item in items:
        by_case[item.case_id].append(item)
    count = 0
    for user_id, case_ids in sorted(owned.items()):
        last = covered.get(user_id)
        if last is not None and last >= today:
            continue
        theirs = [
            (info[case_id], [i for i in by_case[case_id] if last is None or i.window > last])
            for case_id in case_ids
        ]
        theirs = [(case, due) for case, due in theirs if due]
        if not theirs:
            continue
        count += send(
            session,
            users[user_id],
            _digest_subject(sum(len(due) for _, due in theirs)),
            _digest_body(theirs),
            key(user_id, today),
            now,
        )
    if count:
        logger.info("queued %d digest(s) of timers come due", count)
    return count


def _digest_subject(items: int) -> str:
    return subject_line("Cases that need you", f"{items} item{'' if items == 1 else 's'} due")


def _digest_body(cases: list[tuple[CaseInfo, list[Came]]]) -> str:
    link = base_url()
    return render(
        "timer_digest.txt",
        cases=[
            {
                "number": case.id,
                "school": case.school,
                "workflow": case.workflow,
                "state": case.state,
                "due": due,
                "link": f"{link}/cases/{case.id}",
            }
            for case, due in cases
        ],
        due_link=f"{link}/due",
    )
