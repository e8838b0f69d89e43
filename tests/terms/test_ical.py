"""Term dates read from iCalendar (.ics) files, written by hand in ``tests/terms/ics/`` in the
shapes councils publish: a term as one long event, "term starts"/"term ends" markers, or
holidays alone; and broken ones, each with the exact problems and notes an officer sees."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from panelflow.terms.dates import parse_term_dates, plain_runs
from panelflow.terms.ical import classify, parse_ical, term_name

ROOT = Path(__file__).resolve().parents[2]
ICS = ROOT / "tests" / "terms" / "ics"
SHIPPED = ROOT / "config" / "term-dates.yaml"

READS = (
    "panelflow reads only holidays, half terms, training (INSET) days, bank holidays, "
    "closures and terms; if schools are closed that day, put one of those words in the "
    "event's title"
)


def _read(name: str) -> tuple[list[str], list[str]]:
    result = parse_ical((ICS / name).read_bytes())
    return (
        [f"{p.line}:{p.column}: {p.message}" for p in result.problems],
        [f"{p.line}:{p.column}: {p.message}" for p in result.notes],
    )


def _shipped_days(label: str) -> dict[date, str]:
    result = parse_term_dates(SHIPPED.read_bytes())
    assert result.term_dates is not None
    year = next(y for y in result.term_dates.years if y.label == label)
    return {c.day: c.kind for c in year.closures}


# -- calendars that can be read --------------------------------------------------------------


def test_terms_as_long_events_give_the_same_days_as_the_term_dates_file() -> None:
    result = parse_ical((ICS / "term_events.ics").read_bytes())

    assert result.problems == []
    assert result.ok and result.term_dates is not None
    assert result.term_dates.labels == ["2026-27"]
    year = result.term_dates.years[0]
    assert [(t.name, t.starts, t.ends) for t in year.terms] == [
        ("Autumn Term", date(2026, 9, 2), date(2026, 12, 18)),
        ("Spring Term", date(2027, 1, 4), date(2027, 3, 25)),
        ("Summer Term", date(2027, 4, 12), date(2027, 7, 22)),
    ]
    assert {c.day for c in year.closures} == set(_shipped_days("2026-27"))
    assert year.school_days == 190
    kinds = {c.day: c.kind for c in year.closures}
    assert kinds[date(2027, 5, 3)] == "bank_holiday"
    assert [d for d, k in kinds.items() if k == "training_day"] == [
        date(2026, 9, 2),
        date(2026, 11, 27),
        date(2027, 1, 4),
        date(2027, 6, 7),
        date(2027, 7, 22),
    ]
    names = {c.day: c.name for c in year.closures}
    assert names[date(2026, 12, 21)] == "Christmas holidays"  # the event's own title
    assert names[date(2027, 3, 26)] == "Easter holidays"  # a gap between two terms
    assert names[date(2026, 11, 27)] == "Staff training day (schools closed to pupils)"


def test_events_it_does_not_read_are_noted_by_line_in_plain_words() -> None:
    problems, notes = _read("term_events.ics")

    assert problems == []
    assert notes == [
        f"99:1: skipped 'Sports day' (Friday 18 June 2027): {READS}",
        "106:1: skipped 'Parents' evening: Year 6 transition - a long title that an export "
        f"has folded onto a second line' (Thursday 14 January 2027): {READS}",
    ]


def test_term_start_and_end_markers_are_paired_and_midnight_events_are_all_day() -> None:
    result = parse_ical((ICS / "term_markers.ics").read_bytes())

    assert result.problems == [] and result.notes == []
    assert result.term_dates is not None
    year = result.term_dates.years[0]
    assert [(t.name, t.starts, t.ends) for t in year.terms] == [
        ("Autumn term", date(2026, 9, 2), date(2026, 12, 18)),
        ("Spring term", date(2027, 1, 4), date(2027, 3, 25)),
        ("Summer term", date(2027, 4, 12), date(2027, 7, 22)),
    ]
    shipped = _shipped_days("2026-27")
    # This calendar lists no training days or bank holidays; everything else is the same.
    expected = {d for d, kind in shipped.items() if kind not in ("training_day", "bank_holiday")}
    assert {c.day for c in year.closures} == expected
    february = [c for c in year.closures if c.day.month == 2]
    assert {c.name for c in february} == {"Half-term holiday"}
    assert len(february) == 5


def test_holidays_alone_are_read_as_listed_and_a_year_without_half_terms_is_left_alone() -> None:
    result = parse_ical((ICS / "holidays_only.ics").read_bytes())

    assert result.problems == []
    assert [f"{p.line}:{p.column}: {p.message}" for p in result.notes] == [
        "46:1: skipped 'Summer holiday' in 2027-28: the file has no terms or half terms in "
        "2027-28, so panelflow does not replace that year's term dates"
    ]
    assert result.term_dates is not None
    assert result.term_dates.labels == ["2026-27"]
    assert plain_runs(result.term_dates.closures()) == [
        "Monday 26 October 2026 to Friday 30 October 2026: October half term (holiday, 5 days)",
        "Monday 21 December 2026 to Friday 1 January 2027: Christmas holiday (holiday, 10 days)",
        "Monday 15 February 2027 to Friday 19 February 2027: February half term (holiday, 5 days)",
        "Friday 26 March 2027 to Friday 9 April 2027: Easter holiday (holiday, 11 days)",
        "Thursday 6 May 2027: Polling day - school closed (closure)",
        "Monday 31 May 2027 to Friday 4 June 2027: May half term (holiday, 5 days)",
        "Friday 23 July 2027 to Tuesday 31 August 2027: Summer holiday (holiday, 28 days)",
    ]
    # Without terms, nothing else is closed: the first days of September are school days.
    assert date(2026, 9, 1) not in {c.day for c in result.term_dates.closures()}


def test_a_duration_and_nested_alarms_are_understood() -> None:
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        "BEGIN:VEVENT\r\nUID:1\r\nDTSTART;VALUE=DATE:20261026\r\nDURATION:P5D\r\n"
        "BEGIN:VALARM\r\nACTION:DISPLAY\r\nSUMMARY:Reminder\r\nTRIGGER:-P1D\r\nEND:VALARM\r\n"
        "SUMMARY:Half term\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:2\r\nDTSTART;VALUE=DATE:20261030\r\nSUMMARY:Bank holiday\r\n"
        "END:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:3\r\nDTSTART;VALUE=DATE:20261104\r\n"
        "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-P1D\r\nEND:VALARM\r\n"
        "SUMMARY:Year 7 photos\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )

    result = parse_ical(text)

    assert result.problems == []
    assert [(n.line, n.message.split(":")[0]) for n in result.notes] == [
        (27, "skipped 'Year 7 photos' (Wednesday 4 November 2026)")
    ]
    assert result.term_dates is not None
    assert [(c.day.day, c.kind) for c in result.term_dates.closures()] == [
        (26, "holiday"),
        (27, "holiday"),
        (28, "holiday"),
        (29, "holiday"),
        (30, "bank_holiday"),  # the more specific reason wins where events overlap
    ]


# -- calendars with problems -----------------------------------------------------------------


def test_events_that_cannot_be_read_are_problems_by_line() -> None:
    problems, notes = _read("broken_events.ics")

    assert problems == [
        "16:1: 'INSET day' starts on a day that cannot be read: 2027-02-30 is not a real date",
        "23:1: 'Christmas holidays' ends on 2026-12-21, before it starts on 2027-01-04",
        "29:1: 'Training day' is not an all-day event (it has a time of day), so panelflow "
        "cannot tell whether schools are closed all day; make it an all-day event",
        "38:1: 'Bank holiday' repeats, and panelflow does not work out repeating events; make "
        "each occurrence an event of its own",
        "55:1: 'Autumn term' lasts one day, so panelflow cannot tell whether the term starts or "
        "ends then; put 'starts' or 'ends' in its title, or make the event run from the first "
        "to the last day of the term",
    ]
    assert notes == [
        f"45:1: skipped 'Parents' evening' (Thursday 12 November 2026): {READS}",
        "47:1: skipped an event with no title (SUMMARY)",
    ]
    assert parse_ical((ICS / "broken_events.ics").read_bytes()).term_dates is None


def test_term_markers_that_do_not_pair_up() -> None:
    problems, _ = _read("unpaired_markers.ics")

    assert problems == [
        "10:1: 'Autumn term starts' (2026-09-02) has no end of term before the next start of "
        "term ('Spring term starts', 2027-01-04); add an event for the last day of the term",
        "35:1: 'Summer term ends' (2027-07-22) ends a term that has no start of term before it; "
        "add an event for the first day of the term",
    ]


def test_a_calendar_of_bank_holidays_alone_never_replaces_term_dates() -> None:
    problems, notes = _read("bank_holidays_only.ics")

    assert problems == [
        "1:1: the calendar has no terms or half terms in it, so panelflow cannot tell which "
        "academic years it describes; it reads holidays, half terms, training (INSET) days, "
        "bank holidays, closures and terms"
    ]
    assert notes == [
        f"10:1: skipped 'New Year's Day' (Friday 1 January 2027): {READS}",
        f"16:1: skipped 'Good Friday' (Friday 26 March 2027): {READS}",
        "22:1: skipped 'Early May bank holiday' in 2026-27: the file has no terms or half terms "
        "in 2026-27, so panelflow does not replace that year's term dates",
        "28:1: skipped 'Spring bank holiday' in 2026-27: the file has no terms or half terms "
        "in 2026-27, so panelflow does not replace that year's term dates",
    ]


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        (
            "broken_line.ics",
            "5:1: this line is not part of an iCalendar file (each line should be NAME:value, "
            "like SUMMARY:Half term), so the calendar may be damaged; export it again or delete "
            "the line",
        ),
        ("empty.ics", "1:1: the file is empty: it has no calendar in it"),
        (
            "not_a_calendar.ics",
            "1:1: this is not an iCalendar (.ics) file: its first line should be BEGIN:VCALENDAR "
            "(a term-dates file written by hand should be named .yaml)",
        ),
    ],
)
def test_files_that_are_not_calendars(name: str, problem: str) -> None:
    assert _read(name) == ([problem], [])


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "1:1: this is not a text file (it looks like a binary file); an .ics calendar file "
            "must be plain text saved as UTF-8",
        ),
        (
            b"BEGIN:VCALENDAR\nSUMMARY:Half term \xe9t\xe9\nEND:VCALENDAR\n",
            "2:19: this file is not saved as UTF-8 text; save it again choosing the UTF-8 encoding",
        ),
        (
            "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nSUMMARY:Half term\n",
            "4:1: the file stops before the end of the calendar (its last line should be "
            "END:VCALENDAR); it may have been cut short: download or export it again",
        ),
        (
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:Half term\nDTSTART;VALUE=TIME:090000\n"
            "END:VEVENT\nEND:VCALENDAR\n",
            "4:1: 'Half term' starts on a day that cannot be read: '090000' is not a date",
        ),
        (
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:Half term\nDTSTART;VALUE=DATE:00010101\n"
            "END:VEVENT\nEND:VCALENDAR\n",
            "4:1: 'Half term' starts on a day that cannot be read: 0001-01-01 is not a date "
            "panelflow can use: the year must be between 1900 and 2199",
        ),
        (
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:Half term\nDTSTART;VALUE=DATE:20261026\n"
            "DTEND:soon\nEND:VEVENT\nEND:VCALENDAR\n",
            "5:1: 'Half term' ends on a day that cannot be read: 'soon' is not a date",
        ),
        (
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:Half term\nEND:VEVENT\nEND:VCALENDAR\n",
            "3:1: 'Half term' has no start date (DTSTART)",
        ),
    ],
)
def test_damaged_files(data: bytes | str, problem: str) -> None:
    result = parse_ical(data)

    assert [f"{p.line}:{p.column}: {p.message}" for p in result.problems] == [problem]


# -- what titles mean ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("summary", "kind"),
    [
        ("Half term", "holiday"),
        ("October Half-Term", "holiday"),
        ("Spring bank holiday / half term", "holiday"),
        ("Early May Bank Holiday", "bank_holiday"),
        ("INSET day", "training_day"),
        ("Inset Day - school closed to pupils", "training_day"),
        ("Staff development day", "training_day"),
        ("Teacher training day", "training_day"),
        ("Non-pupil day", "training_day"),
        ("Christmas holidays", "holiday"),
        ("Easter break", "holiday"),
        ("Summer vacation", "holiday"),
        ("Polling day", "closure"),
        ("School closed (heating works)", "closure"),
        ("Autumn term", "term"),
        ("Spring Term 2", "term"),
        ("Autumn term starts", "term_start"),
        ("First day of term", "term_start"),
        ("Summer term begins", "term_start"),
        ("Autumn term ends", "term_end"),
        ("Last day of spring term", "term_end"),
        ("End of term", "term_end"),
        ("Sports day", None),
        ("Parents' evening", None),
        ("Christmas Day", None),
        ("Termly review meeting", None),
    ],
)
def test_classify_reads_the_words_in_a_title(summary: str, kind: str | None) -> None:
    assert classify(summary) == kind


@pytest.mark.parametrize(
    ("summary", "name"),
    [
        ("Autumn Term Starts", "Autumn term"),
        ("Last day of spring term", "Spring term"),
        ("Start of term 2", "Term 2"),
        ("First day of term", "Term"),
    ],
)
def test_term_names_from_markers(summary: str, name: str) -> None:
    assert term_name(summary) == name


ODD_INPUTS: dict[str, bytes | str] = {
    "only the calendar": "BEGIN:VCALENDAR\nEND:VCALENDAR\n",
    "an event with no start": "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:Half term\nEND:VEVENT\n"
    "END:VCALENDAR\n",
    "a broken end": "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:Half term\n"
    "DTSTART;VALUE=DATE:20261026\nDTEND:soon\nEND:VEVENT\nEND:VCALENDAR\n",
    "a broken duration": "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:Half term\n"
    "DTSTART;VALUE=DATE:20261026\nDURATION:five days\nEND:VEVENT\nEND:VCALENDAR\n",
    "two calendars": "BEGIN:VCALENDAR\nEND:VCALENDAR\nBEGIN:VCALENDAR\nEND:VCALENDAR\n",
    "mismatched ends": "BEGIN:VCALENDAR\nBEGIN:VEVENT\nEND:VTODO\nEND:VCALENDAR\n",
    "a time-only start": "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:Half term\n"
    "DTSTART;VALUE=TIME:090000\nEND:VEVENT\nEND:VCALENDAR\n",
    "a year out of range": "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:Half term\n"
    "DTSTART;VALUE=DATE:00010101\nEND:VEVENT\nEND:VCALENDAR\n",
    "a long holiday": "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:Half term\n"
    "DTSTART;VALUE=DATE:20261026\nDTEND;VALUE=DATE:20351026\nEND:VEVENT\nEND:VCALENDAR\n",
}


@pytest.mark.parametrize("data", ODD_INPUTS.values(), ids=list(ODD_INPUTS))
def test_odd_input_never_raises(data: bytes | str) -> None:
    result = parse_ical(data)

    for problem in [*result.problems, *result.notes]:
        assert problem.line >= 1 and problem.column >= 1
        assert problem.message and "\n" not in problem.message


def test_a_holiday_over_several_years_is_read_only_in_years_with_half_terms() -> None:
    first = date(2026, 10, 26)
    result = parse_ical(ODD_INPUTS["a long holiday"])

    assert result.term_dates is not None
    assert result.term_dates.labels == ["2026-27"]
    assert result.term_dates.closures()[0].day == first
    assert result.term_dates.closures()[-1].day == date(2027, 8, 31)
    assert len(result.notes) == 9 and all(
        "skipped 'Half term' in 20" in n.message for n in result.notes
    )
    assert first + timedelta(days=1) in {c.day for c in result.term_dates.closures()}
