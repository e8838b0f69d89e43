"""Shared steps for the workflow features: people, pupils, cases, steps taken, and what the
record shows afterwards. Every step runs against the real engine and database, with the
shipped config/workflows.yaml published (the ``published`` fixture). The words the steps are
written in, and ``World``, are in world.py.
"""

from __future__ import annotations

import pytest
from pytest_bdd import given, parsers, then, when
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from panelflow.actions.models import Action
from panelflow.audit.models import AuditRecord
from panelflow.cases.models import Case, CaseEvent, CaseTimer, Consent
from panelflow.cases.operations import Fired, open_case, tick
from panelflow.catalogue.models import WorkflowVersion
from panelflow.roles import Actor
from panelflow.workflows.engine import Refused
from tests.factories import make_pupil, make_school
from tests.features.workflows.world import (
    ATTRIBUTES,
    CASE,
    DATE,
    KIND_WORDS,
    KINDS,
    LINKED,
    PUPIL,
    STEP,
    TIMER_ACTOR,
    WHO,
    World,
    day,
    on,
)


@pytest.fixture
def world(session: Session, published: WorkflowVersion) -> World:
    return World(session, published)


# -- Given: the setting ------------------------------------------------------------------------
@given("the workflows in config/workflows.yaml are published")
def _published(world: World) -> None:
    assert world.version.number == 1


@given(parsers.re(rf"{PUPIL} (?P<family>[A-Z][a-z]+) is a pupil at (?P<school>[A-Z][\w ]+)"))
def _pupil(world: World, pupil: str, family: str, school: str) -> None:
    if school not in world.schools:
        world.schools[school] = make_school(world.session, school)
    world.pupils[pupil] = make_pupil(
        world.session, world.schools[school], given_name=pupil, family_name=family
    )
    world.pupil = world.pupil or world.pupils[pupil]
    world.session.commit()


@given(parsers.re(rf"{PUPIL} is recorded as (?P<words>{'|'.join(ATTRIBUTES)})"))
def _attribute(world: World, pupil: str, words: str) -> None:
    setattr(world.the_pupil(pupil), ATTRIBUTES[words], True)
    world.session.commit()


@given(parsers.re(r"these people work with (?:the pupil|[A-Z][a-z]+):"))
def _people(world: World, datatable: list[list[str]]) -> None:
    header, *rows = datatable
    assert [h.lower() for h in header] == ["name", "role"], header
    for name, role_words in rows:
        role = world.role(role_words)
        agency = world.definitions.roles[role].agency
        world.people[name] = Actor(f"test:{name}", name, frozenset({role}), agency)


@given(
    parsers.re(
        rf"{WHO} has recorded (?P<basis>consent|a lawful basis) to share {PUPIL}'s case with "
        rf"(?P<agency>.+) on {DATE}"
    )
)
def _consent(world: World, who: str, basis: str, pupil: str, agency: str, date: str) -> None:
    world.session.add(
        Consent(
            pupil_id=world.the_pupil(pupil).id,
            agency=world.agency(agency),
            basis="consent" if basis == "consent" else "lawful_basis",
            purpose="Attendance support",
            given_by="Parent",
            recorded_by=world.person(who).name,
            recorded_at=on(date),
        )
    )
    world.session.commit()


@given(
    parsers.re(
        rf"{WHO} has (?:opened a (?P<kind>{KIND_WORDS})|started a nomination) for {PUPIL} on {DATE}"
    )
)
def _opened(world: World, who: str, kind: str | None, pupil: str, date: str) -> None:
    open_case(
        world.session,
        world.the_pupil(pupil),
        KINDS[kind or "panel case"],
        world.person(who),
        now=on(date),
    )
    world.session.commit()


@given(
    parsers.re(
        rf"{WHO} has opened a (?P<kind>{KIND_WORDS}) for {PUPIL}, linked to {LINKED}, "
        rf"on {DATE}"
    )
)
def _opened_linked(
    world: World, who: str, kind: str, pupil: str, link_owner: str | None, link_kind: str, date: str
) -> None:
    open_case(
        world.session,
        world.the_pupil(pupil),
        KINDS[kind],
        world.person(who),
        linked_from=world.find(link_kind, link_owner),
        now=on(date),
    )
    world.session.commit()


def _nominate(world: World, who: str, pupil: str, date: str, reason: str) -> Fired | Refused:
    case = open_case(
        world.session, world.the_pupil(pupil), "school_panel", world.person(who), now=on(date)
    )
    world.session.commit()
    return world.attempt(who, "Nominate for the next panel", case, on(date), {"reason": reason})


@given(
    parsers.re(rf'{WHO} has nominated {PUPIL} for the panel on {DATE} because "(?P<reason>[^"]*)"')
)
def _has_nominated(world: World, who: str, pupil: str, date: str, reason: str) -> None:
    assert isinstance(_nominate(world, who, pupil, date, reason), Fired)


@when(parsers.re(rf'{WHO} nominates {PUPIL} for the panel on {DATE} because "(?P<reason>[^"]*)"'))
def _nominates(world: World, who: str, pupil: str, date: str, reason: str) -> None:
    _nominate(world, who, pupil, date, reason)


# -- steps taken: Given (must succeed) and When (may be refused) ------------------------------
@given(parsers.re(rf"{WHO} has taken {STEP} on {CASE} on {DATE}"))
def _has_taken(world: World, who: str, step: str, owner: str | None, kind: str, date: str) -> None:
    world.taken(who, step, world.find(kind, owner), on(date), "filled in")


@given(parsers.re(rf"{WHO} has taken {STEP} on {CASE} on {DATE}, recording:"))
def _has_taken_recording(
    world: World,
    who: str,
    step: str,
    owner: str | None,
    kind: str,
    date: str,
    datatable: list[list[str]],
) -> None:
    case = world.find(kind, owner)
    world.taken(who, step, case, on(date), world.recorded(case, datatable))


@given(parsers.re(rf"these steps have been taken on {CASE}:"))
def _history(world: World, owner: str | None, kind: str, datatable: list[list[str]]) -> None:
    header, *rows = datatable
    assert [h.lower() for h in header] == ["on", "by", "step"], header
    for date, who, step in rows:
        world.taken(who, step, world.find(kind, owner), on(date), "filled in")


@given(parsers.re(rf"panelflow's timers have run on {DATE}"))
@when(parsers.re(rf"panelflow's timers run on {DATE}"))
def _tick(world: World, date: str) -> None:
    world.before = world.counts()
    tick(world.session, now=on(date))
    world.session.commit()


@when(parsers.re(rf"{WHO} takes {STEP} on {CASE} on {DATE}"))
def _takes(world: World, who: str, step: str, owner: str | None, kind: str, date: str) -> None:
    world.attempt(who, step, world.find(kind, owner), on(date), {})


@when(parsers.re(rf"{WHO} takes {STEP} on {CASE} on {DATE}, filling in what it asks for"))
def _takes_filled(
    world: World, who: str, step: str, owner: str | None, kind: str, date: str
) -> None:
    world.attempt(who, step, world.find(kind, owner), on(date), "filled in")


@when(parsers.re(rf"{WHO} takes {STEP} on {CASE} on {DATE}, recording:"))
def _takes_recording(
    world: World,
    who: str,
    step: str,
    owner: str | None,
    kind: str,
    date: str,
    datatable: list[list[str]],
) -> None:
    case = world.find(kind, owner)
    world.attempt(who, step, case, on(date), world.recorded(case, datatable))


@when(
    parsers.re(rf'{WHO} takes {STEP} on {CASE} on {DATE}, recording all but "(?P<missing>[^"]+)"')
)
def _takes_all_but(
    world: World, who: str, step: str, owner: str | None, kind: str, date: str, missing: str
) -> None:
    case = world.find(kind, owner)
    data = world.filled_in(case, world.transition(case, step), on(date))
    del data[world.field_name(missing, world.definitions_of(case))]
    world.attempt(who, step, case, on(date), data)


# -- Then: outcomes ----------------------------------------------------------------------------
@then("the step is taken")
def _is_taken(world: World) -> None:
    world.fired()


@then(parsers.re(r'the step is refused with "(?P<message>.*)"'))
def _refused_with(world: World, message: str) -> None:
    assert world.refused().message == message


@then("the step is refused for these reasons:")
def _refused_for(world: World, datatable: list[list[str]]) -> None:
    assert [r.message for r in world.refused().reasons] == [row[0] for row in datatable]


@then(parsers.re(r'the outcome is "(?P<outcome>.*)"'))
def _outcome(world: World, outcome: str) -> None:
    if outcome == "taken":
        world.fired()
        return
    assert outcome.startswith("refused: "), outcome
    assert world.refused().message == outcome.removeprefix("refused: ")
    _nothing_written(world)


@then("nothing is written")
def _nothing_written(world: World) -> None:
    """A refusal leaves no event, audit record, action, case, timer or flag behind."""
    world.refused()
    assert world.counts() == world.before
    assert world.case is not None
    world.session.refresh(world.case)
    assert world.case.lock_version == world.lock_version


@then(parsers.re(rf'{CASE} is (?:still )?at "(?P<state>[^"]+)"'))
def _at(world: World, owner: str | None, kind: str, state: str) -> None:
    case = world.find(kind, owner)
    assert world.state_label(case) == state


@then(parsers.re(r"what was recorded is:"))
def _what_was_recorded(world: World, datatable: list[list[str]]) -> None:
    event = world.fired().event
    expected = world.recorded(world.fired().case, datatable)
    assert {k: str(v) for k, v in event.fields.items()} == expected


@then("no action is created")
def _no_action(world: World) -> None:
    assert world.fired().actions == []


@then("these actions are created:")
def _actions(world: World, datatable: list[list[str]]) -> None:
    header, *rows = datatable
    assert [h.lower() for h in header] == ["for", "action", "due"], header
    fired = world.fired()
    actions = world.session.scalars(
        select(Action).where(Action.case_event_id == fired.event.id).order_by(Action.id)
    ).all()
    assert [(a.role, a.title, day(a.due_at), a.status) for a in actions] == [
        (world.role(role), title, due, "open") for role, title, due in rows
    ]
    for action in actions:
        assert action.agency == world.definitions.roles[action.role].agency
        assert action.case_id == fired.case.id


@then(
    parsers.re(
        rf"a (?P<kind>{KIND_WORDS}) is opened for {PUPIL}, linked to {LINKED}, "
        r'at "(?P<state>[^"]+)"'
    )
)
def _opened_case(
    world: World, kind: str, pupil: str, link_owner: str | None, link_kind: str, state: str
) -> None:
    [opened] = world.fired().opened
    source = world.find(link_kind, link_owner)
    assert opened.workflow_key == KINDS[kind]
    assert opened.pupil_id == world.the_pupil(pupil).id
    assert opened.linked_from_id == source.id
    assert opened.group_id == source.group_id
    assert world.state_label(opened) == state
    audit = world.session.scalars(
        select(AuditRecord).where(
            AuditRecord.action == "case.open", AuditRecord.case_id == opened.id
        )
    ).one()
    assert audit.details["linked_from"] == source.id


@then(parsers.re(rf"{PUPIL} has these cases, all sharing one history:"))
def _cases(world: World, pupil: str, datatable: list[list[str]]) -> None:
    header, *rows = datatable
    assert [h.lower() for h in header] == ["case", "at"], header
    found = world.session.scalars(
        select(Case)
        .where(Case.pupil_id == world.the_pupil(pupil).id)
        .order_by(Case.id)
        .execution_options(populate_existing=True)
    ).all()
    kind_of = {workflow: kind for kind, workflow in KINDS.items()}
    assert [(kind_of[c.workflow_key], world.state_label(c)) for c in found] == [
        (kind, state) for kind, state in rows
    ]
    assert len({case.group_id for case in found}) == 1
    for case in found[1:]:
        assert case.linked_from_id in {other.id for other in found}


@then("no case is opened")
def _no_case_opened(world: World) -> None:
    assert world.fired().opened == []


@then(parsers.re(rf"{CASE} has these timers running:"))
def _timers(world: World, owner: str | None, kind: str, datatable: list[list[str]]) -> None:
    header, *rows = datatable
    assert [h.lower() for h in header] == ["what", "due"], header
    case = world.find(kind, owner)
    wf = world.definitions_of(case).workflows[case.workflow_key]
    timers = world.session.scalars(
        select(CaseTimer)
        .where(CaseTimer.case_id == case.id, CaseTimer.status == "pending")
        .order_by(CaseTimer.due_at)
    ).all()
    running = [
        (t.flag if t.flag is not None else wf.trigger_label(str(t.fire_trigger)), day(t.due_at))
        for t in timers
    ]
    assert running == [(what, due) for what, due in rows]


@then(parsers.re(rf"{CASE} has no timers running"))
def _no_timers(world: World, owner: str | None, kind: str) -> None:
    case = world.find(kind, owner)
    pending = world.session.scalar(
        select(func.count())
        .select_from(CaseTimer)
        .where(CaseTimer.case_id == case.id, CaseTimer.status == "pending")
    )
    assert pending == 0


@then(
    parsers.re(
        rf"the audit trail records that (?P<actor>[A-Z][a-z]+|panelflow\'s timer) took {STEP} "
        rf"on {CASE}(?: as (?P<role>.+))?"
    )
)
def _audited(
    world: World, actor: str, step: str, owner: str | None, kind: str, role: str | None
) -> None:
    case = world.find(kind, owner)
    t = world.transition(case, step)
    records = world.session.scalars(
        select(AuditRecord)
        .where(AuditRecord.action == "case.transition", AuditRecord.case_id == case.id)
        .order_by(AuditRecord.seq)
    ).all()
    mine = [r for r in records if r.details["trigger"] == t.trigger]
    assert mine, f"no audit record of {step!r} on the {kind}"
    record = mine[-1]
    version = world.session.get(WorkflowVersion, case.workflow_version_id)
    assert version is not None and record.workflow_version == version.number
    event = world.session.get(CaseEvent, record.details["event"])
    assert event is not None and record.details["fields"] == event.fields
    if actor == "panelflow's timer":
        assert (record.actor_name, record.role) == (TIMER_ACTOR, "system")
    else:
        assert record.actor_name == world.person(actor).name
        assert record.agency == world.person(actor).agency
        assert role is not None and record.role == world.role(role)
