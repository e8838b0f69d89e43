"""`panelflow validate FILE`: every problem as FILE:LINE:COLUMN: message and exit 1, or a
summary and exit 0; plain messages, never a traceback."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from panelflow import cli
from panelflow.cli import main

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS_FILE = ROOT / "config" / "workflows.yaml"
CORPUS = ROOT / "tests" / "workflow_corpus"
CORPUS_FILES = sorted(CORPUS.glob("*.yaml"))
CONSOLE_SCRIPT = Path(sys.executable).parent / "panelflow"

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


def validate(*args: str) -> Result:
    return CliRunner().invoke(main, ["validate", *args])


def assert_plain(result: Result) -> None:
    """No Python exception escaped, and nothing in the output looks like one."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    for stream in (result.stdout, result.stderr):
        assert "Traceback" not in stream


def test_valid_file_exits_0_with_a_summary() -> None:
    result = validate(str(WORKFLOWS_FILE))

    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert re.fullmatch(
        rf"{re.escape(str(WORKFLOWS_FILE))}: valid: \d+ workflows?, \d+ roles, \d+ fields", lines[0]
    ), lines[0]
    listed = [line.split(":")[0].strip() for line in lines[1:]]
    assert {"school_panel", "support_first", "ewo_consultation", "statutory_referral"} <= set(
        listed
    )
    assert all(line.startswith("  ") and "states" in line for line in lines[1:])
    assert_plain(result)


def test_default_file_is_the_shipped_workflows(monkeypatch: pytest.MonkeyPatch) -> None:
    if cli.DEFAULT_FILE != "config/workflows.yaml":
        pytest.skip("PANELFLOW_WORKFLOWS points somewhere else")
    monkeypatch.chdir(ROOT)

    result = CliRunner().invoke(main, ["validate"])

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("config/workflows.yaml: valid: ")


def test_broken_file_exits_1_and_prefixes_every_line(tmp_path: Path) -> None:
    source = CORPUS / "70_several_problems.yaml"
    broken = tmp_path / "workflows.yaml"
    broken.write_bytes(source.read_bytes())

    result = validate(str(broken))

    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) >= 2
    for line in lines:
        assert line.startswith(f"{broken}:"), line
        rest = line[len(f"{broken}:") :]
        row, column, message = rest.split(":", 2)
        assert row.isdigit() and column.isdigit(), line
        assert message.startswith(" ") and message.strip(), line
    count = len(lines)
    assert result.stderr == f"{count} problems found in {broken}\n"
    assert_plain(result)


def test_one_problem_is_counted_in_the_singular() -> None:
    path = CORPUS / "21_unknown_role_in_allowed.yaml"

    result = validate(str(path))

    assert result.exit_code == 1
    assert result.stdout == (
        f"{path}:59:19: role 'panel_chiar' in transition 'discuss_at_panel' of workflow "
        "'school_panel' is not declared under 'roles:'; did you mean 'panel_chair'?\n"
    )
    assert result.stderr == f"1 problem found in {path}\n"


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-workflows.yaml"

    result = validate(str(missing))

    assert result.exit_code != 0
    assert result.stdout == ""
    assert result.stderr == f"Error: {missing}: no such file\n"
    assert_plain(result)


def test_directory(tmp_path: Path) -> None:
    result = validate(str(tmp_path))

    assert result.exit_code != 0
    assert result.stderr == f"Error: {tmp_path}: is a folder, not a workflow file\n"
    assert_plain(result)


def test_binary_file(tmp_path: Path) -> None:
    image = tmp_path / "workflows.png"
    image.write_bytes(PNG)

    result = validate(str(image))

    assert result.exit_code == 1
    assert result.stdout == (
        f"{image}:1:1: this is not a text file (it looks like a binary file); a workflow "
        "file must be plain text saved as UTF-8\n"
    )
    assert_plain(result)


@pytest.mark.parametrize(
    "content", [b"", b"\n", b"# nothing here yet\n"], ids=["0 bytes", "newline", "comment"]
)
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    empty = tmp_path / "workflows.yaml"
    empty.write_bytes(content)

    result = validate(str(empty))

    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{empty}:1:1: the file ")
    assert "'roles:'" in lines[0] and "'workflows:'" in lines[0]
    assert_plain(result)


@pytest.mark.parametrize("path", CORPUS_FILES, ids=[p.name for p in CORPUS_FILES])
def test_every_corpus_file_fails_plainly(path: Path) -> None:
    result = validate(str(path))

    assert result.exit_code == 1, result.output
    assert_plain(result)
    assert result.stdout, "a broken file must print at least one problem"
    for line in result.stdout.splitlines():
        assert line.startswith(f"{path}:"), line


def test_console_script_on_a_binary_file_prints_no_traceback(tmp_path: Path) -> None:
    image = tmp_path / "workflows.yaml"
    image.write_bytes(PNG)

    completed = subprocess.run(
        [str(CONSOLE_SCRIPT), "validate", str(image)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert completed.returncode == 1
    assert "Traceback" not in completed.stdout + completed.stderr
    assert completed.stdout.startswith(f"{image}:1:1: this is not a text file")
    assert completed.stderr == f"1 problem found in {image}\n"


def test_console_script_on_a_superscript_number_prints_no_traceback() -> None:
    path = CORPUS / "72_count_of_superscript_number.yaml"

    completed = subprocess.run(
        [str(CONSOLE_SCRIPT), "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert "Traceback" not in completed.stdout + completed.stderr
    assert completed.returncode == 1
    assert completed.stdout.startswith(f"{path}:62:13: ")
