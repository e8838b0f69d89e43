"""The demonstration's support-first stories: six pupils at the first school at different
points of graduated support, with EWO consultations, a formal step waiting for a second
sign-off, a safeguarding referral, information sharing and the virtual school's flags.

Every step goes through the same operations people use (``fire``, ``take``, the sharing and
virtual school operations), dated relative to today so that reviews, timers and conditions
read as they would in a real local authority.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from panelflow.actions.agreeing import agree_action, role_owners
from panelflow.cases.models import Case
from panelflow.cases.operations import Fired, fire, open_case
from panelflow.catalogue.operations import pinned
from panelflow.db import utcnow
from panelflow.organisations.models import Pupil
from panelflow.presentation import LONDON
from panelflow.roles import Actor
from panelflow.sharing.operations import BasisDetails, Withdrawal, record_basis, withdraw
from panelflow.signoffs.models import SignOffRequest
from panelflow.signoffs.operations import take
from panelflow.virtual_school.operations import record_plan, record_status

Values = Mapping[str, Any]


def demo_plan(at: datetime, *, with_youth_service: bool = False) -> dict[str, Any]:
    """An attendance support plan agreed on ``at``, to be reviewed six weeks later."""
    review = (at + timedelta(weeks=6)).astimezone(LONDON).date().isoformat()
    commitments = [
        {"who": "school", "what": "Weekly check-in with the attendance lead", "by": ""},
        {"who": "family", "what": "Help with mornings: an alarm at 7:15", "by": ""},
        {"who": "pupil", "what": "Come to breakfast club on Mondays", "by": ""},
        {"who": "camhs", "what": "Consider a referral for low mood", "by": review},
    ]
    if with_youth_service:
        commitments.append(
            {"who": "youth_service", "what": "A mentor once a week after school", "by": ""}
        )
    return {
        "barriers": [
            "pupil: anxiety or low mood",
            "community: transport (cost, distance or no service)",
        ],
        "barrier_notes": "Mornings are hard; the bus is unreliable.",
        "commitments": commitments,
        "targets": [
            {"target": "In school by 8:50 on four days a week", "by": review},
            {"target": "Attendance of 90% or more over the half-term", "by": review},
        ],
        "review_date": review,
        "pupil_views": "The bus is the worst bit. Breakfast club is OK.",
        "family_views": "Mum wants help with mornings and does not want to be blamed.",
    }


def _review(notes: str, rate: str, ratings: Sequence[str], decision: str) -> dict[str, Any]:
    return {
        "review_notes": notes,
        "attendance_rate": rate,
        "plan_review": {
            "progress": [{"rating": r, "notes": ""} for r in ratings],
            "decision": decision,
            "pupil_views": "Mornings are a bit better.",
            "family_views": "The check-ins help.",
        },
    }


UNIVERSAL_REVIEW = _review("First-day calls; a welcome-back chat.", "86", [], "continue")
STEP_UP_REVIEW = _review("Universal support tried for six weeks.", "84", [], "step_up")
SPIRAL = {
    "supporting_parents": "Mum feels judged at the gate; she wants one named contact.",
    "promoting_belonging": "Safe in the library and with the art teacher.",
    "including_informing_parents": "Mum hears only when something goes wrong.",
    "raising_awareness": "Everyone thinks the bus is the reason; anxiety comes first.",
    "accessing_professionals": "A CAMHS consultation; the SEND team about reading.",
    "lessons_from_covid": "Learning at home in the mornings went well in lockdown.",
}


class Stories:
    """Steps taken on the demo's cases at dates counted back from today."""

    def __init__(self, session: Session, actors: Mapping[str, Actor], now: datetime) -> None:
        self.session = session
        self.actors = actors
        self.now = now

    def ago(self, weeks: float) -> datetime:
        return self.now - timedelta(weeks=weeks)

    def step(
        self, case: Case, trigger: str, who: str, weeks_ago: float, data: Values | None = None
    ) -> Fired | SignOffRequest:
        at = self.ago(weeks_ago)
        values = {
            key: value(at) if callable(value) else value for key, value in (data or {}).items()
        }
        result = take(self.session, case, trigger, self.actors[who], values, now=at)
        if not result:
            raise RuntimeError(f"demo step refused at {trigger}: {result.message}")  # type: ignore[union-attr]
        return result

    def walk(self, case: Case, steps: Sequence[tuple[str, str, float, Values]]) -> None:
        for trigger, who, weeks_ago, data in steps:
            self.step(case, trigger, who, weeks_ago, data)

    def opened(self, pupil: Pupil, weeks_ago: float) -> Case:
        """A support-first case the attendance lead opened, asking the EWO to join it."""
        at = self.ago(weeks_ago)
        case = open_case(self.session, pupil, "support_first", self.actors["lead"], now=at)
        self.agree(case, "lead", "Join the support around this pupil and its reviews", "ewo", at)
        return case

    def agree(self, case: Case, who: str, title: str, role: str, at: datetime) -> None:
        definitions = pinned(self.session, case.workflow_version_id).engine.definitions
        agree_action(
            self.session,
            self.actors[who],
            case,
            title=title,
            owner_key=f"role:{role}",
            due=None,
            owners=role_owners(definitions),
            now=at,
        )

    def linked(self, case: Case, workflow: str) -> Case:
        found = self.session.scalars(
            select(Case)
            .where(Case.group_id == case.group_id, Case.workflow_key == workflow)
            .order_by(Case.id.desc())
        ).first()
        assert found is not None, f"no linked {workflow} case"
        return found

    def to_targeted(self, case: Case, weeks_ago: float, **plan: bool) -> None:
        """A review, a step up and a plan agreed with the family, a week apart, ending
        ``weeks_ago``."""
        start = weeks_ago + 2
        plan_at: Callable[[datetime], dict[str, Any]] = lambda at: demo_plan(at, **plan)  # noqa: E731
        self.walk(
            case,
            [
                ("review_held", "lead", start, STEP_UP_REVIEW),
                ("step_up_to_targeted", "lead", start - 1, {"step_up_reason": "No change."}),
                ("plan_agreed", "lead", weeks_ago, {"support_plan": plan_at}),
            ],
        )


def support_stories(session: Session, pupils: Sequence[Pupil], actors: Mapping[str, Actor]) -> None:
    """Six support-first stories, one per pupil in ``pupils`` (of the first school)."""
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    s = Stories(session, actors, now)
    universal, targeted, formal, requested, consulted, stepped_down = pupils[:6]

    # Opened by the attendance lead fourteen weeks ago and reviewed once: the next review is
    # overdue, so the lead and the EWO find it among the cases that need them.
    case = s.opened(universal, 14)
    s.step(case, "review_held", "lead", 13, UNIVERSAL_REVIEW)

    # Targeted support: a plan agreed, then updated when the youth service joined; the last
    # review rated the targets and decided to step up. CAMHS may be told; the family withdrew
    # its consent for the youth service, which ended the youth worker's action.
    case = s.opened(targeted, 16)
    s.to_targeted(case, 12)
    s.step(
        case,
        "update_plan",
        "lead",
        9,
        {"support_plan": lambda at: demo_plan(at, with_youth_service=True)},
    )
    s.step(
        case,
        "review_held",
        "ewo",
        1,
        _review("Late on most days still.", "78", ["partly_met", "not_met"], "step_up"),
    )
    _sharing(s, targeted, case)

    # Intensive support, then a formal route: the EWO has asked for a penalty notice, which
    # waits for a second EWO's sign-off.
    case = s.opened(formal, 30)
    s.to_targeted(case, 24)
    s.walk(
        case,
        [
            ("review_held", "lead", 15, _review("No better.", "72", ["not_met"] * 2, "step_up")),
            ("step_up_to_intensive", "ewo", 14, {"step_up_reason": "Down to 70%."}),
            ("review_held", "ewo", 2, _review("Still 70%.", "70", ["not_met"] * 2, "step_up")),
            (
                "refer_for_formal_action",
                "ewo",
                1,
                {
                    "formal_reason": "Intensive support for a term has not changed attendance.",
                    "support_offered": "A plan since the spring, reviewed; a multi-agency "
                    "meeting; the family engaged at first, then stopped replying.",
                },
            ),
        ],
    )
    statutory = s.linked(case, "statutory_referral")
    s.step(
        statutory,
        "issue_penalty_notice",
        "ewo",
        0.3,
        {
            "formal_reason": "Unauthorised absence of 30 sessions this half-term.",
            "support_offered": "See the linked support-first case: plan, reviews, intensive "
            "support.",
        },
    )

    # Stuck: the EWO has asked for a consultation, which the educational psychology team
    # has not booked yet.
    case = s.opened(requested, 14)
    s.to_targeted(case, 8)
    s.step(case, "request_ewo_consultation", "ewo", 0.5, {"stuck_summary": _STUCK})

    # A consultation held three weeks ago: advice and an action plan, an action agreed for
    # the school, and the follow-up coming due by itself.
    case = s.opened(consulted, 18)
    s.to_targeted(case, 12)
    s.step(case, "request_ewo_consultation", "ewo", 6, {"stuck_summary": _STUCK})
    consultation = s.linked(case, "ewo_consultation")
    booked = (now - timedelta(weeks=3)).astimezone(LONDON).date().isoformat()
    s.walk(
        consultation,
        [
            ("schedule_consultation", "ep", 5, {"consultation_date": booked}),
            (
                "hold_consultation",
                "ep",
                3,
                {
                    **SPIRAL,
                    "advice": "Meet mum away from school first; begin with two mornings.",
                    "action_plan": "A phased return timetable; a key adult at the gate.",
                },
            ),
        ],
    )
    s.agree(
        consultation,
        "ep",
        "Draw up a phased return timetable with the family",
        "attendance_lead",
        s.ago(3),
    )

    # Targets met: the review stepped down to universal support.
    case = s.opened(stepped_down, 20)
    s.to_targeted(case, 14)
    s.walk(
        case,
        [
            ("review_held", "lead", 2, _review("Much better.", "95", ["met", "met"], "step_down")),
            ("step_down", "lead", 1.5, {"step_down_reason": "Targets met for six weeks."}),
        ],
    )


_STUCK = "The plan was agreed, but attendance keeps falling and mum feels blamed."


def _sharing(s: Stories, pupil: Pupil, case: Case) -> None:
    """Consent for CAMHS until the end of the school year; consent for the youth service,
    withdrawn by the mother after the mentor had been asked."""
    lead = s.actors["lead"]
    given = s.ago(10).astimezone(LONDON).date()
    record_basis(
        s.session,
        lead,
        pupil.id,
        BasisDetails(
            "camhs",
            "consent",
            "Talking to CAMHS about low mood",
            "Mother",
            given,
            expires_on=date(given.year + 1, 7, 31),
        ),
        now=s.ago(10),
    )
    youth = record_basis(
        s.session,
        lead,
        pupil.id,
        BasisDetails("youth_service", "consent", "A mentor after school", "Mother", given),
        now=s.ago(10),
    )
    s.agree(case, "lead", "Offer a mentor once a week after school", "youth_worker", s.ago(9))
    withdraw(
        s.session,
        lead,
        youth.id,
        Withdrawal("Mother", "By phone to the attendance lead", s.ago(4).astimezone(LONDON).date()),
        now=s.ago(4),
    )


def virtual_school_stories(
    session: Session, school_pupils: Sequence[Pupil], actors: Mapping[str, Actor]
) -> None:
    """Dated flags for the first school's looked-after pupils and those with a social worker,
    a personal education plan's attendance target, and a pupil previously looked after."""
    lead = actors["lead"]
    today = utcnow().astimezone(LONDON).date()
    for pupil in school_pupils:
        if pupil.looked_after:
            record_status(session, lead, pupil, "looked_after", date(today.year - 2, 9, 1))
            record_plan(session, lead, pupil, today - timedelta(days=40), 95)
        if pupil.has_social_worker:
            record_status(
                session,
                lead,
                pupil,
                "has_social_worker",
                today - timedelta(days=300),
                ended_on=today + timedelta(days=21),
            )
    adopted = next(p for p in school_pupils if not (p.looked_after or p.has_social_worker))
    record_status(
        session,
        lead,
        adopted,
        "looked_after",
        date(today.year - 5, 1, 10),
        ended_on=date(today.year - 3, 6, 30),
    )
    record_status(session, lead, adopted, "previously_looked_after", date(today.year - 3, 6, 30))
    record_plan(session, lead, adopted, today - timedelta(days=20), 92)


def safeguarding_story(session: Session, pupil: Pupil, actors: Mapping[str, Actor]) -> None:
    """A concern raised on the pupil's open panel case, and the referral made on the linked
    formal case: children's social care now have a decision to make."""
    now = utcnow()
    case = session.scalars(
        select(Case)
        .where(Case.pupil_id == pupil.id, Case.is_final.is_(False))
        .order_by(Case.id.desc())
    ).first()
    assert case is not None, "the demo's safeguarding story needs a pupil with an open case"
    fire(
        case,
        "raise_safeguarding_concern",
        actors["teacher"],
        {"safeguarding_concern": "Bruising seen on the arm; the pupil said not to tell anyone."},
        now=now - timedelta(days=2),
    )
    formal = session.scalars(
        select(Case)
        .where(Case.group_id == case.group_id, Case.workflow_key == "statutory_referral")
        .order_by(Case.id.desc())
    ).first()
    assert formal is not None
    result = fire(
        formal,
        "refer_to_social_care",
        actors["lead"],
        {"safeguarding_concern": "Referred by phone to the front door; written up here."},
        now=now - timedelta(days=2, hours=-1),
    )
    if not result:
        raise RuntimeError(f"demo referral refused: {result.message}")  # type: ignore[union-attr]
