"""Reading what people type into forms shared by several blueprints.

``boxed_date`` reads a GOV.UK date input: one date typed in three boxes named
``<prefix>_day``, ``<prefix>_month`` and ``<prefix>_year`` (or ``day``, ``month`` and
``year`` for a form with one date), as ``templates/_date_input.html`` draws them. It says in
plain words what is wrong, as the GOV.UK Design System asks: which part is missing, a year of
four numbers, a real date.

``GovDateField`` is the same input as a WTForms field, for forms of filters sent by GET
(``FilterForm``: the audit trail's search, the impact reports), whose error summary links each
message to the box to fix.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import Field

PARTS = ("day", "month", "year")

DIGITS = re.compile(r"^\d{1,4}$", re.ASCII)


def boxed_date(form: FlaskForm, prefix: str, what: str) -> tuple[date | None, str | None]:
    """The date in the boxes, or what is wrong with it (``what`` names the date in the
    message, like "the start date"). All three boxes empty: no date and no problem."""
    names = [f"{prefix}_{part}" if prefix else part for part in PARTS]
    values = [(form[name].data or "").strip() for name in names]
    if not any(values):
        return None, None
    named = what[:1].upper() + what[1:]
    missing = [name for name, value in zip(PARTS, values, strict=True) if not value]
    if missing:
        return None, f"{named} must include a {' and a '.join(missing)}"
    day, month, year = values
    if not all(DIGITS.match(value) for value in values):
        return None, f"{named} must be a real date, for example 3 9 2026"
    if len(year) != 4:
        return None, f"The year in {what} must include 4 numbers"
    try:
        return date(int(year), int(month), int(day)), None
    except ValueError:
        return None, f"{named} must be a real date, for example 3 9 2026"


class GovDateField(Field):
    """Day, month and year boxes (GOV.UK date input) for one optional date.

    govuk-frontend-wtf's widget sends the three boxes under one name. Each mistake gets
    its own message, in the GOV.UK pattern ("Date from must include a month", "Date from
    must be a real date"), instead of WTForms' "Not a valid date value".
    """

    widget = GovDateInput()

    def __init__(self, label: str, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.part_in_error = "day"

    def _value(self) -> str:
        return self.data.strftime("%d %m %Y") if self.data else ""

    def process_formdata(self, valuelist: list[str]) -> None:
        given = [value.strip() for value in valuelist]
        # The widget shows exactly three boxes, whatever was sent.
        self.raw_data = [*given, "", "", ""][:3]
        self.data = None
        parts = dict(zip(PARTS, self.raw_data, strict=True))
        label = self.label.text
        if len(given) > len(PARTS):
            raise ValueError(f"{label} must be a real date")
        if not any(parts.values()):
            return
        missing = [part for part, value in parts.items() if not value]
        if missing:
            self.part_in_error = missing[0]
            raise ValueError(f"{label} must include a {' and a '.join(missing)}")
        not_numbers = [part for part, value in parts.items() if not DIGITS.match(value)]
        if not_numbers:
            self.part_in_error = not_numbers[0]
            raise ValueError(f"{label} must be a real date")
        if len(parts["year"]) != 4:
            self.part_in_error = "year"
            raise ValueError(f"The year in {label.lower()} must include 4 numbers")
        try:
            self.data = date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
        except ValueError:
            raise ValueError(f"{label} must be a real date") from None


class FilterForm(FlaskForm):  # type: ignore[misc]
    """A form of filters sent by GET (a search, a report), so it can be bookmarked: no CSRF
    token, since it changes nothing."""

    class Meta:
        csrf = False

    @staticmethod
    def date_query(*fields: GovDateField) -> dict[str, list[str]]:
        """The query string's part that repeats the dates chosen (three boxes each)."""
        return {
            field.name: [str(field.data.day), str(field.data.month), str(field.data.year)]
            for field in fields
            if field.data is not None
        }

    def error_list(self) -> list[dict[str, str]]:
        """The GOV.UK error summary's list: each message links to the box to fix (for a
        date, the first box in error, as the design system asks)."""
        found = []
        for field in self:
            if field.errors:
                target = field.id
                if isinstance(field, GovDateField):
                    target = f"{field.id}-{field.part_in_error}"
                found.append({"text": field.errors[0], "href": f"#{target}"})
        return found

    def invalid_fields(self) -> list[str]:
        return [field.name for field in self if field.errors]
