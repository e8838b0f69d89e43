"""The attendance conditions (met, not met, and the words either way), the optional
``attendance:`` section and ``suggested_when:``, each checked by the validator with plain
messages at their line."""

from __future__ import annotations

from datetime import date, datetime
from fractions import Fraction

import pytest

from panelflow.workflows.conditions import (
    ConditionSyntaxError,
    evaluate,
    parse_condition,
    suggested,
)
from panelflow.workflows.definitions import DEFAULT_ATTENDANCE, WorkflowSet
from panelflow.workflows.durations import Duration
from panelflow.workflows.facts import Sessions, StaticFacts, percent
from panelflow.workflows.validation import validate_text

SIX = Duration(6, "school_weeks")
NOW = datetime(2026, 3, 20, 12)
TO = date(2026, 3, 13)
NAMES = WorkflowSet(agencies={}, roles={}, fields={}, workflows={})


def facts(**attended: Sessions) -> StaticFacts:
    spans: dict[Duration | None, Sessions] = {}
    for key, sessions in attended.items():
        spans[None if key == "year" else SIX] = sessions
    return StaticFacts("a", NOW, NOW, attended=spans)


def sessions(possible: int, attended: int, start: date = date(2026, 2, 2)) -> Sessions:
    return Sessions(possible, attended, start, TO, 6)


def check(text: str, on: StaticFacts, names: WorkflowSet = NAMES) -> tuple[bool, str, str]:
    outcome = evaluate(parse_condition(text), on, names)
    return outcome.met, outcome.unmet_message, outcome.met_message


def test_attendance_at_least_met_and_not_met() -> None:
    met = check("attendance_at_least(90%, 6 school weeks)", facts(recent=sessions(60, 57)))
    assert met[0]
    assert met[2] == (
        "attendance has been at least 90% over the last 6 school weeks (95%, to 13 March 2026)"
    )
    unmet = check("attendance_at_least(90%, 6 school weeks)", facts(recent=sessions(60, 50)))
    assert not unmet[0]
    assert unmet[1] == (
        "attendance over the last 6 school weeks was 83.3% (to 13 March 2026); "
        "this needs at least 90%"
    )


def test_exactly_the_percentage_is_at_least_it_and_not_below_it() -> None:
    exactly = facts(recent=sessions(60, 54))
    assert check("attendance_at_least(90%, 6 school weeks)", exactly)[0]
    assert not check("attendance_below(90%, 6 school weeks)", exactly)[0]


def test_attendance_below() -> None:
    met, _, words = check("attendance_below(90%, 6 school weeks)", facts(recent=sessions(60, 48)))
    assert met
    assert (
        words
        == "attendance over the last 6 school weeks has been below 90% (80%, to 13 March 2026)"
    )


def test_without_imported_attendance_neither_holds_and_says_why() -> None:
    nothing = facts()
    for text in (
        "attendance_at_least(90%, 6 school weeks)",
        "attendance_below(90%, 6 school weeks)",
    ):
        met, unmet, _ = check(text, nothing)
        assert not met
        assert unmet == "no attendance has been imported for the last 6 school weeks"
    met, unmet, _ = check("attendance_at_least(90%, 6 school weeks)", facts(recent=sessions(0, 0)))
    assert not met
    assert (
        unmet == "no possible sessions were recorded in the last 6 school weeks (to 13 March 2026)"
    )


def test_persistently_and_severely_absent_at_their_thresholds() -> None:
    year = date(2025, 9, 1)
    exactly_ten = facts(year=sessions(200, 180, year))
    met, _, words = check("persistently_absent", exactly_ten)
    assert met
    assert words == (
        "the pupil is persistently absent this year (10% of possible sessions missed, "
        "to 13 March 2026)"
    )
    met, unmet, _ = check("severely_absent", exactly_ten)
    assert not met
    assert unmet == (
        "the pupil is not severely absent this year (10% of possible sessions missed, to 13 "
        "March 2026); severely absent is 50% or more missed"
    )
    assert check("severely_absent", facts(year=sessions(200, 100, year)))[0]
    met, unmet, _ = check("persistently_absent", facts(year=sessions(200, 181, year)))
    assert not met and "9.5% of possible sessions missed" in unmet
    met, unmet, _ = check("persistently_absent", facts())
    assert not met
    assert unmet == "no attendance has been imported for this academic year"


def test_thresholds_come_from_the_attendance_section() -> None:
    result = validate_text(
        FILE.format(
            attendance=ATTENDANCE.format(p="20%", s="60%", f="5 points over 2 school weeks"),
            suggested="",
        )
    )
    assert result.ok, result.problems
    assert result.definitions is not None
    rules = result.definitions.attendance
    assert (rules.persistent, rules.severe) == (Fraction(1, 5), Fraction(3, 5))
    assert (rules.falling_points, rules.falling_over) == (5, Duration(2, "school_weeks"))
    fifteen = facts(year=sessions(100, 85, date(2025, 9, 1)))
    assert check("persistently_absent", fifteen)[0]
    assert not check("persistently_absent", fifteen, result.definitions)[0]


def test_suggested_holds_only_when_every_condition_does() -> None:
    specs = [
        parse_condition("attendance_at_least(90%, 6 school weeks)"),
        parse_condition("persistently_absent"),
    ]
    good = facts(recent=sessions(60, 58), year=sessions(300, 250, date(2025, 9, 1)))
    assert suggested(specs, good, NAMES) == [
        "attendance has been at least 90% over the last 6 school weeks (96.7%, to 13 March 2026)",
        "the pupil is persistently absent this year (16.7% of possible sessions missed, to 13 "
        "March 2026)",
    ]
    assert suggested(specs, facts(recent=sessions(60, 58)), NAMES) == []
    assert suggested([], good, NAMES) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "attendance_at_least(190%, 6 school weeks)",
            "'190%' in 'attendance_at_least(190%, 6 school weeks)' is not a percentage: write a "
            "percentage from 1% to 100%, like 90%; for example "
            "'attendance_at_least(90%, 6 school weeks)'",
        ),
        (
            "attendance_below(90%)",
            "condition 'attendance_below' takes 2 arguments (percentage, duration), but 1 was "
            "given; for example 'attendance_below(90%, 6 school weeks)'",
        ),
        (
            "attendance_below(ninety, 6 school weeks)",
            "'ninety' in 'attendance_below(ninety, 6 school weeks)' is not a percentage: write a "
            "percentage from 1% to 100%, like 90%; for example "
            "'attendance_below(90%, 6 school weeks)'",
        ),
        (
            "attendance_at_least(90%, 6 terms)",
            "'6 terms' in 'attendance_at_least(90%, 6 terms)' is not a duration: write a whole "
            "number followed by 'days', 'weeks', 'school days' or 'school weeks', for example "
            "'6 school weeks'",
        ),
        (
            "persistently_absent(10%)",
            "condition 'persistently_absent' takes 0 arguments (none), but 1 was given; for "
            "example 'persistently_absent'",
        ),
        (
            "severely_absent >= 2",
            "condition 'severely_absent' cannot be compared with '>='; write it as "
            "'severely_absent'",
        ),
    ],
)
def test_bad_attendance_conditions_are_explained(text: str, message: str) -> None:
    with pytest.raises(ConditionSyntaxError) as raised:
        parse_condition(text)
    assert str(raised.value) == message


def test_percent_is_written_as_people_read_it() -> None:
    assert percent(Fraction(96, 100)) == "96%"
    assert percent(Fraction(896, 1000)) == "89.6%"
    assert percent(Fraction(2, 3)) == "66.7%"
    assert percent(None) == "no figure"
    assert DEFAULT_ATTENDANCE.persistent == Fraction(1, 10)


# -- the validator ---------------------------------------------------------------------------

FILE = """\
agencies:
  school: School
roles:
  chair: {{agency: school, label: Chair}}
workflows:
  wf:
    title: A workflow
    initial: open
    states:
      - name: open
      - name: done
        final: true
    transitions:
      - trigger: finish
        source: open
        dest: done
        allowed: [chair]
{suggested}
{attendance}"""
ATTENDANCE = """\
attendance:
  persistent_absence: {p}
  severe_absence: {s}
  falling_fast: {f}
"""


def problems(suggested: str = "", attendance: str = "") -> list[str]:
    result = validate_text(FILE.format(suggested=suggested, attendance=attendance))
    return [f"{p.line}:{p.column}: {p.message}" for p in result.problems]


def test_a_file_without_the_section_keeps_the_national_thresholds() -> None:
    result = validate_text(FILE.format(suggested="", attendance=""))
    assert result.ok and result.definitions is not None
    assert result.definitions.attendance == DEFAULT_ATTENDANCE


def test_suggested_when_is_read_and_checked() -> None:
    good = "        suggested_when: [attendance_at_least(95%, 6 school weeks), persistently_absent]"
    result = validate_text(FILE.format(suggested=good, attendance=""))
    assert result.ok, result.problems
    assert result.definitions is not None
    finish = result.definitions.workflows["wf"].transitions[0]
    assert [s.text for s in finish.suggested_when] == [
        "attendance_at_least(95%, 6 school weeks)",
        "persistently_absent",
    ]
    assert problems("        suggested_when: [atendance_at_least(95%, 6 school weeks)]") == [
        "18:26: unknown condition 'atendance_at_least' in 'suggested_when' of transition "
        "'finish' of workflow 'wf'; did you mean 'attendance_at_least'? (conditions: "
        "attendance_at_least, attendance_below, consent_recorded, count_of, free_school_meals, "
        "happened, happened_within, has_ehcp, has_recorded, has_send, has_social_worker, "
        "looked_after, persistently_absent, previously_looked_after, severely_absent, "
        "time_in_state, visited)"
    ]
    assert problems("        suggested_when: []") == [
        "18:25: 'suggested_when' of transition 'finish' of workflow 'wf' is empty; list the "
        "conditions under which the case page suggests this step, like "
        "[attendance_at_least(95%, 6 school weeks)], or remove 'suggested_when'"
    ]
    assert problems("        suggested_when: [happened(start)]") == [
        "18:26: 'happened(start)' in 'suggested_when' of transition 'finish' of workflow 'wf' "
        "names trigger 'start', which no workflow defines"
    ]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            ("ten", "50%", "10 points over 4 school weeks"),
            [
                "20:23: 'persistent_absence' of 'attendance' is 'ten', which is not a share of "
                "sessions missed: write a percentage from 1% to 99%, like 10%"
            ],
        ),
        (
            ("10%", "100%", "10 points over 4 school weeks"),
            [
                "21:19: 'severe_absence' of 'attendance' is '100%', which is not a share of "
                "sessions missed: write a percentage from 1% to 99%, like 50%"
            ],
        ),
        (
            ("60%", "50%", "10 points over 4 school weeks"),
            [
                "21:19: 'severe_absence' of 'attendance' (50%) must be more than "
                "'persistent_absence' (60%): severe absence is the larger share of sessions missed"
            ],
        ),
        (
            ("10%", "50%", "a lot"),
            [
                "22:17: 'falling_fast' of 'attendance' is 'a lot'; write how many percentage "
                "points attendance falls by, and over how long, like '10 points over 4 school "
                "weeks'"
            ],
        ),
        (
            ("10%", "50%", "10 points over a month"),
            [
                "22:17: 'a month' in 'falling_fast' of 'attendance' is not a duration: write a "
                "whole number followed by 'days', 'weeks', 'school days' or 'school weeks', for "
                "example '6 school weeks'"
            ],
        ),
        (
            ("10%", "50%", "0 points over 4 school weeks"),
            [
                "22:17: 'falling_fast' of 'attendance' falls by 0 points; write a number of points "
                "from 1 to 100, like '10 points over 4 school weeks'"
            ],
        ),
    ],
)
def test_bad_attendance_sections_are_explained_at_their_line(
    values: tuple[str, str, str], expected: list[str]
) -> None:
    p, s, f = values
    assert problems(attendance=ATTENDANCE.format(p=p, s=s, f=f)) == expected


def test_unknown_keys_in_the_section_are_named() -> None:
    section = "attendance:\n  persistant_absence: 10%\n"
    assert problems(attendance=section) == [
        "20:3: unknown key 'persistant_absence' in 'attendance'; did you mean "
        "'persistent_absence'? (allowed here: persistent_absence, severe_absence, falling_fast)"
    ]
