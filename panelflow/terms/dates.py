"""Read a term-dates file into checked ``TermDates``, explaining every problem in plain words.

LA officers write the file (``config/term-dates.yaml``, described in ``docs/term-dates.md``):
for each academic year its terms, half terms, training days, bank holidays and other
closures. Weekdays outside the terms, and inside half terms, are holidays. Like the workflow
validator, reading never stops at the first problem and never raises: every problem comes
back with a line, a column and a message an officer can act on, because a wrong date silently
moves every "6 school weeks" deadline that crosses it.

The .ics reader (``panelflow.terms.ical``) builds the same drafts and is checked by the same
``assemble`` step, so both kinds of file obey the same rules.
"""

from __future__ import annotations

import calendar
import difflib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise

from panelflow.workflows.loader import INT_TAG, NULL_TAG, STR_TAG, Located, Problem, load

__all__ = [
    "KINDS",
    "KIND_WORDS",
    "AcademicYear",
    "Closure",
    "Problem",
    "Term",
    "TermDates",
    "TermDatesResult",
    "academic_year_of",
    "describe_years",
    "parse_academic_year",
    "parse_date",
    "parse_term_dates",
    "plain_runs",
    "read_term_dates",
]

KINDS = ("holiday", "training_day", "bank_holiday", "closure")
KIND_WORDS = {
    "holiday": "holiday",
    "training_day": "training day",
    "bank_holiday": "bank holiday",
    "closure": "closure",
}
# Where two closures fall on one day in an .ics file, the more specific reason is kept.
PRIORITY = {"bank_holiday": 3, "training_day": 2, "closure": 1, "holiday": 0}
EXAMPLE_DATE = "2026-09-03"
MAX_NAME = 200


# -- what a checked file holds ------------------------------------------------------------------


@dataclass(frozen=True)
class Closure:
    """A weekday the schools are closed to pupils, and why."""

    day: date
    kind: str  # one of KINDS
    name: str


@dataclass(frozen=True)
class Term:
    name: str
    starts: date
    ends: date
    half_term: tuple[date, date] | None = None


@dataclass(frozen=True)
class AcademicYear:
    """One academic year (1 September to 31 August) and every weekday closed in it.

    ``closures`` covers the whole year, so loading a year replaces exactly these dates.
    """

    label: str  # "2026-27"
    first_day: date
    last_day: date
    terms: tuple[Term, ...]
    closures: tuple[Closure, ...]

    @property
    def school_days(self) -> int:
        return _weekdays(self.first_day, self.last_day) - len(self.closures)

    def count(self, kind: str) -> int:
        return sum(1 for c in self.closures if c.kind == kind)

    def summary(self) -> str:
        extra = []
        for kind, words in (
            ("training_day", "training day"),
            ("bank_holiday", "bank holiday"),
            ("closure", "other closure"),
        ):
            n = self.count(kind)
            extra.append(f"{n} {words}{'s' if n != 1 else ''}")
        if self.terms:
            terms = f"{len(self.terms)} term{'s' if len(self.terms) != 1 else ''}"
        else:
            terms = "holidays and closures only (no terms)"
        return f"{self.label}: {terms}, {self.school_days} school days ({', '.join(extra)})"


@dataclass(frozen=True)
class TermDates:
    """Checked term dates for one or more academic years, in date order."""

    years: tuple[AcademicYear, ...]

    def closures(self) -> list[Closure]:
        return [c for year in self.years for c in year.closures]

    @property
    def labels(self) -> list[str]:
        return [y.label for y in self.years]


@dataclass
class TermDatesResult:
    """What reading a file gave: problems (nothing may be loaded), notes (things the reader
    skipped on purpose, e.g. a parents' evening in an .ics file) and the term dates."""

    problems: list[Problem]
    term_dates: TermDates | None = None
    notes: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and self.term_dates is not None

    def lines(self, filename: str) -> list[str]:
        return [p.format(filename) for p in self.problems]

    def note_lines(self, filename: str) -> list[str]:
        return [p.format(filename) for p in self.notes]

    def summary(self) -> str:
        assert self.term_dates is not None
        years = self.term_dates.years
        lines = [
            f"valid: {len(years)} academic year{'s' if len(years) != 1 else ''} "
            f"({', '.join(y.label for y in years)})"
        ]
        lines.extend(f"  {y.summary()}" for y in years)
        return "\n".join(lines)


# -- dates and academic years, as people write them ----------------------------------------------

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS.update(
    {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name},
)
MONTHS["sept"] = 9
WEEKDAY_NAMES = {name.lower(): number for number, name in enumerate(calendar.day_name)}
WEEKDAY_NAMES.update({name.lower(): number for number, name in enumerate(calendar.day_abbr)})

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SLASHED = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")
_WORDS = re.compile(
    r"^(?:(?P<weekday>[a-z]+),?\s+)?(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?P<month>[a-z]+)\.?,?"
    r"\s+(?P<year>\d{4})$",
    re.IGNORECASE,
)
_YEAR = re.compile(r"^(\d{4})\s*[-/\u2013]\s*(\d{2}|\d{4})$")  # - / or an en dash


def say(day: date) -> str:
    """A date in words: 'Thursday 3 September 2026'."""
    return f"{day:%A} {day.day} {day:%B %Y}"


FIRST_YEAR, LAST_YEAR = 1900, 2199  # far beyond any school year, well inside ``date``


def _real_date(text: str, year: int, month: int, day: int) -> tuple[date | None, str | None]:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None, (
            f"{text} is not a date panelflow can use: the year must be between {FIRST_YEAR} "
            f"and {LAST_YEAR}"
        )
    if not 1 <= month <= 12:
        return None, (
            f"{text} is not a real date: the month must be 1 to 12 "
            "(dates are written year-month-day)"
        )
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return (
            None,
            f"{text} is not a real date: {calendar.month_name[month]} {year} has {days} days",
        )
    return date(year, month, day), None


def _not_a_date(text: str, meant: date | None = None) -> str:
    if meant is not None:
        return (
            f"'{text}' is not a date panelflow can read: write dates as year-month-day; "
            f"if you mean {say(meant)}, write {meant.isoformat()}"
        )
    return f"'{text}' is not a date; write dates as year-month-day, like {EXAMPLE_DATE}"


def parse_date(text: str) -> tuple[date | None, str | None]:
    """A date as written (2026-09-03, or 'Thursday 3 September 2026'), or why it is not one."""
    text = " ".join(text.split())
    match = _ISO.match(text)
    if match:
        return _real_date(text, *(int(g) for g in match.groups()))
    match = _COMPACT.match(text)
    if match:
        meant, _ = _real_date(text, *(int(g) for g in match.groups()))
        return None, _not_a_date(text, meant)
    match = _SLASHED.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        meant, _ = _real_date(text, year, month, day)
        return None, _not_a_date(text, meant)
    match = _WORDS.match(text)
    if match:
        month_number = MONTHS.get(match["month"].lower())
        if month_number is None:
            return None, f"'{text}' is not a date: '{match['month']}' is not a month"
        found, problem = _real_date(text, int(match["year"]), month_number, int(match["day"]))
        if found is None:
            return None, problem
        if match["weekday"]:
            weekday = WEEKDAY_NAMES.get(match["weekday"].lower())
            if weekday is None:
                return (
                    None,
                    f"'{text}' is not a date: '{match['weekday']}' is not a day of the week",
                )
            if weekday != found.weekday():
                return None, (
                    f"'{text}' does not add up: {found.day} {found:%B %Y} is a {found:%A}; "
                    "check the date"
                )
        return found, None
    return None, _not_a_date(text)


def parse_academic_year(text: str) -> tuple[tuple[str, date, date] | None, str | None]:
    """'2026-27' (or 2026-2027, 2026/27) as (label, 1 September, 31 August), or why not."""
    match = _YEAR.match(" ".join(str(text).split()))
    if not match:
        return None, (
            f"'{text}' is not an academic year; write the two years it spans, like 2026-27"
        )
    first, second = int(match.group(1)), match.group(2)
    following = first + 1
    if not FIRST_YEAR <= first < LAST_YEAR:
        return None, (
            f"{text} is not an academic year panelflow can use: it must start between "
            f"{FIRST_YEAR} and {LAST_YEAR - 1}"
        )
    if int(second) not in (following, following % 100):
        return None, (
            f"{text} is not an academic year: the second year must be the one after the first, "
            f"like {first}-{following % 100:02d}"
        )
    return (f"{first}-{following % 100:02d}", date(first, 9, 1), date(following, 8, 31)), None


def academic_year_of(day: date) -> str:
    """The academic year a date falls in ('2026-27' for any day from 1 September 2026)."""
    first = day.year if day.month >= 9 else day.year - 1
    return f"{first}-{(first + 1) % 100:02d}"


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _weekdays(first: date, last: date) -> int:
    return sum(1 for d in _days(first, last) if d.weekday() < 5)


# -- drafts: what a file says, with positions, before the rules are applied ---------------------

Where = tuple[int, int]


@dataclass
class DraftSpan:
    """A half term (or, in .ics files, a term) as written."""

    name: str
    starts: date
    ends: date
    starts_at: Where
    ends_at: Where


@dataclass
class DraftTerm(DraftSpan):
    half_term: DraftSpan | None = None


@dataclass
class DraftDay:
    day: date
    kind: str
    name: str
    at: Where


@dataclass
class DraftYear:
    label: str
    first_day: date
    last_day: date
    terms: list[DraftTerm] = field(default_factory=list)
    days: list[DraftDay] = field(default_factory=list)
    # False when a term could not be read: its problem is reported, and checks that need
    # every term (do the terms run from September to July?) would only add noise.
    every_term_read: bool = True


def _the(name: str) -> str:
    return name if name.lower().startswith("the ") else f"the {name}"


def half_term_name(term_name: str) -> str:
    """'Autumn term' -> 'Autumn half term'."""
    base = re.sub(r"\s+term$", "", term_name.strip(), flags=re.IGNORECASE)
    return f"{base} half term"


def _gap_name(days: list[date], before: DraftTerm | None, after: DraftTerm | None) -> str:
    """A holiday between terms, named as people call it."""
    months = {d.month for d in days}
    if any((d.month, d.day) == (12, 25) for d in days) or days[0].month in (12, 1):
        return "Christmas holidays"
    if months & {8} or before is None or after is None:
        return "Summer holidays"
    if days[0].month in (3, 4):
        return "Easter holidays"
    if len(days) <= 10:
        return f"{days[0]:%B} half term"
    return f"Holiday between {before.name} and {after.name}"


def assemble(draft: DraftYear, problems: list[Problem], *, strict: bool) -> AcademicYear | None:
    """Apply the rules to one year's draft; add a problem for each broken one.

    ``strict`` (term-dates files) reports a day listed twice or on a weekend; .ics files
    overlap events freely (a bank holiday inside the Easter holidays), so there the more
    specific reason wins and weekends are ignored.
    """
    before = len(problems)
    span = f"{draft.label} ({draft.first_day.day} September {draft.first_day.year} to "
    span += f"{draft.last_day.day} August {draft.last_day.year})"

    def add(where: Where, message: str) -> None:
        problems.append(Problem(where[0], where[1], message))

    terms: list[DraftTerm] = []
    for term in draft.terms:
        good = True
        for when, at, what in (
            (term.starts, term.starts_at, "starts"),
            (term.ends, term.ends_at, "ends"),
        ):
            if not draft.first_day <= when <= draft.last_day:
                add(
                    at,
                    f"{_the(term.name)} {what} on {when}, which is not in the academic year {span}",
                )
                good = False
        if term.ends < term.starts:
            add(
                term.ends_at,
                f"{_the(term.name)} ends on {term.ends}, before it starts on {term.starts}",
            )
            good = False
        half = term.half_term
        if half is not None:
            if half.ends < half.starts:
                add(
                    half.ends_at,
                    f"{_the(half.name)} ends on {half.ends}, before it starts on {half.starts}",
                )
                good = False
            elif good:
                for when, at, what in (
                    (half.starts, half.starts_at, "starts"),
                    (half.ends, half.ends_at, "ends"),
                ):
                    if not term.starts <= when <= term.ends:
                        add(
                            at,
                            f"{_the(half.name)} must be inside {_the(term.name)} ({term.starts} to "
                            f"{term.ends}), but it {what} on {when}",
                        )
                        good = False
                        break
        if good:
            terms.append(term)
    terms.sort(key=lambda t: t.starts)
    for earlier, later in pairwise(terms):
        if later.starts <= earlier.ends:
            add(
                later.starts_at,
                f"{_the(later.name)} starts on {later.starts}, before {_the(earlier.name)} ends on "
                f"{earlier.ends}; terms must not overlap",
            )
    if terms and draft.every_term_read and len(terms) == len(draft.terms):
        first, last = terms[0], terms[-1]
        if first.starts > date(draft.first_day.year, 9, 30):
            add(
                first.starts_at,
                f"the first term of {draft.label} starts on {first.starts}; the terms must run "
                "from September, or every weekday before then counts as a holiday: add the "
                "missing terms",
            )
        if last.ends < date(draft.last_day.year, 7, 1):
            add(
                last.ends_at,
                f"the last term of {draft.label} ends on {last.ends}; the terms must run to "
                "July, or every weekday after it counts as a holiday: add the missing terms",
            )

    chosen: dict[date, DraftDay] = {}
    for entry in draft.days:
        if not draft.first_day <= entry.day <= draft.last_day:
            add(
                entry.at,
                f"{entry.day} is not in the academic year {span}; move it to the list of the "
                f"year it falls in",
            )
            continue
        if entry.day.weekday() >= 5:
            if strict:
                add(
                    entry.at,
                    f"{entry.day} is a {entry.day:%A}, so it is not a school day anyway; check "
                    "the date"
                    + (
                        " (a bank holiday that falls at a weekend is taken on a weekday: list "
                        "that day instead)"
                        if entry.kind == "bank_holiday"
                        else ""
                    ),
                )
            continue
        other = chosen.get(entry.day)
        if other is None:
            chosen[entry.day] = entry
        elif strict:
            add(
                entry.at,
                f"{entry.day} is listed twice (first on line {other.at[0]}, as a "
                f"{KIND_WORDS[other.kind]}); keep one",
            )
        elif PRIORITY[entry.kind] > PRIORITY[other.kind]:
            chosen[entry.day] = entry
    if len(problems) > before:
        return None

    closed: dict[date, Closure] = {}
    if terms:
        edges: list[tuple[DraftTerm | None, DraftTerm | None, date, date]] = []
        edges.append((None, terms[0], draft.first_day, terms[0].starts - timedelta(days=1)))
        for earlier, later in pairwise(terms):
            edges.append(
                (earlier, later, earlier.ends + timedelta(days=1), later.starts - timedelta(days=1))
            )
        edges.append((terms[-1], None, terms[-1].ends + timedelta(days=1), draft.last_day))
        for before_gap, after_gap, gap_first, gap_last in edges:
            gap = [d for d in _days(gap_first, gap_last) if d.weekday() < 5]
            if gap:
                name = _gap_name(gap, before_gap, after_gap)
                closed.update((d, Closure(d, "holiday", name)) for d in gap)
        for term in terms:
            if term.half_term is not None:
                h = term.half_term
                closed.update(
                    (d, Closure(d, "holiday", h.name))
                    for d in _days(h.starts, h.ends)
                    if d.weekday() < 5
                )
    for entry in chosen.values():
        closed[entry.day] = Closure(entry.day, entry.kind, entry.name[:MAX_NAME])
    return AcademicYear(
        label=draft.label,
        first_day=draft.first_day,
        last_day=draft.last_day,
        terms=tuple(
            Term(
                t.name,
                t.starts,
                t.ends,
                (t.half_term.starts, t.half_term.ends) if t.half_term else None,
            )
            for t in terms
        ),
        closures=tuple(closed[d] for d in sorted(closed)),
    )


def finish(
    drafts: list[DraftYear],
    problems: list[Problem],
    *,
    strict: bool,
    notes: list[Problem] | None = None,
) -> TermDatesResult:
    """Assemble every year; the result holds term dates only if nothing is wrong."""
    years = [assemble(d, problems, strict=strict) for d in drafts]
    unique: list[Problem] = []
    for p in sorted(problems, key=lambda p: (p.line, p.column)):
        if p not in unique:
            unique.append(p)
    notes = sorted(notes or [], key=lambda p: (p.line, p.column))
    if unique or any(y is None for y in years):
        return TermDatesResult(unique, notes=notes)
    complete = [y for y in years if y is not None]
    complete.sort(key=lambda y: y.first_day)
    return TermDatesResult([], TermDates(tuple(complete)), notes)


# -- reading the YAML file ------------------------------------------------------------------------

YEAR_KEYS = {
    "academic_year": True,
    "terms": True,
    "training_days": False,
    "bank_holidays": False,
    "closures": False,
}
TERM_KEYS = {"name": True, "starts": True, "ends": True, "half_term": False}
HALF_TERM_KEYS = {"starts": True, "ends": True, "name": False}
DAY_KEYS = {"date": True, "name": False}
DAY_LISTS = {
    "training_days": "training_day",
    "bank_holidays": "bank_holiday",
    "closures": "closure",
}
DEFAULT_NAMES = {
    "training_day": "Training day",
    "bank_holiday": "Bank holiday",
    "closure": "School closed",
}
KEY_HINTS = {
    "academic_year": "add 'academic_year:' with the year, like 2026-27",
    "terms": "add 'terms:' listing the terms, each with a name, starts and ends",
    "name": "add 'name:' with the term's name, like Autumn term",
    "starts": f"add 'starts:' with the first day, like {EXAMPLE_DATE}",
    "ends": "add 'ends:' with the last day, like 2026-12-18",
    "date": "add 'date:' with the day, like 2026-09-02",
}
# Words officers reach for that difflib would not match to the right key.
SYNONYMS = {
    "start": "starts",
    "begins": "starts",
    "from": "starts",
    "first_day": "starts",
    "end": "ends",
    "finishes": "ends",
    "to": "ends",
    "until": "ends",
    "last_day": "ends",
    "halfterm": "half_term",
    "half_terms": "half_term",
    "inset": "training_days",
    "inset_days": "training_days",
    "inset_day": "training_days",
    "training": "training_days",
    "training_day": "training_days",
    "bank_holiday": "bank_holidays",
    "closure": "closures",
    "closed": "closures",
    "term": "terms",
    "year": "academic_year",
    "day": "date",
    "when": "date",
    "on": "date",
    "title": "name",
}
VOCABULARY = frozenset([*YEAR_KEYS, *TERM_KEYS, *HALF_TERM_KEYS, *DAY_KEYS])


def _closest(word: str, choices: Iterable[str]) -> str | None:
    options = list(choices)
    synonym = SYNONYMS.get(word.lower())
    if synonym in options:
        return synonym
    close = difflib.get_close_matches(word.lower(), options, n=1, cutoff=0.6)
    return close[0] if close else None


def reword(problem: Problem, noun: str = "a term-dates file") -> Problem:
    """The YAML loader speaks of workflow files; say which file this is instead."""
    message = problem.message.replace(
        "it needs at least 'roles:' and 'workflows:' sections (see docs/workflow-reference.md)",
        "it needs at least one academic year with its terms (see docs/term-dates.md)",
    )
    bare = noun.split(" ", 1)[1]
    message = message.replace("a workflow file", noun)
    message = message.replace("workflow files", f"{bare}s")
    message = message.replace("workflow file", bare)
    return Problem(problem.line, problem.column, message)


@dataclass
class _Reader:
    problems: list[Problem] = field(default_factory=list)

    def add(self, where: Located | Where, message: str) -> None:
        if isinstance(where, Located):
            where = (where.line, where.column)
        self.problems.append(Problem(where[0], where[1], message))

    def keys(self, node: Located, allowed: Mapping[str, bool], what: str) -> bool:
        """Report unknown and missing keys; True when every required key is there."""
        meant = set()
        for key in node.value:
            if key not in allowed:
                close = _closest(key, allowed)
                meant.add(close)
                hint = f"; did you mean '{close}'?" if close else ""
                self.add(
                    node.key_at(key),
                    f"unknown key '{key}' in {what}{hint} (allowed here: {', '.join(allowed)})",
                )
        complete = True
        for key, required in allowed.items():
            if required and key not in node.value:
                complete = False
                if key not in meant:
                    self.add(node, f"{what} has no '{key}': {KEY_HINTS[key]}")
        return complete

    def text(self, node: Located, what: str) -> str | None:
        if node.is_scalar and node.tag != NULL_TAG:
            value = (str(node.value) if node.tag == STR_TAG else node.text).strip()
            if value:
                return value
        if node.is_scalar:
            self.add(node, f"{what} is empty; write a value after the ':'")
            return None
        self.add(node, f"{what} must be a single value, but it is {node.describe()}")
        return None

    def date(self, node: Located, what: str) -> date | None:
        if node.is_scalar and node.tag == NULL_TAG:
            self.add(node, f"{what} is empty; write a date, like {EXAMPLE_DATE}")
            return None
        if not node.is_scalar:
            self.add(
                node, f"{what} must be a date, like {EXAMPLE_DATE}, but it is {node.describe()}"
            )
            return None
        text = str(node.value) if node.tag == STR_TAG else node.text
        if node.tag == INT_TAG and not _COMPACT.match(node.text):
            self.add(node, _not_a_date(node.text))
            return None
        day, problem = parse_date(text)
        if problem:
            self.add(node, problem)
        return day

    def year(self, node: Located) -> DraftYear | None:
        if not node.is_map:
            self.add(
                node,
                "each academic year must be a section of 'key: value' lines starting with "
                f"'academic_year:', but this is {node.describe()}",
            )
            return None
        values: dict[str, Located] = node.value
        bounds = None
        if "academic_year" in values:
            label_node = values["academic_year"]
            label = self.text(label_node, "'academic_year'")
            if label is not None:
                bounds, problem = parse_academic_year(label)
                if problem:
                    self.add(label_node, problem)
        label = bounds[0] if bounds else "this academic year"
        what = f"academic year {label}" if bounds else f"the academic year on line {node.line}"
        self.keys(node, YEAR_KEYS, what)
        terms: list[DraftTerm] = []
        every_term_read = True
        node_terms = values.get("terms")
        if node_terms is not None:
            if node_terms.is_list and node_terms.value:
                for number, item in enumerate(node_terms.value, start=1):
                    term = self.term(item, f"term {number} of {label}")
                    if term is not None:
                        terms.append(term)
                    every_term_read = every_term_read and term is not None
            elif node_terms.is_list or (node_terms.is_scalar and node_terms.tag == NULL_TAG):
                self.add(
                    node_terms,
                    f"{what} has no terms under 'terms:'; list them, each with a name, starts "
                    "and ends",
                )
            else:
                self.add(
                    node_terms,
                    "'terms' must be a list of terms, each starting with '- name:', but it is "
                    f"{node_terms.describe()}",
                )
        days: list[DraftDay] = []
        for key, kind in DAY_LISTS.items():
            if key in values:
                days.extend(self.days(values[key], key, kind))
        if bounds is None:
            return None
        return DraftYear(bounds[0], bounds[1], bounds[2], terms, days, every_term_read)

    def term(self, node: Located, what: str) -> DraftTerm | None:
        if not node.is_map:
            self.add(
                node,
                f"{what} must be a section with name, starts and ends, but it is {node.describe()}",
            )
            return None
        values: dict[str, Located] = node.value
        name = self.text(values["name"], f"the name of {what}") if "name" in values else None
        if name is not None:
            what = _the(name)
        complete = self.keys(node, TERM_KEYS, what)
        starts = self.date(values["starts"], f"'starts' of {what}") if "starts" in values else None
        ends = self.date(values["ends"], f"'ends' of {what}") if "ends" in values else None
        half = None
        if "half_term" in values:
            half = self.half_term(values["half_term"], name or what)
        if not complete or name is None or starts is None or ends is None:
            return None
        if "half_term" in values and half is None:
            return None
        return DraftTerm(
            name,
            starts,
            ends,
            (values["starts"].line, values["starts"].column),
            (values["ends"].line, values["ends"].column),
            half,
        )

    def half_term(self, node: Located, term: str) -> DraftSpan | None:
        what = f"the half term of {_the(term)}"
        if not node.is_map:
            self.add(
                node,
                f"{what} must be a section with starts and ends, like "
                "{starts: 2026-10-26, ends: 2026-10-30}, but it is " + node.describe(),
            )
            return None
        values: dict[str, Located] = node.value
        name = half_term_name(term)
        if "name" in values:
            name = self.text(values["name"], f"the name of {what}") or name
        complete = self.keys(node, HALF_TERM_KEYS, what)
        starts = self.date(values["starts"], f"'starts' of {what}") if "starts" in values else None
        ends = self.date(values["ends"], f"'ends' of {what}") if "ends" in values else None
        if not complete or starts is None or ends is None:
            return None
        return DraftSpan(
            name,
            starts,
            ends,
            (values["starts"].line, values["starts"].column),
            (values["ends"].line, values["ends"].column),
        )

    def days(self, node: Located, key: str, kind: str) -> list[DraftDay]:
        if node.is_scalar and node.tag == NULL_TAG:
            return []  # "closures:" with nothing under it: there are none
        items = node.value if node.is_list else [node]
        if node.is_map:
            items = [node]
        out = []
        for item in items:
            what = f"this {KIND_WORDS[kind]}" if kind != "closure" else "this closure"
            name = DEFAULT_NAMES[kind]
            if item.is_map:
                values: dict[str, Located] = item.value
                complete = self.keys(item, DAY_KEYS, what)
                if "name" in values:
                    name = self.text(values["name"], f"the name of {what}") or name
                if not complete:
                    continue
                date_node = values["date"]
            elif item.is_list:
                self.add(
                    item,
                    f"each entry under '{key}' must be a date or a section with date and name, "
                    f"but this is {item.describe()}",
                )
                continue
            else:
                date_node = item
            day = self.date(date_node, f"an entry under '{key}'")
            if day is not None:
                out.append(DraftDay(day, kind, name, (date_node.line, date_node.column)))
        return out


def parse_term_dates(data: bytes | str) -> TermDatesResult:
    """Read a term-dates file; never raises."""
    root, loaded = load(data, VOCABULARY)
    reader = _Reader([reword(p) for p in loaded])
    if root is None:
        return TermDatesResult(reader.problems)
    if root.is_list:
        nodes: list[Located] = root.value
        if not nodes:
            reader.add(root, "the file lists no academic years; add one (see docs/term-dates.md)")
    elif root.is_map:
        nodes = [root]
    else:
        reader.add(
            root,
            "the file must list academic years, each starting with '- academic_year:' "
            f"(see docs/term-dates.md), but it holds {root.describe()}",
        )
        nodes = []
    drafts: list[DraftYear] = []
    seen: dict[str, int] = {}
    for node in nodes:
        draft = reader.year(node)
        if draft is None:
            continue
        if draft.label in seen:
            reader.add(
                node.value["academic_year"],
                f"academic year {draft.label} is listed twice (first on line "
                f"{seen[draft.label]}); keep one",
            )
            continue
        seen[draft.label] = node.value["academic_year"].line
        drafts.append(draft)
    return finish(drafts, reader.problems, strict=True)


def read_term_dates(data: bytes | str, filename: str) -> TermDatesResult:
    """Read either kind of file: .ics calendars by their extension, term-dates files otherwise."""
    if filename.lower().endswith((".ics", ".ical", ".ifb", ".icalendar")):
        from panelflow.terms.ical import parse_ical

        return parse_ical(data)
    return parse_term_dates(data)


# -- saying closures in plain words -----------------------------------------------------------


def plain_runs(closures: Iterable[Closure]) -> list[str]:
    """Closures as lines of plain words, a run of weekdays with the same reason on one line.

    'Monday 26 October 2026 to Friday 30 October 2026: Autumn half term (holiday, 5 days)'
    """
    runs: list[list[Closure]] = []
    for closure in sorted(closures, key=lambda c: c.day):
        if runs:
            last = runs[-1][-1]
            next_weekday = last.day + timedelta(days=3 if last.day.weekday() == 4 else 1)
            if (closure.kind, closure.name) == (
                last.kind,
                last.name,
            ) and closure.day == next_weekday:
                runs[-1].append(closure)
                continue
        runs.append([closure])
    lines = []
    for run in runs:
        first, last = run[0], run[-1]
        when = say(first.day) if len(run) == 1 else f"{say(first.day)} to {say(last.day)}"
        words = KIND_WORDS[first.kind]
        about = [] if first.name.lower() == words else [words]
        if len(run) > 1:
            about.append(f"{len(run)} days")
        lines.append(f"{when}: {first.name}" + (f" ({', '.join(about)})" if about else ""))
    return lines


def describe_years(closures: Iterable[Closure]) -> list[str]:
    """Stored closures as an officer reads them: per academic year, a heading with the count of
    school days left, then each run of closed days."""
    by_year: dict[str, list[Closure]] = {}
    for closure in sorted(closures, key=lambda c: c.day):
        by_year.setdefault(academic_year_of(closure.day), []).append(closure)
    lines = []
    for label, year in by_year.items():
        bounds, _ = parse_academic_year(label)
        assert bounds is not None
        school_days = _weekdays(bounds[1], bounds[2]) - len(year)
        lines.append(
            f"academic year {label}: {school_days} school days; closed on {len(year)} "
            f"weekday{'s' if len(year) != 1 else ''}:"
        )
        lines.extend(f"  {line}" for line in plain_runs(year))
    return lines
