"""Benchmark the panel pages with many cases: the agenda, meeting mode and the inbox.

    .venv/bin/python bench/pages_bench.py                      # SQLite (a temporary file)
    .venv/bin/python bench/pages_bench.py --schools 40         # the cases spread over 40 panels
    .venv/bin/python bench/pages_bench.py --database-url postgresql+psycopg://...  # throwaway!

``--cases`` open panel cases (default 10,000) in one local authority, shared between
``--schools`` schools, each with its own panel (default one: every case is at the measured
panel's school, the worst case for the agenda, which lists every case waiting). At each
school ten pupils go through the product's own operations: seven nominated and discussed at
last month's meeting (barriers, actions agreed for CAMHS, the youth service, a named EWO and,
by the workflow, the school's attendance lead), their actions accepted, completed, declined
or progressed by those agencies, two of them back on the agenda for review by the timer;
three newly nominated. Every other case is a copy of one of those ten pupils, written in
bulk: the same rows the operations wrote (pupil, case, transitions, timers, nomination,
agenda item, barriers, actions and their updates, queued emails, audit records chained onto
the trail), with new ids.

Then each page of the first school's panel is requested ``--runs`` times (after ``--warmup``
requests) through the Flask test client, signed in as its panel chair (and as a CAMHS
practitioner, whose inbox and pupils span the authority), and the p50 and p95 response times
are printed with the SQL statements per request, the rows the page shows and its size. The
agenda is timed before the meeting starts (built from the cases waiting); the other pages
once it is under way (meeting mode needs the agenda held as rows).

``tests/test_query_counts.py`` builds the same world at 10 and 1,000 cases and checks that
the statements per page do not grow. The database given is emptied: use a throwaway one.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import Table, event, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

import panelflow.models  # noqa: F401 - every table on Base.metadata
from panelflow import create_app
from panelflow.accounts.models import RoleAssignment, User
from panelflow.accounts.operations import actor_for
from panelflow.accounts.passwords import hash_password
from panelflow.actions.models import Action
from panelflow.actions.operations import work_on
from panelflow.audit.models import AuditHead
from panelflow.audit.operations import record_hash
from panelflow.cases.operations import tick
from panelflow.catalogue.operations import live_version, publish
from panelflow.db import Base, Database, utcnow
from panelflow.migrate import downgrade, upgrade
from panelflow.organisations.models import LocalAuthority, Pupil, School
from panelflow.panels import meeting as ops
from panelflow.panels.models import AgendaItem, Meeting, Panel, PanelMember, PanelSchool
from panelflow.panels.operations import nominate
from panelflow.roles import cli_actor

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS_FILE = ROOT / "config" / "workflows.yaml"
PASSWORD = "tangerine-kettle-moor-42"  # meets the password policy

DISCUSSED = 7  # template pupils discussed at last month's meeting
NOMINATED = 3  # template pupils nominated since
TEMPLATE = DISCUSSED + NOMINATED  # the pupils taken through the operations
REVIEWED = 2  # of the discussed, back on the agenda for review (the timer fired)

GIVEN = ["Amara", "Ben", "Cara", "Dev", "Ella", "Finn", "Grace", "Hari", "Isla", "Jay", "Kofi"]
FAMILY = ["Okafor", "Hughes", "Patel", "Nowak", "Evans", "Byrne", "Ali", "Jones", "Kaur", "Reid"]
REASONS = [
    "Missing most Mondays since half term; says she feels sick in the mornings.",
    "Late most days; looks after his younger brother before school.",
    "Stopped coming after moving up a set; very anxious about maths.",
]
AGREED = [  # what the panel agrees for each pupil discussed, and for whom
    ("Offer a CAMHS consultation about anxiety", "role:camhs_practitioner"),
    ("Invite to the Inspiring Futures group programme", "role:youth_worker"),
    ("Home visit with the family", "ewo"),
]


# -- the world --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    local_authority: LocalAuthority
    school: School
    panel: Panel
    last: Meeting  # last month's meeting, closed
    next: Meeting  # next week's meeting


@dataclass(frozen=True)
class People:
    chair: User  # chairs the panel: panel chair and attendance lead at the school
    staff: User  # a member of staff who nominates
    camhs: User  # a CAMHS practitioner on the panel
    youth: User  # a youth worker on the panel
    ewo: User  # an education welfare officer on the panel


Accounts = Callable[[Session, Place], People]


@dataclass(frozen=True)
class World:
    cases: int
    panel_id: int
    last_meeting_id: int
    next_meeting_id: int
    chair_email: str
    camhs_email: str
    review_case_id: int  # back for review: meeting mode shows this pupil
    review_item_id: int | None = None  # its agenda item, once the meeting has started


@lru_cache(maxsize=1)
def _hashed() -> str:
    return hash_password(PASSWORD)  # slow on purpose: once per run


def bench_accounts(session: Session, place: Place) -> People:
    """The people, made as ``tests.factories.make_account`` makes them."""

    def account(name: str, agency: str, *roles: str) -> User:
        user = User(
            email=f"{name.split()[0].lower()}.{uuid.uuid4().hex[:6]}@bench.example",
            name=name,
            agency=agency,
            local_authority_id=place.local_authority.id,
            school_id=place.school.id if agency == "school" else None,
            password_hash=_hashed(),
        )
        session.add(user)
        session.flush()
        for role in roles:
            session.add(RoleAssignment(user_id=user.id, role=role, granted_by="bench"))
        session.flush()
        session.refresh(user)
        return user

    return People(
        chair=account("Priya Chair", "school", "panel_chair", "attendance_lead"),
        staff=account("Tom Staff", "school", "school_staff"),
        camhs=account("Carla Camhs", "camhs", "camhs_practitioner"),
        youth=account("Yusuf Youth", "youth_service", "youth_worker"),
        ewo=account("Evan Welfare", "attendance_service", "ewo"),
    )


def build(
    db: Database,
    cases: int,
    accounts: Accounts,
    *,
    schools: int = 1,
    now: datetime | None = None,
) -> World:
    """The world with ``cases`` open cases shared between ``schools`` schools of one local
    authority, each with its own panel; committed. The world measured is the first school's."""
    assert cases >= TEMPLATE * schools, f"at least {TEMPLATE} cases per school"
    now = now or utcnow()
    with db.transaction() as session:
        if live_version(session) is None:
            text = WORKFLOWS_FILE.read_text(encoding="utf-8")
            assert publish(session, text, "config/workflows.yaml", cli_actor("Bench")).ok
    worlds: list[World] = []
    templates: list[tuple[list[int], int]] = []
    with db.transaction() as session:
        authority = LocalAuthority(name=f"Bench Council {uuid.uuid4().hex[:6]}")
        session.add(authority)
        session.flush()
        for s in range(schools):
            place = _place(session, authority, s, now)
            people = accounts(session, place)
            for user in (people.chair, people.camhs, people.youth, people.ewo):
                chairs = user is people.chair
                session.add(PanelMember(panel_id=place.panel.id, user_id=user.id, is_chair=chairs))
            session.flush()
            pupils, review_case = _through_operations(session, place, people, now)
            share = cases // schools + (1 if s < cases % schools else 0)
            templates.append((pupils, share))
            worlds.append(
                World(
                    cases=cases,
                    panel_id=place.panel.id,
                    last_meeting_id=place.last.id,
                    next_meeting_id=place.next.id,
                    chair_email=people.chair.email,
                    camhs_email=people.camhs.email,
                    review_case_id=review_case,
                )
            )
    with db.transaction() as session:
        for pupils, share in templates:
            if share > TEMPLATE:
                copy_pupils(session, pupils, share - TEMPLATE)
    return worlds[0]


def start_next_meeting(db: Database, world: World) -> World:
    """Start next week's meeting as the chair (the agenda is held as rows)."""
    with db.transaction() as session:
        chair = session.scalars(select(User).where(User.email == world.chair_email)).one()
        meeting = session.get_one(Meeting, world.next_meeting_id)
        ops.start(session, actor_for(chair), meeting)
        item = session.scalars(
            select(AgendaItem.id).where(
                AgendaItem.meeting_id == meeting.id, AgendaItem.case_id == world.review_case_id
            )
        ).one()
    return replace(world, review_item_id=item)


def _place(session: Session, authority: LocalAuthority, number: int, now: datetime) -> Place:
    name = "Birkenhead Park Primary" if number == 0 else f"Bench School {number}"
    school = School(name=name, local_authority_id=authority.id)
    panel = Panel(name=f"{name} attendance panel", local_authority_id=authority.id)
    session.add_all([school, panel])
    session.flush()
    session.add(PanelSchool(panel_id=panel.id, school_id=school.id))
    last = Meeting(panel_id=panel.id, starts_at=now - timedelta(days=35), location="Library")
    upcoming = Meeting(panel_id=panel.id, starts_at=now + timedelta(days=7), location="Library")
    session.add_all([last, upcoming])
    session.flush()
    return Place(authority, school, panel, last, upcoming)


def _pupil(session: Session, school: School, n: int) -> Pupil:
    pupil = Pupil(
        school_id=school.id,
        given_name=GIVEN[n % len(GIVEN)],
        family_name=FAMILY[n % len(FAMILY)],
        date_of_birth=date(2013 + n % 5, 1 + n % 12, 1 + n % 28),
        year_group=2 + n % 5,
        free_school_meals=n % 3 == 0,
        has_send=n % 4 == 1,
    )
    session.add(pupil)
    session.flush()
    return pupil


def _through_operations(
    session: Session, place: Place, people: People, now: datetime
) -> tuple[list[int], int]:
    """The ten template pupils, through the product's operations; their ids, and the case
    of the first pupil back for review."""
    staff, chair = actor_for(people.staff), actor_for(people.chair)
    camhs, youth, ewo = actor_for(people.camhs), actor_for(people.youth), actor_for(people.ewo)
    last = place.last
    pupils = [_pupil(session, place.school, n) for n in range(TEMPLATE)]
    discussed = [
        nominate(
            session, staff, pupils[n], REASONS[n % 3], now=last.starts_at - timedelta(days=7 - n)
        ).case
        for n in range(DISCUSSED)
    ]
    ops.start(session, chair, last, now=last.starts_at)
    ops.record_attendance(
        session,
        chair,
        last,
        [people.chair.id, people.camhs.id, people.youth.id, people.ewo.id],
        [("Dana Hughes", "Family")],
    )
    for n, item in enumerate(ops.items_of(session, last)):
        at = last.starts_at + timedelta(minutes=10 * (n + 1))
        ops.record_discussion(
            session,
            chair,
            last,
            item,
            "Mum says mornings are the hardest; the pupil likes art club.",
            ["pupil:anxiety or low mood", "family:poverty or debt", "school:bullying"][: 1 + n % 3],
        )
        for title, owner in AGREED:
            key = f"user:{people.ewo.id}" if owner == "ewo" else owner
            ops.agree_action(
                session, chair, last, item, title=title, owner_key=key, due=None, now=at
            )
        refused = ops.decide(
            session,
            chair,
            last,
            item,
            "discuss_at_panel",
            {"barriers_discussed": "Anxiety; poverty.", "actions_agreed": "Three actions."},
            now=at,
        )
        assert refused is None, refused
    ops.close(session, chair, last, now=last.starts_at + timedelta(hours=2))

    def action(case_id: int, agency: str) -> int:
        return session.scalars(
            select(Action.id).where(Action.case_id == case_id, Action.agency == agency)
        ).one()

    later = last.starts_at + timedelta(days=3)
    for n, case in enumerate(discussed):
        if n < 5:
            work_on(session, action(case.id, "camhs"), camhs, "accept", now=later)
        if n < 1:
            text = "Six sessions offered; attending."
            work_on(
                session,
                action(case.id, "camhs"),
                camhs,
                "complete",
                text,
                now=now - timedelta(days=5),
            )
        if n == 2:
            text = "No places left this term."
            work_on(
                session,
                action(case.id, "youth_service"),
                youth,
                "decline",
                text,
                now=now - timedelta(days=10),
            )
        elif n < 5:
            work_on(session, action(case.id, "youth_service"), youth, "accept", now=later)
        if n == 0:
            text = "Visited; the family would like a meeting at school."
            work_on(
                session, action(case.id, "attendance_service"), ewo, "progress", text, now=later
            )
        if n < 4:
            work_on(session, action(case.id, "school"), chair, "accept", now=later)
        if n < 3:
            text = "Told mum by phone; she will come to the review."
            work_on(session, action(case.id, "school"), chair, "complete", text, now=later)
    report = tick(session, now=now - timedelta(days=2), limit=REVIEWED)
    assert report.fired == REVIEWED, report
    for n in range(DISCUSSED, TEMPLATE):
        nominate(session, staff, pupils[n], REASONS[n % 3], now=now - timedelta(days=3, hours=-n))
    session.flush()
    return [p.id for p in pupils], discussed[0].id


# -- copies, in bulk --------------------------------------------------------------------------


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _select(session: Session, table: Table, *where: Any) -> list[dict[str, Any]]:
    key = table.c.seq if "seq" in table.c and "id" not in table.c else table.c.id
    return [dict(r._mapping) for r in session.execute(select(table).where(*where).order_by(key))]


def _insert(
    session: Session,
    table: Table,
    sources: list[tuple[int, dict[str, Any]]],
    change: Callable[[int, dict[str, Any]], None],
) -> dict[tuple[int, int], int]:
    """Copy ``(copy, row)`` pairs changed by ``change``; (copy, old id) -> new id."""
    rows = []
    for k, source in sources:
        row = {name: value for name, value in source.items() if name != "id"}
        change(k, row)
        rows.append(row)
    if not rows:
        return {}
    ids = session.scalars(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
    ).all()
    return {(k, source["id"]): new for (k, source), new in zip(sources, ids, strict=True)}


def copy_pupils(session: Session, pupil_ids: list[int], copies: int) -> None:
    """``copies`` more pupils, each a copy of one of ``pupil_ids`` with everything the
    operations wrote about them, with new ids; the audit records are appended to the chain."""
    pupils_t, cases_t, events_t = _table("pupils"), _table("cases"), _table("case_events")
    actions_t, updates_t = _table("actions"), _table("action_updates")
    pupils = _select(session, pupils_t, pupils_t.c.id.in_(pupil_ids))
    cases = _select(session, cases_t, cases_t.c.pupil_id.in_(pupil_ids))
    assert all(c["linked_from_id"] is None for c in cases), "linked cases are not copied"
    case_ids = [c["id"] for c in cases]
    owner = {c["id"]: c["pupil_id"] for c in cases}  # case -> pupil
    by_pupil: dict[str, dict[int, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))

    def gather(
        name: str, rows: list[dict[str, Any]], pupil_of: Callable[[dict[str, Any]], int]
    ) -> None:
        for row in rows:
            by_pupil[name][pupil_of(row)].append(row)

    gather("cases", cases, lambda r: r["pupil_id"])
    for name in ("case_events", "case_timers", "case_flags", "nominations", "case_barriers"):
        table = _table(name)
        gather(
            name,
            _select(session, table, table.c.case_id.in_(case_ids)),
            lambda r: owner[r["case_id"]],
        )
    items_t = _table("agenda_items")
    gather(
        "agenda_items",
        _select(session, items_t, items_t.c.case_id.in_(case_ids)),
        lambda r: owner[r["case_id"]],
    )
    actions = _select(session, actions_t, actions_t.c.case_id.in_(case_ids))
    gather("actions", actions, lambda r: owner[r["case_id"]])
    action_owner = {a["id"]: owner[a["case_id"]] for a in actions}
    updates = _select(session, updates_t, updates_t.c.action_id.in_(list(action_owner)))
    gather("action_updates", updates, lambda r: action_owner[r["action_id"]])
    update_owner = {u["id"]: action_owner[u["action_id"]] for u in updates}
    emails_t = _table("outgoing_emails")
    for queued in _select(session, emails_t, emails_t.c.dedupe_key.like("action-%")):
        kind, number = queued["dedupe_key"].split(":")[:2]
        source = update_owner if kind == "action-declined" else action_owner
        if int(number) in source:
            by_pupil["outgoing_emails"][source[int(number)]].append(queued)
    audit_t = _table("audit_records")
    audit = _select(
        session, audit_t, audit_t.c.case_id.in_(case_ids) | audit_t.c.pupil_id.in_(pupil_ids)
    )
    gather("audit_records", audit, lambda r: r["pupil_id"] or owner[r["case_id"]])

    template = [pupils[k % len(pupils)] for k in range(copies)]
    origin = {k: p["id"] for k, p in enumerate(template)}

    def rows(name: str) -> list[tuple[int, dict[str, Any]]]:
        return [(k, row) for k in range(copies) for row in by_pupil[name][origin[k]]]

    def renamed(k: int, row: dict[str, Any]) -> None:
        n = TEMPLATE + k
        row["given_name"] = GIVEN[n % len(GIVEN)]
        row["family_name"] = f"{FAMILY[(n // len(GIVEN)) % len(FAMILY)]}-{n}"
        row["upn"] = None

    new_pupil = _insert(session, pupils_t, list(enumerate(template)), renamed)
    groups: dict[tuple[int, str], str] = {}

    def group(k: int, old: str) -> str:
        return groups.setdefault((k, old), uuid.uuid4().hex)

    def case_row(k: int, row: dict[str, Any]) -> None:
        row["pupil_id"] = new_pupil[(k, row["pupil_id"])]
        row["group_id"] = group(k, row["group_id"])

    new_case = _insert(session, cases_t, rows("cases"), case_row)

    def on_case(k: int, row: dict[str, Any]) -> None:
        row["case_id"] = new_case[(k, row["case_id"])]
        if "group_id" in row:
            row["group_id"] = group(k, row["group_id"])

    new_event = _insert(session, events_t, rows("case_events"), on_case)
    for name in ("case_timers", "case_flags", "nominations", "case_barriers"):
        _insert(session, _table(name), rows(name), on_case)
    positions = iter(range(TEMPLATE + 1, TEMPLATE + 1 + copies * 2))

    def with_event(k: int, row: dict[str, Any]) -> None:
        on_case(k, row)
        if row.get("case_event_id") is not None:
            row["case_event_id"] = new_event[(k, row["case_event_id"])]
        if "position" in row:
            row["position"] = next(positions)

    _insert(session, items_t, rows("agenda_items"), with_event)
    new_action = _insert(session, actions_t, rows("actions"), with_event)

    def on_action(k: int, row: dict[str, Any]) -> None:
        row["action_id"] = new_action[(k, row["action_id"])]

    new_update = _insert(session, updates_t, rows("action_updates"), on_action)

    def email(k: int, row: dict[str, Any]) -> None:
        kind, number, rest = row["dedupe_key"].split(":", 2)
        ids = new_update if kind == "action-declined" else new_action
        row["dedupe_key"] = f"{kind}:{ids[(k, int(number))]}:{rest}"

        def link(match: re.Match[str]) -> str:
            found = new_case if match.group(1) == "cases" else new_action
            return f"/{match.group(1)}/{found[(k, int(match.group(2)))]}"

        row["body"] = re.sub(r"/(actions|cases)/(\d+)\b", link, row["body"])

    _insert(session, emails_t, rows("outgoing_emails"), email)
    _append_audit(session, rows("audit_records"), new_case, new_pupil, new_action, new_event)


def _append_audit(
    session: Session,
    sources: list[tuple[int, dict[str, Any]]],
    new_case: dict[tuple[int, int], int],
    new_pupil: dict[tuple[int, int], int],
    new_action: dict[tuple[int, int], int],
    new_event: dict[tuple[int, int], int],
) -> None:
    """The copies' audit records, chained after the newest record as ``log()`` chains them."""
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one()
    seq, previous = head.seq, head.hash
    rows = []
    for k, source in sources:
        row = dict(source)
        if row["case_id"] is not None:
            row["case_id"] = new_case[(k, row["case_id"])]
        if row["pupil_id"] is not None:
            row["pupil_id"] = new_pupil[(k, row["pupil_id"])]
        details = dict(row["details"] or {})
        if details.get("action") is not None:
            details["action"] = new_action[(k, details["action"])]
        if details.get("event") is not None:
            details["event"] = new_event[(k, details["event"])]
        row["details"] = details
        seq += 1
        row["seq"], row["prev_hash"] = seq, previous
        row["hash"] = previous = record_hash(SimpleNamespace(**row))  # type: ignore[arg-type]
        rows.append(row)
    if rows:
        session.execute(insert(_table("audit_records")), rows)
        session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=seq, hash=previous))


# -- measuring --------------------------------------------------------------------------------


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """Every SQL statement sent to the database while the block runs."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


@dataclass(frozen=True)
class Page:
    name: str
    who: str  # chair | camhs
    path: Callable[[World], str]
    shows: str  # a pattern matching once per row shown
    under_way: bool = True  # timed once next week's meeting has started


PAGES = [
    Page("agenda", "chair", lambda w: f"/meetings/{w.next_meeting_id}", r'id="case-\d+"', False),
    Page(
        "meeting mode",
        "chair",
        lambda w: f"/meetings/{w.next_meeting_id}/items/{w.review_item_id}",
        r'href="/meetings/\d+/items/\d+"',
    ),
    Page(
        "agenda, meeting under way",
        "chair",
        lambda w: f"/meetings/{w.next_meeting_id}",
        r'id="case-\d+"',
    ),
    Page("inbox (CAMHS practitioner)", "camhs", lambda w: "/actions", r'href="/actions/\d+"'),
    Page("inbox (panel chair)", "chair", lambda w: "/actions", r'href="/actions/\d+"'),
    Page("pupils (panel chair)", "chair", lambda w: "/pupils", r'href="/pupils/\d+"'),
    Page("pupils (CAMHS practitioner)", "camhs", lambda w: "/pupils", r'href="/pupils/\d+"'),
    Page(
        "panel actions", "chair", lambda w: f"/panels/{w.panel_id}/actions", r'href="/actions/\d+"'
    ),
    Page(
        "minutes",
        "chair",
        lambda w: f"/meetings/{w.last_meeting_id}/minutes",
        r'class="panelflow-minutes__item"',
    ),
    Page("your cases (panel chair)", "chair", lambda w: "/cases", r'href="/cases/\d+"'),
]


@dataclass(frozen=True)
class Measured:
    statements: int
    rows: int
    kilobytes: int


def measure(client: FlaskClient, engine: Engine, path: str, shows: str) -> Measured:
    """One request: the statements it sent, the rows it showed, the size of the page."""
    with statements(engine) as seen:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    body = response.get_data(as_text=True)
    return Measured(len(seen), len(re.findall(shows, body)), len(body) // 1024)


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> None:
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token, "no CSRF token on the sign-in page"
    response = client.post(
        "/sign-in", data={"csrf_token": token.group(1), "email": email, "password": password}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def _timed(client: FlaskClient, path: str, runs: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        assert client.get(path).status_code == 200
    timings = []
    for _ in range(runs):
        began = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200
    return timings


def _percentile(timings: list[float], p: int) -> float:
    return statistics.quantiles(timings, n=100, method="inclusive")[p - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a THROWAWAY database (default: temp SQLite)")
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument(
        "--schools", type=int, default=1, help="schools (one panel each) sharing the cases"
    )
    parser.add_argument(
        "--no-analyze",
        dest="analyze",
        action="store_false",
        help="skip ANALYZE once built (in service `panelflow tick` runs it every few minutes, "
        "and PostgreSQL's autovacuum too)",
    )
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        downgrade(url, "base")
        upgrade(url, "head")
        db = Database(url)
        began = time.perf_counter()
        world = build(db, args.cases, bench_accounts, schools=args.schools)
        if args.analyze:
            db.refresh_statistics()
        print(
            f"database: {db.engine.dialect.name}; {args.cases} open panel cases at "
            f"{args.schools} school(s), one panel each, built in "
            f"{time.perf_counter() - began:.1f} s{' and analysed' if args.analyze else ''}; "
            "pages of the first school's panel; "
            f"{args.runs} requests per page after {args.warmup} warm-up"
        )
        app = create_app({"DATABASE_URL": url, "TESTING": True})
        engine = app.extensions["panelflow.db"].engine
        clients = {"chair": app.test_client(), "camhs": app.test_client()}
        sign_in(clients["chair"], world.chair_email)
        sign_in(clients["camhs"], world.camhs_email)
        print(f"{'page':30} {'p50 ms':>8} {'p95 ms':>8} {'SQL':>5} {'rows':>6} {'KB':>6}")
        for page in PAGES:
            if page.under_way and world.review_item_id is None:
                world = start_next_meeting(db, world)
            client, path = clients[page.who], page.path(world)
            timings = _timed(client, path, args.runs, args.warmup)
            seen = measure(client, engine, path, page.shows)
            print(
                f"{page.name:30} {_percentile(timings, 50):8.1f} {_percentile(timings, 95):8.1f} "
                f"{seen.statements:5d} {seen.rows:6d} {seen.kilobytes:6d}"
            )
        app.extensions["panelflow.db"].dispose()
        db.dispose()


if __name__ == "__main__":
    main()
