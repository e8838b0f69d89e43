"""`panelflow terms check | load | show` against a real database: problems as
FILE:LINE:COLUMN: message with exit status 1, loading that replaces rather than adds, and the
closures printed in plain words. Never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from panelflow import cli
from panelflow.audit.models import AuditRecord
from panelflow.db import Database
from panelflow.organisations.models import LocalAuthority
from panelflow.terms.models import SchoolClosure

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "config" / "term-dates.yaml"
ICS = ROOT / "tests" / "terms" / "ics"
CORPUS = ROOT / "tests" / "terms" / "corpus"
LA = "Northshire County Council"

Invoke = Callable[..., Result]


def assert_plain(result: Result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.stdout
    assert "Traceback" not in result.stderr


@pytest.fixture
def invoke(db: Database, session: Session, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """Run ``panelflow ARGS...`` on the test database, as a separate process would."""
    monkeypatch.setenv("DATABASE_URL", db.url)

    def run(*args: str) -> Result:
        session.commit()  # release the write lock the session may hold
        result = CliRunner().invoke(cli.main, list(args))
        session.expire_all()
        assert_plain(result)
        return result

    return run


@pytest.fixture
def northshire(session: Session) -> LocalAuthority:
    la = LocalAuthority(name=LA)
    session.add(la)
    session.commit()
    return la


def _stored(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(SchoolClosure)) or 0


# -- check ----------------------------------------------------------------------------------


def test_check_a_good_file_exits_0_with_a_summary(invoke: Invoke) -> None:
    result = invoke("terms", "check", str(SHIPPED))

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{SHIPPED}: valid: 3 academic years (2025-26, 2026-27, 2027-28)",
        "  2025-26: 3 terms, 190 school days (5 training days, 1 bank holiday, 0 other closures)",
        "  2026-27: 3 terms, 190 school days (5 training days, 1 bank holiday, 0 other closures)",
        "  2027-28: 3 terms, 190 school days (5 training days, 1 bank holiday, 0 other closures)",
    ]


def test_check_a_broken_file_prints_each_problem_by_line_and_exits_1(invoke: Invoke) -> None:
    path = CORPUS / "16_typo_in_keys.yaml"

    result = invoke("terms", "check", str(path))

    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{path}:4:7: unknown key 'strats' in the Autumn term; did you mean 'starts'? "
        "(allowed here: name, starts, ends, half_term)",
        f"{path}:15:3: unknown key 'trainig_days' in academic year 2026-27; did you mean "
        "'training_days'? (allowed here: academic_year, terms, training_days, bank_holidays, "
        "closures)",
    ]
    assert result.stderr == f"2 problems found in {path}\n"


def test_check_a_calendar_prints_what_it_skipped_and_exits_0(invoke: Invoke) -> None:
    path = ICS / "term_events.ics"

    result = invoke("terms", "check", str(path))

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{path}:99:1: skipped 'Sports day' (Friday 18 June 2027): ")
    assert lines[1].startswith(f"{path}:106:1: skipped 'Parents' evening: Year 6 transition")
    assert lines[2:] == [
        f"{path}: valid: 1 academic year (2026-27)",
        "  2026-27: 3 terms, 190 school days (5 training days, 1 bank holiday, 0 other closures)",
    ]


def test_check_a_broken_calendar_mixes_problems_and_notes_in_line_order(
    invoke: Invoke,
) -> None:
    path = ICS / "broken_events.ics"

    result = invoke("terms", "check", str(path))

    assert result.exit_code == 1
    positions = [line[len(str(path)) + 1 :].split(": ")[0] for line in result.stdout.splitlines()]
    assert positions == ["16:1", "23:1", "29:1", "38:1", "45:1", "47:1", "55:1"]
    assert result.stderr == f"5 problems found in {path}\n"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing.yaml", "no such file"),
        (".", "is a folder, not a"),
    ],
)
def test_check_a_file_that_cannot_be_read(
    invoke: Invoke, tmp_path: Path, name: str, message: str
) -> None:
    result = invoke("terms", "check", str(tmp_path / name))

    assert result.exit_code == 1
    assert message in result.stderr


# -- load -----------------------------------------------------------------------------------


def test_load_stores_the_file_and_loading_it_again_replaces_it(
    invoke: Invoke, session: Session, northshire: LocalAuthority
) -> None:
    first = invoke("terms", "load", str(SHIPPED), "--authority", LA, "--by", "Olive Officer")

    assert first.exit_code == 0, first.output
    stored = _stored(session)
    assert stored > 200
    assert first.stdout == (
        f"loaded term dates for {LA}: 2025-26, 2026-27, 2027-28 ({stored} weekdays closed; "
        "0 stored before were replaced); 0 pending timers counted again on the new dates\n"
    )

    again = invoke("terms", "load", str(SHIPPED), "--authority", "northshire county council")

    assert again.exit_code == 0, again.output
    assert _stored(session) == stored
    assert again.stdout.endswith(
        f"({stored} weekdays closed; {stored} stored before were replaced); "
        "0 pending timers counted again on the new dates\n"
    )
    records = session.scalars(select(AuditRecord).order_by(AuditRecord.seq)).all()
    assert [r.action for r in records] == ["terms.load", "terms.load"]
    assert records[0].actor_name == "Olive Officer"


def test_load_a_calendar(invoke: Invoke, session: Session, northshire: LocalAuthority) -> None:
    result = invoke("terms", "load", str(ICS / "term_events.ics"), "--authority", LA)

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == (
        f"loaded term dates for {LA}: 2026-27 (71 weekdays closed; 0 stored before were "
        "replaced); 0 pending timers counted again on the new dates"
    )
    assert "skipped 'Sports day'" in result.stdout.splitlines()[0]


def test_load_refuses_a_file_with_problems_and_stores_nothing(
    invoke: Invoke, session: Session, northshire: LocalAuthority
) -> None:
    path = CORPUS / "15_overlapping_terms.yaml"

    result = invoke("terms", "load", str(path), "--authority", LA)

    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{path}:12:15: the Summer term starts on 2027-03-22, before the Spring term ends on "
        "2027-03-25; terms must not overlap"
    ]
    assert _stored(session) == 0
    assert session.scalar(select(func.count()).select_from(AuditRecord)) == 0


def test_load_for_an_unknown_authority_names_those_there_are(
    invoke: Invoke, session: Session, northshire: LocalAuthority
) -> None:
    result = invoke("terms", "load", str(SHIPPED), "--authority", "Northshire")

    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: there is no local authority called 'Northshire' (there are: '{LA}')\n"
    )
    assert _stored(session) == 0


def test_load_needs_the_authority(invoke: Invoke) -> None:
    result = invoke("terms", "load", str(SHIPPED))

    assert result.exit_code == 2
    assert "Missing option '--authority'" in result.stderr


# -- show -----------------------------------------------------------------------------------


def test_show_one_year_in_plain_words(
    invoke: Invoke, session: Session, northshire: LocalAuthority
) -> None:
    assert invoke("terms", "load", str(SHIPPED), "--authority", LA).exit_code == 0

    result = invoke("terms", "show", "--authority", LA, "--year", "2026-27")

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{LA}: the days schools are closed",
        "academic year 2026-27: 190 school days; closed on 71 weekdays:",
        "  Tuesday 1 September 2026: Summer holidays (holiday)",
        "  Wednesday 2 September 2026: Training day",
        "  Monday 26 October 2026 to Friday 30 October 2026: Autumn half term (holiday, 5 days)",
        "  Friday 27 November 2026: Training day",
        "  Monday 21 December 2026 to Friday 1 January 2027: Christmas holidays (holiday, 10 days)",
        "  Monday 4 January 2027: Training day",
        "  Monday 15 February 2027 to Friday 19 February 2027: Spring half term (holiday, 5 days)",
        "  Friday 26 March 2027 to Friday 9 April 2027: Easter holidays (holiday, 11 days)",
        "  Monday 3 May 2027: Early May bank holiday (bank holiday)",
        "  Monday 31 May 2027 to Friday 4 June 2027: Summer half term (holiday, 5 days)",
        "  Monday 7 June 2027: Training day",
        "  Thursday 22 July 2027: Training day",
        "  Friday 23 July 2027 to Tuesday 31 August 2027: Summer holidays (holiday, 28 days)",
    ]


def test_show_every_year(invoke: Invoke, session: Session, northshire: LocalAuthority) -> None:
    assert invoke("terms", "load", str(SHIPPED), "--authority", LA).exit_code == 0

    result = invoke("terms", "show", "--authority", LA)

    headings = [line for line in result.stdout.splitlines() if line.startswith("academic year")]
    assert headings == [
        "academic year 2025-26: 190 school days; closed on 71 weekdays:",
        "academic year 2026-27: 190 school days; closed on 71 weekdays:",
        "academic year 2027-28: 190 school days; closed on 72 weekdays:",
    ]


def test_show_without_term_dates_says_how_school_days_are_counted(
    invoke: Invoke, northshire: LocalAuthority
) -> None:
    result = invoke("terms", "show", "--authority", LA, "--year", "2030-31")

    assert result.exit_code == 0
    assert result.stdout == (
        f"{LA} has no term dates for 2030-31: school days are counted Monday to Friday. "
        f'Load them with: panelflow terms load FILE --authority "{LA}"\n'
    )


def test_show_a_year_that_is_not_one(invoke: Invoke, northshire: LocalAuthority) -> None:
    result = invoke("terms", "show", "--authority", LA, "--year", "2026")

    assert result.exit_code == 1
    assert result.stderr == (
        "Error: '2026' is not an academic year; write the two years it spans, like 2026-27\n"
    )
