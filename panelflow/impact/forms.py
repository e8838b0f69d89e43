"""The impact pages' filters, sent by GET so a report can be bookmarked and shared.

Only dates and numbers of weeks: no personal data reaches the address, the browser history
or the server's access log. Every mistake gets a plain message naming the field, for the
GOV.UK error summary.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import StringField
from wtforms.validators import ValidationError

from panelflow.forms import FilterForm, GovDateField
from panelflow.impact.barriers import BarrierFilters
from panelflow.impact.measures import Filters
from panelflow.impact.windows import DEFAULT_WEEKS, MAX_WEEKS

WHOLE = re.compile(r"^\d{1,3}$", re.ASCII)
DEFAULT_DAYS = 365  # without dates, a report covers the last year
FIRST_YEAR, LAST_YEAR = 1990, 2099


def _weeks(field: StringField, what: str) -> None:
    text = (field.data or "").strip()
    if not text:
        return
    if not WHOLE.match(text) or not 1 <= int(text) <= MAX_WEEKS:
        raise ValidationError(
            f"{what} must be a whole number of school weeks from 1 to {MAX_WEEKS}, like 6"
        )


def _sensible(field: GovDateField) -> None:
    if field.data is not None and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        field.part_in_error = "year"
        raise ValidationError(
            f"{field.label.text} must be in a year from {FIRST_YEAR} to {LAST_YEAR}"
        )


class PeriodForm(FilterForm):
    date_from = GovDateField("Date from", description="For example, 1 9 2025")
    date_to = GovDateField("Date to", description="For example, 31 8 2026")

    def validate_date_from(self, field: GovDateField) -> None:
        _sensible(field)

    def validate_date_to(self, field: GovDateField) -> None:
        _sensible(field)
        start = self.date_from.data
        if start is not None and field.data is not None and field.data < start:
            raise ValidationError("Date to must be the same as or after date from")

    def period(self, today: date) -> tuple[date, date]:
        """The dates chosen: without a "to", up to today; without a "from", a year before."""
        ends = self.date_to.data or today
        starts = self.date_from.data or ends - timedelta(days=DEFAULT_DAYS)
        return starts, max(starts, ends)

    def query(self) -> dict[str, Any]:
        """The query string that repeats these filters (for the chart and the downloads)."""
        return dict(self.date_query(self.date_from, self.date_to))

    def barrier_filters(self, today: date) -> BarrierFilters:
        return BarrierFilters(*self.period(today))


class ReportForm(PeriodForm):
    before_weeks = StringField(
        "School weeks before",
        description=f"How many school weeks to measure before it starts; {DEFAULT_WEEKS} if empty",
        widget=GovTextInput(),
    )
    after_weeks = StringField(
        "School weeks after",
        description=f"How many school weeks to measure after it ends; {DEFAULT_WEEKS} if empty",
        widget=GovTextInput(),
    )

    def validate_before_weeks(self, field: StringField) -> None:
        _weeks(field, "School weeks before")

    def validate_after_weeks(self, field: StringField) -> None:
        _weeks(field, "School weeks after")

    def filters(self, today: date) -> Filters:
        """The validated filters (call after ``validate()`` succeeded)."""
        starts, ends = self.period(today)
        before = (self.before_weeks.data or "").strip()
        after = (self.after_weeks.data or "").strip()
        return Filters(
            starts,
            ends,
            int(before) if before else DEFAULT_WEEKS,
            int(after) if after else DEFAULT_WEEKS,
        )

    def query(self) -> dict[str, Any]:
        query = super().query()
        for field in (self.before_weeks, self.after_weeks):
            value = (field.data or "").strip()
            if value:
                query[field.name] = value
        return query
