"""Meeting operations: the agenda held and ordered, attendance, barriers, actions agreed,
outcomes through the engine, and closing; each refusal says what is wrong."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from panelflow.actions.models import Action
from panelflow.audit.models import AuditRecord
from panelflow.cases.models import Case
from panelflow.notify.models import OutgoingEmail
from panelflow.organisations.models import School
from panelflow.panels import meeting as ops
from panelflow.panels.models import AgendaItem, CaseBarrier, Meeting, Panel
from panelflow.panels.operations import nominate
from panelflow.roles import Actor
from panelflow.workflows.engine import Refused
from tests.factories import make_account, make_pupil, make_school, person

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
SERVICE_CHAIR = person("Priya Chair", "panel_chair")
STAFF = person("Tom Staff", "school_staff")


@pytest.fixture
def meeting(session: Session, panel: Panel) -> Meeting:
    found = Meeting(panel_id=panel.id, starts_at=NOW + timedelta(days=1))
    session.add(found)
    session.flush()
    return found


def _nominated(session: Session, school: School, *names: str) -> list[Case]:
    cases = []
    for n, name in enumerate(names):
        pupil = make_pupil(session, school, given_name=name, family_name="Pupil")
        cases.append(
            nominate(session, STAFF, pupil, "Late.", now=NOW - timedelta(hours=9 - n)).case
        )
    return cases


def _order(session: Session, meeting: Meeting) -> list[int]:
    return [i.case_id for i in ops.items_of(session, meeting)]


def test_holding_keeps_the_agenda_in_order_and_chairs_reorder_it(
    session: Session, school: School, meeting: Meeting
) -> None:
    a, b, c = _nominated(session, school, "Amara", "Ben", "Cara")

    ops.move(session, SERVICE_CHAIR, meeting, c.id, "up")
    assert _order(session, meeting) == [a.id, c.id, b.id]
    ops.move(session, SERVICE_CHAIR, meeting, a.id, "up")  # already first: nothing moves
    ops.move(session, SERVICE_CHAIR, meeting, b.id, "down")  # already last
    assert _order(session, meeting) == [a.id, c.id, b.id]
    with pytest.raises(LookupError):
        ops.move(session, SERVICE_CHAIR, meeting, 999_999, "up")
    assert [i.position for i in ops.items_of(session, meeting)] == [1, 2, 3]


def test_deferring_and_restoring_an_item(
    session: Session, school: School, meeting: Meeting
) -> None:
    [a] = _nominated(session, school, "Amara")
    ops.defer(session, SERVICE_CHAIR, meeting, a.id, "  Family   away ")
    [item] = ops.items_of(session, meeting)
    assert (item.status, item.deferred_reason) == ("deferred", "Family away")
    ops.restore(session, SERVICE_CHAIR, meeting, a.id)
    assert (item.status, item.deferred_reason) == ("waiting", "")


def test_adding_a_pupil_by_hand_needs_an_open_case_at_the_panels_schools(
    session: Session, school: School, meeting: Meeting
) -> None:
    [a] = _nominated(session, school, "Amara")
    other = make_pupil(session, make_school(session, "Rock Ferry High"), given_name="Zoe")
    from panelflow.cases.operations import open_case

    elsewhere = open_case(session, other, "school_panel", SERVICE_CHAIR)
    with pytest.raises(ops.MeetingError, match="already on this meeting's agenda"):
        ops.add(session, SERVICE_CHAIR, meeting, a.id)
    with pytest.raises(ops.MeetingError, match="open case at this panel's schools"):
        ops.add(session, SERVICE_CHAIR, meeting, elsewhere.id)
    here = open_case(session, make_pupil(session, school, given_name="Cara"), "school_panel", STAFF)
    item = ops.add(session, SERVICE_CHAIR, meeting, here.id)
    assert (item.kind, item.position) == ("added", 2)


def test_only_people_who_run_this_panel_change_its_meeting(
    session: Session, school: School, meeting: Meeting
) -> None:
    _nominated(session, school, "Amara")
    chair_elsewhere = make_account(
        session, "panel_chair", email="owen@bidston.example", school=make_school(session, "Bidston")
    )
    teacher = make_account(session, "school_staff", email="tom@park.example", school=school)
    from panelflow.accounts.operations import actor_for

    for actor in (actor_for(chair_elsewhere), actor_for(teacher)):
        assert not ops.may_run(session, actor, meeting)
        with pytest.raises(ops.MeetingError, match="Only the panel's chair"):
            ops.start(session, actor, meeting)
    chair_here = make_account(session, "panel_chair", email="priya@park.example", school=school)
    assert ops.may_run(session, actor_for(chair_here), meeting)


def test_attendance_takes_members_and_named_others_and_refuses_half_rows(
    session: Session, school: School, meeting: Meeting
) -> None:
    from panelflow.panels.models import PanelMember

    nia = make_account(session, "camhs_practitioner", email="nia@camhs.example", name="Nia Evans")
    stranger = make_account(session, "ewo", email="eve@la.example", name="Eve Stranger")
    session.add(PanelMember(panel_id=meeting.panel_id, user_id=nia.id))
    session.flush()
    with pytest.raises(ops.MeetingError, match="standing members") as refused:
        ops.record_attendance(session, SERVICE_CHAIR, meeting, [stranger.id])
    assert refused.value.field == "present"
    with pytest.raises(ops.MeetingError, match="both the name and the agency"):
        ops.record_attendance(session, SERVICE_CHAIR, meeting, [], [("Sam Lee", " ")])

    ops.record_attendance(
        session, SERVICE_CHAIR, meeting, [nia.id], [("Sam  Lee", "Youth service"), ("", "")]
    )
    ops.record_attendance(  # saving again replaces, never doubles
        session, SERVICE_CHAIR, meeting, [nia.id], [("Sam Lee", "Youth service")]
    )
    present = ops.attendance_of(session, meeting.id)
    assert [(p.name, p.user_id) for p in present] == [("Nia Evans", nia.id), ("Sam Lee", None)]


def test_a_pupil_discussed_barriers_actions_and_outcome(
    session: Session, school: School, meeting: Meeting
) -> None:
    [a] = _nominated(session, school, "Amara")
    with pytest.raises(ops.MeetingError, match="Start the meeting"):
        ops.record_discussion(
            session, SERVICE_CHAIR, meeting, ops.hold(session, meeting)[0], "", []
        )
    ops.start(session, SERVICE_CHAIR, meeting, now=NOW)
    [item] = ops.items_of(session, meeting)

    with pytest.raises(ops.MeetingError, match="Choose barriers from the list"):
        ops.record_discussion(session, SERVICE_CHAIR, meeting, item, "x", ["pupil:boredom"])
    ops.record_discussion(
        session,
        SERVICE_CHAIR,
        meeting,
        item,
        "Anxious.",
        ["pupil:anxiety or low mood", "community:transport (cost, distance or no service)"],
    )
    ops.record_discussion(  # unticking removes, ticking again does not double
        session, SERVICE_CHAIR, meeting, item, "Anxious.", ["pupil:anxiety or low mood"]
    )
    barriers = session.scalars(select(CaseBarrier).where(CaseBarrier.case_id == a.id)).all()
    assert [(b.category, b.barrier) for b in barriers] == [("pupil", "anxiety or low mood")]

    with pytest.raises(ops.MeetingError, match="Choose who") as refused:
        ops.agree_action(
            session, SERVICE_CHAIR, meeting, item, title="Call", owner_key="user:0", due=None
        )
    assert refused.value.field == "owner"
    with pytest.raises(ops.MeetingError, match="Write what will be done"):
        ops.agree_action(
            session, SERVICE_CHAIR, meeting, item, title="  ", owner_key="role:ewo", due=None
        )
    with pytest.raises(ops.MeetingError, match="today or later"):
        ops.agree_action(
            session,
            SERVICE_CHAIR,
            meeting,
            item,
            title="Call",
            owner_key="role:ewo",
            due=date(2026, 11, 1),
            now=NOW,
        )
    action = ops.agree_action(
        session,
        SERVICE_CHAIR,
        meeting,
        item,
        title="Offer a consultation",
        owner_key="role:camhs_practitioner",
        due=None,
        now=NOW,
    )
    assert (action.agency, action.role, action.meeting_id) == (
        "camhs",
        "camhs_practitioner",
        meeting.id,
    )
    assert action.due_at is not None and action.due_at.date() == date(
        2026, 12, 21
    )  # 4 school weeks
    spare = ops.agree_action(
        session,
        SERVICE_CHAIR,
        meeting,
        item,
        title="Mistake",
        owner_key="role:ewo",
        due=None,
        now=NOW,
    )
    ops.withdraw_action(session, SERVICE_CHAIR, meeting, item, spare.id)
    assert session.get(Action, spare.id) is None

    choices = {o.transition.trigger: o for o in ops.outcomes(session, SERVICE_CHAIR, a)}
    choice = choices["discuss_at_panel"]
    assert choice.available
    assert not choices["close_improved"].available  # a first discussion, not a review
    draft = ops.drafted(session, meeting, item, choice.transition)
    assert draft["barriers_discussed"] == "Pupil: anxiety or low mood\n\nAnxious."
    assert draft["actions_agreed"].startswith("1. Offer a consultation (CAMHS practitioner, by 21")

    refused_step = ops.decide(
        session, SERVICE_CHAIR, meeting, item, "discuss_at_panel", {"barriers_discussed": "x"}
    )
    assert isinstance(refused_step, Refused)
    assert item.status == "waiting"
    assert ops.decide(session, SERVICE_CHAIR, meeting, item, "discuss_at_panel", draft) is None
    assert (a.state, item.status, item.outcome) == ("under_review", "discussed", "discuss_at_panel")
    with pytest.raises(ops.MeetingError, match="already recorded an outcome"):
        ops.decide(session, SERVICE_CHAIR, meeting, item, "discuss_at_panel", draft)


def test_closing_defers_what_was_not_reached_and_sends_the_actions(
    session: Session, school: School, meeting: Meeting
) -> None:
    make_account(session, "camhs_practitioner", email="nia@camhs.example", name="Nia Evans")
    _a, b = _nominated(session, school, "Amara", "Ben")
    ops.start(session, SERVICE_CHAIR, meeting, now=NOW)
    first = ops.items_of(session, meeting)[0]
    ops.agree_action(
        session,
        SERVICE_CHAIR,
        meeting,
        first,
        title="Offer a consultation",
        owner_key="role:camhs_practitioner",
        due=None,
        now=NOW,
    )
    closed = ops.close(session, SERVICE_CHAIR, meeting, now=NOW)

    assert (closed.discussed, closed.deferred, closed.actions, closed.emails) == (0, 2, 1, 1)
    assert meeting.status == "closed"
    assert {i.status for i in ops.items_of(session, meeting)} == {"deferred"}
    [email] = session.scalars(select(OutgoingEmail)).all()
    assert email.to_address == "nia@camhs.example"
    assert "Amara" not in email.body
    with pytest.raises(ops.MeetingError, match="is closed"):
        ops.defer(session, SERVICE_CHAIR, meeting, b.id, "")
    assert (
        session.scalar(select(AuditRecord.summary).where(AuditRecord.action == "meeting.close"))
        == "closed a panel meeting: 0 discussed, 1 action(s) sent"
    )


def test_the_next_item_follows_agenda_order_and_skips_what_is_done(
    session: Session, school: School, meeting: Meeting
) -> None:
    _a, b, _c = _nominated(session, school, "Amara", "Ben", "Cara")
    ops.start(session, SERVICE_CHAIR, meeting, now=NOW)
    items = ops.items_of(session, meeting)
    ops.defer(session, SERVICE_CHAIR, meeting, b.id, "")
    assert ops.next_item(session, meeting) == items[0]
    assert ops.next_item(session, meeting, items[0]) == items[2]
    assert ops.next_item(session, meeting, items[2]) == items[0]
    assert isinstance(session.scalar(select(AgendaItem).limit(1)), AgendaItem)


def test_service_actors_without_the_permission_are_refused(
    session: Session, school: School, meeting: Meeting
) -> None:
    ewo = Actor("test:ewo", "Eve", frozenset({"ewo"}), "attendance_service")
    assert not ops.may_run(session, ewo, meeting)
    with pytest.raises(ops.MeetingError):
        ops.start(session, ewo, meeting)
