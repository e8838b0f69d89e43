"""Where the windows sit, in school weeks on the authority's term dates."""

from __future__ import annotations

from datetime import date, timedelta

from panelflow.impact.windows import Windows, windows_for
from panelflow.workflows.durations import WEEKDAYS, SchoolCalendar


def test_six_school_weeks_either_side_leave_out_the_weeks_it_starts_and_ends_in() -> None:
    # Starts on a Wednesday, ends on a Tuesday five weeks later.
    found = windows_for(WEEKDAYS, date(2025, 3, 5), date(2025, 4, 8))
    assert found == Windows(
        before_from=date(2025, 1, 20),  # six Mondays back from the week of 3 March
        before_to=date(2025, 3, 2),  # the Sunday before that week
        after_from=date(2025, 4, 14),  # the Monday after the week of 7 April
        after_to=date(2025, 5, 25),  # the Sunday of the sixth week
    )


def test_a_one_day_purchase_has_windows_either_side_of_its_week() -> None:
    found = windows_for(WEEKDAYS, date(2025, 3, 5), date(2025, 3, 5), 2, 3)
    assert found.before_from == date(2025, 2, 17)
    assert found.before_to == date(2025, 3, 2)
    assert found.after_from == date(2025, 3, 10)
    assert found.after_to == date(2025, 3, 30)


def test_holiday_weeks_are_not_school_weeks() -> None:
    # February half term (17-21 Feb 2025) closed: the before window reaches a week further.
    half_term = [date(2025, 2, 17) + timedelta(days=n) for n in range(5)]
    found = windows_for(SchoolCalendar(half_term), date(2025, 3, 3), date(2025, 3, 3), 6, 1)
    assert found.before_from == date(2025, 1, 13)
    # A week with one school day left is still a school week.
    four_days = SchoolCalendar(half_term[:4])
    assert windows_for(four_days, date(2025, 3, 3), date(2025, 3, 3)).before_from == date(
        2025, 1, 20
    )


def test_the_after_window_skips_a_holiday_after_the_end() -> None:
    easter = [date(2025, 4, 7) + timedelta(days=n) for n in range(12)]  # two weeks
    found = windows_for(SchoolCalendar(easter), date(2025, 3, 3), date(2025, 4, 1), 1, 1)
    assert found.after_from == date(2025, 4, 7)
    assert found.after_to == date(2025, 4, 27)  # the first school week is 21 April


def test_an_end_before_the_start_counts_as_the_start() -> None:
    found = windows_for(WEEKDAYS, date(2025, 3, 5), date(2025, 3, 1), 1, 1)
    assert found.after_from == date(2025, 3, 10)
