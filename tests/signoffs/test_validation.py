"""The workflow file's 'sign_off:' and 'safeguarding:' keys: what the validator accepts, what
it refuses (with the line and column of the mistake), and what the diff says when they change.
"""

from __future__ import annotations

from pathlib import Path

from panelflow.workflows.diff import describe_changes
from panelflow.workflows.validation import validate_text

ROOT = Path(__file__).resolve().parents[2]

HEAD = """\
roles:
  attendance_lead:
    agency: school
    label: School attendance lead
  ewo:
    agency: attendance_service
    label: Education welfare officer (EWO)
fields:
  formal_reason:
    label: Why is this formal step needed now?
    type: long_text
  safeguarding_concern:
    label: What is the safeguarding concern?
    type: long_text
workflows:
  statutory_referral:
    title: Statutory referral
    initial: considering
    states:
      - name: considering
        timers:
          - after: 4 school weeks
            TIMER
      - name: penalty_notice
      - name: with_social_care
      - name: closed
        final: true
    transitions:
"""

PENALTY = """\
      - trigger: issue_penalty_notice
        label: Issue a penalty notice
        source: considering
        dest: penalty_notice
        allowed: [attendance_lead, ewo]
        requires: [formal_reason]
"""

REFERRAL = """\
      - trigger: refer_to_social_care
        label: Refer to children's social care
        source: "*"
        dest: with_social_care
        allowed: [attendance_lead, ewo]
        requires: [safeguarding_concern]
"""

CLOSE = """\
      - trigger: close
        source: "*"
        dest: closed
        allowed: [ewo]
"""


def _file(*, penalty: str = "", referral: str = "", timer: str = "flag: Decide") -> str:
    """A small statutory workflow; extra lines go at the end of each transition."""
    return HEAD.replace("TIMER", timer) + PENALTY + penalty + REFERRAL + referral + CLOSE


def _problems(text: str) -> list[str]:
    return [f"{p.line}:{p.column}: {p.message}" for p in validate_text(text).problems]


def _line(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if fragment in line)


def test_a_step_with_sign_off_and_a_safeguarding_step_are_valid() -> None:
    text = _file(penalty="        sign_off: [ewo]\n", referral="        safeguarding: true\n")

    result = validate_text(text)

    assert result.problems == []
    assert result.definitions is not None
    steps = {t.trigger: t for t in result.definitions.workflows["statutory_referral"].transitions}
    assert steps["issue_penalty_notice"].sign_off == ("ewo",)
    assert steps["issue_penalty_notice"].safeguarding is False
    assert steps["refer_to_social_care"].safeguarding is True
    assert steps["refer_to_social_care"].sign_off == ()
    assert steps["close"].sign_off == () and steps["close"].safeguarding is False


def test_the_shipped_file_asks_sign_off_for_the_gravest_measures_and_marks_safeguarding() -> None:
    result = validate_text((ROOT / "config" / "workflows.yaml").read_bytes())

    assert result.definitions is not None
    workflows = result.definitions.workflows
    needing = {
        t.trigger: t.sign_off for t in workflows["statutory_referral"].transitions if t.sign_off
    }
    assert needing == {
        "issue_penalty_notice": ("ewo",),
        "apply_for_eso": ("ewo",),
        "start_prosecution": ("ewo",),
    }
    marked = sorted(
        (key, t.trigger) for key, wf in workflows.items() for t in wf.transitions if t.safeguarding
    )
    assert marked == [
        ("school_panel", "raise_safeguarding_concern"),
        ("statutory_referral", "refer_to_social_care"),
        ("support_first", "raise_safeguarding_concern"),
    ]
    for key, trigger in marked:
        t = next(t for t in workflows[key].transitions if t.trigger == trigger)
        assert t.sources == ("*",) and not t.conditions and not t.unless and not t.sign_off


def test_sign_off_names_an_unknown_role() -> None:
    text = _file(penalty="        sign_off: [ewo, attendence_lead]\n")

    assert _problems(text) == [
        f"{_line(text, 'sign_off:')}:25: role 'attendence_lead' in 'sign_off' of transition "
        "'issue_penalty_notice' of workflow 'statutory_referral' is not declared under "
        "'roles:'; did you mean 'attendance_lead'?"
    ]


def test_sign_off_is_empty() -> None:
    text = _file(penalty="        sign_off: []\n")

    assert _problems(text) == [
        f"{_line(text, 'sign_off:')}:19: 'sign_off' of transition 'issue_penalty_notice' of "
        "workflow 'statutory_referral' is empty; name the roles who may give the second "
        "sign-off, like [ewo], or remove 'sign_off' if one person may take this step alone"
    ]


def test_a_misspelt_sign_off_key_is_suggested() -> None:
    text = _file(penalty="        signoff: [ewo]\n")

    problems = _problems(text)

    assert len(problems) == 1
    assert problems[0].startswith(
        f"{_line(text, 'signoff:')}:9: unknown key 'signoff' in transition "
        "'issue_penalty_notice' of workflow 'statutory_referral'; did you mean 'sign_off'?"
    )


def test_a_timer_cannot_fire_a_step_that_needs_a_sign_off() -> None:
    text = _file(penalty="        sign_off: [ewo]\n", timer="fire: issue_penalty_notice")
    text = text.replace("        requires: [formal_reason]\n", "", 1)

    assert _problems(text) == [
        f"{_line(text, 'fire: issue_penalty_notice')}:19: a timer of state 'considering' fires "
        "'issue_penalty_notice', which needs a second sign-off ('sign_off:'); a timer acts "
        "alone and nobody could sign it off, so fire a transition without 'sign_off:'"
    ]


def test_a_safeguarding_step_cannot_have_conditions_unless_or_sign_off() -> None:
    text = _file(
        referral=(
            "        safeguarding: true\n"
            "        conditions:\n"
            "          - happened(issue_penalty_notice)\n"
            "        unless:\n"
            "          - looked_after\n"
            "        sign_off: [ewo]\n"
        )
    )
    where = "transition 'refer_to_social_care' of workflow 'statutory_referral'"

    assert _problems(text) == [
        f"{_line(text, 'conditions:')}:9: {where} is marked 'safeguarding: true', but has "
        "'conditions:'; a safeguarding step must never be held back, so remove its 'conditions'",
        f"{_line(text, 'unless:')}:9: {where} is marked 'safeguarding: true', but has "
        "'unless:'; a safeguarding step must never be held back, so remove its 'unless'",
        f"{_line(text, 'sign_off:')}:9: {where} is marked 'safeguarding: true', but has "
        "'sign_off:'; a safeguarding step must never be held back, so remove its 'sign_off', "
        "so one person can act at once",
    ]


def test_a_safeguarding_step_must_be_possible_from_every_open_state() -> None:
    text = _file(referral="        safeguarding: true\n").replace(
        '        source: "*"\n        dest: with_social_care',
        "        source: [considering, penalty_notice]\n        dest: with_social_care",
    )

    assert _problems(text) == [
        f"{_line(text, 'source: [considering, penalty_notice]')}:17: transition "
        "'refer_to_social_care' of workflow 'statutory_referral' is marked 'safeguarding: "
        "true', but can only be taken from some states; a safeguarding step must never be "
        "held back, so write 'source: \"*\"' (any state that is not final)"
    ]


def test_safeguarding_must_be_true_or_false() -> None:
    text = _file(referral="        safeguarding: always\n")

    assert _problems(text) == [
        f"{_line(text, 'safeguarding: always')}:23: 'safeguarding' of transition "
        "'refer_to_social_care' of workflow 'statutory_referral' must be true or false, but "
        "it is text ('always')"
    ]


def test_the_diff_says_when_a_sign_off_or_a_safeguarding_mark_changes() -> None:
    before = validate_text(_file()).definitions
    after = validate_text(
        _file(penalty="        sign_off: [ewo]\n", referral="        safeguarding: true\n")
    ).definitions
    assert before is not None and after is not None

    assert describe_changes(before, after) == [
        "workflow 'statutory_referral': transition 'issue_penalty_notice': second sign-off "
        "roles changed from none to ewo",
        "workflow 'statutory_referral': transition 'refer_to_social_care': now marked as a "
        "safeguarding step",
    ]
    assert describe_changes(after, before)[1].endswith("no longer marked as a safeguarding step")
