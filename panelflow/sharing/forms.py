"""Forms for recording a basis for sharing and its withdrawal: CSRF, and the typed text.

The dates come in three boxes each (day, month, year), as the GOV.UK date input has them;
``typed_date`` reads them and says, in plain words, what is wrong with one that is not real.
"""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField


class BasisForm(FlaskForm):
    agency = StringField()
    basis = StringField()
    lawful_basis = TextAreaField()
    purpose = TextAreaField()
    given_by = StringField()
    given_on_day = StringField()
    given_on_month = StringField()
    given_on_year = StringField()
    expires_on_day = StringField()
    expires_on_month = StringField()
    expires_on_year = StringField()


class WithdrawForm(FlaskForm):
    withdrawn_by = StringField()
    how = TextAreaField()
    withdrawn_on_day = StringField()
    withdrawn_on_month = StringField()
    withdrawn_on_year = StringField()


def typed_date(
    form: FlaskForm, prefix: str, what: str, problems: dict[str, str], *, required: bool
) -> date | None:
    """The date typed in ``<prefix>_day``, ``_month`` and ``_year``; a problem if it is not
    a real date (or is missing when ``required``). Empty and not required: None."""
    parts = [(form[f"{prefix}_{part}"].data or "").strip() for part in ("day", "month", "year")]
    if not any(parts):
        if required:
            problems[prefix] = f"Enter {what}, for example 3 9 2026"
        return None
    if not all(p.isdigit() for p in parts) or len(parts[2]) != 4:
        problems[prefix] = f"Enter {what} as numbers for the day, month and year, like 3 9 2026"
        return None
    try:
        return date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        problems[prefix] = f"{what[0].upper()}{what[1:]} must be a real date, like 3 9 2026"
        return None
