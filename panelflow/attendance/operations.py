"""Importing a school's attendance export: check every row, then store the clean ones.

The file is read twice, a row at a time, so its size does not matter: the first pass checks
every row and notes which have problems; the second (only if the import goes ahead) stores
the rows in batches. For each batch, the pupils' records for the same periods are deleted
first, so importing a period again replaces it, in the caller's one transaction.

Nothing is stored while any row has a problem, unless the caller asks for the clean rows
only. Sessions must add up: attended + authorised absence + unauthorised absence = possible.
Like every operation, these take an explicit session and actor and never commit.
"""

from __future__ import annotations

import bisect
import calendar as calendar_module
import logging
import re
import time
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from panelflow.attendance import mapping as columns_mapping
from panelflow.attendance.mapping import (
    AUTHORISED_CODES,
    LABELS,
    NUMBER_KEYS,
    UNAUTHORISED_CODES,
    Columns,
)
from panelflow.attendance.models import AttendanceImport, AttendanceMapping, AttendanceRecord
from panelflow.attendance.reading import column_letter, open_rows
from panelflow.audit.operations import log
from panelflow.db import rowcount, utcnow
from panelflow.organisations.models import Pupil, School
from panelflow.roles import Actor
from panelflow.terms.models import SchoolClosure

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
PROGRESS_EVERY = 10_000
PROBLEMS_KEPT = 1000  # the first problems are kept to show; all are counted
LONGEST_PERIOD = timedelta(days=120)  # a half-term is at most about eight weeks


class AttendanceError(Exception):
    """The import cannot start (no such school, say); the message says why in plain words."""


@dataclass(frozen=True)
class Problem:
    """What is wrong, where: row 1 is the header row; column is a letter, or "" for the
    whole file."""

    row: int
    column: str
    message: str

    def format(self, file: str) -> str:
        where = f"{file}:{self.row}:{self.column}" if self.column else f"{file}:{self.row}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Progress:
    phase: str  # "checking" or "importing"
    rows: int
    total: int | None
    seconds: float

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


@dataclass
class ImportResult:
    status: str  # "imported", "rejected", or "checked" (a dry run)
    school: str
    rows_read: int = 0
    rows_imported: int = 0
    rows_skipped: int = 0
    rows_replaced: int = 0
    periods: int = 0
    problem_count: int = 0
    problems: list[Problem] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    import_id: int | None = None
    seconds: float = 0.0

    @property
    def message(self) -> str:
        def rows(n: int) -> str:
            return f"{n:,} row{'' if n == 1 else 's'}"

        problems = f"{self.problem_count:,} problem{'' if self.problem_count == 1 else 's'}"
        if self.status == "rejected":
            return (
                f"nothing imported for {self.school}: {problems} in {rows(self.rows_read)}. "
                "Correct the file and import it again, or import only the clean rows with "
                "--clean-rows-only"
            )
        if self.status == "checked":
            clean = self.rows_read - self.rows_skipped
            return (
                f"checked {rows(self.rows_read)} for {self.school} ({problems}): "
                f"{rows(clean)} would be imported; nothing was stored (--dry-run)"
            )
        skipped = f"; {rows(self.rows_skipped)} with problems skipped" if self.rows_skipped else ""
        return (
            f"imported {rows(self.rows_imported)} for {self.school} covering "
            f"{self.periods} period{'' if self.periods == 1 else 's'}"
            f" ({rows(self.rows_replaced)} stored before were replaced){skipped}"
        )


@dataclass(frozen=True)
class Parsed:
    pupil_id: int
    kind: str
    start: date
    end: date
    possible: int
    attended: int
    authorised: int
    unauthorised: int
    codes: dict[str, int] | None


# -- reading values -------------------------------------------------------------------------

_WHOLE = re.compile(r"^[+-]?\d+(?:\.0+)?$")
_DECIMAL = re.compile(r"^[+-]?(?:\d+\.\d*|\.\d+)$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_UK = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?$")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def read_whole_number(value: Any) -> tuple[int | None, str | None]:
    """A count of sessions, or why it is not one."""
    if isinstance(value, bool):
        return None, f"'{value}' is not a number"
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            return None, f"{value:g} is not a whole number of sessions"
        number = int(value)
    else:
        text = _text(value).replace(",", "")
        if not text:
            return None, "is empty"
        if _WHOLE.match(text):
            number = int(float(text)) if "." in text else int(text)
        elif _DECIMAL.match(text):
            return None, f"{text} is not a whole number of sessions"
        else:
            return None, f"'{text}' is not a number"
    if number < 0:
        return None, f"{number} is negative; a count of sessions cannot be"
    return number, None


def _real(text: str, year: int, month: int, day: int) -> tuple[date | None, str | None]:
    if not 1900 <= year <= 2199:
        return None, f"{text} is not a date panelflow can use: the year must be a real one"
    if not 1 <= month <= 12:
        return None, f"{text} is not a real date: there is no month {month}"
    days = calendar_module.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return None, (
            f"{text} is not a real date: {calendar_module.month_name[month]} {year} has {days} days"
        )
    return date(year, month, day), None


def read_date(value: Any) -> tuple[date | None, str | None]:
    """A date as exports write it: a spreadsheet date, 2026-09-07, or 07/09/2026 (day first,
    as in the UK)."""
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    text = _text(value)
    if not text:
        return None, "is empty"
    match = _ISO.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return _real(text, year, month, day)
    match = _UK.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        return _real(text, year, month, day)
    return None, (
        f"'{text}' is not a date; write dates as day/month/year (07/09/2026) or "
        "year-month-day (2026-09-07)"
    )


def say(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _name_key(given: str, family: str) -> str:
    return f"{' '.join(given.split()).casefold()} {' '.join(family.split()).casefold()}"


# -- checking rows --------------------------------------------------------------------------


class RowChecker:
    """Checks the rows of one file for one school; knows the school's roll and term dates."""

    def __init__(self, session: Session, school: School, columns: Columns) -> None:
        self.columns = columns
        self.school_name = school.name
        self.by_upn: dict[str, int] = {}
        self.by_name: dict[tuple[str, date], list[int]] = {}
        for pupil_id, upn, given, family, born in session.execute(
            select(
                Pupil.id, Pupil.upn, Pupil.given_name, Pupil.family_name, Pupil.date_of_birth
            ).where(Pupil.school_id == school.id)
        ):
            if upn:
                self.by_upn[upn.strip().upper()] = pupil_id
            self.by_name.setdefault((_name_key(given, family), born), []).append(pupil_id)
        self.closures: dict[date, str] = {}
        if school.local_authority_id is not None:
            self.closures = dict(
                session.execute(
                    select(SchoolClosure.day, SchoolClosure.name).where(
                        SchoolClosure.local_authority_id == school.local_authority_id
                    )
                ).all()
            )
        # Each pupil's stored periods, by start date, to find a row overlapping one of them:
        # days as numbers in arrays, so years of a whole school's weeks take a few MB.
        self.stored: dict[int, tuple[array[int], array[int]]] = {}
        for pupil_id, start, end in session.execute(
            select(
                AttendanceRecord.pupil_id,
                AttendanceRecord.period_start,
                AttendanceRecord.period_end,
            )
            .join(Pupil, Pupil.id == AttendanceRecord.pupil_id)
            .where(Pupil.school_id == school.id)
            .order_by(AttendanceRecord.pupil_id, AttendanceRecord.period_start)
        ):
            starts, ends = self.stored.setdefault(pupil_id, (array("i"), array("i")))
            starts.append(start.toordinal())
            ends.append(end.toordinal())
        self._terms: dict[tuple[date, date], tuple[int, list[str]]] = {}
        self.seen: dict[int, int] = {}  # pupil and period, packed into one int -> row

    def _where(self, key: str) -> tuple[str, str]:
        return column_letter(self.columns.index[key]), self.columns.headers[key]

    def _cell(self, cells: Sequence[Any], key: str) -> Any:
        i = self.columns.index[key]
        return cells[i] if i < len(cells) else None

    def _problem(self, problems: list[Problem], row: int, key: str, message: str) -> None:
        letter, header = self._where(key)
        problems.append(Problem(row, letter, f'"{header}" {message}'))

    def _pupil(self, row: int, cells: Sequence[Any], problems: list[Problem]) -> int | None:
        c = self.columns
        if c.has("upn"):
            upn = _text(self._cell(cells, "upn")).upper()
            if not upn:
                self._problem(problems, row, "upn", "is empty: which pupil is this row for?")
                return None
            found = self.by_upn.get(upn)
            if found is None:
                self._problem(
                    problems,
                    row,
                    "upn",
                    f"is {upn}: no pupil with that UPN is on the roll of {self.school_name}",
                )
            return found
        if c.has("name"):
            written = _text(self._cell(cells, "name"))
            family, comma, given = written.partition(",")
            key_name = _name_key(given, family) if comma else " ".join(written.casefold().split())
            name_key = "name"
        else:
            given = _text(self._cell(cells, "given_name"))
            family = _text(self._cell(cells, "family_name"))
            written = f"{given} {family}".strip()
            key_name = _name_key(given, family)
            name_key = "family_name"
        born, problem = read_date(self._cell(cells, "date_of_birth"))
        if not written.strip():
            self._problem(problems, row, name_key, "is empty: which pupil is this row for?")
            return None
        if born is None:
            self._problem(problems, row, "date_of_birth", problem or "is not a date")
            return None
        matches = self.by_name.get((key_name, born), [])
        if len(matches) == 1:
            return matches[0]
        if not matches:
            self._problem(
                problems,
                row,
                name_key,
                f"is {written}: no pupil of that name born on {say(born)} is on the roll of "
                f"{self.school_name}",
            )
        else:
            self._problem(
                problems,
                row,
                name_key,
                f"is {written}: {len(matches)} pupils of that name were born on {say(born)}; "
                "use their UPNs instead (--map upn=HEADER)",
            )
        return None

    def _period(
        self, row: int, cells: Sequence[Any], problems: list[Problem]
    ) -> tuple[str, date, date, str] | None:
        """The period's kind and dates, and the key of the column that gives it."""
        if self.columns.has("week_commencing"):
            start, problem = read_date(self._cell(cells, "week_commencing"))
            if start is None:
                self._problem(problems, row, "week_commencing", problem or "is not a date")
                return None
            if start.weekday() != 0:
                self._problem(
                    problems,
                    row,
                    "week_commencing",
                    f"is {say(start)}: a week commences on a Monday",
                )
                return None
            end, kind, key = start + timedelta(days=4), "week", "week_commencing"
        else:
            start, start_problem = read_date(self._cell(cells, "period_start"))
            end_value, end_problem = read_date(self._cell(cells, "period_end"))
            if start is None:
                self._problem(problems, row, "period_start", start_problem or "is not a date")
            if end_value is None:
                self._problem(problems, row, "period_end", end_problem or "is not a date")
            if start is None or end_value is None:
                return None
            end, key = end_value, "period_end"
            if end < start:
                self._problem(
                    problems,
                    row,
                    "period_end",
                    f"is {say(end)}, before the period starts ({say(start)})",
                )
                return None
            if end - start > LONGEST_PERIOD:
                self._problem(
                    problems,
                    row,
                    "period_end",
                    f"is {say(end)}, {(end - start).days + 1} days after the period starts: a "
                    "period is a week or a half-term",
                )
                return None
            kind = "week" if (end - start).days <= 6 else "half_term"
        out_of_term = self._out_of_term(start, end)
        if out_of_term is not None:
            self._problem(problems, row, key, out_of_term)
            return None
        return kind, start, end, "week_commencing" if key == "week_commencing" else "period_start"

    def _term(self, start: date, end: date) -> tuple[int, list[str]]:
        """The school days in the period (weekdays the schools are open), and the names of
        the closures that fall on its weekdays."""
        found = self._terms.get((start, end))
        if found is None:
            names: list[str] = []
            days = 0
            day = start
            while day <= end:
                if day.weekday() < 5:
                    name = self.closures.get(day)
                    if name is None:
                        days += 1
                    elif name not in names:
                        names.append(name)
                day += timedelta(days=1)
            found = self._terms[(start, end)] = (days, names)
        return found

    def _out_of_term(self, start: date, end: date) -> str | None:
        """Why the period has no school day in it, or None if it has one."""
        days, names = self._term(start, end)
        if days:
            return None
        why = f"the schools are closed ({', '.join(names)})" if names else "it is a weekend"
        return (
            f"puts the period {say(start)} to {say(end)} out of term: {why}, so there is "
            "no attendance to record"
        )

    def _overlapping(self, pupil_id: int, start: date, end: date) -> tuple[date, date] | None:
        """A period stored for the pupil that overlaps this one without the same dates."""
        stored = self.stored.get(pupil_id)
        if stored is None:
            return None
        starts, ends = stored
        # A stored period is at most LONGEST_PERIOD long, so only those starting from then
        # until this period ends can overlap it.
        begins, finishes = start.toordinal(), end.toordinal()
        first = bisect.bisect_left(starts, begins - LONGEST_PERIOD.days)
        last = bisect.bisect_right(starts, finishes)
        for i in range(first, last):
            if ends[i] >= begins and (starts[i], ends[i]) != (begins, finishes):
                return date.fromordinal(starts[i]), date.fromordinal(ends[i])
        return None

    def _too_many_sessions(self, start: date, end: date, possible: int) -> str | None:
        """Why the possible sessions cannot be right for the period, or None."""
        days, names = self._term(start, end)
        if possible <= 2 * days:
            return None
        closed = f" (the schools are closed on the other weekdays: {', '.join(names)})"
        return (
            f"is {possible}, more than the school could open from {say(start)} to {say(end)}: "
            f"{days} school day{'' if days == 1 else 's'}{closed if names else ''}, two "
            f"sessions a day, make {2 * days}"
        )

    def _codes_add_up(
        self, row: int, values: dict[str, int], codes: dict[str, int], problems: list[Problem]
    ) -> None:
        """The counts by absence code must add up to the authorised and the unauthorised
        totals, for each of the two that the file has code columns for."""
        for key, kind, known in (
            ("authorised", "authorised", AUTHORISED_CODES),
            ("unauthorised", "unauthorised", UNAUTHORISED_CODES),
        ):
            present = [code for code in self.columns.codes if code in known]
            if not present:
                continue
            total = sum(codes.get(code, 0) for code in present)
            if total == values[key]:
                continue
            counted = [f"{code} {codes[code]}" for code in present if codes.get(code)]
            added = " + ".join(counted) if counted else "no sessions"
            self._problem(
                problems,
                row,
                key,
                f"is {values[key]}, but the {kind} absence codes add up to {total} ({added}); "
                f"the codes' columns and the {kind} total must agree",
            )

    def _numbers(
        self, row: int, cells: Sequence[Any], problems: list[Problem]
    ) -> dict[str, int] | None:
        values: dict[str, int] = {}
        for key in NUMBER_KEYS:
            number, problem = read_whole_number(self._cell(cells, key))
            if number is None:
                self._problem(problems, row, key, problem or "is not a number")
            else:
                values[key] = number
        if len(values) < len(NUMBER_KEYS):
            return None
        possible, attended = values["possible"], values["attended"]
        authorised, unauthorised = values["authorised"], values["unauthorised"]
        if attended > possible:
            self._problem(
                problems,
                row,
                "attended",
                f"is {attended}, more than the {possible} possible sessions",
            )
            return None
        if attended + authorised + unauthorised != possible:
            self._problem(
                problems,
                row,
                "possible",
                f"is {possible}, but the sessions do not add up to it: {attended} attended "
                f"+ {authorised} authorised + {unauthorised} unauthorised = "
                f"{attended + authorised + unauthorised}",
            )
            return None
        return values

    def _codes(
        self, row: int, cells: Sequence[Any], problems: list[Problem]
    ) -> dict[str, int] | None:
        codes: dict[str, int] = {}
        for code in self.columns.codes:
            value = self._cell(cells, f"code_{code}")
            if value is None or _text(value) == "":
                continue  # an empty code column means none of that code
            number, problem = read_whole_number(value)
            if number is None:
                self._problem(problems, row, f"code_{code}", problem or "is not a number")
            elif number:
                codes[code] = number
        return codes

    def check(
        self, row: int, cells: Sequence[Any], *, track_duplicates: bool
    ) -> tuple[Parsed | None, list[Problem], int | None]:
        """The row's values, its problems, and the row it duplicates (if any)."""
        problems: list[Problem] = []
        pupil_id = self._pupil(row, cells, problems)
        period = self._period(row, cells, problems)
        numbers = self._numbers(row, cells, problems)
        found = len(problems)
        codes = self._codes(row, cells, problems)
        codes_read = len(problems) == found
        if pupil_id is not None and period is not None:
            _, start, end, period_key = period
            overlap = self._overlapping(pupil_id, start, end)
            if overlap is not None:
                stored_start, stored_end = overlap
                self._problem(
                    problems,
                    row,
                    period_key,
                    f"gives the period {say(start)} to {say(end)}, which overlaps the period "
                    f"already stored for this pupil from {say(stored_start)} to "
                    f"{say(stored_end)} without the same dates; import the same periods as "
                    "before (weeks or half-terms), so that no session is counted twice",
                )
        if period is not None and numbers is not None:
            _, start, end, _ = period
            too_many = self._too_many_sessions(start, end, numbers["possible"])
            if too_many is not None:
                self._problem(problems, row, "possible", too_many)
        if numbers is not None and codes_read and self.columns.codes:
            self._codes_add_up(row, numbers, codes, problems)
        duplicate_of: int | None = None
        if pupil_id is not None and period is not None and track_duplicates:
            _, start, end, _ = period
            packed = (pupil_id << 40) | (start.toordinal() << 20) | end.toordinal()
            duplicate_of = self.seen.get(packed)
            if duplicate_of is None:
                self.seen[packed] = row
            else:
                key = (
                    "upn"
                    if self.columns.has("upn")
                    else ("name" if self.columns.has("name") else "family_name")
                )
                self._problem(
                    problems,
                    row,
                    key,
                    f"repeats row {duplicate_of}: the same pupil and period "
                    f"({say(start)} to {say(end)}); neither row is imported until one is removed",
                )
        if problems or pupil_id is None or period is None or numbers is None:
            return None, problems, duplicate_of
        kind, start, end, _ = period
        return (
            Parsed(
                pupil_id,
                kind,
                start,
                end,
                numbers["possible"],
                numbers["attended"],
                numbers["authorised"],
                numbers["unauthorised"],
                codes if self.columns.codes else None,
            ),
            problems,
            duplicate_of,
        )


# -- the import -----------------------------------------------------------------------------


def school_named(session: Session, text: str) -> School:
    """The school with this URN, or this name (ignoring case), or a plain error."""
    wanted = " ".join(text.split())
    school = session.scalars(select(School).where(School.urn == wanted)).first()
    if school is not None:
        return school
    schools = [
        s
        for s in session.scalars(select(School).order_by(School.name))
        if s.name.casefold() == wanted.casefold()
    ]
    if len(schools) == 1:
        return schools[0]
    if len(schools) > 1:
        raise AttendanceError(
            f"{len(schools)} schools are called '{text}'; give the school's URN instead"
        )
    raise AttendanceError(f"there is no school with the URN or name '{text}'")


def remembered_mapping(session: Session, school_id: int) -> dict[str, str]:
    found = session.scalars(
        select(AttendanceMapping).where(AttendanceMapping.school_id == school_id)
    ).first()
    return dict(found.columns) if found is not None else {}


def _remember(session: Session, school_id: int, columns: dict[str, str], actor: Actor) -> None:
    found = session.scalars(
        select(AttendanceMapping).where(AttendanceMapping.school_id == school_id)
    ).first()
    if found is None:
        session.add(
            AttendanceMapping(school_id=school_id, columns=columns, updated_by_name=actor.name)
        )
    elif found.columns != columns:
        found.columns = columns
        found.updated_by_name = actor.name
        found.updated_at = utcnow()


def _blank(cells: Iterable[Any]) -> bool:
    return all(_text(cell) == "" for cell in cells)


@dataclass
class Checked:
    """What the checking pass found: rows read, every problem counted (the first kept), the
    rows that cannot be imported, and whether the file itself (its header) is wrong."""

    rows_read: int = 0
    problem_count: int = 0
    problems: list[Problem] = field(default_factory=list)
    bad_rows: set[int] = field(default_factory=set)
    file_problem: bool = False

    def add(self, problems: list[Problem]) -> None:
        self.problem_count += len(problems)
        room = PROBLEMS_KEPT - len(self.problems)
        if room > 0:
            self.problems.extend(problems[:room])

    @property
    def clean_rows(self) -> int:
        return 0 if self.file_problem else self.rows_read - len(self.bad_rows)


@dataclass
class Plan:
    """What checking a file needs before its rows: the headers, the columns to read (None
    when they cannot all be found), the mapping chosen and the header's problems, and the
    school's roll, term dates and stored periods (in ``checker``)."""

    headers: list[str]
    columns: Columns | None
    mapping: dict[str, str]
    problems: list[Problem]
    checker: RowChecker | None


def plan_import(
    session: Session, school: School, path: str | Path, explicit: Mapping[str, str] | None = None
) -> Plan:
    """Read the file's header, choose its columns (``explicit``, then the school's remembered
    mapping, then the suggestion) and load what the rows are checked against.

    Every read from the database happens here, so the caller may end its transaction before
    ``check_rows`` reads the rest of the file. Raises ``ReadError`` when the file cannot be
    read at all.
    """
    with open_rows(path) as rows:
        header_row = next(rows, None)
    headers = [_text(cell) for cell in header_row[1]] if header_row else []
    if not any(headers):
        empty = "the file is empty: the first row should name the columns"
        return Plan(headers, None, {}, [Problem(1, "", empty)], None)
    columns, chosen, mapping_problems = columns_mapping.resolve(
        headers, explicit or {}, remembered_mapping(session, school.id)
    )
    problems = [
        Problem(1, column_letter(i) if i is not None else "", text) for i, text in mapping_problems
    ]
    if problems:
        return Plan(headers, None, chosen, problems, None)
    return Plan(headers, columns, chosen, [], RowChecker(session, school, columns))


def check_rows(
    plan: Plan,
    path: str | Path,
    *,
    progress: Callable[[int], None] | None = None,
    progress_every: int = PROGRESS_EVERY,
) -> Checked:
    """The first pass: check every row of the file against the plan, without the database.

    ``progress`` is called with the rows checked so far every ``progress_every`` rows and
    once at the end.
    """
    checked = Checked()
    checked.add(plan.problems)
    checked.file_problem = bool(plan.problems)
    if plan.checker is None:
        return checked
    checker = plan.checker
    with open_rows(path) as rows:
        next(rows, None)  # the header
        for number, cells in rows:
            if _blank(cells):
                continue
            checked.rows_read += 1
            _, problems, duplicate_of = checker.check(number, cells, track_duplicates=True)
            if problems:
                checked.add(problems)
                checked.bad_rows.add(number)
                if duplicate_of is not None:
                    checked.bad_rows.add(duplicate_of)
            if progress is not None and checked.rows_read % progress_every == 0:
                progress(checked.rows_read)
    checker.seen.clear()
    checked.problems.sort(key=lambda p: p.row)
    if progress is not None:
        progress(checked.rows_read)
    return checked


def import_attendance(
    session: Session,
    actor: Actor,
    school: School,
    path: str | Path,
    *,
    file_name: str | None = None,
    explicit: Mapping[str, str] | None = None,
    clean_rows_only: bool = False,
    dry_run: bool = False,
    progress: Callable[[Progress], None] | None = None,
    batch_size: int = BATCH_SIZE,
    progress_every: int = PROGRESS_EVERY,
) -> ImportResult:
    """Check the file at ``path`` for ``school`` and, unless it has problems (or
    ``clean_rows_only``), store its rows, replacing the pupils' records for the same periods.

    Raises ``ReadError`` when the file cannot be read at all. Records the import and audits
    it (counts only, never pupils' names), except on a dry run, which stores nothing.
    """
    path = Path(path)
    started = time.monotonic()

    def checking(rows: int) -> None:
        if progress is not None:
            progress(Progress("checking", rows, None, time.monotonic() - started))

    plan = plan_import(session, school, path, explicit)
    checked = check_rows(plan, path, progress=checking, progress_every=progress_every)
    if dry_run:
        result = ImportResult(status="checked", school=school.name, mapping=plan.mapping)
        result.rows_read = checked.rows_read
        result.problem_count = checked.problem_count
        result.problems = checked.problems
        result.rows_skipped = len(checked.bad_rows)
        result.seconds = time.monotonic() - started
        return result
    result = record_import(
        session,
        actor,
        school,
        path,
        plan,
        checked,
        file_name=file_name or path.name,
        clean_rows_only=clean_rows_only,
        progress=progress,
        batch_size=batch_size,
        progress_every=progress_every,
        started=started,
    )
    return result


def record_import(
    session: Session,
    actor: Actor,
    school: School,
    path: str | Path,
    plan: Plan,
    checked: Checked,
    *,
    file_name: str,
    clean_rows_only: bool = False,
    progress: Callable[[Progress], None] | None = None,
    batch_size: int = BATCH_SIZE,
    progress_every: int = PROGRESS_EVERY,
    started: float | None = None,
) -> ImportResult:
    """The second step: record the import of a checked file and, unless it is refused, store
    its clean rows (the rows ``checked`` found no problem in, checked again as they are
    stored against the school's records as they are now). Audited with counts only.

    Refused when the file itself is wrong, or when rows have problems and not
    ``clean_rows_only``. Raises ``AttendanceError`` when a row checked clean now has a problem
    (the school's records changed since): nothing is stored then, once the caller rolls back.
    """
    path = Path(path)
    started = time.monotonic() if started is None else started
    result = ImportResult(status="imported", school=school.name, mapping=plan.mapping)
    result.rows_read = checked.rows_read
    result.problem_count = checked.problem_count
    result.problems = checked.problems

    def report(phase: str, rows: int, total: int | None) -> None:
        if progress is not None:
            progress(Progress(phase, rows, total, time.monotonic() - started))

    rejected = (
        checked.file_problem
        or plan.columns is None
        or (checked.problem_count > 0 and not clean_rows_only)
    )
    record = AttendanceImport(
        school_id=school.id,
        imported_by_user_id=actor.user_id,
        imported_by_name=actor.name,
        file_name=file_name[:255],
        rows_read=checked.rows_read,
        rows_skipped=checked.rows_read if rejected else len(checked.bad_rows),
        rows_imported=0,
        rows_replaced=0,
        problems=checked.problem_count,
        status="rejected" if rejected else "imported",
    )
    session.add(record)
    session.flush()
    result.import_id = record.id
    periods = 0
    if rejected:
        result.status = "rejected"
        result.rows_skipped = checked.rows_read
    else:
        assert plan.columns is not None
        periods = _store(
            session, school, path, plan.columns, record, checked, batch_size, report, progress_every
        )
        result.rows_imported = record.rows_imported
        result.rows_replaced = record.rows_replaced
        result.rows_skipped = record.rows_skipped
        result.periods = periods
        _remember(session, school.id, plan.mapping, actor)
    record.finished_at = utcnow()
    log(
        session,
        actor,
        "attendance.import",
        (
            f"imported attendance for {school.name}: {record.rows_imported} rows"
            if not rejected
            else f"refused an attendance file for {school.name}: {checked.problem_count} problems"
        ),
        details={
            "school_id": school.id,
            "import_id": record.id,
            "status": record.status,
            "rows_read": record.rows_read,
            "rows_imported": record.rows_imported,
            "rows_skipped": record.rows_skipped,
            "rows_replaced": record.rows_replaced,
            "problems": record.problems,
            "periods": periods,
            "clean_rows_only": clean_rows_only,
        },
    )
    logger.info(
        "attendance import %s for school %s: %s (%s rows)",
        record.id,
        school.id,
        record.status,
        record.rows_imported,
    )
    result.seconds = time.monotonic() - started
    return result


def _store(
    session: Session,
    school: School,
    path: Path,
    columns: Columns,
    record: AttendanceImport,
    checked: Checked,
    batch_size: int,
    report: Callable[[str, int, int | None], None],
    progress_every: int,
) -> int:
    """The second pass: store the clean rows a batch at a time, replacing earlier records of
    the same pupils and periods. Returns how many periods the rows covered."""
    checker = RowChecker(session, school, columns)
    batch: list[Parsed] = []
    periods: set[tuple[date, date]] = set()
    done = 0
    total = checked.rows_read - len(checked.bad_rows)

    def flush() -> None:
        by_period: dict[tuple[date, date], list[int]] = {}
        for parsed in batch:
            by_period.setdefault((parsed.start, parsed.end), []).append(parsed.pupil_id)
        periods.update(by_period)
        for (start, end), pupil_ids in by_period.items():
            record.rows_replaced += rowcount(
                session.execute(
                    delete(AttendanceRecord)
                    .where(
                        AttendanceRecord.period_start == start,
                        AttendanceRecord.period_end == end,
                        AttendanceRecord.pupil_id.in_(pupil_ids),
                    )
                    .execution_options(synchronize_session=False)
                )
            )
        session.execute(
            insert(AttendanceRecord),
            [
                {
                    "pupil_id": p.pupil_id,
                    "import_id": record.id,
                    "period_kind": p.kind,
                    "period_start": p.start,
                    "period_end": p.end,
                    "possible_sessions": p.possible,
                    "attended_sessions": p.attended,
                    "authorised_absence": p.authorised,
                    "unauthorised_absence": p.unauthorised,
                    "absence_codes": p.codes,
                }
                for p in batch
            ],
        )
        record.rows_imported += len(batch)
        batch.clear()

    with open_rows(path) as rows:
        next(rows, None)  # the header
        for number, cells in rows:
            if number in checked.bad_rows or _blank(cells):
                continue
            parsed, problems, _ = checker.check(number, cells, track_duplicates=False)
            if parsed is None:
                why = problems[0].message if problems else "it cannot be read now"
                raise AttendanceError(
                    f"row {number} had no problem when the file was checked, but has one now "
                    f"({why}): the school's records or the file changed in the meantime. "
                    "Nothing was imported; check the file again"
                )
            batch.append(parsed)
            done += 1
            if len(batch) >= batch_size:
                flush()
            if done % progress_every == 0:
                report("importing", done, total)
        if batch:
            flush()
    report("importing", done, total)
    session.flush()
    return len(periods)


def describe_columns(columns: Mapping[str, str]) -> list[str]:
    """The mapping in words, one line a value: 'possible sessions: "Possible Sessions"'."""
    return [f'{LABELS.get(key, key)}: "{header}"' for key, header in columns.items()]


def remember_columns(
    session: Session, actor: Actor, school: School, columns: Mapping[str, str]
) -> None:
    """Remember which column of the school's export holds which value, as chosen by a person
    (audited: the values and headers only)."""
    chosen = {key: header for key, header in columns.items() if key in LABELS and header}
    _remember(session, school.id, chosen, actor)
    log(
        session,
        actor,
        "attendance.columns",
        f"chose the attendance file's columns for {school.name}",
        details={"school_id": school.id, "columns": chosen},
    )
