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
from sqlalchemy.orm import Session, object_session

from panelflow.accounts.operations import actor_for, create_user
from panelflow.cases.models import Case, Consent
from panelflow.cases.operations import fire, open_case, tick
from panelflow.catalogue.operations import engine_for, live_version, publish
from panelflow.db import utcnow
from panelflow.demo_attendance import (
    INTERVENTION_WEEKS,
    attendance_stories,
    intervention_dates,
    school_weeks,
)
from panelflow.demo_support import safeguarding_story, support_stories, virtual_school_stories
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
    # A second EWO, who signs off the first one's formal steps (never their own).
    _persona("ewo2", "Sam Okoye", "Senior education welfare officer", "attendance_service", "ewo"),
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


def seed(
    session: Session, workflows: bytes | str, source: str, term_dates: bytes | None = None
) -> str:
    """Add the demo data unless there is some already; say what was done.

    ``term_dates`` (a term-dates file, like ``config/term-dates.yaml``) becomes the demo
    local authority's school calendar, so meetings and due dates skip its holidays.
    """
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
                upn=f"W{823_000_000_000 + len(pupils):012d}",
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
    # Some pupils of each school are nominated at the meetings already held (below).
    if term_dates is not None:
        _term_dates(session, authority, term_dates)
    meetings = _panels(session, schools, actors)
    _hold_meetings(session, meetings, [pupils[8:14], pupils[30:36], pupils[46:52]], staff, actors)
    panel_pupils = pupils[:8] + pupils[20:30] + pupils[40:46]
    for n, pupil in enumerate(panel_pupils):
        when = start + timedelta(days=n)
        at = staff[pupils.index(pupil) // 20]
        case = open_case(session, pupil, "school_panel", at["teacher"], now=when)
        _walk(case, PANEL_WALKS[n % len(PANEL_WALKS)], at, when)
    for pupil in pupils[14:20]:
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
    support_stories(session, pupils[14:20], actors)
    virtual_school_stories(session, pupils[:20], actors)
    safeguarding_story(session, pupils[2], actors)
    session.flush()
    today = utcnow().astimezone(LONDON).date()
    weeks = school_weeks(session, authority.id, today)
    measured = _funding(session, actors, intervention_dates(weeks))
    importers = [actors["lead"], actors["rockferry"], actors["bidston"]]
    attendance_stories(session, schools, pupils, importers, measured, today)
    # What the scheduled 'panelflow tick' would have done by now: reviews come due, flags.
    tick(session, now=utcnow())
    total = session.scalar(select(func.count()).select_from(Case))
    return (
        f"demo data added: {len(SCHOOLS)} schools, {len(pupils)} pupils, {total} cases, "
        f"{len(PERSONAS)} accounts (password {PERSONA_PASSWORD})"
    )


# Who sits on each school's panel besides its chair (persona keys).
PANEL_MEMBERS = [["chair", "lead", "ewo", "camhs", "ep"], ["rockferry", "ewo"], ["bidston", "ewo"]]


def _panels(
    session: Session, schools: list[School], actors: Mapping[str, Actor]
) -> list[list[Meeting]]:
    """A panel for each school, with standing members and a monthly meeting series from four
    months ago to three months ahead, on the second Tuesday, Wednesday or Thursday, moved
    off holidays by the school calendar (all scheduled here; ``_hold_meetings`` runs the
    ones before today)."""
    from panelflow.panels.schedule import Pattern, create_series

    now = utcnow()
    today = now.astimezone(LONDON).date()
    first = (today.replace(day=1) - timedelta(days=120)).replace(day=1)
    meetings: list[list[Meeting]] = []
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
        session.flush()
        pattern = Pattern(
            2,
            1 + index,
            time(9, 30),
            120,
            "Meeting room 2" if index == 0 else "School library",
            first,
            today + timedelta(days=100),
        )
        chair = actors[PANEL_MEMBERS[index][0]]
        # Planned as if set up at the start, so the months already gone have meetings too.
        series, _ = create_series(
            session, chair, panel, pattern, now=datetime.combine(first, time(), LONDON)
        )
        session.flush()
        meetings.append(
            list(
                session.scalars(
                    select(Meeting)
                    .where(Meeting.series_id == series.id, Meeting.status == "scheduled")
                    .order_by(Meeting.starts_at)
                )
            )
        )
    return meetings


def _term_dates(session: Session, authority: LocalAuthority, data: bytes) -> None:
    from panelflow.terms.dates import read_term_dates
    from panelflow.terms.operations import load_term_dates

    result = read_term_dates(data, "term dates")
    if result.term_dates is None:
        raise RuntimeError(
            "the demo's term dates have problems: check them with panelflow terms check"
        )
    load_term_dates(session, authority.id, result.term_dates, SEEDER)


# What panels talked about at the meetings already held: (discussion, barriers, actions).
DISCUSSIONS = [
    (
        "Anxious on Monday mornings; mum works early shifts and cannot walk her in.",
        [
            "pupil:anxiety or low mood",
            "family:getting to school on time (work or caring commitments)",
        ],
        [("Offer a CAMHS consultation about anxiety", "role:camhs_practitioner")],
    ),
    (
        "Misses the bus most days since the family moved; money is tight.",
        ["community:transport (cost, distance or no service)", "family:poverty or debt"],
        [
            ("Home visit to talk about getting to school", "role:ewo"),
            ("Offer a place on the Inspiring Futures group", "role:youth_worker"),
        ],
    ),
    (
        "Fell out with friends; says nobody talks to her at lunch.",
        ["school:friendships or not feeling they belong"],
        [("Lunchtime club and a buddy from Year 6", "role:youth_worker")],
    ),
]
# What became of each action agreed (in turn): its owner's steps, with what they wrote.
FATES: list[list[tuple[str, str]]] = [
    [("accept", ""), ("complete", "Two sessions held; anxiety easing, in school every day.")],
    [],  # still waiting to be accepted (and overdue by now)
    [("accept", ""), ("progress", "First visit done; mum keen on a bus pass.")],
    [("decline", "No youth worker free this half-term; ask again in January.")],
    [("accept", "")],
]
OWNER_OF_ROLE = {
    "role:camhs_practitioner": "camhs",
    "role:youth_worker": "youth",
    "role:ewo": "ewo",
}


def _hold_meetings(
    session: Session,
    meetings: list[list[Meeting]],
    fresh: list[list[Pupil]],
    staff: list[Mapping[str, Actor]],
    actors: Mapping[str, Actor],
) -> None:
    """Run each panel's meetings before today through the real operations: pupils nominated,
    the meeting started, who was there, each pupil discussed, actions agreed, the outcome
    taken through the engine, and the meeting closed. Then each action meets its fate."""
    from panelflow.actions.operations import work_on
    from panelflow.panels import meeting as ops
    from panelflow.panels.operations import nominate

    now = utcnow()
    agreed = []
    for index, panel_meetings in enumerate(meetings):
        at = staff[index]
        chair = at["chair"]
        waiting = list(fresh[index])
        discussed: list[Case] = []
        for number, meeting in enumerate(m for m in panel_meetings if m.starts_at < now):
            for case in discussed:
                if case.state == "under_review":
                    fire(case, "review_due", chair, {}, now=meeting.starts_at - timedelta(days=7))
            for pupil, why in zip(
                waiting[:2], ("Late most mornings.", "Missed 5 Mondays."), strict=False
            ):
                nominate(
                    session, at["teacher"], pupil, why, now=meeting.starts_at - timedelta(days=9)
                )
            waiting = waiting[2:]
            ops.start(session, chair, meeting, now=meeting.starts_at)
            members = session.scalars(
                select(PanelMember.user_id).where(PanelMember.panel_id == meeting.panel_id)
            ).all()
            others = [("Sam Lee", "Youth service")] if index == 0 and number % 2 == 0 else []
            ops.record_attendance(session, chair, meeting, members, others)
            for turn, item in enumerate(ops.items_of(session, meeting)):
                case = session.get_one(Case, item.case_id)
                text, barriers, actions = DISCUSSIONS[(turn + number) % len(DISCUSSIONS)]
                when = meeting.starts_at + timedelta(minutes=10 * (turn + 1))
                if case.state != "on_agenda":
                    continue
                reviewing = case in discussed
                ops.record_discussion(
                    session,
                    chair,
                    meeting,
                    item,
                    "Reviewed: " + text if reviewing else text,
                    barriers,
                )
                if not reviewing or turn % 2 == 0:
                    for title, owner in actions:
                        agreed.append(
                            ops.agree_action(
                                session,
                                chair,
                                meeting,
                                item,
                                title=title,
                                owner_key=owner,
                                due=None,
                                now=when,
                            )
                        )
                if not reviewing:
                    trigger = "discuss_at_panel"
                    values = ops.drafted(session, meeting, item, _transition(case, trigger))
                    discussed.append(case)
                elif turn % 2 == 0:
                    trigger = "continue_review"
                    values = ops.drafted(session, meeting, item, _transition(case, trigger)) | {
                        "attendance_rate": "88"
                    }
                else:
                    trigger = "close_improved"
                    values = {
                        "review_notes": "Attendance up since the bus pass.",
                        "attendance_rate": "96",
                    }
                refused = ops.decide(session, chair, meeting, item, trigger, values, now=when)
                if refused is not None:
                    raise RuntimeError(f"demo meeting refused {trigger}: {refused.message}")
            ops.close(session, chair, meeting, now=meeting.starts_at + timedelta(hours=2))
    for n, action in enumerate(agreed):
        owner = OWNER_OF_ROLE.get(f"role:{action.role}", "lead")
        for step, words in FATES[n % len(FATES)]:
            work_on(session, action.id, actors[owner], step, words)
    session.flush()


def _funding(
    session: Session, actors: Mapping[str, Actor], measured: tuple[date, date]
) -> dict[str, list[int]]:
    """Each panel's budget for this term and the last; at the first school, funding in every
    state (approved and spent, waiting for a second approval, declined, withdrawn) and a
    cohort of the Inspiring Futures group programme with its register.

    ``measured`` is when the interventions whose impact the demo measures ran: an earlier
    cohort of the programme and five bus passes. Returns those pupils' ids, as ``improved``
    and ``not_improved``, for their attendance."""
    from panelflow.funding import operations as money
    from panelflow.panels.operations import panel_for_school

    t = money.today()
    admin, chair, lead = actors["admin"], actors["chair"], actors["lead"]
    panels = session.scalars(select(Panel).order_by(Panel.id)).all()
    for panel in panels:
        money.set_budget(
            session,
            admin,
            panel_id=panel.id,
            label="Summer term 2026",
            starts_on=t - timedelta(days=200),
            ends_on=t - timedelta(days=91),
            amount_pence=150_000,
        )
        money.set_budget(
            session,
            admin,
            panel_id=panel.id,
            label="This term",
            starts_on=t - timedelta(days=90),
            ends_on=t + timedelta(days=60),
            amount_pence=250_000,
        )
    first = panels[0]
    cases = session.scalars(
        select(Case)
        .join(Pupil, Pupil.id == Case.pupil_id)
        .where(Case.workflow_key == "school_panel", Case.is_final.is_(False))
        .order_by(Case.id)
    ).all()
    ours = [
        c for c in cases if (p := panel_for_school(session, c.pupil.school_id)) and p.id == first.id
    ]
    term = {"starts_on": t - timedelta(days=20), "ends_on": t + timedelta(days=40)}
    bus = money.propose(
        session,
        chair,
        case=ours[0],
        item="transport",
        amount_pence=4_500,
        provider="Merseytravel",
        **term,
    )
    money.record_spend(
        session, chair, bus.id, 4_500, t - timedelta(days=18), "Bus pass for the term"
    )
    clock = money.propose(
        session, lead, case=ours[1], item="equipment", amount_pence=1_200, provider="Argos", **term
    )
    money.record_spend(session, lead, clock.id, 1_150, t - timedelta(days=15), "Alarm clock")
    place = money.propose(
        session,
        chair,
        case=ours[1],
        item="group_programme",
        amount_pence=40_000,
        provider="The Hive Youth Zone",
        description="A place on Inspiring Futures, 8 weeks",
        **term,
    )
    money.approve(session, lead, place.id)
    money.propose(  # waits for a second approval
        session,
        chair,
        case=ours[2],
        item="mentoring",
        amount_pence=30_000,
        provider="Wirral Mentoring",
        **term,
    )
    uniform = money.propose(
        session,
        lead,
        case=ours[3],
        item="uniform",
        amount_pence=6_000,
        provider="School shop",
        **term,
    )
    money.withdraw(session, lead, uniform.id, "The school's own uniform bank covered it")
    taxi = money.propose(
        session,
        lead,
        case=ours[4],
        item="transport",
        amount_pence=18_000,
        provider="Wirral Cabs",
        description="A taxi to school for four weeks",
        **term,
    )
    money.decline(
        session,
        chair,
        taxi.id,
        "The walking bus from Laird Street starts on Monday; try that first",
    )
    programme = money.add_programme(
        session,
        admin,
        name="Inspiring Futures",
        provider="The Hive Youth Zone",
        description="A group programme on confidence and belonging, one afternoon a week.",
    )
    cohort = money.start_cohort(
        session,
        chair,
        programme_id=programme.id,
        panel_id=first.id,
        label="Autumn, Tuesdays",
        starts_on=t - timedelta(weeks=3),
        session_count=8,
        places=10,
    )
    seat = money.add_place(session, chair, cohort.id, case_id=ours[1].id, decision_id=place.id)
    other = money.add_place(session, chair, cohort.id, case_id=ours[2].id)
    from panelflow.funding.models import CohortSession

    held = session.scalars(
        select(CohortSession).where(CohortSession.cohort_id == cohort.id).order_by(CohortSession.id)
    ).all()
    for n, lesson in enumerate(held[:3]):
        money.mark_register(
            session,
            chair,
            lesson.id,
            {seat.id: "present", other.id: "late" if n == 1 else "present"},
        )
    # Every pupil of the first school with an open case, once each (by their first case).
    open_cases: dict[int, Case] = {}
    for case in session.scalars(
        select(Case)
        .join(Pupil, Pupil.id == Case.pupil_id)
        .where(Case.is_final.is_(False), Pupil.school_id == ours[0].pupil.school_id)
        .order_by(Case.id)
    ):
        open_cases.setdefault(case.pupil_id, case)
    return _measured(session, actors, first, programme.id, list(open_cases.values()), measured)


def _measured(
    session: Session,
    actors: Mapping[str, Actor],
    panel: Panel,
    programme_id: int,
    cases: list[Case],
    when: tuple[date, date],
) -> dict[str, list[int]]:
    """Ten school weeks ago: eight places on a four-week cohort of the group programme, and
    five bus passes, all approved and paid for; six and four of those pupils attend better."""
    from panelflow.funding import operations as money
    from panelflow.funding.models import CohortSession

    chair, lead = actors["chair"], actors["lead"]
    starts_on, ends_on = when
    cohort = money.start_cohort(
        session,
        chair,
        programme_id=programme_id,
        panel_id=panel.id,
        label="Early autumn, Thursdays",
        starts_on=starts_on,
        session_count=INTERVENTION_WEEKS,
        places=10,
    )
    places = []
    for case in cases[5:13]:
        decision = money.propose(
            session,
            chair,
            case=case,
            item="group_programme",
            amount_pence=12_500,
            provider="The Hive Youth Zone",
            description="A place on Inspiring Futures, 4 weeks",
            starts_on=starts_on,
            ends_on=ends_on,
        )
        money.record_spend(session, chair, decision.id, 12_500, starts_on, "Inspiring Futures")
        places.append(
            money.add_place(session, chair, cohort.id, case_id=case.id, decision_id=decision.id)
        )
    for lesson in session.scalars(
        select(CohortSession).where(CohortSession.cohort_id == cohort.id)
    ):
        money.mark_register(session, chair, lesson.id, {p.id: "present" for p in places})
    for case in cases[:5]:
        bus = money.propose(
            session,
            lead,
            case=case,
            item="transport",
            amount_pence=4_500,
            provider="Merseytravel",
            description="A bus pass for four weeks",
            starts_on=starts_on,
            ends_on=ends_on,
        )
        money.record_spend(session, lead, bus.id, 4_500, starts_on, "Bus pass")
    pupils = [case.pupil_id for case in cases[:13]]
    return {"improved": pupils[:4] + pupils[5:11], "not_improved": [pupils[4], *pupils[11:13]]}


def _transition(case: Case, trigger: str):  # type: ignore[no-untyped-def]
    from panelflow.catalogue.operations import pinned

    session = object_session(case)
    assert session is not None
    workflow = pinned(session, case.workflow_version_id).engine.definitions.workflows[
        case.workflow_key
    ]
    return next(t for t in workflow.transitions if t.trigger == trigger)


def _walk(case: Case, walk: Walk, actors: Mapping[str, Actor], when: datetime) -> None:
    for step, (trigger, who, data) in enumerate(walk, start=1):
        result = fire(case, trigger, actors[who], data, now=when + timedelta(weeks=3 * step))
        if not result:
            raise RuntimeError(f"demo walk refused at {trigger}: {result.message}")  # type: ignore[union-attr]
