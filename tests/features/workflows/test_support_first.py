"""Support first: graduated support, as attendance leads, EWOs and virtual school heads use
it. Shared steps are in conftest.py; the steps about the attendance support plan and its
reviews are here."""

from __future__ import annotations

from typing import Any

from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import select

from panelflow.cases.models import Case, CaseEvent
from panelflow.plans.operations import story
from panelflow.workflows.structured import DECISIONS, RATINGS, parties
from tests.features.workflows.world import (
    CASE,
    DATE,
    WHO,
    World,
    example_plan,
    example_review,
    on,
)

scenarios("workflows/support_first.feature")

PARTS = {
    "barrier",
    "the school",
    "the family",
    "the pupil",
    "an agency",
    "target",
    "review",
    "pupil's views",
    "family's views",
}


def _iso(words: str) -> str:
    return on(words).date().isoformat() if words.strip() else ""


def _who(world: World, case: Case, words: str) -> str:
    for key, label in parties(world.definitions_of(case)).items():
        if words.strip().lower() in (label.lower(), key):
            return key
    raise AssertionError(f"nobody called {words!r} can be named in a plan")


def _plan_from(world: World, case: Case, rows: list[list[str]], plan: dict[str, Any]) -> None:
    """Add the table's rows (part | who | what | by) to a plan as the form would post it."""
    header, *body = rows
    assert [h.lower() for h in header] == ["part", "who", "what", "by"], header
    for part, who, what, by in body:
        assert part in PARTS, f"unknown part {part!r}: {sorted(PARTS)}"
        if part == "barrier":
            if who == "in words":
                plan["barrier_notes"] = what
            else:
                plan["barriers"].append(f"{who}: {what}")
        elif part == "target":
            plan["targets"].append({"target": what, "by": _iso(by)})
        elif part == "review":
            plan["review_date"] = _iso(by)
        elif part == "pupil's views":
            plan["pupil_views"] = what
        elif part == "family's views":
            plan["family_views"] = what
        else:
            plan["commitments"].append(
                {"who": _who(world, case, who), "what": what, "by": _iso(by)}
            )


def _empty_plan() -> dict[str, Any]:
    return {
        "barriers": [],
        "barrier_notes": "",
        "commitments": [],
        "targets": [],
        "review_date": "",
        "pupil_views": "",
        "family_views": "",
    }


def _current_plan(world: World, case: Case) -> dict[str, Any]:
    found = story(world.session, case).plan
    assert found is not None, "no plan has been agreed"
    return dict(found.value)


def _word(table: dict[str, str], words: str) -> str:
    for key, label in table.items():
        if words.strip().lower() == label.lower() or words.strip().lower().replace(" ", "_") == key:
            return key
    return words  # not a known word: recorded as typed, so the engine can refuse it


# -- agreeing and updating the plan ----------------------------------------------------------


@when(parsers.re(rf"{WHO} agrees this plan on {CASE} on {DATE}:"))
def _agrees(
    world: World, who: str, owner: str | None, kind: str, date: str, datatable: list[list[str]]
) -> None:
    case = world.find(kind, owner)
    plan = _empty_plan()
    _plan_from(world, case, datatable, plan)
    world.attempt(who, "Attendance support plan agreed", case, on(date), {"support_plan": plan})


@given(parsers.re(rf"{WHO} has agreed a plan with these targets on {CASE} on {DATE}:"))
def _has_agreed(
    world: World, who: str, owner: str | None, kind: str, date: str, datatable: list[list[str]]
) -> None:
    """Universal support reviewed, a step up, then the plan agreed with these targets."""
    case = world.find(kind, owner)
    world.taken(who, "Review held", case, on("23 February 2026"), "filled in")
    world.taken(
        who, "Step up to targeted support", world.find(kind, owner), on("2 March 2026"), "filled in"
    )
    header, *rows = datatable
    assert [h.lower() for h in header] == ["target", "by"], header
    case = world.find(kind, owner)
    plan = example_plan(world.definitions_of(case), on(date))
    plan["targets"] = [{"target": target, "by": _iso(by)} for target, by in rows]
    world.taken(who, "Attendance support plan agreed", case, on(date), {"support_plan": plan})


@when(parsers.re(rf"{WHO} updates the plan on {CASE} on {DATE}, adding:"))
def _updates(
    world: World, who: str, owner: str | None, kind: str, date: str, datatable: list[list[str]]
) -> None:
    case = world.find(kind, owner)
    plan = _current_plan(world, case)
    plan["barriers"] = [f"{b['category']}: {b['barrier']}" for b in plan["barriers"]]
    plan["commitments"] = list(plan["commitments"])
    plan["targets"] = list(plan["targets"])
    _plan_from(world, case, datatable, plan)
    world.attempt(who, "Update the attendance support plan", case, on(date), {"support_plan": plan})


# -- reviews ---------------------------------------------------------------------------------

REVIEW = rf'{WHO} (?:holds|has held) a review on {CASE} on {DATE}, deciding "(?P<decision>[^"]*)"'


def _review(
    world: World, who: str, kind: str, owner: str | None, date: str, data: dict[str, Any]
) -> None:
    case = world.find(kind, owner)
    t = world.transition(case, "Review held")
    filled = world.filled_in(case, t, on(date))
    world.attempt(who, "Review held", case, on(date), {**filled, **data})


def _decided(decision: str, progress: list[dict[str, str]]) -> dict[str, Any]:
    review = example_review(on("1 January 2026"))
    review["decision"] = _word(DECISIONS, decision) if decision else ""
    review["progress"] = progress
    return review


@given(parsers.re(rf"{REVIEW}, recording:"))
@when(parsers.re(rf"{REVIEW}, recording:"))
def _holds_review_recording(
    world: World,
    who: str,
    owner: str | None,
    kind: str,
    date: str,
    decision: str,
    datatable: list[list[str]],
) -> None:
    case = world.find(kind, owner)
    data: dict[str, Any] = dict(world.recorded(case, datatable))
    data["plan_review"] = _decided(decision, [])
    _review(world, who, kind, owner, date, data)


@given(parsers.re(rf"{REVIEW}, with this progress:"))
@when(parsers.re(rf"{REVIEW}, with this progress:"))
def _holds_review_progress(
    world: World,
    who: str,
    owner: str | None,
    kind: str,
    date: str,
    decision: str,
    datatable: list[list[str]],
) -> None:
    header, *rows = datatable
    assert [h.lower() for h in header] == ["target", "progress", "notes"], header
    case = world.find(kind, owner)
    targets = [t["target"] for t in _current_plan(world, case)["targets"]]
    assert [row[0] for row in rows] == targets, f"the plan's targets are {targets}"
    progress = [
        {"rating": _word(RATINGS, rating) if rating else "", "notes": notes}
        for _, rating, notes in rows
    ]
    _review(world, who, kind, owner, date, {"plan_review": _decided(decision, progress)})


# -- what the record shows -------------------------------------------------------------------


def _latest_review(world: World) -> dict[str, Any]:
    review = world.fired().event.fields["plan_review"]
    assert isinstance(review, dict)
    return review


@then(
    parsers.re(
        r'the review records the decision "(?P<decision>[^"]+)" and no progress against targets'
    )
)
def _review_without_targets(world: World, decision: str) -> None:
    review = _latest_review(world)
    assert DECISIONS[review["decision"]] == decision
    assert review["progress"] == []


@then(parsers.re(r'the review records the decision "(?P<decision>[^"]+)" and this progress:'))
def _review_progress(world: World, decision: str, datatable: list[list[str]]) -> None:
    review = _latest_review(world)
    assert DECISIONS[review["decision"]] == decision
    header, *rows = datatable
    assert [h.lower() for h in header] == ["target", "progress", "notes"], header
    assert [(p["target"], RATINGS[p["rating"]], p["notes"]) for p in review["progress"]] == [
        tuple(row) for row in rows
    ]


@then(parsers.re(rf"the current plan of {CASE} has these targets:"))
def _targets(world: World, owner: str | None, kind: str, datatable: list[list[str]]) -> None:
    header, *rows = datatable
    assert [h.lower() for h in header] == ["target", "by"], header
    plan = _current_plan(world, world.find(kind, owner))
    assert [(t["target"], t["by"]) for t in plan["targets"]] == [
        (target, _iso(by)) for target, by in rows
    ]


@then("the current plan says who will do what:")
def _commitments(world: World, datatable: list[list[str]]) -> None:
    header, *rows = datatable
    assert [h.lower() for h in header] == ["who", "what", "by"], header
    assert world.case is not None
    plan = _current_plan(world, world.case)
    assert [(c["who"], c["what"], c["by"]) for c in plan["commitments"]] == [
        (_who(world, world.case, who), what, _iso(by)) for who, what, by in rows
    ]


@then(parsers.re(r'the current plan records the pupil\'s views as "(?P<views>[^"]+)"'))
def _pupil_views(world: World, views: str) -> None:
    assert world.case is not None
    assert _current_plan(world, world.case)["pupil_views"] == views


@then(parsers.re(rf"{CASE}'s history keeps both versions of the plan"))
def _both_versions(world: World, owner: str | None, kind: str) -> None:
    case = world.find(kind, owner)
    plans = story(world.session, case).plans
    assert [p.number for p in plans] == [1, 2]
    assert len(plans[1].value["commitments"]) == len(plans[0].value["commitments"]) + 1
    events = world.session.scalars(
        select(CaseEvent.trigger).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
    ).all()
    assert events[-2:] == ["plan_agreed", "update_plan"]
