"""Funding decisions through the operations: the approval ladder of the shipped file's bands
(up to £150: a panel chair or attendance lead; up to £750: a panel chair, then a second
person; above: refused), overspend overrides, spend limits, the ledger, budget periods,
need-to-know, cohorts and registers, and the audit trail of each."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from panelflow.audit.models import AuditRecord
from panelflow.audit.operations import verify
from panelflow.funding.models import CohortSession, FundingDecision, RegisterMark
from panelflow.funding.operations import (
    FundingError,
    add_place,
    add_programme,
    approve,
    decisions_for_cases,
    decline,
    ledger,
    mark_register,
    propose,
    record_spend,
    set_budget,
    start_cohort,
    update_session,
    withdraw,
)
from tests.funding.conftest import Place


def _propose(session: Session, place: Place, who: str, pence: int, **extra: object):  # type: ignore[no-untyped-def]
    values: dict[str, object] = {
        "case": place.case,
        "item": "transport",
        "amount_pence": pence,
        "provider": "Merseytravel",
        "starts_on": place.today,
        "ends_on": place.today + timedelta(days=30),
    }
    values.update(extra)
    return propose(session, place.actor(who), **values)  # type: ignore[arg-type]


def _actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditRecord.action).order_by(AuditRecord.seq)))


# -- the approval ladder --------------------------------------------------------------------


def test_a_chair_funds_a_bus_pass_in_the_first_band_at_once(session: Session, place: Place) -> None:
    decision = _propose(session, place, "chair", 4500)

    assert decision.status == "approved"
    assert [(a.step, a.role, a.name) for a in decision.approvals] == [
        (1, "panel_chair", "Priya Shah")
    ]
    assert decision.budget_id == place.budget.id
    assert decision.panel_id == place.panel.id
    assert _actions(session)[-2:] == ["funding.propose", "funding.approve"]


def test_an_attendance_lead_approves_their_own_small_proposal(
    session: Session, place: Place
) -> None:
    assert _propose(session, place, "lead", 15000).status == "approved"  # exactly £150


def test_one_penny_over_the_first_band_needs_a_second_approval(
    session: Session, place: Place
) -> None:
    decision = _propose(session, place, "chair", 15001)

    assert decision.status == "proposed"
    assert [a.step for a in decision.approvals] == [1]


def test_the_second_approver_is_never_the_proposer_nor_the_first_approver(
    session: Session, place: Place
) -> None:
    decision = _propose(session, place, "lead", 40000)  # the lead may not approve band 2 first
    assert (decision.status, decision.approvals) == ("proposed", [])

    with pytest.raises(FundingError, match="Only Panel chair can give the first approval"):
        approve(session, place.actor("lead"), decision.id)
    approve(session, place.actor("chair"), decision.id)
    with pytest.raises(FundingError, match="someone other than the person who proposed it"):
        approve(session, place.actor("lead"), decision.id)
    with pytest.raises(FundingError, match="You gave the first approval"):
        approve(session, place.actor("chair"), decision.id)

    approved = approve(session, place.actor("deputy"), decision.id)

    assert approved.status == "approved"
    assert [(a.step, a.name, a.role) for a in approved.approvals] == [
        (1, "Priya Shah", "panel_chair"),
        (2, "Dev Patel", "panel_chair"),
    ]
    with pytest.raises(FundingError, match="approved, so it cannot be approved now"):
        approve(session, place.actor("lead"), decision.id)


def test_a_chairs_larger_proposal_waits_for_the_attendance_lead(
    session: Session, place: Place
) -> None:
    decision = _propose(session, place, "chair", 40000, item="group_programme")
    with pytest.raises(FundingError, match="someone other than the person who proposed it"):
        approve(session, place.actor("chair"), decision.id)

    assert approve(session, place.actor("lead"), decision.id).status == "approved"


def test_amounts_above_the_top_band_are_refused(session: Session, place: Place) -> None:
    with pytest.raises(FundingError) as refused:
        _propose(session, place, "chair", 75001)

    assert refused.value.field == "amount"
    assert "£750.01 is more than a panel can approve (at most £750.00)" in str(refused.value)
    assert session.scalar(select(FundingDecision.id)) is None


@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        ({"item": "holiday"}, "item", "Choose what the money is for"),
        ({"provider": "  "}, "provider", "Enter who provides it"),
        ({"amount_pence": 0}, "amount", "more than £0"),
        ({"ends_on": "yesterday"}, "ends_on", "end date"),
    ],
)
def test_bad_input_is_refused_on_its_field(
    session: Session, place: Place, extra: dict[str, object], field: str, words: str
) -> None:
    if extra.get("ends_on") == "yesterday":
        extra = {"ends_on": place.today - timedelta(days=1)}
    pence = int(extra.pop("amount_pence", 4500))  # type: ignore[call-overload]
    with pytest.raises(FundingError) as refused:
        _propose(session, place, "chair", pence, **extra)

    assert refused.value.field == field
    assert words in str(refused.value)


def test_people_who_do_not_run_the_panel_cannot_propose(session: Session, place: Place) -> None:
    for who in ("teacher", "ewo", "rockferry", "admin"):
        with pytest.raises(LookupError):
            _propose(session, place, who, 4500)


def test_decisions_outside_need_to_know_are_not_found(session: Session, place: Place) -> None:
    decision = _propose(session, place, "chair", 40000)
    for who in ("rockferry", "ewo", "teacher", "admin"):
        with pytest.raises(LookupError):
            approve(session, place.actor(who), decision.id)
        with pytest.raises(LookupError):
            withdraw(session, place.actor(who), decision.id, "no")
        with pytest.raises(LookupError):
            record_spend(session, place.actor(who), decision.id, 100, place.today)


def test_declining_needs_an_approver_and_a_reason_and_never_the_proposer(
    session: Session, place: Place
) -> None:
    decision = _propose(session, place, "chair", 40000)
    with pytest.raises(FundingError, match="withdraw it instead"):
        decline(session, place.actor("chair"), decision.id, "Changed my mind")
    with pytest.raises(FundingError, match="Say why"):
        decline(session, place.actor("lead"), decision.id, " ")

    declined = decline(session, place.actor("lead"), decision.id, "The youth centre is free")

    assert (declined.status, declined.closed_reason, declined.closed_by_name) == (
        "declined",
        "The youth centre is free",
        "Lee Morgan",
    )
    assert _actions(session)[-1] == "funding.decline"


# -- the budget --------------------------------------------------------------------------------


def test_overspending_is_refused_without_a_reason_and_recorded_with_one(
    session: Session, place: Place
) -> None:
    _propose(session, place, "chair", 14000)  # committed
    for _ in range(6):
        _propose(session, place, "chair", 14000)
    # £980 committed of £1,000: £20 is left.
    with pytest.raises(FundingError) as refused:
        _propose(session, place, "chair", 4500)
    assert refused.value.field == "override_reason"
    assert "This would overspend This term: £20.00 is left and £45.00 is asked for" in str(
        refused.value
    )

    decision = _propose(
        session, place, "chair", 4500, override_reason="Bus pass needed before half-term"
    )

    assert decision.status == "approved"
    assert decision.override_reason == "Bus pass needed before half-term"
    override = session.scalars(
        select(AuditRecord).where(AuditRecord.action == "funding.override")
    ).one()
    assert override.details == {"decision": decision.id, "budget": place.budget.id}
    assert "half-term" not in override.summary  # free text stays on the decision
    assert ledger(session, place.panel.id, place.budget.id).remaining == -2500


def test_the_overspend_is_checked_again_at_the_last_approval(
    session: Session, place: Place
) -> None:
    waiting = _propose(session, place, "chair", 40000)  # fits now; pending is not committed
    for _ in range(5):
        _propose(session, place, "chair", 14000)  # £700 committed, £300 left
    with pytest.raises(FundingError) as refused:
        approve(session, place.actor("lead"), waiting.id)
    assert refused.value.field == "override_reason"

    approved = approve(session, place.actor("lead"), waiting.id, "Agreed with the LA")

    assert (approved.status, approved.override_reason) == ("approved", "Agreed with the LA")


def test_no_budget_period_on_the_start_date(session: Session, place: Place) -> None:
    later = place.today + timedelta(days=90)
    with pytest.raises(FundingError) as refused:
        _propose(session, place, "chair", 4500, starts_on=later, ends_on=later)

    assert refused.value.field == "starts_on"
    assert str(refused.value).startswith("No budget is set for Birkenhead Park panel on ")
    assert str(refused.value).endswith("; ask your LA administrator")


def test_budget_periods_of_a_panel_do_not_overlap(session: Session, place: Place) -> None:
    admin = place.actor("admin")
    with pytest.raises(FundingError, match="overlap This term"):
        set_budget(
            session,
            admin,
            panel_id=place.panel.id,
            label="Next term",
            starts_on=place.budget.ends_on,
            ends_on=place.budget.ends_on + timedelta(days=90),
            amount_pence=50_000,
        )
    nxt = set_budget(
        session,
        admin,
        panel_id=place.panel.id,
        label="Next term",
        starts_on=place.budget.ends_on + timedelta(days=1),
        ends_on=place.budget.ends_on + timedelta(days=90),
        amount_pence=50_000,
    )
    later = nxt.starts_on + timedelta(days=3)

    decision = _propose(session, place, "chair", 4500, starts_on=later, ends_on=later)

    assert decision.budget_id == nxt.id
    with pytest.raises(LookupError):  # not an LA administrator
        set_budget(
            session,
            place.actor("chair"),
            panel_id=place.panel.id,
            label="Mine",
            starts_on=later + timedelta(days=400),
            ends_on=later + timedelta(days=500),
            amount_pence=1,
        )


def test_changing_a_budget_keeps_its_decisions_inside_it(session: Session, place: Place) -> None:
    _propose(session, place, "chair", 4500)
    with pytest.raises(FundingError, match="start outside the new dates"):
        set_budget(
            session,
            place.actor("admin"),
            panel_id=place.panel.id,
            label="This term",
            starts_on=place.today + timedelta(days=1),
            ends_on=place.budget.ends_on,
            amount_pence=100_000,
            budget_id=place.budget.id,
        )
    changed = set_budget(
        session,
        place.actor("admin"),
        panel_id=place.panel.id,
        label="This term",
        starts_on=place.budget.starts_on,
        ends_on=place.budget.ends_on,
        amount_pence=120_000,
        budget_id=place.budget.id,
    )
    assert changed.amount_pence == 120_000
    record = session.scalars(
        select(AuditRecord).where(AuditRecord.action == "funding.budget").order_by(AuditRecord.seq)
    ).all()[-1]
    assert record.details["previous_amount_pence"] == 100_000


# -- spend and the ledger ----------------------------------------------------------------------


def test_spend_never_exceeds_what_was_approved(session: Session, place: Place) -> None:
    decision = _propose(session, place, "chair", 4500)
    record_spend(session, place.actor("lead"), decision.id, 3000, place.today, "Half-term pass")
    with pytest.raises(FundingError) as refused:
        record_spend(session, place.actor("lead"), decision.id, 1501, place.today)
    assert refused.value.field == "amount"
    assert "at most £15.00 can still be spent" in str(refused.value)
    with pytest.raises(FundingError, match="future"):
        record_spend(
            session, place.actor("lead"), decision.id, 100, place.today + timedelta(days=1)
        )

    record_spend(session, place.actor("lead"), decision.id, 1500, place.today)

    assert decision.spent_pence == 4500


def test_spend_only_against_approved_decisions(session: Session, place: Place) -> None:
    waiting = _propose(session, place, "chair", 40000)
    with pytest.raises(FundingError, match="only against an approved decision"):
        record_spend(session, place.actor("chair"), waiting.id, 100, place.today)


def test_the_ledger_adds_up(session: Session, place: Place) -> None:
    chair, lead = place.actor("chair"), place.actor("lead")
    bus = _propose(session, place, "chair", 4500)
    record_spend(session, chair, bus.id, 4500, place.today)
    course = _propose(session, place, "chair", 40000, item="group_programme")
    approve(session, lead, course.id)
    record_spend(session, chair, course.id, 10000, place.today)
    _propose(session, place, "chair", 20000, item="mentoring")  # pending
    turned_down = _propose(session, place, "chair", 5000, item="uniform")
    withdraw(session, chair, turned_down.id, "The school found a spare blazer")
    clock = _propose(session, place, "chair", 3000, item="equipment")
    record_spend(session, chair, clock.id, 1000, place.today)
    withdrawn = withdraw(session, chair, clock.id, "Bought one, the rest is not needed")

    book = ledger(session, place.panel.id, place.budget.id)

    assert withdrawn.status == "withdrawn"
    assert book.allocated == 100_000
    assert book.committed == 30_000  # the course's £400 less £100 spent
    assert book.spent == 15_500  # £45 + £100 + £10 (spent before the clock was withdrawn)
    assert book.pending == 20_000
    assert book.remaining == 54_500
    assert len(book.lines) == 5
    released = session.scalars(
        select(AuditRecord)
        .where(AuditRecord.action == "funding.withdraw")
        .order_by(AuditRecord.seq)
    ).all()[-1]
    assert released.details["released_pence"] == 2000
    with pytest.raises(LookupError):
        ledger(session, place.other_panel.id, place.budget.id)


def test_decisions_for_cases_are_grouped_by_case(session: Session, place: Place) -> None:
    first = _propose(session, place, "chair", 4500)
    second = _propose(session, place, "chair", 40000, item="mentoring")

    found = decisions_for_cases(session, [place.case.id, place.far_case.id])

    assert found == {place.case.id: [first, second]}
    assert decisions_for_cases(session, []) == {}


def test_every_decision_is_audited_without_the_pupils_name(session: Session, place: Place) -> None:
    decision = _propose(session, place, "lead", 40000)
    approve(session, place.actor("chair"), decision.id)
    approve(session, place.actor("deputy"), decision.id)
    record_spend(session, place.actor("chair"), decision.id, 100, place.today)
    session.commit()

    records = session.scalars(
        select(AuditRecord).where(AuditRecord.action.like("funding.%")).order_by(AuditRecord.seq)
    ).all()

    assert [r.action for r in records][-4:] == [
        "funding.propose",
        "funding.approve",
        "funding.approve",
        "funding.spend",
    ]
    for record in records[-4:]:
        assert record.case_id == place.case.id and record.pupil_id == place.pupil.id
        assert "Amara" not in record.summary and "Amara" not in str(record.details)
    assert verify(session).intact


# -- group programmes --------------------------------------------------------------------------


def test_a_cohort_with_places_sessions_and_a_register(session: Session, place: Place) -> None:
    programme = add_programme(
        session,
        place.actor("admin"),
        name="Inspiring Futures",
        provider="The Hive Youth Zone",
        description="A 6-9 week group programme",
    )
    with pytest.raises(FundingError, match="already a programme"):
        add_programme(session, place.actor("admin"), name="inspiring futures", provider="x")
    cohort = start_cohort(
        session,
        place.actor("chair"),
        programme_id=programme.id,
        panel_id=place.panel.id,
        label="Autumn, Tuesdays",
        starts_on=place.today,
        session_count=6,
        places=1,
    )
    sessions = session.scalars(
        select(CohortSession).where(CohortSession.cohort_id == cohort.id).order_by("number")
    ).all()
    assert [s.held_on for s in sessions] == [place.today + timedelta(weeks=n) for n in range(6)]

    paid = _propose(session, place, "chair", 40000, item="group_programme")
    with pytest.raises(FundingError, match="approved funding decision"):
        add_place(
            session, place.actor("chair"), cohort.id, case_id=place.case.id, decision_id=paid.id
        )
    approve(session, place.actor("lead"), paid.id)
    seat = add_place(
        session, place.actor("chair"), cohort.id, case_id=place.case.id, decision_id=paid.id
    )
    with pytest.raises(FundingError, match="All 1 places"):
        add_place(session, place.actor("chair"), cohort.id, case_id=place.case.id)

    mark_register(session, place.actor("lead"), sessions[0].id, {seat.id: "late"})
    mark_register(session, place.actor("chair"), sessions[0].id, {seat.id: "present"})
    with pytest.raises(FundingError, match="one of: present, late, absent, excused"):
        mark_register(session, place.actor("chair"), sessions[1].id, {seat.id: "here"})
    moved = update_session(
        session,
        place.actor("chair"),
        sessions[1].id,
        held_on=place.today + timedelta(days=8),
        topic="Confidence",
    )

    marks = session.scalars(select(RegisterMark)).all()
    assert [(m.place_id, m.mark, m.by_name) for m in marks] == [(seat.id, "present", "Priya Shah")]
    assert moved.topic == "Confidence"
    assert {"programme.add", "cohort.start", "cohort.place", "cohort.register"} <= set(
        _actions(session)
    )


def test_cohorts_are_only_for_the_panels_people_run(session: Session, place: Place) -> None:
    cohort = place.cohort(
        session,
        label="Autumn",
        starts_on=place.today,
        session_count=2,
        places=4,
    )
    first = session.scalars(
        select(CohortSession.id).where(CohortSession.cohort_id == cohort.id)
    ).first()
    assert first is not None
    for who in ("rockferry", "ewo", "teacher"):
        with pytest.raises(LookupError):
            start_cohort(
                session,
                place.actor(who),
                programme_id=cohort.programme_id,
                panel_id=place.panel.id,
                label="Mine",
                starts_on=place.today,
                session_count=1,
                places=1,
            )
        with pytest.raises(LookupError):
            add_place(session, place.actor(who), cohort.id, case_id=place.case.id)
        with pytest.raises(LookupError):
            mark_register(session, place.actor(who), first, {})
    with pytest.raises(LookupError):  # a pupil the chair may not see
        add_place(session, place.actor("chair"), cohort.id, case_id=place.far_case.id)


# -- leaving a cohort, and a place given by mistake -------------------------------------------


def _cohort_under_way(session: Session, place: Place, places: int = 4):  # type: ignore[no-untyped-def]
    """A cohort of six weekly sessions that started two weeks ago (the third is today), with
    Amara on it; returns the cohort, her place and the sessions in order."""
    cohort = place.cohort(
        session,
        label="Autumn, Tuesdays",
        starts_on=place.today - timedelta(weeks=2),
        session_count=6,
        places=places,
    )
    seat = add_place(session, place.actor("chair"), cohort.id, case_id=place.case.id)
    sessions = session.scalars(
        select(CohortSession).where(CohortSession.cohort_id == cohort.id).order_by("number")
    ).all()
    return cohort, seat, sessions


def test_a_pupil_who_leaves_keeps_their_history_and_is_not_expected_afterwards(
    session: Session, place: Place
) -> None:
    from panelflow.funding.operations import cohort_register, leave_cohort

    cohort, seat, sessions = _cohort_under_way(session, place)
    chair = place.actor("chair")
    mark_register(session, chair, sessions[0].id, {seat.id: "present"})
    mark_register(session, chair, sessions[1].id, {seat.id: "absent"})

    left = leave_cohort(
        session, chair, seat.id, left_on=sessions[0].held_on + timedelta(days=2), reason="Moved"
    )

    assert (left.left_on, left.left_reason, left.left_recorded_by_name) == (
        sessions[0].held_on + timedelta(days=2),
        "Moved",
        "Priya Shah",
    )
    _, rows = cohort_register(session, cohort)
    assert rows[0].expected == frozenset({sessions[0].id})
    assert (rows[0].attended, rows[0].marked) == (1, 1)  # the later absence is kept, not counted
    assert len(session.scalars(select(RegisterMark)).all()) == 2
    with pytest.raises(FundingError) as refused:
        mark_register(session, chair, sessions[2].id, {seat.id: "absent"})
    assert refused.value.field == f"place-{seat.id}"
    assert "left the cohort on" in str(refused.value)
    record = session.scalars(select(AuditRecord).where(AuditRecord.action == "cohort.leave")).one()
    assert record.case_id == place.case.id and record.pupil_id == place.pupil.id
    assert record.details == {
        "cohort": cohort.id,
        "place": seat.id,
        "left_on": left.left_on.isoformat(),  # type: ignore[union-attr]
        "previous_left_on": None,
    }
    assert "Moved" not in record.summary and "Moved" not in str(record.details)
    assert verify(session).intact


def test_a_place_freed_by_a_leaver_can_be_given_again(session: Session, place: Place) -> None:
    from panelflow.cases.operations import open_case
    from panelflow.funding.operations import leave_cohort
    from tests.factories import make_pupil

    cohort, seat, _ = _cohort_under_way(session, place, places=1)
    other = make_pupil(session, place.pupil.school, given_name="Ben", family_name="Roberts")
    ben = open_case(session, other, "school_panel", place.actor("teacher"))
    with pytest.raises(FundingError, match="All 1 places"):
        add_place(session, place.actor("chair"), cohort.id, case_id=ben.id)

    leave_cohort(session, place.actor("lead"), seat.id, left_on=place.today, reason="Moved")

    assert add_place(session, place.actor("chair"), cohort.id, case_id=ben.id).pupil_id == other.id


@pytest.mark.parametrize(
    ("days", "reason", "field", "words"),
    [
        (-15, "Moved", "left_on", "cannot be before the cohort started, on "),
        (1, "Moved", "left_on", "cannot be in the future"),
        (0, "   ", "left_reason", "Say in a few words why they left"),
        (0, "x" * 201, "left_reason", "at most 200 characters"),
    ],
)
def test_a_leaving_date_and_reason_that_make_no_sense_are_refused_on_their_field(
    session: Session, place: Place, days: int, reason: str, field: str, words: str
) -> None:
    from panelflow.funding.models import CohortPlace
    from panelflow.funding.operations import leave_cohort

    _, seat, _ = _cohort_under_way(session, place)

    with pytest.raises(FundingError) as refused:
        leave_cohort(
            session,
            place.actor("chair"),
            seat.id,
            left_on=place.today + timedelta(days=days),
            reason=reason,
        )

    assert refused.value.field == field
    assert words in str(refused.value)
    assert session.get(CohortPlace, seat.id).left_on is None  # type: ignore[union-attr]


def test_a_pupil_cannot_have_left_before_a_session_they_came_to(
    session: Session, place: Place
) -> None:
    from panelflow.funding.operations import leave_cohort

    _, seat, sessions = _cohort_under_way(session, place)
    mark_register(session, place.actor("chair"), sessions[1].id, {seat.id: "late"})

    with pytest.raises(FundingError) as refused:
        leave_cohort(
            session, place.actor("chair"), seat.id, left_on=sessions[0].held_on, reason="Moved"
        )
    assert refused.value.field == "left_on"
    assert "came to session 2 on " in str(refused.value)

    corrected = leave_cohort(
        session, place.actor("chair"), seat.id, left_on=sessions[1].held_on, reason="Moved"
    )
    again = leave_cohort(
        session, place.actor("lead"), seat.id, left_on=place.today, reason="Moved school"
    )
    assert corrected is again and again.left_reason == "Moved school"
    latest = session.scalars(
        select(AuditRecord).where(AuditRecord.action == "cohort.leave").order_by(AuditRecord.seq)
    ).all()[-1]
    assert latest.details["previous_left_on"] == sessions[1].held_on.isoformat()
    assert "a correction" in latest.summary
    with pytest.raises(FundingError, match="cannot be moved after that") as moved:
        update_session(
            session,
            place.actor("chair"),
            sessions[1].id,
            held_on=place.today + timedelta(days=1),
        )
    assert moved.value.field == "held_on"


def test_a_place_given_by_mistake_is_removed_until_the_pupil_is_on_a_register(
    session: Session, place: Place
) -> None:
    from panelflow.funding.models import CohortPlace
    from panelflow.funding.operations import remove_place

    cohort, seat, sessions = _cohort_under_way(session, place)
    paid = _propose(session, place, "chair", 40000, item="group_programme")
    approve(session, place.actor("lead"), paid.id)
    remove_place(session, place.actor("chair"), seat.id)
    funded = add_place(
        session, place.actor("chair"), cohort.id, case_id=place.case.id, decision_id=paid.id
    )
    remove_place(session, place.actor("lead"), funded.id)  # the decision can pay again
    seat = add_place(
        session, place.actor("chair"), cohort.id, case_id=place.case.id, decision_id=paid.id
    )
    mark_register(session, place.actor("chair"), sessions[0].id, {seat.id: "absent"})

    with pytest.raises(FundingError) as refused:
        remove_place(session, place.actor("chair"), seat.id)

    assert refused.value.field == "remove"
    assert "record that they left the cohort instead" in str(refused.value)
    assert session.get(CohortPlace, seat.id) is not None
    removals = session.scalars(
        select(AuditRecord)
        .where(AuditRecord.action == "cohort.place_remove")
        .order_by(AuditRecord.seq)
    ).all()
    assert [r.details["decision"] for r in removals] == [None, paid.id]
    assert all(r.case_id == place.case.id for r in removals)
    assert verify(session).intact


def test_only_those_who_run_the_panel_and_see_the_pupil_change_a_place(
    session: Session, place: Place
) -> None:
    from panelflow.funding.operations import leave_cohort, remove_place

    _, seat, _ = _cohort_under_way(session, place)
    for who in ("rockferry", "ewo", "teacher", "admin"):
        with pytest.raises(LookupError):
            leave_cohort(session, place.actor(who), seat.id, left_on=place.today, reason="x")
        with pytest.raises(LookupError):
            remove_place(session, place.actor(who), seat.id)
