"""Read term dates from an iCalendar (.ics) file, as many local authorities publish them.

The calendar is parsed by the ``icalendar`` library; this module decides what each event
means, by the words in its title (SUMMARY):

- "half term"                                       a holiday (the days it covers)
- "bank holiday"                                    a bank holiday
- "training", "INSET", "staff development",
  "professional development", "non-pupil"           a training day
- "holiday", "holidays", "break", "vacation"        a holiday
- "closed", "closure", "polling"                    a closure
- "term", spanning days ("Autumn term")             a term, from its first to its last day
- "term" with "starts"/"begins"/"first day" or
  "ends"/"finishes"/"last day"                      the first or last day of a term; each
                                                    start is paired with the next end

Closures must be all-day events (or run from midnight to midnight). An academic year is read
only if the file has a term or a half term in it, so a calendar of bank holidays alone, or
the tail of a summer holiday running into September, never replaces a year's term dates.
Events that say none of these words are skipped and reported as notes, by line, so an
officer can see what was left out. The drafts are then checked by the same rules as the
term-dates file (``panelflow.terms.dates.assemble``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import icalendar

from panelflow.terms.dates import (
    FIRST_YEAR,
    LAST_YEAR,
    DraftDay,
    DraftTerm,
    DraftYear,
    Problem,
    TermDatesResult,
    Where,
    academic_year_of,
    finish,
    parse_academic_year,
    reword,
    say,
)
from panelflow.workflows.loader import decode

__all__ = ["RECOGNISED", "parse_ical"]

_HALF_TERM = re.compile(r"half[\s-]*term", re.IGNORECASE)
_BANK_HOLIDAY = re.compile(r"\bbank\s+holiday", re.IGNORECASE)
_TRAINING = re.compile(
    r"\b(training|inset|staff\s+development|professional\s+development|non[\s-]*pupil)\b",
    re.IGNORECASE,
)
_HOLIDAY = re.compile(r"\b(holidays?|break|vacation)\b", re.IGNORECASE)
_CLOSURE = re.compile(r"\b(closed|closure|polling)\b", re.IGNORECASE)
_TERM = re.compile(r"\bterm\b", re.IGNORECASE)
_STARTS = re.compile(r"\b(starts?|begins?|beginning|first\s+day|opens?)\b", re.IGNORECASE)
_ENDS = re.compile(r"\b(ends?|finish(es)?|last\s+day)\b", re.IGNORECASE)
_SEASON = re.compile(
    r"\b(autumn|spring|summer|christmas|easter|lent|michaelmas|trinity)\b", re.IGNORECASE
)
_TERM_NUMBER = re.compile(r"\bterm\s*(\d)\b", re.IGNORECASE)

RECOGNISED = "holidays, half terms, training (INSET) days, bank holidays, closures and terms"


def classify(summary: str) -> str | None:
    """What an event's title says it is: a closure kind, 'term', 'term_start', 'term_end'."""
    if _HALF_TERM.search(summary):
        return "holiday"
    if _BANK_HOLIDAY.search(summary):
        return "bank_holiday"
    if _TRAINING.search(summary):
        return "training_day"
    if _HOLIDAY.search(summary):
        return "holiday"
    if _TERM.search(summary):
        if _STARTS.search(summary):
            return "term_start"
        if _ENDS.search(summary):
            return "term_end"
        return "term"
    if _CLOSURE.search(summary):
        return "closure"
    return None


def term_name(summary: str) -> str:
    """'Autumn Term Starts' -> 'Autumn term'; 'Start of term 2' -> 'Term 2'."""
    season = _SEASON.search(summary)
    number = _TERM_NUMBER.search(summary)
    name = f"{season.group(1).capitalize()} term" if season else "Term"
    return f"{name} {number.group(1)}" if number else name


# -- where things are written: iCalendar lines, folded lines joined -----------------------------


@dataclass
class _Place:
    begin: int
    properties: dict[str, int] = field(default_factory=dict)
    written: dict[str, str] = field(default_factory=dict)  # each property's value as written

    def of(self, *names: str) -> Where:
        for name in names:
            if name in self.properties:
                return (self.properties[name], 1)
        return (self.begin, 1)


_CONTENT_LINE = re.compile(r"^[A-Za-z0-9-]+(;[^:]*)?:")


def _places(text: str) -> tuple[list[_Place], Where | None]:
    """Each VEVENT's first line and the line of each of its properties, in file order, and
    the first line that is not an iCalendar line at all (if any)."""
    places: list[_Place] = []
    stack: list[str] = []
    current: _Place | None = None
    bad: Where | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line[0] in " \t":
            continue  # a blank line, or a long line folded onto this one
        if not _CONTENT_LINE.match(line):
            bad = bad or (number, 1)
            continue
        name = re.split(r"[;:]", line, maxsplit=1)[0].upper()
        value = line.split(":", 1)[1].strip().upper()
        if name == "BEGIN":
            stack.append(value)
            if value == "VEVENT":
                current = _Place(number)
                places.append(current)
        elif name == "END":
            if stack and stack[-1] == value:
                stack.pop()
            if value == "VEVENT":
                current = None
        elif (
            current is not None
            and stack
            and stack[-1] == "VEVENT"
            and name not in current.properties
        ):
            current.properties[name] = number
            current.written[name] = line.split(":", 1)[1].strip()
    return places, bad


# -- reading events ---------------------------------------------------------------------------


@dataclass
class _Event:
    summary: str
    kind: str
    first: date
    last: date
    place: _Place


@dataclass
class _Reading:
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    # A term event could not be read: its problem is reported, and the checks that need
    # every term (do the terms run from September to July?) would only add noise.
    terms_broken: bool = False

    def problem(self, where: Where, message: str, *, term: bool = False) -> None:
        self.problems.append(Problem(where[0], where[1], message))
        self.terms_broken = self.terms_broken or term

    def note(self, where: Where, message: str) -> None:
        self.notes.append(Problem(where[0], where[1], message))


def _decoded(component: Any, name: str) -> Any:
    """A property's value, or None when icalendar cannot decode it (it is then reported)."""
    if name not in component:
        return None
    try:
        return component.decoded(name)
    except Exception:  # icalendar raises several kinds of error on values it cannot read
        return None


def _as_date(value: Any) -> tuple[date | None, bool]:
    """(the day, whether it had a time of day other than midnight)."""
    if isinstance(value, datetime | date) and not FIRST_YEAR <= value.year <= LAST_YEAR:
        return None, False
    if isinstance(value, datetime):
        return value.date(), value.time() != time(0, 0)
    if isinstance(value, date):
        return value, False
    return None, False


def _broken_date(raw: str) -> str:
    match = re.match(r"^(\d{4})(\d{2})(\d{2})", raw)
    if match:
        year, month, day = (int(g) for g in match.groups())
        written = f"{year:04d}-{month:02d}-{day:02d}"
        if not FIRST_YEAR <= year <= LAST_YEAR:
            return (
                f"{written} is not a date panelflow can use: the year must be between "
                f"{FIRST_YEAR} and {LAST_YEAR}"
            )
        try:
            date(year, month, day)
        except ValueError:
            return f"{written} is not a real date"
    return f"'{raw}' is not a date"


def _event(component: Any, place: _Place, reading: _Reading) -> _Event | None:
    summary = " ".join(str(component.get("SUMMARY", "")).split())
    title_at = place.of("SUMMARY")
    if not summary:
        reading.note(place.of(), "skipped an event with no title (SUMMARY)")
        return None
    kind = classify(summary)
    start_at, end_at = place.of("DTSTART"), place.of("DTEND", "DURATION", "DTSTART")
    start, start_timed = _as_date(_decoded(component, "DTSTART"))
    if kind is None:
        when = f" ({say(start)})" if start else ""
        reading.note(
            title_at,
            f"skipped '{summary}'{when}: panelflow reads only {RECOGNISED}; if schools are "
            "closed that day, put one of those words in the event's title",
        )
        return None
    is_term = kind in ("term", "term_start", "term_end")
    if "DTSTART" not in component:
        reading.problem(title_at, f"'{summary}' has no start date (DTSTART)", term=is_term)
        return None
    if start is None:
        raw = place.written.get("DTSTART", str(component.get("DTSTART")))
        reading.problem(
            start_at,
            f"'{summary}' starts on a day that cannot be read: {_broken_date(raw)}",
            term=is_term,
        )
        return None
    if "RRULE" in component or "RDATE" in component:
        reading.problem(
            place.of("RRULE", "RDATE"),
            f"'{summary}' repeats, and panelflow does not work out repeating events; "
            "make each occurrence an event of its own",
            term=is_term,
        )
        return None
    end_timed = False
    if "DTEND" in component:
        end, end_timed = _as_date(_decoded(component, "DTEND"))
        if end is None:
            raw = place.written.get("DTEND", str(component.get("DTEND")))
            reading.problem(
                end_at,
                f"'{summary}' ends on a day that cannot be read: {_broken_date(raw)}",
                term=is_term,
            )
            return None
    elif "DURATION" in component:
        duration = _decoded(component, "DURATION")
        if not isinstance(duration, timedelta):
            reading.problem(
                end_at, f"'{summary}' has a length (DURATION) that cannot be read", term=is_term
            )
            return None
        end = start + timedelta(days=duration.days)
        end_timed = bool(duration.seconds)
    else:
        end = start + timedelta(days=1)
    # The end of an all-day event is the day after its last day; a timed event's end is
    # within its last day.
    last = end - timedelta(days=1) if not end_timed else end
    if is_term:
        last = max(last, start)
        if kind == "term" and last == start:
            reading.problem(
                title_at,
                f"'{summary}' lasts one day, so panelflow cannot tell whether the term starts "
                "or ends then; put 'starts' or 'ends' in its title, or make the event run from "
                "the first to the last day of the term",
                term=True,
            )
            return None
    elif start_timed or end_timed:
        reading.problem(
            start_at,
            f"'{summary}' is not an all-day event (it has a time of day), so panelflow "
            "cannot tell whether schools are closed all day; make it an all-day event",
        )
        return None
    if last < start:
        reading.problem(
            end_at, f"'{summary}' ends on {end}, before it starts on {start}", term=is_term
        )
        return None
    return _Event(summary, kind, start, last, place)


def _calendars(text: str) -> list[Any]:
    calendars = icalendar.Calendar.from_ical(text, multiple=True)
    return [c for c in calendars if getattr(c, "name", "") == "VCALENDAR"]


def parse_ical(data: bytes | str) -> TermDatesResult:
    """Read an .ics calendar into term dates; never raises."""
    text, problems = decode(data)
    if text is None:
        return TermDatesResult([reword(p, "an .ics calendar file") for p in problems])
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return TermDatesResult([Problem(1, 1, "the file is empty: it has no calendar in it")])
    if lines[0].strip().upper() != "BEGIN:VCALENDAR":
        return TermDatesResult(
            [
                Problem(
                    1,
                    1,
                    "this is not an iCalendar (.ics) file: its first line should be "
                    "BEGIN:VCALENDAR (a term-dates file written by hand should be named "
                    ".yaml)",
                )
            ]
        )
    if lines[-1].strip().upper() != "END:VCALENDAR":
        return TermDatesResult(
            [
                Problem(
                    len(text.splitlines()),
                    1,
                    "the file stops before the end of the calendar (its last line should be "
                    "END:VCALENDAR); it may have been cut short: download or export it again",
                )
            ]
        )
    places, bad = _places(text)
    try:
        calendars = _calendars(text)
    except Exception as error:  # icalendar raises ValueError and others on broken files
        where = bad or (1, 1)
        reason = " ".join(str(error).split())[:200]
        return TermDatesResult(
            [
                Problem(
                    where[0],
                    where[1],
                    "this line cannot be read as part of an iCalendar file (each line should "
                    f"be NAME:value); the calendar program said: {reason}",
                )
            ]
        )
    events = [e for c in calendars for e in c.walk("VEVENT")]
    if len(places) != len(events):  # unusual nesting: fall back to no line numbers
        places = [_Place(1) for _ in events]
    reading = _Reading()
    if bad is not None:
        reading.problem(
            bad,
            "this line is not part of an iCalendar file (each line should be NAME:value, like "
            "SUMMARY:Half term), so the calendar may be damaged; export it again or delete "
            "the line",
        )
    read = [_event(e, p, reading) for e, p in zip(events, places, strict=True)]
    return _drafts([e for e in read if e is not None], reading)


def _drafts(events: list[_Event], reading: _Reading) -> TermDatesResult:
    terms: list[DraftTerm] = []
    markers = sorted(
        (e for e in events if e.kind in ("term_start", "term_end")), key=lambda e: e.first
    )
    opened: _Event | None = None
    for marker in markers:
        if marker.kind == "term_start":
            if opened is not None:
                reading.problem(
                    opened.place.of("SUMMARY"),
                    f"'{opened.summary}' ({opened.first}) has no end of term before the next "
                    f"start of term ('{marker.summary}', {marker.first}); add an event for "
                    "the last day of the term",
                    term=True,
                )
            opened = marker
        elif opened is None:
            reading.problem(
                marker.place.of("SUMMARY"),
                f"'{marker.summary}' ({marker.first}) ends a term that has no start of term "
                "before it; add an event for the first day of the term",
                term=True,
            )
        else:
            terms.append(_term(term_name(opened.summary), opened, marker))
            opened = None
    if opened is not None:
        reading.problem(
            opened.place.of("SUMMARY"),
            f"'{opened.summary}' ({opened.first}) has no end of term after it; add an event "
            "for the last day of the term",
            term=True,
        )
    terms.extend(_term(e.summary, e, e) for e in events if e.kind == "term")

    years: dict[str, DraftYear] = {}

    def year(label: str) -> DraftYear:
        if label not in years:
            bounds, _ = parse_academic_year(label)
            assert bounds is not None
            years[label] = DraftYear(bounds[0], bounds[1], bounds[2])
        return years[label]

    for term in terms:
        year(academic_year_of(term.starts)).terms.append(term)
    for event in events:
        if _HALF_TERM.search(event.summary):
            year(academic_year_of(event.first))
    closures = [e for e in events if e.kind not in ("term", "term_start", "term_end")]
    for event in closures:
        skipped: set[str] = set()
        day = event.first
        while day <= event.last:
            label = academic_year_of(day)
            if label in years:
                years[label].days.append(
                    DraftDay(day, event.kind, event.summary, event.place.of("DTSTART"))
                )
            else:
                skipped.add(label)
            day += timedelta(days=1)
        for label in sorted(skipped):
            reading.note(
                event.place.of("SUMMARY"),
                f"skipped '{event.summary}' in {label}: the file has no terms or half terms "
                f"in {label}, so panelflow does not replace that year's term dates",
            )
    if not years and not reading.problems:
        reading.problem(
            (1, 1),
            "the calendar has no terms or half terms in it, so panelflow cannot tell which "
            f"academic years it describes; it reads {RECOGNISED}",
        )
    for draft in years.values():
        draft.every_term_read = not reading.terms_broken
    drafts = sorted(years.values(), key=lambda y: y.first_day)
    return finish(drafts, reading.problems, strict=False, notes=reading.notes)


def _term(name: str, first: _Event, last: _Event) -> DraftTerm:
    return DraftTerm(
        name,
        first.first,
        last.last,
        first.place.of("DTSTART"),
        last.place.of("DTEND", "DTSTART") if last is first else last.place.of("DTSTART"),
    )
