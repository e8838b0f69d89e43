"""Demonstration data: the shipped workflows published, a local authority with three schools,
one account per role (listed on the sign-in page in demo mode), pupils, and cases walked
through the engine by those accounts, so every case has a real, audited history.

Only for demonstrations and local development; ``seed`` does nothing if data already exists.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from panelflow.accounts.operations import actor_for, create_user
from panelflow.cases.models import Case, Consent
from panelflow.cases.operations import fire, open_case
from panelflow.catalogue.operations import engine_for, live_version, publish
from panelflow.db import utcnow
from panelflow.organisations.models import LocalAuthority, Pupil, School
from panelflow.panels.models import Meeting, Panel, PanelMember, PanelSchool
from panelflow.presentation import LONDON
from panelflow.roles import Actor

LOCAL_AUTHORITY = "Wirral Council (demonstration)"
SCHOOLS = ["Birkenhead Park Primary", "Rock Ferry High", "Bidston Avenue Primary"]
GIVEN = [
    "Amara",
    "Ben",
    "Chloe",
    "Dylan",
    "Ella",
    "Finley",
    "Grace",
    "Harvey",
    "Isla",
    "Jack",
    "Kai",
    "Lily",
    "Mason",
    "Nia",
    "Oscar",
    "Poppy",
    "Reuben",
    "Sofia",
    "Theo",
    "Zara",
]
FAMILY = [
    "Hughes",
    "Roberts",
    "Jones",
    "Williams",
    "Evans",
    "Okafor",
    "Khan",
    "Murphy",
    "Davies",
    "Nowak",
    "Singh",
    "Walsh",
    "Thomas",
    "Lewis",
    "Ahmed",
]

PERSONA_PASSWORD = "panelflow-demo-2026"


def _persona(
    key: str, name: str, description: str, agency: str, role: str, school: int | None = None
) -> dict[str, Any]:
    return {
        "key": key,
        "name": name,
        "description": description,
        "agency": agency,
        "role": role,
        "school": school,
        "email": f"{key}@demo.example.org",
    }


# Who can sign in to the demonstration: at least one person for every role.
PERSONAS: list[dict[str, Any]] = [
    _persona("admin", "Ade Okafor", "Local authority administrator", "local_authority", "la_admin"),
    _persona("editor", "Wendy Clarke", "LA workflow editor", "local_authority", "workflow_editor"),
    _persona("auditor", "Ravi Menon", "Auditor", "local_authority", "auditor"),
    _persona("chair", "Priya Shah", f"Panel chair, {SCHOOLS[0]}", "school", "panel_chair", 0),
    _persona(
        "lead", "Lee Morgan", f"Attendance lead, {SCHOOLS[0]}", "school", "attendance_lead", 0
    ),
    _persona("teacher", "Tom Birch", f"Teacher, {SCHOOLS[0]}", "school", "school_staff", 0),
    _persona("rockferry", "Rhian Evans", f"Panel chair, {SCHOOLS[1]}", "school", "panel_chair", 1),
    _persona("bidston", "Owen Hale", f"Panel chair, {SCHOOLS[2]}", "school", "panel_chair", 2),
    _persona("ewo", "Erin Walsh", "Education welfare officer", "attendance_service", "ewo"),
    _persona(
        "ep",
        "Dr Sam Patel",
        "Educational psychologist",
        "educational_psychology",
        "educational_psychologist",
    ),
    _persona(
        "inclusion",
        "Amal Hassan",
        "Inclusion facilitator",
        "educational_psychology",
        "inclusion_facilitator",
    ),
    _persona("camhs", "Chris Doyle", "CAMHS practitioner", "camhs", "camhs_practitioner"),
    _persona("social", "Jo Reid", "Social worker", "social_care", "social_worker"),
    _persona("youth", "Kai Brennan", "Youth worker", "youth_service", "youth_worker"),
    _persona("vsh", "Helen Price", "Virtual school head", "virtual_school", "virtual_school_head"),
]
SEEDER = Actor(
    "demo:seed", "panelflow demonstration data", frozenset({"la_admin"}), "local_authority"
)

PANEL = {
    "barriers_discussed": "Anxious about the walk to school; mum works early shifts.",
    "actions_agreed": "Bus pass for a term; meet-and-greet at the gate (attendance lead).",
    "funding_decision": "agreed",
}

# Each walk is a list of (trigger, persona key, recorded fields); a case stops where its walk
# ends, so the demo has cases at many points of their journeys.
Walk = list[tuple[str, str, Mapping[str, Any]]]
PANEL_WALKS: list[Walk] = [
    [],
    [("add_to_agenda", "teacher", {"reason": "Late most mornings since half-term."})],
    [
        ("add_to_agenda", "teacher", {"reason": "Missed 6 Mondays this term."}),
        ("discuss_at_panel", "chair", PANEL),
    ],
    [
        ("add_to_agenda", "lead", {"reason": "Attendance down to 82%."}),
        ("discuss_at_panel", "chair", PANEL),
        ("review_due", "chair", {}),
        ("close_improved", "chair", {"review_notes": "Attendance up to 95% with the bus pass."}),
    ],
    [
        ("add_to_agenda", "lead", {"reason": "Says she feels sick every morning."}),
        ("discuss_at_panel", "chair", PANEL),
        ("review_due", "chair", {}),
        (
            "escalate_to_support_first",
            "chair",
            {
                "review_notes": "No change after six weeks.",
                "escalation_reason": "Needs a plan agreed with the family.",
            },
        ),
    ],
]
SUPPORT_WALKS: list[Walk] = [
    [("review_held", "lead", {"review_notes": "Breakfast club offered.", "attendance_rate": "86"})],
    [
        (
            "review_held",
            "lead",
            {"review_notes": "Universal support tried.", "attendance_rate": "84"},
        ),
        ("step_up_to_targeted", "lead", {"step_up_reason": "Still below 90% after a review."}),
        (
            "plan_agreed",
            "lead",
            {
                "support_plan": "Weekly check-in; bus pass; CAMHS referral.",
                "family_views": "Mum wants help with mornings.",
            },
        ),
    ],
]


def seed(session: Session, workflows: bytes | str, source: str) -> str:
    """Add the demo data unless there is some already; say what was done."""
    if session.scalar(select(func.count()).select_from(Pupil)):
        return "demo data is already there; nothing added"
    if live_version(session) is None:
        result = publish(session, workflows, source, SEEDER)
        if not result.ok:
            problems = "; ".join(p.format(source) for p in result.problems[:5])
            return f"the workflow file has problems, so no demo data was added: {problems}"
    live = live_version(session)
    assert live is not None
    definitions = engine_for(live).definitions

    authority = LocalAuthority(name=LOCAL_AUTHORITY)
    session.add(authority)
    session.flush()
    schools = []
    for index, name in enumerate(SCHOOLS):
        school = School(
            name=name, urn=f"1{index + 5}0{index + 2}34", local_authority_id=authority.id
        )
        session.add(school)
        schools.append(school)
    session.flush()

    actors: dict[str, Actor] = {}
    for persona in PERSONAS:
        user = create_user(
            session,
            SEEDER,
            definitions,
            email=persona["email"],
            name=persona["name"],
            agency=persona["agency"],
            local_authority=authority,
            school=schools[persona["school"]] if persona["school"] is not None else None,
            roles=(persona["role"],),
            password=PERSONA_PASSWORD,
        )
        actors[persona["key"]] = actor_for(user)

    rng = random.Random(2026)
    pupils = []
    for school in schools:
        for n in range(20):
            pupil = Pupil(
                school_id=school.id,
                given_name=rng.choice(GIVEN),
                family_name=rng.choice(FAMILY),
                date_of_birth=date(
                    2011 + rng.randint(0, 8), rng.randint(1, 12), rng.randint(1, 28)
                ),
                year_group=rng.randint(1, 10),
                looked_after=n % 11 == 3,
                has_social_worker=n % 9 == 4,
                has_send=n % 5 == 1,
                has_ehcp=n % 13 == 2,
                free_school_meals=n % 3 == 0,
            )
            session.add(pupil)
            pupils.append(pupil)
    session.flush()

    # Each school's own staff work on its pupils: the first school has a teacher, an
    # attendance lead and a chair; at the others the panel chair takes every step.
    staff = [
        actors,
        *({key: actors[chair] for key in actors} for chair in ("rockferry", "bidston")),
    ]
    start = utcnow().replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(weeks=16)
    panel_pupils = pupils[:14] + pupils[20:30] + pupils[40:46]
    for n, pupil in enumerate(panel_pupils):
        when = start + timedelta(days=n)
        at = staff[pupils.index(pupil) // 20]
        case = open_case(session, pupil, "school_panel", at["teacher"], now=when)
        _walk(case, PANEL_WALKS[n % len(PANEL_WALKS)], at, when)
    for n, pupil in enumerate(pupils[14:20]):
        session.add(
            Consent(
                pupil_id=pupil.id,
                agency="educational_psychology",
                purpose="EWO consultation with educational psychology",
                given_by="Parent",
                recorded_by=actors["lead"].name,
                recorded_at=start,
            )
        )
        when = start + timedelta(days=n)
        case = open_case(session, pupil, "support_first", actors["lead"], now=when)
        _walk(case, SUPPORT_WALKS[n % len(SUPPORT_WALKS)], actors, when)
    session.flush()
    _panels(session, schools, actors, start)
    total = session.scalar(select(func.count()).select_from(Case))
    return (
        f"demo data added: {len(SCHOOLS)} schools, {len(pupils)} pupils, {total} cases, "
        f"{len(PERSONAS)} accounts (password {PERSONA_PASSWORD})"
    )


# Who sits on each school's panel besides its chair (persona keys).
PANEL_MEMBERS = [["chair", "lead", "ewo", "camhs", "ep"], ["rockferry", "ewo"], ["bidston", "ewo"]]


def _panels(
    session: Session, schools: list[School], actors: Mapping[str, Actor], start: datetime
) -> None:
    """A panel for each school, with standing members and monthly meetings: those before
    today held, the rest to come."""
    now = utcnow()
    for index, school in enumerate(schools):
        panel = Panel(
            name=f"{school.name} attendance panel", local_authority_id=school.local_authority_id
        )
        session.add(panel)
        session.flush()
        session.add(PanelSchool(panel_id=panel.id, school_id=school.id))
        for n, key in enumerate(PANEL_MEMBERS[index]):
            session.add(
                PanelMember(panel_id=panel.id, user_id=actors[key].user_id, is_chair=n == 0)
            )
        for month in range(-4, 3):
            first = (start + timedelta(weeks=16)).date().replace(day=1)
            year, month_number = divmod(first.month - 1 + month, 12)
            day = date(first.year + year, month_number + 1, 8 + index * 2)
            while day.weekday() >= 5:
                day += timedelta(days=1)
            starts = datetime.combine(day, time(9, 30), LONDON)
            session.add(
                Meeting(
                    panel_id=panel.id,
                    starts_at=starts,
                    location="Meeting room 2" if index == 0 else "School library",
                    status="closed" if starts < now else "scheduled",
                    closed_at=starts + timedelta(hours=2) if starts < now else None,
                )
            )
    session.flush()


def _walk(case: Case, walk: Walk, actors: Mapping[str, Actor], when: datetime) -> None:
    for step, (trigger, who, data) in enumerate(walk, start=1):
        result = fire(case, trigger, actors[who], data, now=when + timedelta(weeks=3 * step))
        if not result:
            raise RuntimeError(f"demo walk refused at {trigger}: {result.message}")  # type: ignore[union-attr]
