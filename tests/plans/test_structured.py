"""The two structured field types: checking an attendance support plan and a review of one,
part by part, with messages that name the part; and the file checks for the types."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from panelflow.workflows.definitions import WorkflowSet
from panelflow.workflows.engine import Engine, Refused
from panelflow.workflows.facts import HistoryEntry, StaticFacts
from panelflow.workflows.structured import clean, current_plan, is_blank, parse_day
from panelflow.workflows.validation import validate_text
from tests.factories import WORKFLOWS_FILE

TODAY = date(2026, 3, 9)


@pytest.fixture(scope="module")
def definitions() -> WorkflowSet:
    result = validate_text(WORKFLOWS_FILE.read_bytes())
    assert result.ok and result.definitions is not None
    return result.definitions


def plan(**changes: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "barriers": ["pupil: anxiety or low mood"],
        "barrier_notes": "",
        "commitments": [
            {"who": "school", "what": "A quiet start in the library", "by": ""},
            {"who": "family", "what": "An alarm at 7:15", "by": "20/3/2026"},
        ],
        "targets": [{"target": "In school by 8:50 on four days a week", "by": "2026-04-20"}],
        "review_date": "2026-04-20",
        "pupil_views": "I like the library.",
        "family_views": "Fridays please.",
    }
    value.update(changes)
    return value


def clean_plan(definitions: WorkflowSet, raw: Any) -> tuple[Any, list[tuple[str, str]]]:
    return clean(definitions.fields["support_plan"], raw, definitions, today=TODAY)


def agreed(value: dict[str, Any]) -> HistoryEntry:
    at = datetime(2026, 3, 9, 9, tzinfo=UTC)
    return HistoryEntry(
        "support_first",
        "plan_agreed",
        at,
        "agreeing_plan",
        "targeted_support",
        {"support_plan": value},
    )


# -- the plan ----------------------------------------------------------------------------------


def test_a_plan_is_cleaned_into_a_fixed_shape(definitions: WorkflowSet) -> None:
    value, problems = clean_plan(definitions, plan(pupil_views="  I like the library.  "))

    assert problems == []
    assert value == {
        "barriers": [{"category": "pupil", "barrier": "anxiety or low mood"}],
        "barrier_notes": "",
        "commitments": [
            {"who": "school", "what": "A quiet start in the library", "by": ""},
            {"who": "family", "what": "An alarm at 7:15", "by": "2026-03-20"},
        ],
        "targets": [{"target": "In school by 8:50 on four days a week", "by": "2026-04-20"}],
        "review_date": "2026-04-20",
        "pupil_views": "I like the library.",
        "family_views": "Fridays please.",
    }


def test_blank_rows_are_ignored_but_keep_their_number(definitions: WorkflowSet) -> None:
    targets = [
        {"target": "", "by": ""},
        {"target": "In school by 8:50", "by": "2026-04-20"},
        {"target": "Lunchtime club twice a week", "by": ""},
    ]

    value, problems = clean_plan(definitions, plan(targets=targets))

    assert value is None
    assert problems == [("support_plan-targets-3-by", "Target 3: give a date to meet it by")]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"barriers": [], "barrier_notes": ""},
            [
                (
                    "support_plan-barriers",
                    "Barriers: tick at least one barrier, or say in words what is getting in "
                    "the way",
                )
            ],
        ),
        (
            {"barriers": ["pupil: homesick"]},
            [("support_plan-barriers", "Barriers: 'homesick' is not in the list of barriers")],
        ),
        (
            {"commitments": [{"who": "school", "what": "Library start"}, {"who": "", "what": "x"}]},
            [
                ("support_plan-commitments-2-who", "Commitment 2: say who will do it"),
                ("support_plan-commitments", "Who will do what: say what the family will do"),
            ],
        ),
        (
            {
                "commitments": [
                    {"who": "school", "what": "Library start"},
                    {"who": "family", "what": "Alarm"},
                    {"who": "camhs", "what": ""},
                ]
            },
            [("support_plan-commitments-3-what", "Commitment 3: say what CAMHS will do")],
        ),
        (
            {
                "commitments": [
                    {"who": "school", "what": "Library start"},
                    {"who": "family", "what": "Alarm"},
                    {"who": "the_vicar", "what": "Pray"},
                ]
            },
            [
                (
                    "support_plan-commitments-3-who",
                    "Commitment 3: 'the_vicar' is not the school, the family, the pupil or an "
                    "agency",
                )
            ],
        ),
        (
            {"targets": [{"target": "", "by": "2026-04-20"}]},
            [("support_plan-targets-1-target", "Target 1: say what the target is")],
        ),
        (
            {"targets": [{"target": "On time", "by": "31/2/2026"}]},
            [
                (
                    "support_plan-targets-1-by",
                    "Target 1: '31/2/2026' is not a real date; write it like 27/3/2026",
                )
            ],
        ),
        (
            {"targets": []},
            [
                (
                    "support_plan-targets",
                    "Targets: write at least one target, with a date to meet it by",
                )
            ],
        ),
        ({"review_date": ""}, [("support_plan-review_date", "Review date: give a date")]),
        (
            {"review_date": "2026-03-06"},
            [("support_plan-review_date", "Review date: it must be today or later")],
        ),
        (
            {"pupil_views": " ", "family_views": ""},
            [
                (
                    "support_plan-pupil_views",
                    "The pupil's views: write what the pupil says, in their own words",
                ),
                (
                    "support_plan-family_views",
                    "The family's views: write what the family says, in their own words",
                ),
            ],
        ),
        (
            {"family_views": "x" * 5_001},
            [("support_plan-family_views", "The family's views: keep it under 5,000 characters")],
        ),
    ],
)
def test_each_problem_names_its_part(
    definitions: WorkflowSet, changes: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    value, problems = clean_plan(definitions, plan(**changes))

    assert value is None
    assert problems == expected


def test_a_plan_that_is_not_a_form_is_refused(definitions: WorkflowSet) -> None:
    assert clean_plan(definitions, "Breakfast club; weekly call") == (
        None,
        [("support_plan", "'The attendance support plan' must be filled in with its form")],
    )


# -- the review --------------------------------------------------------------------------------


def review(definitions: WorkflowSet, raw: Any, history: list[HistoryEntry]) -> Any:
    return clean(definitions.fields["plan_review"], raw, definitions, history=history)


def test_a_review_rates_each_target_of_the_current_plan(definitions: WorkflowSet) -> None:
    first = clean_plan(definitions, plan())[0]
    second = clean_plan(
        definitions,
        plan(
            targets=[
                {"target": "In school by 8:50", "by": "2026-04-20"},
                {"target": "Lunchtime club", "by": "2026-04-01"},
            ]
        ),
    )[0]
    raw = {
        "progress": [{"rating": "met", "notes": " Every day "}, {"rating": "not_met"}],
        "decision": "step_down",
        "pupil_views": "Better.",
    }

    value, problems = review(definitions, raw, [agreed(first), agreed(second)])

    assert problems == []
    assert value == {
        "progress": [
            {
                "target": "In school by 8:50",
                "by": "2026-04-20",
                "rating": "met",
                "notes": "Every day",
            },
            {"target": "Lunchtime club", "by": "2026-04-01", "rating": "not_met", "notes": ""},
        ],
        "decision": "step_down",
        "pupil_views": "Better.",
        "family_views": "",
    }


def test_a_review_names_the_target_left_unrated_and_a_missing_decision(
    definitions: WorkflowSet,
) -> None:
    current = clean_plan(
        definitions,
        plan(
            targets=[
                {"target": "In school by 8:50", "by": "2026-04-20"},
                {"target": "Go to the lunchtime club twice a week, every week", "by": "2026-04-01"},
            ]
        ),
    )[0]

    value, problems = review(
        definitions, {"progress": [{"rating": "met"}], "decision": "maybe"}, [agreed(current)]
    )

    assert value is None
    assert problems == [
        (
            "plan_review-progress-2-rating",
            "Target 2 (Go to the lunchtime club twice a week,…): say whether it was met, "
            "partly met or not met",
        ),
        ("plan_review-decision", "Decision: choose step down, carry on at this stage, or step up"),
    ]


def test_before_any_plan_a_review_has_no_targets(definitions: WorkflowSet) -> None:
    value, problems = review(
        definitions, {"progress": [{"rating": "met"}], "decision": "step_up"}, []
    )

    assert problems == []
    assert value["progress"] == [] and value["decision"] == "step_up"


def test_the_current_plan_is_the_latest_one_in_the_history(definitions: WorkflowSet) -> None:
    old = clean_plan(definitions, plan())[0]
    new = clean_plan(definitions, plan(review_date="2026-05-01"))[0]
    not_a_plan = HistoryEntry(
        "support_first", "review_held", datetime(2026, 4, 1, tzinfo=UTC), "a", "a", {"x": "y"}
    )

    assert current_plan([agreed(old), agreed(new), not_a_plan]) == new
    assert current_plan([not_a_plan]) is None


def test_blank_and_dates() -> None:
    assert is_blank({"a": ["", {"b": " "}], "c": None})
    assert not is_blank({"a": ["", {"b": "x"}]})
    assert parse_day("27/3/2026") == parse_day("2026-03-27") == date(2026, 3, 27)
    assert parse_day("27 3 2026") == date(2026, 3, 27)
    assert parse_day("next Tuesday") is None


# -- through the engine ------------------------------------------------------------------------


def test_the_engine_gives_each_problem_as_a_reason_about_its_part(
    definitions: WorkflowSet,
) -> None:
    facts = StaticFacts(
        state="agreeing_plan",
        entered_at=datetime(2026, 3, 2, tzinfo=UTC),
        now=datetime(2026, 3, 9, 9, tzinfo=UTC),
    )
    raw = plan(review_date="2026-03-01", targets=[{"target": "On time", "by": ""}])

    result = Engine(definitions).decide(
        "support_first", facts, "plan_agreed", {"attendance_lead"}, {"support_plan": raw}
    )

    assert isinstance(result, Refused)
    assert [(r.kind, r.field, r.message) for r in result.reasons] == [
        ("invalid_field", "support_plan-targets-1-by", "Target 1: give a date to meet it by"),
        ("invalid_field", "support_plan-review_date", "Review date: it must be today or later"),
    ]


def test_a_required_plan_left_blank_names_what_is_missing(definitions: WorkflowSet) -> None:
    facts = StaticFacts(
        state="agreeing_plan",
        entered_at=datetime(2026, 3, 2, tzinfo=UTC),
        now=datetime(2026, 3, 9, 9, tzinfo=UTC),
    )

    result = Engine(definitions).decide(
        "support_first", facts, "plan_agreed", {"attendance_lead"}, {"support_plan": {}}
    )

    assert isinstance(result, Refused)
    assert {r.field for r in result.reasons} == {
        "support_plan-barriers",
        "support_plan-commitments",
        "support_plan-targets",
        "support_plan-review_date",
        "support_plan-pupil_views",
        "support_plan-family_views",
    }


# -- the workflow file -------------------------------------------------------------------------

FILE = """\
roles:
  lead: {agency: school, label: Lead}
fields:
  review:
    label: The review
    type: plan_review
%s
workflows:
  w:
    title: W
    initial: a
    states:
      - name: a
        label: A
      - name: b
        label: B
        final: true
    transitions:
      - trigger: go
        label: Go
        source: a
        dest: b
        allowed: [lead]
        requires: [review]
"""


def test_a_plan_review_needs_a_support_plan_field_in_the_file() -> None:
    result = validate_text(FILE % "")

    assert [(p.line, p.column, p.message) for p in result.problems] == [
        (
            6,
            11,
            "field 'review' is a plan_review, which records progress against the targets of "
            "an attendance support plan, but no field has 'type: support_plan'; add one, for "
            "example 'support_plan: {label: The attendance support plan, type: support_plan}'",
        )
    ]


def test_with_a_plan_field_the_review_is_valid() -> None:
    extra = "  plan:\n    label: The plan\n    type: support_plan"

    result = validate_text(FILE % extra)

    assert result.ok, result.problems
    assert result.definitions is not None
    assert result.definitions.fields["plan"].type == "support_plan"


def test_a_misspelt_type_suggests_the_structured_ones() -> None:
    result = validate_text((FILE % "").replace("type: plan_review", "type: plan_reveiw"))

    assert "did you mean 'plan_review'?" in result.problems[0].message
