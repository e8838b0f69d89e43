"""Consent and other lawful bases, their withdrawal and expiry, and agencies' involvement while
a case is open: the operations and the need-to-know scopes they feed, in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from panelflow.accounts.models import User
from panelflow.accounts.operations import actor_for
from panelflow.actions.models import Action, ActionUpdate
from panelflow.actions.operations import create_action
from panelflow.audit.models import AuditRecord
from panelflow.cases.models import Case, Consent
from panelflow.cases.operations import fire, open_case, options
from panelflow.catalogue.models import WorkflowVersion
from panelflow.notify.models import OutgoingEmail
from panelflow.organisations.models import Pupil, School
from panelflow.roles import Actor
from panelflow.roles.policy import case_scope, pupil_scope
from panelflow.sharing import operations as ops
from panelflow.sharing.models import Involvement
from tests.factories import make_account, make_local_authority, make_pupil, make_school

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday in term


@dataclass
class World:
    school: School
    ben: Pupil
    lead: Actor  # attendance lead at Ben's school
    ewo: Actor
    ep: Actor  # educational psychologist, same local authority
    ep_elsewhere: Actor  # educational psychologist in another local authority
    camhs: Actor


@pytest.fixture
def world(session: Session, published: WorkflowVersion) -> World:
    wirral = make_local_authority(session, "Wirral Council")
    sefton = make_local_authority(session, "Sefton Council")
    school = make_school(session, "Rock Ferry High", local_authority=wirral)
    ben = make_pupil(session, school, given_name="Ben")

    def account(role: str, la: object = wirral) -> Actor:
        return actor_for(make_account(session, role, school=school, local_authority=la))  # type: ignore[arg-type]

    world = World(
        school,
        ben,
        account("attendance_lead"),
        account("ewo"),
        account("educational_psychologist"),
        account("educational_psychologist", sefton),
        account("camhs_practitioner"),
    )
    session.flush()
    return world


def seen(session: Session, actor: Actor) -> list[str]:
    return list(session.scalars(select(Pupil.given_name).where(pupil_scope(actor))))


def cases_seen(session: Session, actor: Actor) -> set[str]:
    return set(session.scalars(select(Case.workflow_key).where(case_scope(actor))))


def consent(session: Session, world: World, agency: str, **values: object) -> Consent:
    details = ops.BasisDetails(
        agency=agency,
        basis=str(values.pop("basis", "consent")),
        purpose="Attendance and the support plan, for a consultation",
        given_by="Jo Taylor, mother",
        given_on=date(2026, 2, 20),
        lawful_basis=str(values.pop("lawful_basis", "")),
        expires_on=values.pop("expires_on", None),  # type: ignore[arg-type]
    )
    return ops.record_basis(session, world.lead, world.ben.id, details, now=NOW)


def stuck_support_case(session: Session, world: World) -> Case:
    """A support-first case at targeted support, with the EWO asked to help."""
    case = open_case(session, world.ben, "support_first", world.lead, now=NOW)
    case.state = "targeted_support"
    create_action(
        session,
        case,
        world.lead,
        title="Work with the family",
        agency="attendance_service",
        role="ewo",
        now=NOW,
    )
    session.flush()
    return case


def request_consultation(session: Session, world: World, case: Case) -> Case:
    fired = fire(
        case,
        "request_ewo_consultation",
        world.ewo,
        {"stuck_summary": "No change in 8 weeks"},
        now=NOW,
    )
    assert fired, fired
    [consultation] = fired.opened  # type: ignore[union-attr]
    return consultation


def camhs_asked(session: Session, world: World) -> tuple[Case, Action]:
    case = open_case(session, world.ben, "school_panel", world.lead, now=NOW)
    action = create_action(
        session,
        case,
        world.lead,
        title="Offer a consultation",
        agency="camhs",
        role="camhs_practitioner",
        now=NOW,
    )
    return case, action


# -- involvement while a case is open ---------------------------------------------------------


def test_the_ep_team_sees_a_requested_consultation_and_its_linked_case_only_while_open(
    session: Session, world: World
) -> None:
    support = stuck_support_case(session, world)
    open_case(session, world.ben, "statutory_referral", world.lead, now=NOW)  # another group
    assert seen(session, world.ep) == []

    consent(session, world, "educational_psychology")
    consultation = request_consultation(session, world, support)

    assert seen(session, world.ep) == ["Ben"]
    assert cases_seen(session, world.ep) == {"support_first", "ewo_consultation"}
    assert seen(session, world.ep_elsewhere) == []
    assert seen(session, world.camhs) == []
    [involvement] = session.scalars(
        select(Involvement).where(Involvement.agency == "educational_psychology")
    ).all()
    assert (involvement.agency, involvement.case_id) == ("educational_psychology", consultation.id)
    assert involvement.reason == "while the EWO consultation case is open"

    booked = fire(
        consultation,
        "schedule_consultation",
        world.ep,
        {"consultation_date": "2026-03-09"},
        now=NOW,
    )
    assert booked, booked
    assert seen(session, world.ep) == ["Ben"]

    closed = fire(
        consultation,
        "cancel",
        world.ep,
        {"closure_reason": "Family moved away"},
        now=NOW + timedelta(days=1),
    )
    assert closed, closed

    assert seen(session, world.ep) == []
    assert cases_seen(session, world.ep) == set()
    session.refresh(involvement)
    assert involvement.ended_at is not None
    assert involvement.end_reason == "the EWO consultation case closed"
    audited = set(session.scalars(select(AuditRecord.action)))
    assert {"sharing.involvement_start", "sharing.involvement_end"} <= audited


def test_a_request_needs_consent_for_the_educational_psychology_team_first(
    session: Session, world: World
) -> None:
    support = stuck_support_case(session, world)
    [request] = [
        o
        for o in options(support, world.ewo, now=NOW)
        if o.transition.trigger == "request_ewo_consultation"
    ]
    assert [b.message for b in request.blockers] == [
        "consent or a lawful basis to share with Educational psychology is not recorded"
    ]


def test_withdrawing_consent_ends_the_involvement_and_recording_it_again_resumes_it(
    session: Session, world: World
) -> None:
    support = stuck_support_case(session, world)
    given = consent(session, world, "educational_psychology")
    consultation = request_consultation(session, world, support)

    ended = ops.withdraw(
        session,
        world.lead,
        given.id,
        ops.Withdrawal("Jo Taylor, mother", "Phone call to the school office", date(2026, 3, 2)),
        now=NOW,
    )

    assert len(ended.involvements) == 1 and ended.actions == []
    assert seen(session, world.ep) == []
    refused = fire(
        consultation,
        "schedule_consultation",
        world.ep,
        {"consultation_date": "2026-03-09"},
        now=NOW,
    )
    assert not refused and refused.reasons[0].kind == "not_permitted"  # type: ignore[union-attr]

    consent(session, world, "educational_psychology")
    assert seen(session, world.ep) == ["Ben"]
    rows = session.scalars(
        select(Involvement)
        .where(Involvement.agency == "educational_psychology")
        .order_by(Involvement.id)
    ).all()
    assert [r.ended_at is None for r in rows] == [False, True]
    assert rows[0].end_reason == (
        "Consent to share with Educational psychology was withdrawn on 2 March 2026"
    )


# -- withdrawal and expiry of consent ---------------------------------------------------------


def test_withdrawal_ends_the_agencys_open_and_accepted_actions_and_says_why(
    session: Session, world: World
) -> None:
    given = consent(session, world, "camhs")
    _, first = camhs_asked(session, world)
    _, second = camhs_asked(session, world)
    second.status = "accepted"
    _, youth = camhs_asked(session, world)
    youth.agency = "youth_service"
    session.flush()
    assert seen(session, world.camhs) == ["Ben"]

    ended = ops.withdraw(
        session,
        world.lead,
        given.id,
        ops.Withdrawal("Jo Taylor, mother", "Letter to the head teacher", date(2026, 3, 1)),
        now=NOW,
    )

    assert sorted(ended.actions) == sorted([first.id, second.id])
    for action in (first, second):
        session.refresh(action)
        assert action.status == "withdrawn"
    session.refresh(youth)
    assert youth.status == "open"
    update = session.scalars(
        select(ActionUpdate).where(
            ActionUpdate.action_id == first.id, ActionUpdate.kind == "withdrawn"
        )
    ).one()
    assert update.text == (
        "Consent to share with CAMHS (child and adolescent mental health services) was "
        "withdrawn on 1 March 2026, so this action has ended."
    )
    assert seen(session, world.camhs) == []
    record = session.scalars(
        select(AuditRecord).where(AuditRecord.action == "consent.withdraw")
    ).one()
    assert record.summary.endswith("was withdrawn: 2 actions ended")
    assert record.details["agency"] == "camhs"
    assert record.details["actions_ended"] == 2
    session.refresh(given)
    assert (given.withdrawn_by, given.withdrawal_how) == (
        "Jo Taylor, mother",
        "Letter to the head teacher",
    )
    assert given.withdrawal_recorded_by == world.lead.name
    # The CAMHS practitioner hears that both their actions ended, and why, without a name.
    told = session.scalars(
        select(OutgoingEmail)
        .where(OutgoingEmail.dedupe_key.like("action-withdrawn:%"))
        .order_by(OutgoingEmail.id)
    ).all()
    camhs = session.get(User, world.camhs.user_id)
    assert camhs is not None
    assert [(e.to_address, e.subject) for e in told] == [
        (camhs.email, "Action ended: Offer a consultation"),
        (camhs.email, "Action ended: Offer a consultation"),
    ]
    assert "consent to share the pupil's information with CAMHS" in told[0].body
    assert "withdrawn on 1 March 2026" in told[0].body and "Ben" not in told[0].body


def test_withdrawal_leaves_access_while_another_basis_for_the_agency_stands(
    session: Session, world: World
) -> None:
    given = consent(session, world, "camhs")
    consent(
        session,
        world,
        "camhs",
        basis="lawful_basis",
        lawful_basis="Public task: the local authority's duties under the Education Act 1996",
    )
    _, action = camhs_asked(session, world)

    ended = ops.withdraw(
        session,
        world.lead,
        given.id,
        ops.Withdrawal("Jo Taylor, mother", "In person", date(2026, 3, 2)),
        now=NOW,
    )

    assert ended.still_shared and ended.actions == []
    session.refresh(action)
    assert action.status == "open"
    assert seen(session, world.camhs) == ["Ben"]


def test_expired_consent_ends_access_when_the_tick_runs_and_conditions_fail_again(
    session: Session, world: World
) -> None:
    consent(session, world, "camhs", expires_on=date(2026, 3, 6))
    case, action = camhs_asked(session, world)
    case.state = "on_agenda"
    session.flush()
    assert ops.expire(session, now=NOW) == 0

    after = datetime(2026, 3, 7, 0, 30, tzinfo=UTC)  # 0:30 GMT on the 7th
    assert ops.expire(session, now=after) == 1
    assert ops.expire(session, now=after) == 0  # once only

    session.refresh(action)
    assert action.status == "withdrawn"
    assert seen(session, world.camhs) == []
    [ask] = [o for o in options(case, world.lead, now=after) if o.transition.trigger == "ask_camhs"]
    assert [b.message for b in ask.blockers] == [
        "consent or a lawful basis to share with CAMHS (child and adolescent mental health "
        "services) is not recorded"
    ]
    record = session.scalars(
        select(AuditRecord).where(AuditRecord.action == "consent.expire")
    ).one()
    assert record.details["actions_ended"] == 1
    assert (
        "ended on 6 March 2026"
        in session.scalars(select(ActionUpdate.text).where(ActionUpdate.kind == "withdrawn")).one()
    )


# -- recording: who may, and what is checked -------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "problems"),
    [
        (
            {"agency": "school"},
            {"agency": "Choose the agency the pupil's cases may be shared with"},
        ),
        ({"basis": "maybe"}, {"basis": "Choose whether this is consent or another lawful basis"}),
        (
            {"basis": "lawful_basis"},
            {
                "lawful_basis": "Describe the lawful basis, for example 'Public task: the local "
                "authority's duties under the Education Act 1996'"
            },
        ),
        ({"purpose": "  "}, {"purpose": "Write what the information will be shared for"}),
        ({"given_on": None}, {"given_on": "Enter the date it was given, for example 3 9 2026"}),
        (
            {"given_on": date(2026, 3, 3)},
            {"given_on": "The date it was given must be today or in the past"},
        ),
        (
            {"expires_on": date(2026, 3, 1)},
            {
                "expires_on": "The last day it covers must be today or in the future; to stop "
                "sharing now, record a withdrawal instead"
            },
        ),
    ],
)
def test_recording_says_what_is_wrong_with_each_detail(
    session: Session, world: World, changes: dict[str, object], problems: dict[str, str]
) -> None:
    values: dict[str, object] = {
        "agency": "camhs",
        "basis": "consent",
        "purpose": "A consultation",
        "given_by": "Jo Taylor, mother",
        "given_on": date(2026, 3, 2),
        "expires_on": None,
    } | changes
    with pytest.raises(ops.SharingError) as raised:
        ops.record_basis(session, world.lead, world.ben.id, ops.BasisDetails(**values), now=NOW)  # type: ignore[arg-type]
    assert raised.value.problems == problems
    assert session.scalars(select(Consent)).all() == []


def test_only_people_who_run_the_pupils_cases_may_record_or_withdraw(
    session: Session, world: World
) -> None:
    given = consent(session, world, "camhs")
    camhs_asked(session, world)
    other_school = make_school(session, "Birkenhead Park Primary")
    other_school.local_authority_id = world.school.local_authority_id
    elsewhere = actor_for(make_account(session, "attendance_lead", school=other_school))
    details = ops.BasisDetails("camhs", "consent", "x", "Jo", date(2026, 3, 1))

    # CAMHS sees Ben (their action is open) but does not record sharing; nor does a lead
    # at another school.
    for actor in (world.camhs, elsewhere):
        with pytest.raises(LookupError):
            ops.record_basis(session, actor, world.ben.id, details, now=NOW)
        with pytest.raises(LookupError):
            ops.withdraw(session, actor, given.id, ops.Withdrawal("Jo", "x", date(2026, 3, 2)))
    assert ops.may_record(session, world.lead, world.ben.id)


def test_a_withdrawal_is_checked_and_happens_once(session: Session, world: World) -> None:
    given = consent(session, world, "camhs")
    with pytest.raises(ops.SharingError) as raised:
        ops.withdraw(
            session, world.lead, given.id, ops.Withdrawal("", "", date(2026, 2, 1)), now=NOW
        )
    assert raised.value.problems == {
        "withdrawn_by": "Write who withdrew it, for example 'Jo Taylor, mother'",
        "how": "Write how they told us, for example 'by phone to the school office'",
        "withdrawn_on": (
            "The date it was withdrawn cannot be before it was given (20 February 2026)"
        ),
    }
    with pytest.raises(ops.SharingError) as raised:
        ops.withdraw(
            session, world.lead, given.id, ops.Withdrawal("Jo", "Phone", date(2026, 3, 9)), now=NOW
        )
    assert raised.value.problems == {
        "withdrawn_on": "The date it was withdrawn must be today or in the past"
    }
    ops.withdraw(
        session, world.lead, given.id, ops.Withdrawal("Jo", "Phone", date(2026, 3, 2)), now=NOW
    )
    with pytest.raises(ops.SharingError) as raised:
        ops.withdraw(
            session, world.lead, given.id, ops.Withdrawal("Jo", "Phone", date(2026, 3, 2)), now=NOW
        )
    assert raised.value.problems == {"withdrawn_by": "This was already withdrawn on 2 March 2026"}
