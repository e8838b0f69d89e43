"""Reading attendance exports, mapping their columns, checking every row, and importing:
problems at their row and column, nothing stored while there are any (unless the clean rows
only are chosen), and a period imported again replacing, never doubling."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from panelflow.attendance.mapping import parse_pairs, resolve, suggest
from panelflow.attendance.models import AttendanceImport, AttendanceMapping, AttendanceRecord
from panelflow.attendance.operations import ImportResult
from panelflow.attendance.reading import ReadError, detect_encoding, open_rows
from panelflow.audit.models import AuditRecord
from panelflow.db import Database
from panelflow.organisations.models import Pupil, School
from tests.attendance.files import (
    SIMS_HEADERS,
    UPNS,
    clean_week,
    run,
    write_csv,
    write_xlsx,
)


def records(session: Session) -> list[tuple[str, date, int, int]]:
    return [
        (upn, start, possible, attended)
        for upn, start, possible, attended in session.execute(
            select(
                Pupil.upn,
                AttendanceRecord.period_start,
                AttendanceRecord.possible_sessions,
                AttendanceRecord.attended_sessions,
            )
            .join(Pupil, Pupil.id == AttendanceRecord.pupil_id)
            .order_by(Pupil.upn, AttendanceRecord.period_start)
        )
    ]


def where(result: ImportResult) -> list[tuple[int, str]]:
    return [(p.row, p.column) for p in result.problems]


# -- reading -------------------------------------------------------------------------------


def test_csv_encodings_are_detected_and_rows_come_one_at_a_time(tmp_path: Path) -> None:
    rows = [["Name", "Possible"], ["Zoë Brontë", "10"], ["Siân O\u2019Neill", "8"]]
    for encoding, expected in (
        ("utf-8-sig", "utf-8-sig"),
        ("utf-8", "utf-8"),
        ("cp1252", "cp1252"),
    ):
        path = write_csv(tmp_path / f"{encoding}.csv", rows, encoding=encoding)
        assert detect_encoding(path) == expected
        with open_rows(path) as read:
            assert next(read) == (1, ["Name", "Possible"])
            assert list(read) == [(2, ["Zoë Brontë", "10"]), (3, ["Siân O\u2019Neill", "8"])]


def test_semicolon_separated_csv_is_read(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "semi.csv", [["UPN", "Possible"], ["A1", "10"]], delimiter=";")
    with open_rows(path) as read:
        assert list(read) == [(1, ["UPN", "Possible"]), (2, ["A1", "10"])]


def test_xlsx_rows_keep_their_numbers_and_types(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "export.xlsx",
        [["UPN", "Week Commencing", "Possible"], ["A1", date(2026, 9, 7), 10], [], ["A2", None, 8]],
    )
    with open_rows(path) as read:
        rows = [(n, [c for c in cells]) for n, cells in read]
    assert rows[0] == (1, ["UPN", "Week Commencing", "Possible"])
    number, cells = rows[1]
    assert number == 2 and cells[0] == "A1" and cells[1].date() == date(2026, 9, 7)
    assert rows[-1] == (4, ["A2", None, 8])


def test_files_that_are_not_csv_or_xlsx_are_refused_in_words(tmp_path: Path) -> None:
    fake = tmp_path / "export.xlsx"
    fake.write_text("UPN,Possible\n")
    with pytest.raises(ReadError, match=r"called \.xlsx but is not an Excel workbook"):
        open_rows(fake).__enter__()
    old = tmp_path / "export.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ReadError, match=r"is a \.xls file"):
        open_rows(old).__enter__()
    with pytest.raises(ReadError, match="no such file"):
        open_rows(tmp_path / "missing.csv").__enter__()


# -- mapping -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            SIMS_HEADERS,
            {
                "upn": "UPN",
                "week_commencing": "Week Commencing",
                "possible": "Possible Sessions",
                "attended": "Attended",
                "authorised": "Authorised Absence",
                "unauthorised": "Unauthorised Absence",
            },
        ),
        (  # Arbor style: names and dates of birth, period dates
            [
                "Legal Forename",
                "Legal Surname",
                "Date of Birth",
                "Start Date",
                "End Date",
                "Possible Marks",
                "Present + AEA",
                "Authorised Absences",
                "Unauthorised Absences",
                "I - Illness",
                "M (Medical)",
            ],
            {
                "given_name": "Legal Forename",
                "family_name": "Legal Surname",
                "date_of_birth": "Date of Birth",
                "period_start": "Start Date",
                "period_end": "End Date",
                "possible": "Possible Marks",
                "attended": "Present + AEA",
                "authorised": "Authorised Absences",
                "unauthorised": "Unauthorised Absences",
                "code_I": "I - Illness",
                "code_M": "M (Medical)",
            },
        ),
        (  # Bromcom style
            [
                "Student Name",
                "DOB",
                "W/C",
                "Sessions Possible",
                "Present",
                "Auth Absence",
                "Unauth Absence",
                "Year",
            ],
            {
                "name": "Student Name",
                "date_of_birth": "DOB",
                "week_commencing": "W/C",
                "possible": "Sessions Possible",
                "attended": "Present",
                "authorised": "Auth Absence",
                "unauthorised": "Unauth Absence",
            },
        ),
    ],
)
def test_mapping_is_suggested_from_common_mis_headers(
    headers: list[str], expected: dict[str, str]
) -> None:
    assert suggest(headers) == expected


def test_explicit_mapping_wins_and_missing_values_are_named() -> None:
    headers = ["Pupil Ref", "WC", "Poss", "Attended", "Authorised", "Unauthorised"]
    columns, chosen, problems = resolve(headers, {"upn": "Pupil Ref"}, {})
    assert [text for _, text in problems] == [
        'no column holds the possible sessions; say which with --map possible="HEADER"'
    ]
    columns, chosen, problems = resolve(
        headers, {"upn": "Pupil Ref", "possible": "Poss"}, {"possible": "Gone"}
    )
    assert problems == []
    assert chosen["upn"] == "Pupil Ref" and columns.index["possible"] == 2
    _, _, problems = resolve(headers, {"upn": "Reference"}, {})
    assert problems[0][1].startswith('there is no column "Reference" for the UPN')


def test_map_pairs_are_checked() -> None:
    mapping, problems = parse_pairs(["possible=Poss", "possibel=Poss", "upn"])
    assert mapping == {"possible": "Poss"}
    assert "'possibel' is not a value panelflow imports" in problems[0]
    assert "write the value and the column's header" in problems[1]


# -- checking and importing ----------------------------------------------------------------


def test_a_clean_file_is_imported_and_audited_without_names(
    session: Session, roll: tuple[School, list[Pupil]], tmp_path: Path
) -> None:
    school, _ = roll
    result = run(session, school, write_csv(tmp_path / "week.csv", clean_week()))

    assert result.status == "imported" and result.problem_count == 0
    assert (result.rows_read, result.rows_imported, result.rows_replaced) == (3, 3, 0)
    assert records(session) == [
        (UPNS[0], date(2026, 9, 7), 10, 10),
        (UPNS[1], date(2026, 9, 7), 10, 7),
        (UPNS[2], date(2026, 9, 7), 10, 5),
    ]
    stored = session.scalars(select(AttendanceRecord)).all()
    assert {(r.period_kind, r.period_end) for r in stored} == {("week", date(2026, 9, 11))}
    imported = session.scalars(select(AttendanceImport)).one()
    assert (imported.status, imported.file_name, imported.imported_by_name) == (
        "imported",
        "week.csv",
        "Dana Data",
    )
    audit = session.scalars(select(AuditRecord).where(AuditRecord.action == "attendance.import"))
    record = audit.one()
    assert record.details["rows_imported"] == 3 and record.details["school_id"] == school.id
    assert "Taylor" not in str(record.details) + record.summary


def test_every_kind_of_problem_is_reported_at_its_row_and_column(
    session: Session, roll: tuple[School, list[Pupil]], tmp_path: Path
) -> None:
    school, _ = roll
    headers = [
        "UPN",
        "Start Date",
        "End Date",
        "Possible Sessions",
        "Attended",
        "Authorised Absence",
        "Unauthorised Absence",
    ]
    rows = [
        headers,
        [UPNS[0], "07/09/2026", "11/09/2026", 10, 10, 0, 0],  # 2: clean
        ["B200000000001", "07/09/2026", "11/09/2026", 10, 10, 0, 0],  # 3: another school's
        [UPNS[1], "07/09/2026", "11/09/2026", 10, 12, 0, 0],  # 4: attended > possible
        [UPNS[1], "14/09/2026", "18/09/2026", 10, -1, 11, 0],  # 5: negative
        [UPNS[1], "21/09/2026", "25/09/2026", 10, 7.5, 2.5, 0],  # 6: not whole
        [UPNS[2], "07/09/2026", "11/09/2026", 10, 7, 1, 1],  # 7: does not add up
        [UPNS[2], "31/09/2026", "04/10/2026", 10, 10, 0, 0],  # 8: not a real date
        [UPNS[2], "18/09/2026", "14/09/2026", 10, 10, 0, 0],  # 9: ends before it starts
        [UPNS[2], "26/10/2026", "30/10/2026", 10, 10, 0, 0],  # 10: half-term holiday
        [UPNS[0], "07/09/2026", "11/09/2026", 10, 9, 1, 0],  # 11: repeats row 2
        [UPNS[0], "14/09/2026", "18/09/2026", "ten", 10, 0, 0],  # 12: not a number
        ["", "21/09/2026", "25/09/2026", 10, 10, 0, 0],  # 13: no pupil
    ]
    result = run(session, school, write_csv(tmp_path / "broken.csv", rows))

    assert result.status == "rejected"
    assert where(result) == [
        (3, "A"),
        (4, "E"),
        (5, "E"),
        (6, "E"),
        (6, "F"),
        (7, "D"),
        (8, "B"),
        (9, "C"),
        (10, "C"),
        (11, "A"),
        (12, "D"),
        (13, "A"),
    ]
    messages = [p.format("broken.csv") for p in result.problems]
    assert messages[0] == (
        'broken.csv:3:A: "UPN" is B200000000001: no pupil with that UPN is on the roll of '
        "Birkenhead Park Primary"
    )
    assert messages[1] == 'broken.csv:4:E: "Attended" is 12, more than the 10 possible sessions'
    assert "is negative" in messages[2]
    assert "7.5 is not a whole number" in messages[3] and "2.5 is not" in messages[4]
    assert messages[5] == (
        'broken.csv:7:D: "Possible Sessions" is 10, but the sessions do not add up to it: '
        "7 attended + 1 authorised + 1 unauthorised = 9"
    )
    assert "31/09/2026 is not a real date: September 2026 has 30 days" in messages[6]
    assert "before the period starts" in messages[7]
    assert "out of term: the schools are closed (October half-term)" in messages[8]
    assert "repeats row 2" in messages[9]
    assert "'ten' is not a number" in messages[10]
    assert "is empty" in messages[11]
    assert result.rows_read == 12 and result.problem_count == 12
    assert records(session) == []
    refused = session.scalars(select(AttendanceImport)).one()
    assert (refused.status, refused.rows_imported, refused.problems) == ("rejected", 0, 12)


def test_clean_rows_only_imports_the_rows_without_problems(
    session: Session, roll: tuple[School, list[Pupil]], tmp_path: Path
) -> None:
    school, _ = roll
    rows = [
        *clean_week(),
        [UPNS[0], "14/09/2026", 10, 12, 0, 0],  # attended > possible
        [UPNS[1], "14/09/2026", 10, 9, 1, 0],
        [UPNS[1], "14/09/2026", 10, 8, 2, 0],  # repeats the row before: neither is imported
    ]
    path = write_csv(tmp_path / "mixed.csv", rows)
    result = run(session, school, path, clean_rows_only=True)

    assert result.status == "imported"
    assert (result.rows_read, result.rows_imported, result.rows_skipped) == (6, 3, 3)
    assert where(result) == [(5, "D"), (7, "A")]
    assert [r[1] for r in records(session)] == [date(2026, 9, 7)] * 3


def test_a_dry_run_checks_and_stores_nothing(
    session: Session, roll: tuple[School, list[Pupil]], tmp_path: Path
) -> None:
    school, _ = roll
    result = run(session, school, write_csv(tmp_path / "w.csv", clean_week()), dry_run=True)
    assert result.status == "checked" and result.rows_read == 3
    assert "nothing was stored" in result.message
    assert session.scalar(select(func.count()).select_from(AttendanceImport)) == 0
    assert records(session) == []


def test_importing_a_period_again_replaces_it(
    session: Session, roll: tuple[School, list[Pupil]], tmp_path: Path
) -> None:
    school, _ = roll
    run(session, school, write_csv(tmp_path / "first.csv", clean_week()))
    run(session, school, write_csv(tmp_path / "next.csv", clean_week("14/09/2026")))
    corrected = [SIMS_HEADERS, [UPNS[0], "07/09/2026", 10, 6, 4, 0]]
    result = run(session, school, write_csv(tmp_path / "fix.csv", corrected), batch_size=1)

    assert (result.rows_imported, result.rows_replaced) == (1, 1)
    assert records(session)[:2] == [
        (UPNS[0], date(2026, 9, 7), 10, 6),
        (UPNS[0], date(2026, 9, 14), 10, 10),
    ]
    assert session.scalar(select(func.count()).select_from(AttendanceRecord)) == 6


def test_a_pupil_has_one_record_per_period_in_the_database(
    session: Session, roll: tuple[School, list[Pupil]], tmp_path: Path
) -> None:
    school, pupils = roll
    run(session, school, write_csv(tmp_path / "week.csv", clean_week()))
    first = session.scalars(select(AttendanceRecord)).first()
    assert first is not None
    session.add(
        AttendanceRecord(
            pupil_id=first.pupil_id,
            import_id=first.import_id,
            period_kind="week",
            period_start=first.period_start,
            period_end=first.period_end,
            possible_sessions=10,
            attended_sessions=10,
            authorised_absence=0,
            unauthorised_absence=0,
        )
    )
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()
    session.add(
        AttendanceRecord(
            pupil_id=pupils[0].id,
            import_id=first.import_id,
            period_kind="week",
            period_start=date(2027, 1, 4),
            period_end=date(2027, 1, 8),
            possible_sessions=8,
            attended_sessions=9,
            authorised_absence=0,
            unauthorised_absence=0,
        )
    )
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_names_dates_of_birth_codes_and_xlsx_with_the_mapping_remembered(
    session: Session, roll: tuple[School, list[Pupil]], tmp_path: Path
) -> None:
    school, pupils = roll
    rows = [
        [
            "Pupil Ref",
            "Forename",
            "Surname",
            "DOB",
            "Start Date",
            "End Date",
            "Poss",
            "Attended",
            "Authorised",
            "Unauthorised",
            "I - Illness",
            "O - Other unauthorised",
        ],
        [
            "x",
            "Alex",
            "Taylor",
            date(2015, 5, 4),
            date(2026, 9, 7),
            date(2026, 10, 23),
            70,
            64,
            4,
            2,
            4,
            2,
        ],
        [
            "y",
            "sam",
            "OKAFOR",
            "01/09/2015",
            date(2026, 9, 7),
            date(2026, 10, 23),
            70,
            70,
            0,
            0,
            None,
            None,
        ],
    ]
    path = write_xlsx(tmp_path / "half-term.xlsx", rows)
    result = run(session, school, path, explicit={"possible": "Poss"})

    assert result.status == "imported", [p.message for p in result.problems]
    stored = {r.pupil_id: r for r in session.scalars(select(AttendanceRecord))}
    assert stored[pupils[0].id].period_kind == "half_term"
    assert stored[pupils[0].id].absence_codes == {"I": 4, "O": 2}
    assert stored[pupils[1].id].absence_codes == {}
    remembered = session.scalars(select(AttendanceMapping)).one()
    assert remembered.columns["possible"] == "Poss"
    assert remembered.columns["family_name"] == "Surname"

    again = run(session, school, path)  # the remembered mapping finds "Poss" by itself
    assert (again.status, again.rows_replaced) == ("imported", 2)


def test_a_file_without_the_values_needed_is_refused_at_its_header(
    session: Session, roll: tuple[School, list[Pupil]], tmp_path: Path
) -> None:
    school, _ = roll
    path = write_csv(tmp_path / "short.csv", [["UPN", "Attended"], [UPNS[0], 10]])
    result = run(session, school, path, clean_rows_only=True)
    assert result.status == "rejected"
    assert {p.row for p in result.problems} == {1}
    assert "no column holds the period's dates" in result.problems[0].message


def test_the_command_refuses_an_unknown_school_or_file_in_words(
    session: Session,
    roll: tuple[School, list[Pupil]],
    tmp_path: Path,
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from click.testing import CliRunner

    from panelflow import cli

    monkeypatch.setenv("DATABASE_URL", db.url)
    path = write_csv(tmp_path / "week.csv", clean_week())
    runner = CliRunner()
    result = runner.invoke(cli.main, ["attendance", "import", str(path), "--school", "999"])
    assert result.exit_code == 1
    assert "there is no school with the URN or name '999'" in result.stderr
    missing = str(tmp_path / "gone.csv")
    result = runner.invoke(cli.main, ["attendance", "import", missing, "--school", "105001"])
    assert result.exit_code == 1 and "no such file" in result.stderr
    result = runner.invoke(
        cli.main, ["attendance", "import", str(path), "--school", "105001", "--map", "pupil=UPN"]
    )
    assert result.exit_code == 1 and "'pupil' is not a value panelflow imports" in result.stderr
    assert "Traceback" not in result.output
