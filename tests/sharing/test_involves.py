"""The workflow file's ``involves:`` key: read into the definitions, and every mistake named
with its line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from panelflow.workflows.validation import validate_text

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = (ROOT / "config" / "workflows.yaml").read_text(encoding="utf-8")
ANCHOR = "    involves: [educational_psychology]\n"


def test_the_shipped_ewo_consultation_involves_the_educational_psychology_team() -> None:
    result = validate_text(SHIPPED)
    assert result.ok, result.problems
    assert result.definitions is not None
    workflows = result.definitions.workflows
    assert workflows["ewo_consultation"].involves == ("educational_psychology",)
    assert workflows["school_panel"].involves == ()


def _line_of_anchor() -> int:
    return SHIPPED[: SHIPPED.index(ANCHOR)].count("\n") + 1


@pytest.mark.parametrize(
    ("value", "column", "message"),
    [
        (
            "[educational_psycology]",
            16,
            "'involves' of workflow 'ewo_consultation' names agency 'educational_psycology', "
            "which is not declared under 'agencies:'; did you mean 'educational_psychology'?",
        ),
        (
            "[school]",
            16,
            "'involves' of workflow 'ewo_consultation' names 'school', but school staff "
            "already see the pupils on their school's roll; list only other agencies",
        ),
        (
            "[camhs, camhs]",
            23,
            "'involves' of workflow 'ewo_consultation' names agency 'camhs' twice; list it once",
        ),
        (
            "[Educational Psychology]",
            16,
            "the agency 'Educational Psychology' in 'involves' of workflow 'ewo_consultation' "
            "must be lower-case words joined by underscores, like 'educational_psychology'",
        ),
        (
            "{educational_psychology: yes}",
            15,
            "'involves' of workflow 'ewo_consultation' must be a name or a list of names, "
            "like [a, b], but it is a section of keys",
        ),
    ],
)
def test_mistakes_in_involves_are_named_with_their_line(
    value: str, column: int, message: str
) -> None:
    text = SHIPPED.replace(ANCHOR, f"    involves: {value}\n")
    result = validate_text(text)
    assert [(p.line, p.column, p.message) for p in result.problems] == [
        (_line_of_anchor(), column, message)
    ]
