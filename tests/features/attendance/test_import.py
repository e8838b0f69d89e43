"""Steps for importing attendance through the real ``panelflow`` command."""

from __future__ import annotations

import shlex
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import select
from sqlalchemy.orm import Session

from panelflow import cli
from panelflow.attendance.models import AttendanceRecord
from panelflow.audit.models import AuditRecord
from panelflow.db import Database
from panelflow.organisations.models import Pupil
from tests.attendance.files import clean_week, make_roll, write_csv

scenarios("attendance/import.feature")


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db: Database) -> dict[str, Any]:
    monkeypatch.setenv("DATABASE_URL", db.url)
    monkeypatch.chdir(tmp_path)
    return {}


@given(
    "Birkenhead Park Primary has three pupils on its roll and the October half-term as a holiday"
)
def roll(session: Session, world: dict[str, Any]) -> None:
    make_roll(session)


@given(
    parsers.parse('a SIMS export "{name}" of the week commencing 07/09/2026 for the three pupils')
)
def sims_export(name: str, world: dict[str, Any]) -> None:
    write_csv(Path(name), clean_week())


@given(parsers.parse('an export "{name}" with these rows:'))
def export_with_rows(name: str, datatable: list[list[str]], world: dict[str, Any]) -> None:
    write_csv(Path(name), datatable)


def _run(session: Session, world: dict[str, Any], command: str) -> Result:
    session.commit()  # release any lock the test's session holds
    args = shlex.split(command)
    assert args[:1] == ["panelflow"]
    result = CliRunner().invoke(cli.main, args[1:])
    session.expire_all()
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output
    world["result"] = result
    return result


@given(parsers.parse('the officer has run "{command}"'))
def has_run(session: Session, world: dict[str, Any], command: str) -> None:
    assert _run(session, world, command).exit_code == 0


@when(parsers.parse('the officer runs "{command}"'))
def runs(session: Session, world: dict[str, Any], command: str) -> None:
    _run(session, world, command)


@then("the command succeeds")
def succeeds(world: dict[str, Any]) -> None:
    result = world["result"]
    assert result.exit_code == 0, result.output


@then("the command fails")
def fails(world: dict[str, Any]) -> None:
    assert world["result"].exit_code == 1, world["result"].output


@then(parsers.parse('it says "{text}"'))
def says(world: dict[str, Any], text: str) -> None:
    assert text in world["result"].stdout, world["result"].stdout


@then("it reports these problems:")
def reports(world: dict[str, Any], datatable: list[list[str]]) -> None:
    lines = [line for line in world["result"].stdout.splitlines() if line.startswith("broken")]
    expected = datatable[1:]
    for where, says in expected:
        found = [line for line in lines if line.startswith(f"{where}: ")]
        assert found, f"nothing reported at {where}:\n" + "\n".join(lines)
        assert any(says in line for line in found), found
    reported_rows = {line.split(":")[1] for line in lines}
    assert reported_rows == {where.split(":")[1] for where, _ in expected}


@then(parsers.parse("{count:d} attendance records are stored for the week commencing {day}"))
def stored(session: Session, count: int, day: str) -> None:
    start = date.fromisoformat(day)
    found = session.scalars(
        select(AttendanceRecord).where(AttendanceRecord.period_start == start)
    ).all()
    assert len(found) == count
    assert {(r.period_kind, r.period_end) for r in found} == {("week", date(2026, 9, 11))}


@then(parsers.parse("it showed its progress, checking then importing {count:d} rows"))
def showed_progress(world: dict[str, Any], count: int) -> None:
    lines = world["result"].stderr.splitlines()
    assert [line.split(" (")[0] for line in lines] == [
        f"checking: {count} rows",
        f"importing: {count} of {count} rows",
    ]
    assert all(line.endswith(" rows a second)") for line in lines)


@then("no attendance records are stored")
def none_stored(session: Session) -> None:
    assert session.scalars(select(AttendanceRecord)).first() is None


@then(parsers.parse("the audit trail records the import by {name}"))
def audited(session: Session, name: str) -> None:
    record = session.scalars(
        select(AuditRecord).where(AuditRecord.action == "attendance.import")
    ).one()
    assert record.actor_name == name
    assert record.details["rows_imported"] == 3


@then(parsers.parse("pupil {upn} attended {attended:d} of {possible:d} sessions that week"))
def pupil_attended(session: Session, upn: str, attended: int, possible: int) -> None:
    found = session.execute(
        select(AttendanceRecord.attended_sessions, AttendanceRecord.possible_sessions)
        .join(Pupil, Pupil.id == AttendanceRecord.pupil_id)
        .where(Pupil.upn == upn, AttendanceRecord.period_start == date(2026, 9, 7))
    ).one()
    assert tuple(found) == (attended, possible)
