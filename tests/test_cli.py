"""The ``panelflow`` command against a real database: publishing, listing and showing
versions, migrating open cases between versions, diagrams, ``tick``, and ``db upgrade``.

Every command creates its own app from the environment, so ``DATABASE_URL`` points it at the
test database. SQLite transactions begin IMMEDIATE (they take the write lock up front), so the
test's own session is committed before each command runs and expired afterwards.

``config/workflows.yaml`` is being revised, so apart from the four workflow keys every name
used here (states, triggers, titles, roles, fields) is read from the published definitions.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm import Session

from panelflow import cli
from panelflow.audit.models import AuditRecord
from panelflow.cases.models import Case, CaseFlag, CaseTimer
from panelflow.cases.operations import Fired, fire, open_case
from panelflow.catalogue.models import WorkflowVersion
from panelflow.catalogue.operations import engine_for, publish
from panelflow.db import Base, Database, utcnow
from panelflow.workflows.definitions import REFLEXIVE, WorkflowSet
from panelflow.workflows.validation import validate_text
from tests.factories import make_pupil, make_school, person

WORKFLOW_KEYS = ("school_panel", "support_first", "ewo_consultation", "statutory_referral")
NO_SCHEMA = "the database schema is not set up yet: run 'panelflow db upgrade'"
PROBLEM_LINE = re.compile(r"^(?P<file>.+):(?P<line>\d+):(?P<column>\d+): (?P<message>\S.*)$")

Invoke = Callable[..., Result]


# --- helpers -------------------------------------------------------------------------------


def assert_plain(result: Result) -> None:
    """No Python exception escaped the command, and nothing printed looks like one."""
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.stdout
    assert "Traceback" not in result.stderr


def definitions_of(text: str) -> WorkflowSet:
    result = validate_text(text)
    assert result.ok and result.definitions is not None, result.problems
    return result.definitions


def count(session: Session, model: type, *where: Any) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def first_step_role(definitions: WorkflowSet) -> str:
    """A role that takes steps in the shipped file (some roles never do)."""
    return next(
        r for wf in definitions.workflows.values() for t in wf.transitions for r in t.allowed
    )


def change_workflow_title(text: str, key: str, suffix: str) -> tuple[str, str, str]:
    """Append ``suffix`` to workflow ``key``'s title by editing the text; returns
    (new text, old title, new title)."""
    old_title = definitions_of(text).workflows[key].title
    start = re.search(rf"^\s*{key}:\s*$", text, re.MULTILINE)
    assert start is not None, f"no '{key}:' line in the workflow file"
    line = re.compile(rf"^(\s*)title: {re.escape(old_title)}[ \t]*$", re.MULTILINE)
    match = line.search(text, start.end())
    assert match is not None, f"no plain 'title: {old_title}' line under '{key}:'"
    new_title = f"{old_title}{suffix}"
    changed = f"{text[: match.start()]}{match.group(1)}title: {new_title}{text[match.end() :]}"
    assert definitions_of(changed).workflows[key].title == new_title
    return changed, old_title, new_title


def sample_value(definitions: WorkflowSet, name: str) -> Any:
    """Something acceptable to record for field ``name``."""
    field = definitions.fields[name]
    return {
        "choice": field.options[0] if field.options else "x",
        "yes_no": True,
        "number": 3,
        "money": "12.50",
        "date": date(2026, 3, 2).isoformat(),
    }.get(field.type, f"Recorded by a test: {field.label}")


def advance(case: Case, definitions: WorkflowSet) -> bool:
    """Take any step that moves ``case`` on to a different state that is not final."""
    everyone = person("Evie Everyone", *definitions.roles)
    wf = definitions.workflows[case.workflow_key]
    for t in wf.transitions_from(case.state):
        if t.dest in (None, REFLEXIVE, case.state) or wf.states[str(t.dest)].final:
            continue
        data = {name: sample_value(definitions, name) for name in t.records}
        if isinstance(fire(case, t.trigger, everyone, data), Fired):
            return True
    return False


# The small workflow the migration test adds to version 1, so that it controls exactly which
# state version 2 removes. ROLE is filled in with a role from the shipped file.
PROBE = """
title: Migration probe
description: A small workflow used by the migration tests.
initial: start
states:
  - name: start
    label: Started
  - name: middle
    label: Half way
  - name: later
    label: Nearly done
  - name: done
    label: Done
    final: true
transitions:
  - trigger: go_middle
    label: Go half way
    source: start
    dest: middle
    allowed: [ROLE]
  - trigger: go_later
    label: Go on from half way
    source: middle
    dest: later
    allowed: [ROLE]
  - trigger: skip_to_later
    label: Skip ahead
    source: start
    dest: later
    allowed: [ROLE]
  - trigger: finish
    label: Finish
    source: "*"
    dest: done
    allowed: [ROLE]
"""

EXTRA = """
title: Extra check-in
initial: open
states:
  - name: open
    label: Open
  - name: finished
    label: Finished
    final: true
transitions:
  - trigger: finish
    label: Finish the check-in
    source: open
    dest: finished
    allowed: [ROLE]
"""


def with_workflow(text: str, key: str, body: str, role: str) -> str:
    data = yaml.safe_load(text)
    assert key not in data["workflows"]
    data["workflows"][key] = yaml.safe_load(body.replace("ROLE", role))
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)


def without_state(text: str, key: str, state: str) -> str:
    """Remove ``state`` from workflow ``key`` and every transition that touches it."""
    data = yaml.safe_load(text)
    wf = data["workflows"][key]
    wf["states"] = [s for s in wf["states"] if s["name"] != state]
    wf["transitions"] = [
        t
        for t in wf["transitions"]
        if t["dest"] != state
        and state not in ([t["source"]] if isinstance(t["source"], str) else t["source"])
    ]
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def invoke(db: Database, session: Session, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """Run ``panelflow ARGS...`` on the test database, as a separate process would."""
    monkeypatch.setenv("DATABASE_URL", db.url)

    def run(*args: str) -> Result:
        session.commit()  # release the write lock the session may hold
        result = CliRunner().invoke(cli.main, list(args))
        session.expire_all()  # read what the command wrote, not what was cached
        return result

    return run


@pytest.fixture
def workflows_file(tmp_path: Path, workflows_text: str) -> Path:
    path = tmp_path / "workflows.yaml"
    path.write_text(workflows_text, encoding="utf-8")
    return path


@pytest.fixture
def editor_name() -> str:
    return "Wendy Editor"


# --- workflows publish ---------------------------------------------------------------------


def test_publish_stores_version_1_says_what_it_contains_and_audits_it(
    invoke: Invoke, session: Session, workflows_file: Path, workflows_text: str
) -> None:
    result = invoke("workflows", "publish", str(workflows_file), "--by", "Wendy Editor")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"published version 1 of {workflows_file}"
    assert lines[1].startswith("  - first version: 4 workflows (")
    for key in WORKFLOW_KEYS:
        assert key in lines[1]
    version = session.scalars(select(WorkflowVersion)).one()
    assert (version.number, version.published_by) == (1, "Wendy Editor")
    assert version.source_name == str(workflows_file)
    assert version.content == workflows_text
    audit = session.scalars(select(AuditRecord)).one()
    assert (audit.action, audit.actor_name, audit.workflow_version) == (
        "workflow.publish",
        "Wendy Editor",
        1,
    )
    assert_plain(result)


def test_publishing_a_changed_file_lists_the_changes(
    invoke: Invoke,
    session: Session,
    published: WorkflowVersion,
    tmp_path: Path,
    workflows_text: str,
) -> None:
    changed, old_title, new_title = change_workflow_title(
        workflows_text, "support_first", " (graduated response)"
    )
    path = tmp_path / "workflows.yaml"
    path.write_text(changed, encoding="utf-8")

    result = invoke("workflows", "publish", str(path), "--by", "Sam Second")

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"published version 2 of {path}",
        f"  - workflow 'support_first': title changed from '{old_title}' to '{new_title}'",
    ]
    assert count(session, WorkflowVersion) == 2
    audit = session.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc())).first()
    assert audit is not None
    assert (audit.action, audit.actor_name, audit.workflow_version) == (
        "workflow.publish",
        "Sam Second",
        2,
    )
    assert_plain(result)


def test_an_invalid_file_prints_each_problem_and_stores_nothing(
    invoke: Invoke,
    session: Session,
    published: WorkflowVersion,
    tmp_path: Path,
    workflows_text: str,
) -> None:
    definitions = definitions_of(workflows_text)
    dest = next(
        str(t.dest)
        for wf in definitions.workflows.values()
        for t in wf.transitions
        if t.dest not in (None, REFLEXIVE)
    )
    broken_text, replaced = re.subn(
        rf"^(\s*)dest: {dest}[ \t]*$",
        rf"\1dest: {dest}_typo",
        workflows_text,
        count=1,
        flags=re.MULTILINE,
    )
    assert replaced == 1
    path = tmp_path / "broken.yaml"
    path.write_text(broken_text, encoding="utf-8")
    audits_before = count(session, AuditRecord)

    result = invoke("workflows", "publish", str(path), "--by", "Wendy Editor")

    assert result.exit_code != 0
    lines = result.stdout.splitlines()
    assert lines, result.output
    for line in lines:
        match = PROBLEM_LINE.match(line)
        assert match is not None, line
        assert match.group("file") == str(path)
    assert any(f"'{dest}_typo'" in line for line in lines), lines
    assert result.stderr == (
        "Error: the file has problems, so it was not published; the live version is unchanged\n"
    )
    # Nothing stored: version 1 is still the only, and live, version.
    assert count(session, WorkflowVersion) == 1
    live = session.scalars(select(WorkflowVersion)).one()
    assert (live.number, live.content_hash) == (1, published.content_hash)
    assert count(session, AuditRecord) == audits_before
    assert_plain(result)


def test_publishing_an_identical_file_is_refused(
    invoke: Invoke, session: Session, published: WorkflowVersion, workflows_file: Path
) -> None:
    result = invoke("workflows", "publish", str(workflows_file), "--by", "Wendy Editor")

    assert result.exit_code != 0
    assert result.stdout == ""
    assert result.stderr == (
        "Error: this file is identical to the live version 1; nothing to publish\n"
    )
    assert count(session, WorkflowVersion) == 1
    assert_plain(result)


def test_publishing_a_missing_file_is_a_plain_message(
    invoke: Invoke, session: Session, tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-workflows.yaml"

    result = invoke("workflows", "publish", str(missing), "--by", "Wendy Editor")

    assert result.exit_code != 0
    assert result.stdout == ""
    assert result.stderr == f"Error: {missing}: no such file\n"
    assert count(session, WorkflowVersion) == 0
    assert_plain(result)


# --- workflows list / show -----------------------------------------------------------------


def test_list_with_nothing_published(invoke: Invoke) -> None:
    result = invoke("workflows", "list")

    assert result.exit_code == 0, result.output
    assert result.stdout == "no workflow version has been published yet\n"
    assert_plain(result)


def test_list_shows_versions_newest_first_with_the_live_one_marked(
    invoke: Invoke, session: Session, published: WorkflowVersion, workflows_text: str
) -> None:
    changed, _, _ = change_workflow_title(workflows_text, "ewo_consultation", " (revised)")
    second = publish(session, changed, "revised.yaml", person("Sam Second"))
    assert second.ok and second.version is not None

    result = invoke("workflows", "list")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("version 2 (live): published ")
    assert lines[0].endswith(
        f" by Sam Second from revised.yaml [{second.version.content_hash[:12]}]"
    )
    assert lines[1].startswith("version 1: published ")
    assert lines[1].endswith(
        f" by Wendy Editor from config/workflows.yaml [{published.content_hash[:12]}]"
    )
    assert "(live)" not in lines[1]
    assert_plain(result)


def test_show_prints_what_changed_and_with_diff_the_line_diff(
    invoke: Invoke, session: Session, published: WorkflowVersion, workflows_text: str
) -> None:
    changed, old_title, new_title = change_workflow_title(
        workflows_text, "school_panel", " (monthly)"
    )
    assert publish(session, changed, "config/workflows.yaml", person("Sam Second")).ok

    first = invoke("workflows", "show", "1")
    plain = invoke("workflows", "show", "2")
    with_diff = invoke("workflows", "show", "2", "--diff")

    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines() == [
        "version 1, published by Wendy Editor",
        f"  - first version: 4 workflows ({', '.join(definitions_of(workflows_text).workflows)})",
    ]
    change = f"  - workflow 'school_panel': title changed from '{old_title}' to '{new_title}'"
    assert plain.exit_code == 0, plain.output
    assert plain.stdout.splitlines() == ["version 2, published by Sam Second", change]
    assert with_diff.exit_code == 0, with_diff.output
    assert with_diff.stdout.startswith(f"version 2, published by Sam Second\n{change}\n")
    assert "--- version 1" in with_diff.stdout and "+++ version 2" in with_diff.stdout
    assert re.search(rf"^-\s+title: {re.escape(old_title)}$", with_diff.stdout, re.MULTILINE)
    assert re.search(rf"^\+\s+title: {re.escape(new_title)}$", with_diff.stdout, re.MULTILINE)
    for result in (first, plain, with_diff):
        assert_plain(result)


def test_show_an_unknown_version_is_a_plain_message(
    invoke: Invoke, published: WorkflowVersion
) -> None:
    result = invoke("workflows", "show", "9")

    assert result.exit_code != 0
    assert result.stderr == "Error: there is no workflow version 9\n"
    assert_plain(result)


# --- workflows migrate ---------------------------------------------------------------------


def case_rows(session: Session) -> dict[int, tuple[str, int, int, str]]:
    return {
        c.id: (c.workflow_key, c.workflow_version_id, c.lock_version, c.state)
        for c in session.scalars(select(Case).order_by(Case.id))
    }


def report_line(stdout: str, case_id: int) -> str:
    found = [line for line in stdout.splitlines() if line.startswith(f"case {case_id} (")]
    assert len(found) == 1, (case_id, stdout)
    return found[0]


def movable_cases(cases: dict[str, Any]) -> list[Case]:
    """The open cases whose state exists in version 2: all but the one in 'middle'."""
    return [
        c
        for name, c in cases.items()
        if c is not None and name not in ("probe_middle", "probe_done")
    ]


@pytest.fixture
def probe_versions(
    session: Session, workflows_text: str
) -> tuple[WorkflowVersion, WorkflowVersion, dict[str, Any]]:
    """Version 1 (the shipped file plus the probe workflow), open cases on it at various
    states, and version 2: the probe's 'middle' state removed with every transition touching
    it, a brand new workflow added, and a title changed."""
    definitions = definitions_of(workflows_text)
    role = first_step_role(definitions)
    actor = person("Pat Prober", role)
    editor = person("Wendy Editor", "workflow_editor", agency="local_authority")
    v1_text = with_workflow(workflows_text, "migration_probe", PROBE, role)
    v1 = publish(session, v1_text, "v1.yaml", editor)
    assert v1.ok and v1.version is not None, v1.problems
    school = make_school(session)

    def pupil() -> Any:
        return make_pupil(session, school)

    cases: dict[str, Any] = {}
    for key in WORKFLOW_KEYS:  # each shipped workflow at its initial state
        cases[key] = open_case(session, pupil(), key, actor)
    moved = open_case(session, pupil(), "school_panel", actor)
    cases["real_advanced"] = moved if advance(moved, definitions) else None
    cases["probe_start"] = open_case(session, pupil(), "migration_probe", actor)
    cases["probe_middle"] = open_case(session, pupil(), "migration_probe", actor)
    assert isinstance(fire(cases["probe_middle"], "go_middle", actor), Fired)
    cases["probe_later"] = open_case(session, pupil(), "migration_probe", actor)
    assert isinstance(fire(cases["probe_later"], "skip_to_later", actor), Fired)
    cases["probe_done"] = open_case(session, pupil(), "migration_probe", actor)
    assert isinstance(fire(cases["probe_done"], "finish", actor), Fired)

    v2_text = without_state(v1_text, "migration_probe", "middle")
    v2_text = with_workflow(v2_text, "extra_check_in", EXTRA, role)
    v2_text, _, _ = change_workflow_title(v2_text, "support_first", " (revised)")
    v2 = publish(session, v2_text, "v2.yaml", editor)
    assert v2.ok and v2.version is not None, v2.problems
    changes = v2.version.changes.splitlines()
    assert "workflow 'extra_check_in' added" in changes
    assert (
        "workflow 'migration_probe': state 'middle' removed (cases there cannot move to this "
        "version)"
    ) in changes
    session.commit()
    return v1.version, v2.version, cases


def test_migrate_dry_run_reports_who_can_move_and_why_and_changes_nothing(
    invoke: Invoke, session: Session, probe_versions: tuple[WorkflowVersion, WorkflowVersion, Any]
) -> None:
    _, _, cases = probe_versions
    before = case_rows(session)
    audits_before = count(session, AuditRecord)
    timers_before = count(session, CaseTimer)

    result = invoke("workflows", "migrate", "--to", "2")

    assert result.exit_code == 0, result.output
    stuck = cases["probe_middle"]
    assert report_line(result.stdout, stuck.id) == (
        f"case {stuck.id} (migration_probe, version 1, at 'middle'): cannot move: "
        "state 'middle' no longer exists in 'migration_probe' in version 2"
    )
    movable = movable_cases(cases)
    for case in movable:
        assert report_line(result.stdout, case.id) == (
            f"case {case.id} ({case.workflow_key}, version 1, at '{case.state}'): can move: "
            f"state '{case.state}' exists in version 2"
        )
    # A closed case is not reported: only open cases migrate.
    assert f"case {cases['probe_done'].id} (" not in result.stdout
    assert result.stdout.splitlines()[-1] == (
        f"dry run: {len(movable)} case(s) can move, 1 cannot; run again with --apply to move them"
    )
    # Nothing changed.
    assert case_rows(session) == before
    assert count(session, AuditRecord) == audits_before
    assert count(session, CaseTimer) == timers_before
    assert_plain(result)


def test_migrate_apply_moves_the_cases_that_can_move_and_audits_each(
    invoke: Invoke, session: Session, probe_versions: tuple[WorkflowVersion, WorkflowVersion, Any]
) -> None:
    _, v2, cases = probe_versions
    before = case_rows(session)
    stuck = cases["probe_middle"]
    done = cases["probe_done"]
    movable_ids = {c.id for c in movable_cases(cases)}

    result = invoke("workflows", "migrate", "--to", "2", "--apply", "--by", "Mo Migrator")

    assert result.exit_code == 0, result.output
    for case_id in movable_ids:
        assert ": moved: " in report_line(result.stdout, case_id)
    assert ": cannot move: " in report_line(result.stdout, stuck.id)
    assert result.stdout.splitlines()[-1] == (
        f"{len(movable_ids)} case(s) moved to version 2; 1 left where they are"
    )
    after = case_rows(session)
    for case_id in movable_ids:
        key, _, lock, state = before[case_id]
        assert after[case_id] == (key, v2.id, lock + 1, state)
    assert after[stuck.id] == before[stuck.id]
    assert after[done.id] == before[done.id]
    # Moved cases run the timers of their state under version 2; the stuck case keeps its own.
    for case_id in movable_ids:
        pending = session.scalars(
            select(CaseTimer).where(CaseTimer.case_id == case_id, CaseTimer.status == "pending")
        ).all()
        key, _, _, state = after[case_id]
        expected = engine_for(v2).definitions.workflows[key].states[state].timers
        assert sorted((t.fire_trigger or "", t.flag or "") for t in pending) == sorted(
            (t.fire or "", t.flag or "") for t in expected
        )
    per_case = session.scalars(
        select(AuditRecord).where(AuditRecord.action == "case.migrate")
    ).all()
    assert {a.case_id for a in per_case} == movable_ids
    assert all(
        a.actor_name == "Mo Migrator"
        and a.workflow_version == 2
        and a.details["from_version"] == 1
        and a.details["to_version"] == 2
        for a in per_case
    )
    summary = session.scalars(
        select(AuditRecord).where(AuditRecord.action == "workflow.migrate")
    ).one()
    assert summary.workflow_version == 2
    assert set(summary.details["moved"]) == movable_ids
    assert summary.details["not_moved"] == [stuck.id]
    assert_plain(result)

    # Running it again: only the stuck case is on another version, and it still cannot move.
    again = invoke("workflows", "migrate", "--to", "2")
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines() == [
        report_line(again.stdout, stuck.id),
        "dry run: 0 case(s) can move, 1 cannot; run again with --apply to move them",
    ]


def test_cases_of_a_renamed_workflow_cannot_move(
    invoke: Invoke, session: Session, published: WorkflowVersion, workflows_text: str
) -> None:
    actor = person("Tess Teacher", "workflow_editor", agency="local_authority")
    school = make_school(session)
    cases = {
        key: open_case(session, make_pupil(session, school), key, actor) for key in WORKFLOW_KEYS
    }
    renamed_text = re.sub(r"\bewo_consultation\b", "ewo_consultation_spiral", workflows_text)
    renamed = publish(session, renamed_text, "renamed.yaml", actor)
    assert renamed.ok and renamed.version is not None, renamed.problems
    assert "ewo_consultation" not in engine_for(renamed.version).definitions.workflows
    before = case_rows(session)

    dry = invoke("workflows", "migrate", "--to", "2")
    applied = invoke("workflows", "migrate", "--to", "2", "--apply", "--by", "Mo Migrator")

    stuck = cases["ewo_consultation"]
    for result in (dry, applied):
        assert result.exit_code == 0, result.output
        assert report_line(result.stdout, stuck.id) == (
            f"case {stuck.id} (ewo_consultation, version 1, at '{stuck.state}'): cannot move: "
            "workflow 'ewo_consultation' does not exist in version 2"
        )
        assert_plain(result)
    assert applied.stdout.splitlines()[-1] == "3 case(s) moved to version 2; 1 left where they are"
    after = case_rows(session)
    assert after[stuck.id] == before[stuck.id]
    for key in ("school_panel", "support_first", "statutory_referral"):
        assert after[cases[key].id][1] == renamed.version.id
    assert count(session, AuditRecord, AuditRecord.action == "case.migrate") == 3


def test_migrate_with_no_case_on_another_version(
    invoke: Invoke, session: Session, published: WorkflowVersion
) -> None:
    open_case(session, make_pupil(session), "school_panel", person("Tess Teacher"))

    result = invoke("workflows", "migrate", "--to", "1")

    assert result.exit_code == 0, result.output
    assert result.stdout == "no open case is on another version than 1\n"
    assert_plain(result)


def test_migrate_to_an_unknown_version_is_a_plain_message(
    invoke: Invoke, published: WorkflowVersion
) -> None:
    for args in (["--to", "7"], ["--to", "7", "--apply"]):
        result = invoke("workflows", "migrate", *args)

        assert result.exit_code != 0
        assert result.stdout == ""
        assert result.stderr == "Error: there is no workflow version 7\n"
        assert_plain(result)


# --- diagram -------------------------------------------------------------------------------


def test_diagram_writes_an_svg_with_the_workflows_states(
    tmp_path: Path, workflows_file: Path, workflows_text: str
) -> None:
    output = tmp_path / "panel.svg"

    result = CliRunner().invoke(
        cli.main, ["diagram", "school_panel", "-o", str(output), "--file", str(workflows_file)]
    )

    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {output}\n"
    svg = output.read_text(encoding="utf-8")
    assert "<svg" in svg and svg.rstrip().endswith("</svg>")
    for state in definitions_of(workflows_text).workflows["school_panel"].states:
        assert state in svg, state
    assert_plain(result)


def test_diagram_of_an_unknown_workflow_lists_the_workflows(
    tmp_path: Path, workflows_file: Path
) -> None:
    output = tmp_path / "nothing.svg"

    result = CliRunner().invoke(
        cli.main, ["diagram", "school_pannel", "-o", str(output), "--file", str(workflows_file)]
    )

    assert result.exit_code != 0
    assert result.stderr == (
        f"Error: {workflows_file} has no workflow 'school_pannel' (it has: "
        f"{', '.join(WORKFLOW_KEYS)})\n"
    )
    assert not output.exists()
    assert_plain(result)


def test_diagram_of_a_broken_file_prints_its_problems(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("workflows:\n\tschool_panel: {}\n", encoding="utf-8")
    output = tmp_path / "panel.svg"

    result = CliRunner().invoke(
        cli.main, ["diagram", "school_panel", "-o", str(output), "--file", str(broken)]
    )

    assert result.exit_code != 0
    lines = result.stdout.splitlines()
    assert lines
    for line in lines:
        match = PROBLEM_LINE.match(line)
        assert match is not None and match.group("file") == str(broken), line
    assert result.stderr == f"Error: {broken} has problems; fix them before drawing it\n"
    assert not output.exists()
    assert_plain(result)


# --- tick ----------------------------------------------------------------------------------


def test_tick_raises_a_due_flag(
    invoke: Invoke, session: Session, published: WorkflowVersion
) -> None:
    definitions = engine_for(published).definitions
    candidates = [
        wf
        for wf in definitions.workflows.values()
        if wf.states[wf.initial].timers and all(t.flag for t in wf.states[wf.initial].timers)
    ]
    assert candidates, "no workflow's initial state has only flag timers"
    wf = candidates[0]
    flags = sorted(str(t.flag) for t in wf.states[wf.initial].timers)
    case = open_case(
        session,
        make_pupil(session),
        wf.key,
        person("Tess Teacher"),
        now=utcnow() - timedelta(weeks=52),
    )

    result = invoke("tick")

    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"timers: 0 fired, {len(flags)} flagged, 0 could not fire, 0 no longer relevant\n"
        "overdue actions: 0 reminders queued\n"
    )
    raised = session.scalars(select(CaseFlag).where(CaseFlag.case_id == case.id)).all()
    assert sorted(f.text for f in raised) == flags
    assert all(f.cleared_at is None for f in raised)
    assert count(session, AuditRecord, AuditRecord.action == "case.flag") == len(flags)
    assert_plain(result)

    # Nothing is due any more: a flag is raised once.
    again = invoke("tick")
    assert again.stdout == (
        "timers: 0 fired, 0 flagged, 0 could not fire, 0 no longer relevant\n"
        "overdue actions: 0 reminders queued\n"
    )
    assert count(session, CaseFlag) == len(flags)


def analysed_tables(session: Session) -> set[str]:
    """Tables the query planner holds statistics about."""
    if session.get_bind().dialect.name == "sqlite":
        exists = "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'"
        if session.scalar(text(exists)) is None:
            return set()  # never analysed
        return set(session.scalars(text("SELECT DISTINCT tbl FROM sqlite_stat1")))
    return set(
        session.scalars(
            text("SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL")
        )
    )


def forget_statistics(session: Session) -> None:
    if session.get_bind().dialect.name == "sqlite":
        if analysed_tables(session):
            session.execute(text("DELETE FROM sqlite_stat1"))
    else:
        session.execute(text("SELECT pg_stat_reset_single_table_counters('cases'::regclass)"))
    session.commit()


def test_tick_refreshes_the_query_planners_statistics(
    invoke: Invoke, session: Session, published: WorkflowVersion
) -> None:
    open_case(session, make_pupil(session), "school_panel", person("Tess Teacher"))
    session.commit()
    forget_statistics(session)
    assert "cases" not in analysed_tables(session)
    session.commit()

    result = invoke("tick")

    assert result.exit_code == 0, result.output
    assert {"cases", "pupils", "audit_records"} <= analysed_tables(session)


# --- db upgrade, and a database without the schema -----------------------------------------


def test_db_upgrade_creates_the_tables_in_a_fresh_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    monkeypatch.setenv("DATABASE_URL", url)

    result = CliRunner().invoke(cli.main, ["db", "upgrade"])

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "database schema is up to date"
    database = Database(url)
    try:
        assert set(Base.metadata.tables) <= set(inspect(database.engine).get_table_names())
    finally:
        database.dispose()
    # The fresh database is usable straight away.
    listed = CliRunner().invoke(cli.main, ["workflows", "list"])
    assert listed.stdout == "no workflow version has been published yet\n"
    assert_plain(result)


@pytest.mark.parametrize(
    "args",
    [["workflows", "list"], ["tick"], ["workflows", "show", "1"]],
    ids=lambda args: " ".join(args),
)
def test_a_database_without_the_schema_says_to_run_db_upgrade(
    args: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.setattr(sys, "argv", ["panelflow", *args])

    with pytest.raises(SystemExit) as exited:
        cli.run()

    assert exited.value.code == 2
    out, err = capsys.readouterr()
    assert err == f"{NO_SCHEMA}\n"
    assert "Traceback" not in out + err
