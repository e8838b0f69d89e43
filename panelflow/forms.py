"""Reading what people type into forms shared by several blueprints.

``boxed_date`` reads a GOV.UK date input: one date typed in three boxes named
``<prefix>_day``, ``<prefix>_month`` and ``<prefix>_year`` (or ``day``, ``month`` and
``year`` for a form with one date), as ``templates/_date_input.html`` draws them. It says in
plain words what is wrong, as the GOV.UK Design System asks: which part is missing, a year of
four numbers, a real date.
"""

from __future__ import annotations

import re
from datetime import date

from flask_wtf import FlaskForm

PARTS = ("day", "month", "year")
_DIGITS = re.compile(r"^\d{1,4}$")


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
    if not all(_DIGITS.match(value) for value in values):
        return None, f"{named} must be a real date, for example 3 9 2026"
    if len(year) != 4:
        return None, f"The year in {what} must include 4 numbers"
    try:
        return date(int(year), int(month), int(day)), None
    except ValueError:
        return None, f"{named} must be a real date, for example 3 9 2026"
