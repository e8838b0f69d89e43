"""The term-dates file LA officers write: the shipped file, the closures it means, and the
broken-file corpus.

Every file in ``tests/terms/corpus`` is a small term-dates file with one mistake an officer
could make (a few combine several); its ``.expected`` sibling holds the exact problems
``panelflow terms check`` must print for it, as ``LINE:COLUMN: message``.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from panelflow.terms.dates import (
    Closure,
    academic_year_of,
    describe_years,
    parse_academic_year,
    parse_date,
    parse_term_dates,
    plain_runs,
    read_term_dates,
)

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "terms" / "corpus"
SHIPPED = ROOT / "config" / "term-dates.yaml"
CORPUS_FILES = sorted(CORPUS.glob("*.yaml"))

ONE_YEAR = """\
academic_year: 2026-27
terms:
  - name: Autumn term
    starts: 2026-09-02
    ends: 2026-12-18
    half_term: {starts: 2026-10-26, ends: 2026-10-30}
  - name: Spring term
    starts: 4 January 2027
    ends: Thursday 25 March 2027
    half_term: {starts: 2027-02-15, ends: 2027-02-19, name: February half term}
  - name: Summer term
    starts: 2027-04-12
    ends: 2027-07-22
    half_term: {starts: 2027-05-31, ends: 2027-06-04}
training_days:
  - 2026-09-02
  - date: 2027-01-04
    name: Staff training (safeguarding)
bank_holidays:
  - 2027-05-03
  - 2027-05-31
closures:
  - date: 2027-05-06
    name: Polling day
"""


def _expected(path: Path) -> list[str]:
    text = path.with_suffix(".expected").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip()]


def _weekdays(first: date, last: date) -> list[date]:
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return [d for d in days if d.weekday() < 5]


# -- the broken-file corpus -----------------------------------------------------------------


@pytest.mark.parametrize("path", CORPUS_FILES, ids=[p.name for p in CORPUS_FILES])
def test_corpus_file_reports_exactly_the_expected_problems(path: Path) -> None:
    result = parse_term_dates(path.read_bytes())

    assert [f"{p.line}:{p.column}: {p.message}" for p in result.problems] == _expected(path)
    assert not result.ok
    assert result.term_dates is None


def test_corpus_is_large_enough_and_every_file_has_its_expectation() -> None:
    assert len(CORPUS_FILES) >= 30
    for path in CORPUS_FILES:
        assert path.with_suffix(".expected").is_file(), path.name
        assert _expected(path), f"{path.name}.expected is empty"
        assert path.name[:2].isdigit() and path.name[2] == "_", path.name
    orphans = [p.name for p in CORPUS.glob("*.expected") if not p.with_suffix(".yaml").is_file()]
    assert orphans == []


def test_no_message_is_about_workflow_files() -> None:
    """The YAML loader is shared with workflow files; its words are changed for this file."""
    for path in CORPUS_FILES:
        for line in _expected(path):
            assert "workflow" not in line, f"{path.name}: {line}"


# -- the shipped file ----------------------------------------------------------------------


def test_shipped_file_is_valid_with_three_years_of_190_days_for_pupils() -> None:
    result = parse_term_dates(SHIPPED.read_bytes())

    assert result.problems == []
    assert result.ok and result.term_dates is not None
    years = result.term_dates.years
    assert [y.label for y in years] == ["2025-26", "2026-27", "2027-28"]
    for year in years:
        assert year.school_days == 190, year.label
        assert year.count("training_day") == 5, year.label
        assert year.count("bank_holiday") == 1, year.label
        assert [t.name for t in year.terms] == ["Autumn term", "Spring term", "Summer term"]
        autumn, spring, summer = year.terms
        assert autumn.starts.month == 9 and autumn.ends.month == 12
        assert spring.starts.month == 1 and spring.ends.month in (3, 4)
        assert summer.starts.month == 4 and summer.ends.month == 7
        half_terms = [t.half_term for t in year.terms]
        assert all(h is not None for h in half_terms)
        assert [h[0].month for h in half_terms if h] == [10, 2, 5]
        # every closure is a weekday of its own year, listed once, in order
        days = [c.day for c in year.closures]
        assert days == sorted(set(days))
        assert all(d.weekday() < 5 and year.first_day <= d <= year.last_day for d in days)
    assert result.summary().splitlines()[0] == (
        "valid: 3 academic years (2025-26, 2026-27, 2027-28)"
    )


def test_shipped_file_summary_for_officers() -> None:
    result = parse_term_dates(SHIPPED.read_text(encoding="utf-8"))

    assert result.summary().splitlines()[1:] == [
        f"  {label}: 3 terms, 190 school days (5 training days, 1 bank holiday, 0 other closures)"
        for label in ("2025-26", "2026-27", "2027-28")
    ]


def test_shipped_file_bank_holidays_are_the_early_may_ones() -> None:
    result = parse_term_dates(SHIPPED.read_bytes())
    assert result.term_dates is not None

    bank_holidays = [c.day for c in result.term_dates.closures() if c.kind == "bank_holiday"]
    assert bank_holidays == [date(2026, 5, 4), date(2027, 5, 3), date(2028, 5, 1)]


# -- what the terms mean -------------------------------------------------------------------


def _one_year() -> dict[date, Closure]:
    result = parse_term_dates(ONE_YEAR)
    assert result.problems == []
    assert result.term_dates is not None
    assert result.term_dates.labels == ["2026-27"]
    return {c.day: c for c in result.term_dates.closures()}


def test_a_single_year_may_be_written_without_the_list() -> None:
    assert len(_one_year()) > 0


def test_weekdays_outside_the_terms_are_holidays_named_as_people_say_them() -> None:
    closed = _one_year()

    assert closed[date(2026, 9, 1)] == Closure(date(2026, 9, 1), "holiday", "Summer holidays")
    christmas = _weekdays(date(2026, 12, 21), date(2027, 1, 1))
    assert {closed[d].name for d in christmas} == {"Christmas holidays"}
    easter = _weekdays(date(2027, 3, 26), date(2027, 4, 9))
    assert {closed[d].name for d in easter} == {"Easter holidays"}
    summer = _weekdays(date(2027, 7, 23), date(2027, 8, 31))
    assert {closed[d].name for d in summer} == {"Summer holidays"}
    assert all(closed[d].kind == "holiday" for d in christmas + easter + summer)


def test_half_terms_are_holidays_with_the_term_name_or_their_own() -> None:
    closed = _one_year()

    autumn = _weekdays(date(2026, 10, 26), date(2026, 10, 30))
    assert {(closed[d].kind, closed[d].name) for d in autumn} == {("holiday", "Autumn half term")}
    february = _weekdays(date(2027, 2, 15), date(2027, 2, 19))
    assert {closed[d].name for d in february} == {"February half term"}


def test_term_days_are_open_except_the_days_listed() -> None:
    closed = _one_year()

    assert date(2026, 9, 3) not in closed  # first day for pupils
    assert date(2026, 10, 23) not in closed  # Friday before half term
    assert date(2027, 7, 21) not in closed
    assert closed[date(2026, 9, 2)] == Closure(date(2026, 9, 2), "training_day", "Training day")
    assert closed[date(2027, 1, 4)].name == "Staff training (safeguarding)"
    assert closed[date(2027, 5, 3)] == Closure(date(2027, 5, 3), "bank_holiday", "Bank holiday")
    assert closed[date(2027, 5, 6)] == Closure(date(2027, 5, 6), "closure", "Polling day")


def test_a_bank_holiday_inside_a_half_term_is_allowed_and_keeps_its_reason() -> None:
    closed = _one_year()

    assert closed[date(2027, 5, 31)].kind == "bank_holiday"
    assert closed[date(2027, 6, 1)].kind == "holiday"


def test_weekends_are_never_stored() -> None:
    assert all(day.weekday() < 5 for day in _one_year())


def test_an_empty_list_of_closures_is_none() -> None:
    result = parse_term_dates(
        ONE_YEAR.replace("closures:\n  - date: 2027-05-06\n    name: Polling day\n", "closures:\n")
    )

    assert result.ok
    assert result.term_dates is not None
    assert result.term_dates.years[0].count("closure") == 0


def test_years_come_back_in_date_order_whatever_the_file_order() -> None:
    text = SHIPPED.read_text(encoding="utf-8")
    first = text.index("- academic_year: 2025-26")
    second = text.index("- academic_year: 2026-27")
    swapped = text[:first] + text[second:] + text[first:second]

    result = parse_term_dates(swapped)

    assert result.term_dates is not None
    assert result.term_dates.labels == ["2025-26", "2026-27", "2027-28"]


def test_read_term_dates_chooses_the_reader_by_the_file_name() -> None:
    assert read_term_dates(SHIPPED.read_bytes(), "term-dates.yaml").ok
    as_ics = read_term_dates(SHIPPED.read_bytes(), "TERM-DATES.ICS")
    assert [p.message for p in as_ics.problems] == [
        "this is not an iCalendar (.ics) file: its first line should be BEGIN:VCALENDAR (a "
        "term-dates file written by hand should be named .yaml)"
    ]


# -- dates and years as people write them ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-09-03", date(2026, 9, 3)),
        ("2026-9-3", date(2026, 9, 3)),
        ("3 September 2026", date(2026, 9, 3)),
        ("3 Sept 2026", date(2026, 9, 3)),
        ("Thursday 3 September 2026", date(2026, 9, 3)),
        ("Thu, 3rd Sep 2026", date(2026, 9, 3)),
        ("2028-02-29", date(2028, 2, 29)),
    ],
)
def test_parse_date_accepts(text: str, day: date) -> None:
    assert parse_date(text) == (day, None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-02-30", "2026-02-30 is not a real date: February 2026 has 28 days"),
        ("2027-02-29", "2027-02-29 is not a real date: February 2027 has 28 days"),
        ("2026-09-31", "2026-09-31 is not a real date: September 2026 has 30 days"),
        (
            "2026-00-10",
            "2026-00-10 is not a real date: the month must be 1 to 12 (dates are written "
            "year-month-day)",
        ),
        (
            "31 September 2026",
            "31 September 2026 is not a real date: September 2026 has 30 days",
        ),
        (
            "Friday 3 September 2026",
            "'Friday 3 September 2026' does not add up: 3 September 2026 is a Thursday; check "
            "the date",
        ),
        ("3 Septober 2026", "'3 Septober 2026' is not a date: 'Septober' is not a month"),
        (
            "Fryday 3 September 2026",
            "'Fryday 3 September 2026' is not a date: 'Fryday' is not a day of the week",
        ),
        (
            "03/09/2026",
            "'03/09/2026' is not a date panelflow can read: write dates as year-month-day; if "
            "you mean Thursday 3 September 2026, write 2026-09-03",
        ),
        (
            "31/02/2026",
            "'31/02/2026' is not a date; write dates as year-month-day, like 2026-09-03",
        ),
        ("next term", "'next term' is not a date; write dates as year-month-day, like 2026-09-03"),
    ],
)
def test_parse_date_explains(text: str, message: str) -> None:
    assert parse_date(text) == (None, message)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("2026-27", "2026-27"),
        ("2026-2027", "2026-27"),
        ("2026/27", "2026-27"),
        ("2026 \u2013 27", "2026-27"),
        ("1999-2000", "1999-00"),
        ("2099-00", "2099-00"),
    ],
)
def test_parse_academic_year_accepts(text: str, label: str) -> None:
    bounds, problem = parse_academic_year(text)

    assert problem is None
    assert bounds is not None
    first = int(label[:4])
    assert bounds == (label, date(first, 9, 1), date(first + 1, 8, 31))


def test_academic_year_of_a_day_runs_from_september() -> None:
    assert academic_year_of(date(2026, 8, 31)) == "2025-26"
    assert academic_year_of(date(2026, 9, 1)) == "2026-27"
    assert academic_year_of(date(2027, 7, 22)) == "2026-27"
    assert academic_year_of(date(2099, 12, 1)) == "2099-00"


# -- saying closures in plain words ----------------------------------------------------------


def test_plain_runs_join_weekdays_across_weekends_and_split_on_a_new_reason() -> None:
    closures = [
        Closure(date(2026, 10, 23), "training_day", "Training day"),  # Friday
        *(
            Closure(d, "holiday", "Autumn half term")
            for d in _weekdays(date(2026, 10, 26), date(2026, 10, 30))
        ),
        Closure(date(2026, 11, 2), "closure", "Polling day"),
        Closure(date(2026, 12, 21), "holiday", "Christmas holidays"),
        Closure(date(2026, 12, 22), "holiday", "Christmas holidays"),
        Closure(date(2027, 1, 4), "holiday", "Christmas holidays"),
    ]

    assert plain_runs(reversed(closures)) == [
        "Friday 23 October 2026: Training day",
        "Monday 26 October 2026 to Friday 30 October 2026: Autumn half term (holiday, 5 days)",
        "Monday 2 November 2026: Polling day (closure)",
        "Monday 21 December 2026 to Tuesday 22 December 2026: Christmas holidays (holiday, 2 days)",
        "Monday 4 January 2027: Christmas holidays (holiday)",
    ]


def test_describe_years_heads_each_year_with_its_school_days() -> None:
    result = parse_term_dates(SHIPPED.read_bytes())
    assert result.term_dates is not None

    lines = describe_years(result.term_dates.years[1].closures)

    assert lines[0] == "academic year 2026-27: 190 school days; closed on 71 weekdays:"
    assert lines[1:4] == [
        "  Tuesday 1 September 2026: Summer holidays (holiday)",
        "  Wednesday 2 September 2026: Training day",
        "  Monday 26 October 2026 to Friday 30 October 2026: Autumn half term (holiday, 5 days)",
    ]
    assert "  Monday 3 May 2027: Early May bank holiday (bank holiday)" in lines
    assert lines[-1] == (
        "  Friday 23 July 2027 to Tuesday 31 August 2027: Summer holidays (holiday, 28 days)"
    )


# -- inputs that must never raise ---------------------------------------------------------------

ODD_INPUTS: dict[str, bytes | str] = {
    "deeply nested lists": "- " + "[" * 3000 + "]" * 3000 + "\n",
    "a number": "2026\n",
    "a list of numbers": "- 1\n- 2\n",
    "terms of numbers": "academic_year: 2026-27\nterms: [1, 2]\n",
    "term of lists": "academic_year: 2026-27\nterms:\n  - [a, b]\n",
    "dates as lists": "academic_year: 2026-27\nterms:\n  - name: A\n    starts: [1]\n"
    "    ends: {a: 1}\n",
    "name as a section": "academic_year: 2026-27\nterms:\n  - name: {a: 1}\n"
    "    starts: 2026-09-01\n    ends: 2026-12-01\n",
    "year as a list": "academic_year: [2026, 27]\nterms: []\n",
    "training days as a list of lists": "academic_year: 2026-27\nterms: []\n"
    "training_days: [[2026-09-02]]\n",
    "training days as one section": "academic_year: 2026-27\nterms: []\n"
    "training_days: {date: 2026-09-05}\n",
    "UTF-16 file": "academic_year: 2026-27\n".encode("utf-16"),
    "merge key": "a: &x\n  b: 1\nacademic_year:\n  <<: *x\n",
    "python tag": "!!python/object/apply:os.system ['echo hi']\n",
    "year 0": "academic_year: 0000-01\nterms: []\n",
    "year 9999": "academic_year: 9999-00\nterms: []\n",
    "huge day": "academic_year: 2026-27\nterms: []\ntraining_days: [2026-09-99999]\n",
}


@pytest.mark.parametrize("data", ODD_INPUTS.values(), ids=list(ODD_INPUTS))
def test_odd_input_never_raises(data: bytes | str) -> None:
    result = parse_term_dates(data)

    assert result.problems
    for problem in result.problems:
        assert problem.line >= 1 and problem.column >= 1
        assert problem.message and "\n" not in problem.message


# -- the reference for officers ------------------------------------------------------------------

DOCS = ROOT / "docs" / "term-dates.md"


def test_the_first_example_in_the_docs_is_valid_and_uses_every_key() -> None:
    text = DOCS.read_text(encoding="utf-8")
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    example = example.split("\n\n- academic_year: 2027-28", 1)[0] + "\n"

    result = parse_term_dates(example)

    assert result.problems == []
    assert result.term_dates is not None
    for key in (
        "academic_year:",
        "terms:",
        "name:",
        "starts:",
        "ends:",
        "half_term:",
        "training_days:",
        "bank_holidays:",
        "closures:",
        "date:",
    ):
        assert key in example, key
    closed = {c.day: c for c in result.term_dates.closures()}
    assert closed[date(2027, 2, 15)].name == "February half term"
    assert closed[date(2027, 5, 6)].name == "Polling day"


def test_a_six_term_year_names_its_short_gaps_as_half_terms() -> None:
    text = """\
academic_year: 2026-27
terms:
  - {name: Autumn 1, starts: 2026-09-02, ends: 2026-10-23}
  - {name: Autumn 2, starts: 2026-11-02, ends: 2026-12-18}
  - {name: Spring 1, starts: 2027-01-04, ends: 2027-02-12}
  - {name: Spring 2, starts: 2027-02-22, ends: 2027-03-25}
  - {name: Summer 1, starts: 2027-04-12, ends: 2027-05-28}
  - {name: Summer 2, starts: 2027-06-07, ends: 2027-07-22}
"""
    result = parse_term_dates(text)

    assert result.term_dates is not None
    names = [line.split(": ", 1)[1] for line in plain_runs(result.term_dates.closures())]
    assert names == [
        "Summer holidays (holiday)",
        "October half term (holiday, 5 days)",
        "Christmas holidays (holiday, 10 days)",
        "February half term (holiday, 5 days)",
        "Easter holidays (holiday, 11 days)",
        "May half term (holiday, 5 days)",
        "Summer holidays (holiday, 28 days)",
    ]
    # the shipped 2026-27 terms: 190 days for pupils + 5 training days + the May bank holiday
    assert result.term_dates.years[0].school_days == 196
