"""The virtual school's forms. Only the CSRF token and plain text travel through WTForms;
``typed_date`` and ``typed_percentage`` read what people type, and the views show each
problem beside its field (a date's problem on its first box, as GOV.UK asks)."""

from __future__ import annotations

import re
from datetime import date

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

PARTS = ("day", "month", "year")
_DIGITS = re.compile(r"^\d{1,4}$")
_PERCENT = re.compile(r"^(\d{1,3})\s*%?$")


class DateParts:
    """The day, month and year boxes of one date, as typed."""

    def __init__(self, form: FlaskForm, prefix: str) -> None:
        self.values = [(getattr(form, f"{prefix}_{part}").data or "").strip() for part in PARTS]

    @property
    def empty(self) -> bool:
        return not any(self.values)


def typed_date(form: FlaskForm, prefix: str, label: str) -> tuple[date | None, str | None]:
    """The date in the boxes ``<prefix>_day``, ``_month`` and ``_year``, or what is wrong."""
    parts = DateParts(form, prefix)
    if parts.empty:
        return None, None
    day, month, year = parts.values
    missing = [name for name, value in zip(PARTS, parts.values, strict=True) if not value]
    if missing:
        return None, f"{label} must include a {' and a '.join(missing)}"
    if not all(_DIGITS.match(value) for value in parts.values):
        return None, f"{label} must be a real date, for example 3 3 2026"
    if len(year) != 4:
        return None, f"The year in {label.lower()} must include 4 numbers"
    try:
        return date(int(year), int(month), int(day)), None
    except ValueError:
        return None, f"{label} must be a real date, for example 3 3 2026"


def typed_percentage(words: str | None) -> int | None:
    """A whole percentage as typed: '95' or '95%'; None if it is not one."""
    match = _PERCENT.match((words or "").strip())
    return int(match.group(1)) if match else None


class StatusForm(FlaskForm):
    kind = StringField()
    started_on_day = StringField()
    started_on_month = StringField()
    started_on_year = StringField()
    ended_on_day = StringField()
    ended_on_month = StringField()
    ended_on_year = StringField()
    note = TextAreaField()


class EndForm(FlaskForm):
    ended_on_day = StringField()
    ended_on_month = StringField()
    ended_on_year = StringField()


class PlanForm(FlaskForm):
    plan_date_day = StringField()
    plan_date_month = StringField()
    plan_date_year = StringField()
    target = StringField()


class FilterForm(FlaskForm):
    """The page's filters, sent by GET (they change nothing and hold no personal data)."""

    class Meta:
        csrf = False

    school = StringField()
    flag = StringField()
