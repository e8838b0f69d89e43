"""The broken-workflow corpus: every file in ``tests/workflow_corpus`` is a small workflow file
with one mistake an LA officer could make (a few combine several), and its ``.expected`` sibling
holds the exact problems ``panelflow validate`` must print for it, as ``LINE:COLUMN: message``.

The expected lines are what the message SHOULD say to someone who is not a programmer; where
the validator says something else, the test fails until the validator is fixed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from panelflow.workflows.validation import validate_text

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "tests" / "workflow_corpus"
WORKFLOWS_FILE = ROOT / "config" / "workflows.yaml"
CORPUS_FILES = sorted(CORPUS.glob("*.yaml"))


def _expected(path: Path) -> list[str]:
    text = path.with_suffix(".expected").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("path", CORPUS_FILES, ids=[p.name for p in CORPUS_FILES])
def test_corpus_file_reports_exactly_the_expected_problems(path: Path) -> None:
    result = validate_text(path.read_bytes())

    assert [f"{p.line}:{p.column}: {p.message}" for p in result.problems] == _expected(path)
    assert not result.ok
    assert result.definitions is None


def test_corpus_is_large_enough_and_every_file_has_its_expectation() -> None:
    assert len(CORPUS_FILES) >= 36
    missing = [p.name for p in CORPUS_FILES if not p.with_suffix(".expected").is_file()]
    assert missing == []
    orphans = [p.name for p in CORPUS.glob("*.expected") if not p.with_suffix(".yaml").is_file()]
    assert orphans == []
    for path in CORPUS_FILES:
        assert path.name[:2].isdigit() and path.name[2] == "_", path.name
        assert _expected(path), f"{path.name}.expected is empty"


def test_expected_lines_are_line_column_message() -> None:
    for path in CORPUS_FILES:
        for line in _expected(path):
            position, _, message = line.partition(": ")
            row, _, column = position.partition(":")
            assert row.isdigit() and column.isdigit() and int(row) >= 1 and int(column) >= 1, (
                f"{path.name}: {line!r}"
            )
            assert message and "\n" not in message, f"{path.name}: {line!r}"


def test_shipped_workflow_file_is_valid() -> None:
    result = validate_text(WORKFLOWS_FILE.read_bytes())

    assert result.problems == []
    assert result.ok
    assert result.definitions is not None
    assert set(result.definitions.workflows) >= {
        "school_panel",
        "support_first",
        "ewo_consultation",
        "statutory_referral",
    }


def test_shipped_workflow_file_is_valid_when_given_as_text() -> None:
    result = validate_text(WORKFLOWS_FILE.read_text(encoding="utf-8"))

    assert result.ok


# -- inputs that must never raise --------------------------------------------------------------
# Odd inputs that are not worth an exact expectation, but must still come back as problems
# (or a valid result), never as an exception.

_VALID_START = WORKFLOWS_FILE.read_text(encoding="utf-8")

ODD_INPUTS: dict[str, bytes | str] = {
    "deeply nested brackets": "roles: " + "[" * 3000 + "]" * 3000 + "\n",
    "deeply nested sections": "".join("  " * i + f"k{i}:\n" for i in range(2000))
    + "  " * 2000
    + "end: 1\n",
    "lone surrogate in text": "roles: \ud800\nworkflows: {}\n",
    "non-character U+FFFE": "roles:\n  chair: \ufffe\n",
    "only a document end marker": "...\n",
    "UTF-16 file": "roles: {}\n".encode("utf-16"),
    "BOM then nothing": b"\xef\xbb\xbf",
    "only NUL bytes": b"\x00" * 64,
    "merge key": "roles: &r\n  a: 1\nworkflows:\n  <<: *r\n",
    "complex key": "? [a, b]\n: c\n",
    "python tag": "!!python/object/apply:os.system ['echo hi']\n",
    "bad int tag": "roles: !!int abc\nworkflows: {}\n",
    "number keys": "1.5: x\n2: y\n",
    "quoted trigger with a trailing space": _VALID_START.replace(
        "      - trigger: close\n        label: Close the formal case\n",
        '      - trigger: "close "\n        label: Close the formal case\n',
    ),
    "timer list of text": "roles: {}\nworkflows:\n  w:\n    title: W\n    initial: a\n"
    "    states:\n      - name: a\n        timers: [2 weeks]\n    transitions: []\n",
}


@pytest.mark.parametrize("data", ODD_INPUTS.values(), ids=list(ODD_INPUTS))
def test_odd_input_never_raises(data: bytes | str) -> None:
    result = validate_text(data)

    for problem in result.problems:
        assert problem.line >= 1 and problem.column >= 1
        assert problem.message and "\n" not in problem.message
        assert "Traceback" not in problem.message
