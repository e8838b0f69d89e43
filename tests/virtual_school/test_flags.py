"""Dated flags and plan targets: who may record them, the plain-English refusals, the
pupil's flags following their dates (now, and on ``tick`` when a date comes), and telling the
virtual school head once per step."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from panelflow.accounts.operations import actor_for
from panelflow.audit.models import AuditRecord
from panelflow.cases.operations import fire, open_case
from panelflow.catalogue.models import WorkflowVersion
from panelflow.notify.models import OutgoingEmail
from panelflow.organisations.models import Pupil, School
from panelflow.roles import Actor
from panelflow.virtual_school import operations
from panelflow.virtual_school.models import VirtualSchoolNotice
from panelflow.virtual_school.operations import VirtualSchoolError
from tests.factories import make_account, make_local_authority, make_pupil, make_school

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
TODAY = date(2026, 3, 10)


@pytest.fixture
def school(session: Session) -> School:
    return make_school(session, "Rock Ferry High", local_authority=make_local_authority(session))


@pytest.fixture
def pupil(session: Session, school: School) -> Pupil:
    return make_pupil(session, school, given_name="Chloe", date_of_birth=date(2014, 6, 1))


@pytest.fixture
def lead(session: Session, school: School) -> Actor:
    return actor_for(
        make_account(
            session, "attendance_lead", school=school, local_authority=make_local_authority(session)
        )
    )


def record(
    session: Session, actor: Actor, pupil: Pupil, kind: str, start: date, **kw: object
) -> None:
    operations.record_status(session, actor, pupil, kind, start, now=NOW, **kw)  # type: ignore[arg-type]


def test_a_flag_recorded_from_a_past_date_is_set_now_and_audited(
    session: Session, lead: Actor, pupil: Pupil
) -> None:
    record(session, lead, pupil, "looked_after", date(2025, 9, 1), note="Wirral Council")

    assert pupil.looked_after is True
    audit = session.scalars(
        select(AuditRecord).where(AuditRecord.action == "pupil.flag_recorded")
    ).one()
    assert audit.pupil_id == pupil.id
    assert audit.summary == "recorded looked after from 1 September 2025 (not ended)"


def test_a_flag_that_starts_later_is_set_by_tick_on_the_day(
    session: Session, lead: Actor, pupil: Pupil
) -> None:
    record(session, lead, pupil, "has_social_worker", TODAY + timedelta(days=7))
    assert pupil.has_social_worker is False

    assert operations.tick(session, now=NOW + timedelta(days=6)) == []
    changes = operations.tick(session, now=NOW + timedelta(days=7))

    assert [(c.kind, c.now_set) for c in changes] == [("has_social_worker", True)]
    session.refresh(pupil)
    assert pupil.has_social_worker is True
    dated = session.scalars(
        select(AuditRecord).where(AuditRecord.action == "pupil.flag_dated")
    ).one()
    assert dated.actor_id == "system:timer"
    assert operations.tick(session, now=NOW + timedelta(days=8)) == []  # nothing left to do


def test_ending_a_flag_today_clears_it_and_an_end_later_clears_it_then(
    session: Session, lead: Actor, pupil: Pupil
) -> None:
    record(session, lead, pupil, "looked_after", date(2025, 9, 1))
    record(session, lead, pupil, "has_social_worker", date(2025, 9, 1))
    looked_after, social_worker = sorted(
        session.scalars(select(operations.PupilStatus)).all(),
        key=lambda s: s.kind != "looked_after",
    )

    operations.end_status(session, lead, looked_after, TODAY, now=NOW)
    operations.end_status(session, lead, social_worker, TODAY + timedelta(days=30), now=NOW)

    assert (pupil.looked_after, pupil.has_social_worker) == (False, True)
    operations.tick(session, now=NOW + timedelta(days=30))
    session.refresh(pupil)
    assert pupil.has_social_worker is False
    with pytest.raises(VirtualSchoolError, match="This record already ended on 10 March 2026"):
        operations.end_status(session, lead, looked_after, TODAY, now=NOW)


def test_a_flag_set_without_dates_is_left_alone(session: Session, school: School) -> None:
    legacy = make_pupil(session, school, given_name="Dylan", looked_after=True)

    assert operations.tick(session, now=NOW) == []
    session.refresh(legacy)
    assert legacy.looked_after is True


@pytest.mark.parametrize(
    ("kind", "start", "kw", "message", "field"),
    [
        ("cared_for", date(2025, 9, 1), {}, "Choose looked after, previously looked after", "kind"),
        ("looked_after", None, {}, "Enter the date it started, for example 3 3 2026", "started_on"),
        (
            "looked_after",
            date(2014, 5, 31),
            {},
            "The start date must be on or after the pupil's date of birth (1 June 2014)",
            "started_on",
        ),
        (
            "looked_after",
            date(2026, 6, 11),
            {},
            "The start date must be no more than 3 months ahead (on or before 10 June 2026)",
            "started_on",
        ),
        (
            "looked_after",
            date(2025, 9, 1),
            {"ended_on": date(2025, 8, 31)},
            "The end date must be the same as or after the start date (1 September 2025)",
            "ended_on",
        ),
        (
            "looked_after",
            date(2025, 9, 1),
            {"note": "x" * 501},
            "Keep the note to 500 characters or fewer (it has 501)",
            "note",
        ),
    ],
    ids=["kind", "no-start", "before-birth", "too-far-ahead", "end-before-start", "long-note"],
)
def test_bad_dates_and_values_are_refused_in_words(
    session: Session,
    lead: Actor,
    pupil: Pupil,
    kind: str,
    start: date | None,
    kw: dict[str, object],
    message: str,
    field: str,
) -> None:
    with pytest.raises(VirtualSchoolError) as refused:
        record(session, lead, pupil, kind, start, **kw)  # type: ignore[arg-type]

    assert refused.value.message.startswith(message)
    assert refused.value.field == field


def test_overlapping_periods_are_refused(session: Session, lead: Actor, pupil: Pupil) -> None:
    record(session, lead, pupil, "looked_after", date(2024, 1, 8), ended_on=date(2025, 7, 1))

    with pytest.raises(VirtualSchoolError) as same:
        record(session, lead, pupil, "looked_after", date(2025, 6, 1))
    with pytest.raises(VirtualSchoolError) as both:
        record(session, lead, pupil, "previously_looked_after", date(2025, 6, 30))
    record(session, lead, pupil, "previously_looked_after", date(2025, 7, 1))  # the day it ended

    assert same.value.message == (
        "Chloe is already recorded as looked after from 8 January 2024 until 1 July 2025; end "
        "that record first, or choose dates that do not overlap it"
    )
    assert both.value.message == (
        "A pupil cannot be looked after and previously looked after at the same time: Chloe "
        "is recorded as looked after from 8 January 2024 until 1 July 2025"
    )
    assert (pupil.looked_after, pupil.previously_looked_after) == (False, True)


def test_who_may_record(session: Session, school: School, pupil: Pupil) -> None:
    wirral = make_local_authority(session)
    staff = actor_for(make_account(session, "school_staff", school=school, local_authority=wirral))
    other = make_school(session, "Park High", local_authority=wirral)
    elsewhere = actor_for(
        make_account(session, "attendance_lead", school=other, local_authority=wirral)
    )
    far = make_local_authority(session, "Sefton Council")
    head = actor_for(make_account(session, "virtual_school_head", local_authority=wirral))
    far_head = actor_for(make_account(session, "virtual_school_head", local_authority=far))
    chair = actor_for(make_account(session, "panel_chair", school=school, local_authority=wirral))

    for refused in (staff, elsewhere, far_head):
        with pytest.raises(VirtualSchoolError, match="Only the school's attendance lead"):
            record(session, refused, pupil, "looked_after", date(2025, 9, 1))
    with pytest.raises(VirtualSchoolError, match="Only the school's"):
        # The virtual school head sees the pupil only once a flag brings them into view.
        record(session, head, pupil, "looked_after", date(2025, 9, 1))
    record(session, chair, pupil, "looked_after", date(2025, 9, 1))
    record(session, head, pupil, "has_social_worker", date(2025, 9, 1))

    assert (pupil.looked_after, pupil.has_social_worker) == (True, True)


def test_a_plan_target_needs_a_looked_after_pupil_a_past_date_and_a_percentage(
    session: Session, lead: Actor, pupil: Pupil
) -> None:
    def plan(day: date | None, target: int | None) -> str:
        with pytest.raises(VirtualSchoolError) as refused:
            operations.record_plan(session, lead, pupil, day, target, now=NOW)
        return refused.value.message

    assert plan(TODAY, 95).startswith("A personal education plan is for a looked-after")
    record(session, lead, pupil, "looked_after", date(2025, 9, 1))
    assert plan(None, 95).startswith("Enter the date of the personal education plan")
    assert plan(TODAY + timedelta(days=1), 95).endswith("must be today or in the past")
    assert plan(TODAY, 0).startswith("Enter the attendance target as a whole percentage")
    assert plan(TODAY, 101).startswith("Enter the attendance target as a whole percentage")

    saved = operations.record_plan(session, lead, pupil, TODAY, 95, now=NOW)

    assert (saved.attendance_target, saved.plan_date) == (95, TODAY)


def test_the_head_is_told_once_per_step_and_not_of_their_own(
    session: Session, published: WorkflowVersion, lead: Actor, pupil: Pupil, school: School
) -> None:
    wirral = make_local_authority(session)
    head = make_account(
        session, "virtual_school_head", local_authority=wirral, email="vsh@wirral.example"
    )
    other_head = make_account(
        session, "virtual_school_head", local_authority=wirral, email="vsh2@wirral.example"
    )
    make_account(
        session,
        "virtual_school_head",
        local_authority=make_local_authority(session, "Sefton Council"),
        email="far@sefton.example",
    )
    record(session, lead, pupil, "looked_after", date(2025, 9, 1))
    case = open_case(session, pupil, "school_panel", lead)

    fired = fire(case, "add_to_agenda", lead, {"reason": "Missing Mondays"})
    assert fired
    event = fired.event  # type: ignore[union-attr]
    again = operations.tell(session, case, event, lead, NOW)  # a second call queues nothing new
    concern = fire(
        case, "raise_safeguarding_concern", actor_for(head), {"safeguarding_concern": "Worried"}
    )
    assert concern

    emails = session.scalars(
        select(OutgoingEmail)
        .where(OutgoingEmail.dedupe_key.like("virtual-school:%"))
        .order_by(OutgoingEmail.id)
    ).all()
    assert again == 0
    assert [(e.to_address, e.subject) for e in emails] == [
        (
            "vsh@wirral.example",
            "A pupil you support: Nominate for the next panel (School attendance panel)",
        ),
        (
            "vsh2@wirral.example",
            "A pupil you support: Nominate for the next panel (School attendance panel)",
        ),
        (
            "vsh2@wirral.example",
            "A pupil you support: Raise a safeguarding concern (School attendance panel)",
        ),
    ]
    assert "Chloe" not in emails[0].body and "Taylor" not in emails[0].body
    assert (
        "School: Rock Ferry High" in emails[0].body
        and "The pupil is: looked after" in emails[0].body
    )
    notices = session.scalars(select(VirtualSchoolNotice).order_by(VirtualSchoolNotice.id)).all()
    assert [(n.trigger, n.emailed) for n in notices] == [
        ("add_to_agenda", 2),
        ("raise_safeguarding_concern", 1),
    ]
    assert head.id != other_head.id
