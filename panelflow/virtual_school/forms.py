"""The virtual school's forms. Only the CSRF token and plain text travel through WTForms;
``panelflow.forms.boxed_date`` and ``typed_percentage`` read what people type, and the views
show each problem beside its field (a date's problem on its first box, as GOV.UK asks)."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

_PERCENT = re.compile(r"^(\d{1,3})\s*%?$")


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
