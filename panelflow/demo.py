"""Demonstration data: the shipped workflows published, three schools, pupils, and cases
walked through the engine (so every case has a real, audited history).

Only for demonstrations and local development; ``seed`` does nothing if data already exists.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from panelflow.cases.models import Case, Consent
from panelflow.cases.operations import fire, open_case
from panelflow.catalogue.operations import live_version, publish
from panelflow.db import utcnow
from panelflow.organisations.models import Pupil, School
from panelflow.roles import Actor

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

CHAIR = Actor("demo:chair", "Priya Shah", frozenset({"panel_chair"}), "school")
LEAD = Actor("demo:lead", "Lee Morgan", frozenset({"attendance_lead"}), "school")
TEACHER = Actor("demo:teacher", "Tom Birch", frozenset({"school_staff"}), "school")
EWO = Actor("demo:ewo", "Erin Walsh", frozenset({"ewo"}), "attendance_service")
EP = Actor(
    "demo:ep", "Dr Sam Patel", frozenset({"educational_psychologist"}), "educational_psychology"
)
SOCIAL_WORKER = Actor("demo:sw", "Jo Reid", frozenset({"social_worker"}), "social_care")
EDITOR = Actor("demo:editor", "Wendy Clarke", frozenset({"workflow_editor"}), "local_authority")

PANEL = {
    "barriers_discussed": "Anxious about the walk to school; mum works early shifts.",
    "actions_agreed": "Bus pass for a term; meet-and-greet at the gate (attendance lead).",
    "funding_decision": "agreed",
}

# (workflow, [(trigger, actor, data), ...]): each walk stops where its case should rest.
Walk = list[tuple[str, Actor, Mapping[str, Any]]]
PANEL_WALKS: list[Walk] = [
    [],
    [("add_to_agenda", TEACHER, {"reason": "Late most mornings since half-term."})],
    [
        ("add_to_agenda", TEACHER, {"reason": "Missed 6 Mondays this term."}),
        ("discuss_at_panel", CHAIR, PANEL),
    ],
    [
        ("add_to_agenda", LEAD, {"reason": "Attendance down to 82%."}),
        ("discuss_at_panel", CHAIR, PANEL),
        ("review_due", CHAIR, {}),
        ("close_improved", CHAIR, {"review_notes": "Attendance up to 95% with the bus pass."}),
    ],
    [
        ("add_to_agenda", LEAD, {"reason": "Says she feels sick every morning."}),
        ("discuss_at_panel", CHAIR, PANEL),
        ("review_due", CHAIR, {}),
        (
            "escalate_to_support_first",
            CHAIR,
            {
                "review_notes": "No change after six weeks.",
                "escalation_reason": "Needs a plan agreed with the family.",
            },
        ),
    ],
]
SUPPORT_WALKS: list[Walk] = [
    [("review_held", LEAD, {"review_notes": "Breakfast club offered.", "attendance_rate": "86"})],
    [
        (
            "review_held",
            LEAD,
            {"review_notes": "Universal support tried.", "attendance_rate": "84"},
        ),
        ("step_up_to_targeted", LEAD, {"step_up_reason": "Still below 90% after a review."}),
        (
            "plan_agreed",
            LEAD,
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
        result = publish(session, workflows, source, EDITOR)
        if not result.ok:
            problems = "; ".join(p.format(source) for p in result.problems[:5])
            return f"the workflow file has problems, so no demo data was added: {problems}"
    rng = random.Random(2026)
    today = utcnow().replace(hour=9, minute=0, second=0, microsecond=0)
    start = today - timedelta(weeks=16)
    pupils = []
    for index, name in enumerate(SCHOOLS):
        school = School(name=name, urn=f"1{index + 5}0{index + 2}34")
        session.add(school)
        session.flush()
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

    cases = 0
    for n, pupil in enumerate(pupils[:30]):
        walk = PANEL_WALKS[n % len(PANEL_WALKS)]
        when = start + timedelta(days=n)
        case = open_case(session, pupil, "school_panel", TEACHER, now=when)
        cases += 1
        _walk(case, walk, when)
    for n, pupil in enumerate(pupils[30:36]):
        session.add(
            Consent(
                pupil_id=pupil.id,
                agency="educational_psychology",
                purpose="EWO consultation with educational psychology",
                given_by="Parent",
                recorded_by=LEAD.name,
                recorded_at=start,
            )
        )
        when = start + timedelta(days=n)
        case = open_case(session, pupil, "support_first", LEAD, now=when)
        cases += 1
        _walk(case, SUPPORT_WALKS[n % len(SUPPORT_WALKS)], when)
    session.flush()
    total = session.scalar(select(func.count()).select_from(Case))
    return (
        f"demo data added: {len(SCHOOLS)} schools, {len(pupils)} pupils, {total} cases "
        f"({cases} opened directly, the rest by escalation)"
    )


def _walk(case: Case, walk: Walk, when: datetime) -> None:
    for step, (trigger, actor, data) in enumerate(walk, start=1):
        result = fire(case, trigger, actor, data, now=when + timedelta(weeks=3 * step))
        if not result:
            raise RuntimeError(f"demo walk refused at {trigger}: {result.message}")  # type: ignore[union-attr]
