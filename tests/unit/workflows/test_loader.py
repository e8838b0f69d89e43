"""Reading a workflow file into values that remember where they were written."""

from __future__ import annotations

import pytest

from panelflow.workflows.loader import (
    BOOL_TAG,
    FLOAT_TAG,
    INT_TAG,
    NULL_TAG,
    STR_TAG,
    Located,
    Problem,
    decode,
    load,
)
from panelflow.workflows.validation import validate_text

SAMPLE = """\
# a comment on line 1
agencies:
  school: School
roles:
  panel_chair:
    agency: school
    label: Panel chair
workflows:
  school_panel:
    states:
      - name: nominated
      - closed
    allowed: [panel_chair, attendance_lead]
"""


def _load(text: str | bytes) -> Located:
    root, problems = load(text)
    assert problems == []
    assert root is not None
    return root


# -- positions -------------------------------------------------------------------------------


def test_keys_and_values_remember_their_line_and_column() -> None:
    root = _load(SAMPLE)

    assert root.is_map
    assert root.key_at("agencies") == (2, 1)
    assert root.key_at("roles") == (4, 1)
    assert root.key_at("workflows") == (8, 1)

    agencies = root.value["agencies"]
    assert agencies.key_at("school") == (3, 3)
    school = agencies.value["school"]
    assert (school.line, school.column, school.value) == (3, 11, "School")

    chair = root.value["roles"].value["panel_chair"]
    assert chair.key_at("agency") == (6, 5)
    assert (chair.value["label"].line, chair.value["label"].column) == (7, 12)


def test_list_items_remember_their_positions() -> None:
    workflow = _load(SAMPLE).value["workflows"].value["school_panel"]

    states = workflow.value["states"]
    assert states.is_list
    first, second = states.value
    assert first.is_map
    assert (first.line, first.column) == (11, 9)
    assert first.key_at("name") == (11, 9)
    assert (first.value["name"].line, first.value["name"].column) == (11, 15)
    assert second.is_scalar
    assert (second.line, second.column, second.value) == (12, 9, "closed")

    allowed = workflow.value["allowed"]
    assert [(a.value, a.line, a.column) for a in allowed.value] == [
        ("panel_chair", 13, 15),
        ("attendance_lead", 13, 28),
    ]


def test_key_at_a_missing_key_falls_back_to_the_section() -> None:
    chair = _load(SAMPLE).value["roles"].value["panel_chair"]
    assert chair.key_at("hint") == (chair.line, chair.column) == (6, 5)


def test_positions_count_characters_not_bytes() -> None:
    root = _load("agencies:\n  camhs: “CAMHS” é\n  school: School\nroles: [é, x]\n")
    assert [(i.value, i.column) for i in root.value["roles"].value] == [("é", 9), ("x", 12)]


def test_positions_with_windows_line_endings_and_a_bom() -> None:
    root = _load("\ufeffroles:\r\n  chair:\r\n    label: Chair\r\n".encode())
    chair = root.value["roles"].value["chair"]
    assert chair.key_at("label") == (3, 5)
    assert chair.value["label"].value == "Chair"


# -- duplicate keys --------------------------------------------------------------------------


def test_duplicate_key_is_reported_at_the_second_occurrence_naming_the_first_line() -> None:
    text = "roles:\n  chair:\n    label: Chair\n    agency: school\n    label: Panel chair\n"
    root, problems = load(text)

    assert root is not None
    assert len(problems) == 1
    problem = problems[0]
    assert (problem.line, problem.column) == (5, 5)
    assert problem.message.startswith("'label' appears twice")
    assert "(first on line 3)" in problem.message
    # the first one is kept
    assert root.value["roles"].value["chair"].value["label"].value == "Chair"


def test_duplicate_top_level_section() -> None:
    _, problems = load("roles: {}\nworkflows: {}\n\n\nroles: {}\n")
    assert [(p.line, p.column) for p in problems] == [(5, 1)]
    assert "'roles'" in problems[0].message and "first on line 1" in problems[0].message


def test_every_duplicate_is_reported() -> None:
    _, problems = load("a: 1\nb: 2\na: 3\nb: 4\na: 5\n")
    assert [p.line for p in problems] == [3, 4, 5]
    assert "'a'" in problems[0].message and "first on line 1" in problems[0].message
    assert "'b'" in problems[1].message and "first on line 2" in problems[1].message
    assert "'a'" in problems[2].message and "first on line 1" in problems[2].message


def test_duplicate_in_a_flow_mapping() -> None:
    _, problems = load("roles: {chair: 1, chair: 2}\n")
    assert [(p.line, p.column) for p in problems] == [(1, 19)]


def test_keys_that_differ_only_by_quoting_are_duplicates() -> None:
    _, problems = load('roles: {}\n"roles": {}\n')
    assert [(p.line, p.column) for p in problems] == [(2, 1)]


# -- keeping text as written (the Norway problem) ---------------------------------------------


def test_yes_and_no_keep_the_words_as_written() -> None:
    root = _load("a: no\nb: yes\nc: on\nd: off\ne: 'no'\n")
    a, b, c, d, e = (root.value[k] for k in "abcde")
    assert (a.tag, a.value, a.text) == (BOOL_TAG, False, "no")
    assert (b.tag, b.value, b.text) == (BOOL_TAG, True, "yes")
    assert (c.text, d.text) == ("on", "off")
    assert (e.tag, e.value, e.text) == (STR_TAG, "no", "no")


def test_norway_keys_stay_text() -> None:
    root = _load("agencies:\n  no: Norway liaison\n  yes: Youth engagement service\n")
    assert list(root.value["agencies"].value) == ["no", "yes"]


def test_quoted_numbers_are_text() -> None:
    root = _load("a: '10'\nb: \"007\"\nc: 10\nd: 007\ne: 1.5\nf: ~\ng: |\n  12\n")
    a, b, c, d, e, f, g = (root.value[k] for k in "abcdefg")
    assert (a.tag, a.value) == (STR_TAG, "10")
    assert (b.tag, b.value) == (STR_TAG, "007")
    assert (c.tag, c.value, c.text) == (INT_TAG, 10, "10")
    assert (d.tag, d.text) == (INT_TAG, "007")  # written as 007, whatever YAML makes of it
    assert (e.tag, e.value, e.text) == (FLOAT_TAG, 1.5, "1.5")
    assert f.tag == NULL_TAG and f.value is None
    assert (g.tag, g.value) == (STR_TAG, "12\n")


def test_describe_in_an_editors_words() -> None:
    root = _load("a: {x: 1}\nb: [1]\nc:\nd: no\ne: 12\nf: text\n")
    assert [root.value[k].describe() for k in "abcdef"] == [
        "a section of keys",
        "a list",
        "empty",
        "yes/no (no)",
        "a number (12)",
        "text ('text')",
    ]


NORWAY_FILE = """\
agencies:
  school: School
roles:
  panel_chair:
    agency: school
    label: Yes
fields:
  family_agrees:
    label: 2024
    type: choice
    options: [yes, no, not sure, 1, "2"]
workflows:
  school_panel:
    title: 1
    initial: on
    states:
      - name: on
      - name: off
        final: true
    transitions:
      - trigger: no
        label: No
        source: on
        dest: off
        allowed: [panel_chair]
        requires: [family_agrees]
"""


def test_validated_names_and_labels_keep_the_words_as_written() -> None:
    result = validate_text(NORWAY_FILE)

    assert result.problems == []
    assert result.definitions is not None
    d = result.definitions
    assert d.roles["panel_chair"].label == "Yes"
    assert d.fields["family_agrees"].label == "2024"
    assert d.fields["family_agrees"].options == ("yes", "no", "not sure", "1", "2")
    wf = d.workflows["school_panel"]
    assert wf.title == "1"
    assert wf.initial == "on"
    assert list(wf.states) == ["on", "off"]
    (t,) = wf.transitions
    assert (t.trigger, t.label, t.sources, t.dest) == ("no", "No", ("on",), "off")


# -- what is not YAML ------------------------------------------------------------------------


@pytest.mark.parametrize("data", ["", b"", "\n\n", "# only\n# comments\n", b"\xef\xbb\xbf"])
def test_empty_files_have_one_problem_at_the_start(data: str | bytes) -> None:
    root, problems = load(data)
    assert root is None
    assert len(problems) == 1
    assert (problems[0].line, problems[0].column) == (1, 1)


def test_binary_file() -> None:
    root, problems = load(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert root is None
    assert [(p.line, p.column) for p in problems] == [(1, 1)]
    assert "not a text file" in problems[0].message


def test_latin_1_file_points_at_the_first_bad_byte() -> None:
    root, problems = load("roles:\n  chair:\n    label: Caf\xe9 lead\n".encode("latin-1"))
    assert root is None
    assert [(p.line, p.column) for p in problems] == [(3, 15)]
    assert "UTF-8" in problems[0].message


def test_decode_accepts_utf8_with_and_without_bom() -> None:
    assert decode("café".encode()) == ("café", [])
    assert decode(b"\xef\xbb\xbfcaf\xc3\xa9") == ("café", [])


def test_control_character_position() -> None:
    _, problems = load("roles:\n  chair: a\x07b\n")
    assert [(p.line, p.column) for p in problems] == [(2, 11)]


def test_each_tab_indented_line_is_reported_where_the_tab_is() -> None:
    root, problems = load("roles:\n\tchair:\n  \tlabel: x\n  ok: a\tb\n")
    assert root is None
    assert [(p.line, p.column) for p in problems] == [(2, 1), (3, 3)]
    assert all("tab" in p.message for p in problems)


def test_syntax_error_is_one_problem_with_a_position() -> None:
    root, problems = load("roles:\n  chair:\n    label: Close: now\n")
    assert root is None
    assert [(p.line, p.column) for p in problems] == [(3, 17)]
    assert "quotes" in problems[0].message


def test_problem_format() -> None:
    assert Problem(3, 7, "something is wrong").format("w.yaml") == "w.yaml:3:7: something is wrong"
