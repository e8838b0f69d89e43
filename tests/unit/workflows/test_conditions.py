"""The condition library and the engine's decisions, on in-memory facts (no database)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from panelflow.workflows.conditions import (
    LIBRARY,
    ConditionSpec,
    ConditionSyntaxError,
    evaluate,
    parse_condition,
)
from panelflow.workflows.definitions import WorkflowSet
from panelflow.workflows.durations import Duration, SchoolCalendar
from panelflow.workflows.engine import Allowed, Engine, Refused
from panelflow.workflows.facts import HistoryEntry, StaticFacts
from panelflow.workflows.validation import validate_text

DEFINITION = """\
agencies:
  school: School
  social_care: Children's social care
  camhs: CAMHS

roles:
  panel_chair:
    agency: school
    label: Panel chair
  attendance_lead:
    agency: school
    label: School attendance lead
  social_worker:
    agency: social_care
    label: Social worker

fields:
  reason:
    label: Why are you nominating this pupil?
    type: long_text
  funding_decision:
    label: Did the panel agree to fund anything?
    type: choice
    options: [not needed, agreed, declined]
  attendance_rate:
    label: Attendance since the last review (%)
    type: number
  bus_pass_cost:
    label: Cost of the bus pass
    type: money
  meeting_date:
    label: Date of the meeting
    type: date
  family_attended:
    label: Did the family come to the meeting?
    type: yes_no
  closure_reason:
    label: Why is this case being closed?
    type: long_text

workflows:
  school_panel:
    title: School attendance panel
    initial: nominated
    states:
      - name: nominated
        label: Nominated
      - name: on_agenda
        label: On the next panel agenda
      - name: under_review
        label: Actions under way
        timers:
          - after: 4 school weeks
            fire: review_due
      - name: closed
        label: Closed
        final: true
    transitions:
      - trigger: add_to_agenda
        label: Nominate for the next panel
        source: nominated
        dest: on_agenda
        allowed: [school_staff_placeholder]
        requires: [reason]
      - trigger: discuss_at_panel
        label: Discuss at the panel
        source: on_agenda
        dest: under_review
        allowed: [panel_chair]
        requires: [funding_decision]
        conditions:
          - has_recorded(reason)
          - consent_recorded(camhs)
        unless:
          - looked_after
      - trigger: record_review
        label: Record the review
        source: under_review
        dest: under_review
        allowed: [panel_chair, attendance_lead]
        requires: [attendance_rate, bus_pass_cost, meeting_date, family_attended]
      - trigger: review_due
        label: Put back on the agenda for review
        source: under_review
        dest: on_agenda
        allowed: [panel_chair]
      - trigger: close
        label: Close the case
        source: "*"
        dest: closed
        allowed: [panel_chair, attendance_lead]
        requires: [closure_reason]

  support_first:
    title: Support first
    initial: universal_support
    states:
      - name: universal_support
        label: Universal support
      - name: targeted_support
        label: Targeted support
      - name: intensive_support
        label: Intensive multi-agency support
      - name: closed
        label: Closed
        final: true
    transitions:
      - trigger: plan_agreed
        label: Attendance support plan agreed
        source: universal_support
        dest: targeted_support
        allowed: [attendance_lead]
      - trigger: review_held
        label: Review held
        source: [universal_support, targeted_support, intensive_support]
        dest: targeted_support
        allowed: [attendance_lead]
      - trigger: step_up_to_intensive
        label: Step up to intensive multi-agency support
        source: targeted_support
        dest: intensive_support
        allowed: [attendance_lead]
        conditions:
          - happened(plan_agreed)
          - happened_within(review_held, 4 school weeks)
          - count_of(review_held) >= 2
          - time_in_state >= 6 school weeks
        unless:
          - happened_within(plan_agreed, 6 school weeks)
      - trigger: close
        label: Close the case
        source: "*"
        dest: closed
        allowed: [attendance_lead]
        requires: [closure_reason]
""".replace("[school_staff_placeholder]", "[panel_chair, attendance_lead]")


def _definitions() -> WorkflowSet:
    result = validate_text(DEFINITION)
    assert result.problems == []
    assert result.definitions is not None
    return result.definitions


DEFS = _definitions()
ENGINE = Engine(DEFS)

# Monday 30 March 2026, 9am; four school weeks earlier is Monday 2 March.
NOW = datetime(2026, 3, 30, 9, 0)
FOUR_SCHOOL_WEEKS_AGO = datetime(2026, 3, 2, 9, 0)


def entry(
    trigger: str,
    at: datetime,
    workflow: str = "support_first",
    to_state: str = "targeted_support",
    **fields: object,
) -> HistoryEntry:
    return HistoryEntry(workflow, trigger, at, "universal_support", to_state, dict(fields))


def facts(
    state: str = "targeted_support",
    *entries: HistoryEntry,
    entered_at: datetime = datetime(2026, 1, 5, 9, 0),
    now: datetime = NOW,
    **kwargs: object,
) -> StaticFacts:
    return StaticFacts(state, entered_at, now, entries, **kwargs)  # type: ignore[arg-type]


def check(text: str, case: StaticFacts) -> tuple[bool, str, str]:
    outcome = evaluate(parse_condition(text), case, DEFS)
    return outcome.met, outcome.unmet_message, outcome.met_message


# -- parse_condition -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "args", "op", "number", "duration"),
    [
        ("has_recorded(reason)", "has_recorded", ("reason",), None, None, None),
        ("happened(plan_agreed)", "happened", ("plan_agreed",), None, None, None),
        (
            "happened(support_first.plan_agreed)",
            "happened",
            ("support_first.plan_agreed",),
            None,
            None,
            None,
        ),
        (
            "happened_within(review_held, 12 school weeks)",
            "happened_within",
            ("review_held", "12 school weeks"),
            None,
            None,
            Duration(12, "school_weeks"),
        ),
        ("count_of(review_held) >= 2", "count_of", ("review_held",), ">=", 2, None),
        ("count_of(review_held) > 2", "count_of", ("review_held",), ">", 2, None),
        ("count_of(review_held) <= 2", "count_of", ("review_held",), "<=", 2, None),
        ("count_of(review_held) < 2", "count_of", ("review_held",), "<", 2, None),
        ("count_of(review_held) == 0", "count_of", ("review_held",), "==", 0, None),
        ("count_of(review_held)>=2", "count_of", ("review_held",), ">=", 2, None),
        ("visited(targeted_support)", "visited", ("targeted_support",), None, None, None),
        (
            "time_in_state >= 6 school weeks",
            "time_in_state",
            (),
            ">=",
            None,
            Duration(6, "school_weeks"),
        ),
        ("time_in_state < 10 days", "time_in_state", (), "<", None, Duration(10, "days")),
        ("consent_recorded(camhs)", "consent_recorded", ("camhs",), None, None, None),
        ("  looked_after  ", "looked_after", (), None, None, None),
        ("has_recorded( reason )", "has_recorded", ("reason",), None, None, None),
    ],
)
def test_parse_condition_accepts(
    text: str,
    name: str,
    args: tuple[str, ...],
    op: str | None,
    number: int | None,
    duration: Duration | None,
) -> None:
    spec = parse_condition(text)

    assert isinstance(spec, ConditionSpec)
    assert (spec.name, spec.args, spec.op, spec.number, spec.duration) == (
        name,
        args,
        op,
        number,
        duration,
    )
    assert spec.text == text.strip()


@pytest.mark.parametrize(
    "name",
    [
        "looked_after",
        "previously_looked_after",
        "has_social_worker",
        "has_ehcp",
        "has_send",
        "free_school_meals",
    ],
)
def test_parse_each_pupil_attribute(name: str) -> None:
    assert parse_condition(name).name == name


def test_every_library_example_parses() -> None:
    for name, ctype in LIBRARY.items():
        assert parse_condition(ctype.example).name == name


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("has_recored(reason)", "unknown condition 'has_recored'"),
        (
            "has_recorded(reason, actions)",
            "condition 'has_recorded' takes 1 argument (field), but 2 were given; for example "
            "'has_recorded(reason)'",
        ),
        (
            "has_recorded()",
            "condition 'has_recorded' takes 1 argument (field), but 0 were given; for example "
            "'has_recorded(reason)'",
        ),
        (
            "happened_within(review_held)",
            "condition 'happened_within' takes 2 arguments (trigger, duration), but 1 was "
            "given; for example 'happened_within(review_held, 12 school weeks)'",
        ),
        (
            "count_of(review_held)",
            "condition 'count_of' needs a comparison, for example 'count_of(review_held) >= 2'",
        ),
        (
            "count_of(review_held) >= two",
            "'two' in 'count_of(review_held) >= two' must be a whole number, for example "
            "'count_of(review_held) >= 2'",
        ),
        (
            "count_of(review_held) >= 1.5",
            "'1.5' in 'count_of(review_held) >= 1.5' must be a whole number, for example "
            "'count_of(review_held) >= 2'",
        ),
        (
            "time_in_state",
            "condition 'time_in_state' needs a comparison, for example "
            "'time_in_state >= 6 school weeks'",
        ),
        (
            "time_in_state >= 6",
            "'6' in 'time_in_state >= 6' is not a duration: write a whole number followed by "
            "'days', 'weeks', 'school days' or 'school weeks', for example '6 school weeks'",
        ),
        (
            "happened_within(review_held, six weeks)",
            "'six weeks' in 'happened_within(review_held, six weeks)' is not a duration: write "
            "a whole number followed by 'days', 'weeks', 'school days' or 'school weeks', for "
            "example '6 school weeks'",
        ),
        (
            "looked_after()",
            "condition 'looked_after' takes no brackets; write it as 'looked_after'",
        ),
        (
            "looked_after == 1",
            "condition 'looked_after' cannot be compared with '=='; write it as 'looked_after'",
        ),
        (
            "happened(plan_agreed) >= 1",
            "condition 'happened' cannot be compared with '>='; write it as "
            "'happened(plan_agreed)'",
        ),
        (
            "visited(intensive support)",
            "'intensive support' in 'visited(intensive support)' is not a state name",
        ),
        (
            "has_recorded(reason",
            "'has_recorded(reason' is not a condition: write a condition name from the "
            "library, with any arguments in brackets, e.g. 'has_recorded(reason)'",
        ),
        (
            "1 + 1",
            "'1 + 1' is not a condition: write a condition name from the library, with any "
            "arguments in brackets, e.g. 'has_recorded(reason)'",
        ),
        (
            "__import__('os')",
            "unknown condition '__import__'",
        ),
    ],
)
def test_parse_condition_rejects_with_a_plain_message(text: str, message: str) -> None:
    with pytest.raises(ConditionSyntaxError) as error:
        parse_condition(text)
    assert str(error.value) == message


def test_parse_condition_rejects_a_number_that_is_not_an_ascii_digit() -> None:
    # '²' passes str.isdigit() but not int(); it must be a ConditionSyntaxError, not a crash.
    with pytest.raises(ConditionSyntaxError):
        parse_condition("count_of(review_held) >= ²")


# -- evaluating conditions on facts ----------------------------------------------------------


def test_has_recorded_looks_at_the_whole_history_including_linked_cases() -> None:
    text = "has_recorded(reason)"
    assert check(text, facts()) == (
        False,
        "nothing has been recorded for 'Why are you nominating this pupil?' yet",
        "'Why are you nominating this pupil?' has been recorded",
    )
    linked = entry("add_to_agenda", NOW, workflow="school_panel", reason="Often late")
    assert check(text, facts("targeted_support", linked))[0] is True


def test_has_recorded_ignores_empty_values() -> None:
    empty = entry("add_to_agenda", NOW, workflow="school_panel", reason="")
    none = entry("add_to_agenda", NOW, workflow="school_panel", reason=None)
    empty_list = entry("add_to_agenda", NOW, workflow="school_panel", reason=[])
    assert check("has_recorded(reason)", facts("on_agenda", empty, none, empty_list))[0] is False


def test_happened_counts_history_across_linked_workflows() -> None:
    text = "happened(plan_agreed)"
    assert check(text, facts()) == (
        False,
        "'Attendance support plan agreed' has not happened yet",
        "'Attendance support plan agreed' has already happened",
    )
    # The plan was agreed on the linked support-first case; the condition is tested on a
    # school-panel case, and unqualified names match any workflow.
    plan = entry("plan_agreed", FOUR_SCHOOL_WEEKS_AGO)
    assert check(text, facts("on_agenda", plan))[0] is True


def test_workflow_dot_trigger_only_matches_that_workflow() -> None:
    in_support_first = entry("close", NOW, workflow="support_first", to_state="closed")
    in_school_panel = entry("close", NOW, workflow="school_panel", to_state="closed")
    assert check("happened(support_first.close)", facts("on_agenda", in_support_first))[0]
    assert not check("happened(support_first.close)", facts("on_agenda", in_school_panel))[0]
    assert check("happened(school_panel.close)", facts("on_agenda", in_school_panel))[0]
    assert check("happened(close)", facts("on_agenda", in_school_panel))[0]
    assert check("happened(close)", facts("on_agenda", in_support_first))[0]


def test_qualified_trigger_uses_that_workflows_label() -> None:
    _, unmet, _ = check("happened(support_first.plan_agreed)", facts())
    assert unmet == "'Attendance support plan agreed' has not happened yet"


def test_happened_within_boundary_on_the_school_day_calendar() -> None:
    text = "happened_within(review_held, 4 school weeks)"
    on_the_boundary = entry("review_held", FOUR_SCHOOL_WEEKS_AGO)
    just_before = entry("review_held", FOUR_SCHOOL_WEEKS_AGO - timedelta(minutes=1))
    assert check(text, facts("targeted_support", on_the_boundary))[0] is True
    assert check(text, facts("targeted_support", just_before)) == (
        False,
        "no 'Review held' in the last 4 school weeks (since 2 March 2026)",
        "'Review held' happened in the last 4 school weeks",
    )


def test_happened_within_counts_school_days_not_calendar_days() -> None:
    # 10 school days before Monday 30 March is Monday 16 March (two weekends skipped).
    text = "happened_within(review_held, 10 school days)"
    friday_13 = entry("review_held", datetime(2026, 3, 13, 9, 0))
    monday_16 = entry("review_held", datetime(2026, 3, 16, 9, 0))
    assert not check(text, facts("targeted_support", friday_13))[0]
    assert check(text, facts("targeted_support", monday_16))[0]


def test_happened_within_skips_closures_such_as_a_holiday_week() -> None:
    easter = SchoolCalendar(date(2026, 3, 23) + timedelta(days=i) for i in range(5))
    text = "happened_within(review_held, 1 school week)"
    review = entry("review_held", datetime(2026, 3, 20, 9, 0))  # the Friday before the closure
    assert not check(text, facts("targeted_support", review))[0]
    assert check(text, facts("targeted_support", review, calendar=easter))[0]


def test_happened_within_on_calendar_days() -> None:
    text = "happened_within(review_held, 28 days)"
    assert check(text, facts("targeted_support", entry("review_held", NOW - timedelta(days=28))))[0]
    assert not check(
        text, facts("targeted_support", entry("review_held", NOW - timedelta(days=29)))
    )[0]


@pytest.mark.parametrize(
    ("op", "count", "met"),
    [
        (">=", 1, False),
        (">=", 2, True),
        (">=", 3, True),
        (">", 2, False),
        (">", 3, True),
        ("<=", 2, True),
        ("<=", 3, False),
        ("<", 2, False),
        ("<", 1, True),
        ("==", 2, True),
        ("==", 3, False),
        ("==", 0, False),
    ],
)
def test_count_of_operators(op: str, count: int, met: bool) -> None:
    reviews = [entry("review_held", NOW - timedelta(days=7 * i)) for i in range(count)]
    assert check(f"count_of(review_held) {op} 2", facts("targeted_support", *reviews))[0] is met


def test_count_of_messages() -> None:
    once = entry("review_held", NOW)
    assert check("count_of(review_held) >= 2", facts("targeted_support", once)) == (
        False,
        "'Review held' has happened once; this needs at least 2",
        "'Review held' has happened once",
    )
    twice = [entry("review_held", NOW), entry("review_held", NOW)]
    _, unmet, met = check("count_of(review_held) < 2", facts("targeted_support", *twice))
    assert unmet == "'Review held' has happened 2 times; this needs fewer than 2"
    assert met == "'Review held' has happened 2 times"


def test_count_of_with_a_qualified_trigger_counts_only_that_workflow() -> None:
    here = entry("close", NOW, workflow="school_panel")
    there = entry("close", NOW, workflow="support_first")
    case = facts("on_agenda", here, there, here)
    assert check("count_of(school_panel.close) == 2", case)[0]
    assert check("count_of(close) == 3", case)[0]


def test_visited_is_met_by_the_current_state_or_history() -> None:
    text = "visited(intensive_support)"
    assert check(text, facts("targeted_support")) == (
        False,
        "the case has never been at 'Intensive multi-agency support'",
        "the case has been at 'Intensive multi-agency support'",
    )
    assert check(text, facts("intensive_support"))[0]
    stepped_up = entry("step_up_to_intensive", NOW, to_state="intensive_support")
    assert check(text, facts("targeted_support", stepped_up))[0]


def test_time_in_state_boundary_on_school_days() -> None:
    entered = datetime(2026, 3, 2, 9, 0)
    text = "time_in_state >= 4 school weeks"
    assert check(text, facts("targeted_support", entered_at=entered, now=NOW))[0]
    met, unmet, _ = check(
        text, facts("targeted_support", entered_at=entered, now=NOW - timedelta(seconds=1))
    )
    assert not met
    assert unmet == (
        "the case reached its current stage on 2 March 2026; it must stay there at least "
        "4 school weeks (until 30 March 2026)"
    )


def test_time_in_state_less_than() -> None:
    entered = datetime(2026, 3, 2, 9, 0)
    text = "time_in_state < 4 school weeks"
    assert check(text, facts("targeted_support", entered_at=entered, now=NOW - timedelta(hours=1)))[
        0
    ]
    assert not check(text, facts("targeted_support", entered_at=entered, now=NOW))[0]


def test_consent_recorded() -> None:
    text = "consent_recorded(camhs)"
    assert check(text, facts()) == (
        False,
        "consent or a lawful basis to share with CAMHS is not recorded",
        "consent to share with CAMHS is recorded",
    )
    assert check(text, facts(consented=frozenset({"camhs"})))[0]
    assert not check(text, facts(consented=frozenset({"social_care"})))[0]


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("looked_after", "looked after"),
        ("previously_looked_after", "previously looked after"),
        ("has_social_worker", "having a social worker"),
        ("has_ehcp", "having an education, health and care plan"),
        ("has_send", "having special educational needs"),
        ("free_school_meals", "eligible for free school meals"),
    ],
)
def test_each_pupil_attribute(name: str, words: str) -> None:
    assert check(name, facts()) == (
        False,
        f"the pupil is not recorded as {words}",
        f"the pupil is recorded as {words}",
    )
    assert check(name, facts(attributes={name: True}))[0]
    assert not check(name, facts(attributes={name: False}))[0]
    others = {other: True for other in LIBRARY if other != name}
    assert not check(name, facts(attributes=others))[0]


# -- the engine ------------------------------------------------------------------------------

ON_AGENDA_READY: dict[str, object] = {"state": "on_agenda", "consented": frozenset({"camhs"})}
NOMINATION = entry(
    "add_to_agenda",
    datetime(2026, 3, 2, 9, 0),
    workflow="school_panel",
    to_state="on_agenda",
    reason="Late most mornings since Christmas",
)


def panel_case(*entries: HistoryEntry, **kwargs: object) -> StaticFacts:
    options = {**ON_AGENDA_READY, **kwargs}
    state = options.pop("state")
    return facts(state, *entries, **options)  # type: ignore[arg-type]


def reasons(decision: Allowed | Refused) -> list[tuple[str, str]]:
    assert isinstance(decision, Refused), decision
    return [(r.kind, r.message) for r in decision.reasons]


def test_decide_allows_and_names_the_destination() -> None:
    decision = ENGINE.decide(
        "school_panel",
        panel_case(NOMINATION),
        "discuss_at_panel",
        {"panel_chair"},
        {"funding_decision": "agreed", "unrelated": "not recorded"},
    )

    assert isinstance(decision, Allowed)
    assert decision
    assert decision.dest.name == "under_review"
    assert decision.source == "on_agenda"
    assert decision.role == "panel_chair"
    assert decision.transition.trigger == "discuss_at_panel"
    assert decision.fields == {"funding_decision": "agreed"}


def test_decide_records_the_first_allowed_role_in_file_order() -> None:
    decision = ENGINE.decide(
        "school_panel",
        facts("on_agenda"),
        "close",
        {"attendance_lead", "panel_chair"},
        {"closure_reason": "Left the school"},
    )
    assert isinstance(decision, Allowed)
    assert decision.role == "panel_chair"
    assert decision.dest.name == "closed"
    assert decision.dest.final


def test_refused_not_allowed_names_the_roles() -> None:
    decision = ENGINE.decide(
        "school_panel",
        panel_case(NOMINATION),
        "discuss_at_panel",
        {"social_worker"},
        {"funding_decision": "agreed"},
    )
    assert not decision
    assert reasons(decision) == [
        (
            "not_allowed",
            "'Discuss at the panel' can only be taken by Panel chair, and you do not "
            "hold that role",
        ),
    ]


def test_refused_not_allowed_lists_several_roles() -> None:
    decision = ENGINE.decide(
        "school_panel",
        facts("under_review"),
        "close",
        {"social_worker"},
        {"closure_reason": "Moved away"},
    )
    assert reasons(decision) == [
        (
            "not_allowed",
            "'Close the case' can only be taken by Panel chair or School attendance "
            "lead, and you do not hold that role",
        ),
    ]


def test_refused_missing_field_names_the_field_label() -> None:
    decision = ENGINE.decide(
        "school_panel",
        panel_case(NOMINATION),
        "discuss_at_panel",
        {"panel_chair"},
        {"funding_decision": "   "},
    )
    assert reasons(decision) == [
        ("missing_field", "record 'Did the panel agree to fund anything?' to take this step"),
    ]


REVIEW_OK = {
    "attendance_rate": "85",
    "bus_pass_cost": "£45.50",
    "meeting_date": "2026-03-27",
    "family_attended": "Yes",
}


def test_review_fields_are_cleaned() -> None:
    decision = ENGINE.decide(
        "school_panel", facts("under_review"), "record_review", {"attendance_lead"}, REVIEW_OK
    )
    assert isinstance(decision, Allowed)
    assert decision.fields == {
        "attendance_rate": 85,
        "bus_pass_cost": 4550,
        "meeting_date": "2026-03-27",
        "family_attended": True,
    }
    assert decision.dest.name == "under_review"


@pytest.mark.parametrize(
    ("field", "value", "cleaned"),
    [
        ("bus_pass_cost", "45", 4500),
        ("bus_pass_cost", "£ 3.2", 320),
        ("bus_pass_cost", "£1,200", 120_000),
        ("family_attended", "no", False),
        ("family_attended", True, True),
        ("meeting_date", date(2026, 3, 27), "2026-03-27"),
        ("attendance_rate", 0, 0),
    ],
)
def test_other_accepted_field_values(field: str, value: object, cleaned: object) -> None:
    decision = ENGINE.decide(
        "school_panel",
        facts("under_review"),
        "record_review",
        {"attendance_lead"},
        {**REVIEW_OK, field: value},
    )
    assert isinstance(decision, Allowed)
    assert decision.fields[field] == cleaned


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "attendance_rate",
            "eighty",
            "'Attendance since the last review (%)' must be a whole number, like 3",
        ),
        (
            "attendance_rate",
            "85.5",
            "'Attendance since the last review (%)' must be a whole number, like 3",
        ),
        (
            "bus_pass_cost",
            "forty five pounds",
            "'Cost of the bus pass': 'forty five pounds' is not an amount of money: "
            "write it like 45, £12.50 or £1,200",
        ),
        (
            "bus_pass_cost",
            "45.505",
            "'Cost of the bus pass': '45.505' has more than two figures of pence: "
            "write it like 45, £12.50 or £1,200",
        ),
        (
            "meeting_date",
            "27/03/2026",
            "'Date of the meeting' must be a real date, like 2026-03-27",
        ),
        (
            "meeting_date",
            "2026-02-30",
            "'Date of the meeting' must be a real date, like 2026-03-27",
        ),
        ("family_attended", "maybe", "'Did the family come to the meeting?' must be yes or no"),
    ],
)
def test_refused_invalid_field(field: str, value: str, message: str) -> None:
    decision = ENGINE.decide(
        "school_panel",
        facts("under_review"),
        "record_review",
        {"attendance_lead"},
        {**REVIEW_OK, field: value},
    )
    assert reasons(decision) == [("invalid_field", message)]


def test_refused_invalid_choice_lists_the_options() -> None:
    decision = ENGINE.decide(
        "school_panel",
        panel_case(NOMINATION),
        "discuss_at_panel",
        {"panel_chair"},
        {"funding_decision": "maybe"},
    )
    assert reasons(decision) == [
        (
            "invalid_field",
            "'Did the panel agree to fund anything?' must be one of: not needed, agreed, declined",
        ),
    ]


def test_refused_condition_gives_the_condition_message() -> None:
    decision = ENGINE.decide(
        "school_panel",
        panel_case(),
        "discuss_at_panel",
        {"panel_chair"},
        {"funding_decision": "agreed"},
    )
    assert reasons(decision) == [
        ("condition", "nothing has been recorded for 'Why are you nominating this pupil?' yet"),
    ]


def test_refused_unless_gives_the_unless_message() -> None:
    decision = ENGINE.decide(
        "school_panel",
        panel_case(NOMINATION, attributes={"looked_after": True}),
        "discuss_at_panel",
        {"panel_chair"},
        {"funding_decision": "agreed"},
    )
    assert reasons(decision) == [
        ("unless", "not while the pupil is recorded as looked after"),
    ]


def test_refused_wrong_state_says_where_it_can_be_taken() -> None:
    decision = ENGINE.decide(
        "school_panel",
        facts("nominated"),
        "discuss_at_panel",
        {"panel_chair"},
        {"funding_decision": "agreed"},
    )
    assert reasons(decision) == [
        (
            "wrong_state",
            "'Discuss at the panel' cannot be taken while the case is at "
            "'Nominated'; it can be taken from 'On the next panel agenda'",
        ),
    ]


def test_refused_unknown_trigger() -> None:
    decision = ENGINE.decide("school_panel", facts("on_agenda"), "fine_parents", {"panel_chair"})
    assert reasons(decision) == [
        ("unknown_trigger", "'fine_parents' is not a step of School attendance panel"),
    ]


def test_refused_final_state() -> None:
    decision = ENGINE.decide(
        "school_panel", facts("closed"), "close", {"panel_chair"}, {"closure_reason": "again"}
    )
    assert reasons(decision) == [
        ("final", "the case is closed ('Closed'); nothing more can happen on it"),
    ]


def test_refused_unknown_workflow_and_state() -> None:
    assert reasons(ENGINE.decide("nope", facts("on_agenda"), "close", {"panel_chair"}))[0][0] == (
        "unknown_workflow"
    )
    assert (
        reasons(ENGINE.decide("school_panel", facts("gone"), "close", {"panel_chair"}))[0][0]
        == "unknown_state"
    )


def test_every_reason_is_reported_together() -> None:
    decision = ENGINE.decide(
        "school_panel",
        panel_case(consented=frozenset(), attributes={"looked_after": True}),
        "discuss_at_panel",
        {"attendance_lead"},
        {},
    )
    assert reasons(decision) == [
        (
            "not_allowed",
            "'Discuss at the panel' can only be taken by Panel chair, and you do not "
            "hold that role",
        ),
        ("missing_field", "record 'Did the panel agree to fund anything?' to take this step"),
        ("condition", "nothing has been recorded for 'Why are you nominating this pupil?' yet"),
        ("condition", "consent or a lawful basis to share with CAMHS is not recorded"),
        ("unless", "not while the pupil is recorded as looked after"),
    ]
    assert isinstance(decision, Refused)
    assert decision.message == "; ".join(message for _, message in reasons(decision))


def test_support_first_step_up_reports_each_unmet_condition() -> None:
    decision = ENGINE.decide(
        "support_first",
        facts("targeted_support", entered_at=datetime(2026, 3, 16, 9, 0)),
        "step_up_to_intensive",
        {"attendance_lead"},
    )
    assert [kind for kind, _ in reasons(decision)] == ["condition"] * 4


def test_support_first_step_up_allowed_when_everything_is_met() -> None:
    history = [
        entry("plan_agreed", datetime(2026, 1, 5, 9, 0)),
        entry("review_held", datetime(2026, 2, 2, 9, 0)),
        entry("review_held", datetime(2026, 3, 23, 9, 0)),
    ]
    decision = ENGINE.decide(
        "support_first",
        facts("targeted_support", *history, entered_at=datetime(2026, 1, 5, 9, 0)),
        "step_up_to_intensive",
        {"attendance_lead"},
    )
    assert isinstance(decision, Allowed)
    assert decision.dest.name == "intensive_support"


def test_options_lists_steps_with_their_blockers() -> None:
    options = {
        o.transition.trigger: o
        for o in ENGINE.options("school_panel", panel_case(consented=frozenset()), {"panel_chair"})
    }
    assert set(options) == {"discuss_at_panel", "close"}
    discuss = options["discuss_at_panel"]
    assert discuss.permitted
    assert not discuss.available
    assert [(b.kind, b.message) for b in discuss.blockers] == [
        ("condition", "nothing has been recorded for 'Why are you nominating this pupil?' yet"),
        ("condition", "consent or a lawful basis to share with CAMHS is not recorded"),
    ]
    assert options["close"].available


def test_options_marks_steps_the_actor_may_not_take() -> None:
    options = {
        o.transition.trigger: o
        for o in ENGINE.options("school_panel", panel_case(NOMINATION), {"attendance_lead"})
    }
    assert not options["discuss_at_panel"].permitted
    assert not options["discuss_at_panel"].available
    assert options["close"].permitted


def test_options_on_a_final_state_is_empty() -> None:
    assert ENGINE.options("school_panel", facts("closed"), {"panel_chair"}) == []


def test_timer_role_system_bypasses_allowed() -> None:
    case = facts("under_review")
    refused = ENGINE.decide("school_panel", case, "review_due", {"attendance_lead"})
    assert reasons(refused)[0][0] == "not_allowed"

    decision = ENGINE.decide("school_panel", case, "review_due", {"system"})
    assert isinstance(decision, Allowed)
    assert decision.role == "system"
    assert decision.dest.name == "on_agenda"


def test_timer_role_system_still_needs_conditions() -> None:
    decision = ENGINE.decide(
        "school_panel",
        panel_case(),
        "discuss_at_panel",
        {"system"},
        {"funding_decision": "agreed"},
    )
    assert reasons(decision) == [
        ("condition", "nothing has been recorded for 'Why are you nominating this pupil?' yet"),
    ]


def test_decisions_do_not_change_the_facts() -> None:
    case = panel_case(NOMINATION)
    ENGINE.decide(
        "school_panel", case, "discuss_at_panel", {"panel_chair"}, {"funding_decision": "agreed"}
    )
    assert case.state == "on_agenda"
