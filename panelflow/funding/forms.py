"""The funding forms. Only the CSRF token and plain text travel through WTForms; the views
read each field, parse money and dates, and show every problem beside its field."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField


class ProposeForm(FlaskForm):
    item = StringField()
    amount = StringField()
    provider = StringField()
    starts_on = StringField()
    ends_on = StringField()
    description = TextAreaField()
    override_reason = TextAreaField()
    meeting_id = HiddenField()


class StepForm(FlaskForm):
    """Approve, decline, withdraw, or record spend on a decision."""

    text = TextAreaField()
    amount = StringField()
    on = StringField()


class BudgetForm(FlaskForm):
    panel_id = StringField()
    label = StringField()
    starts_on = StringField()
    ends_on = StringField()
    amount = StringField()


class ProgrammeForm(FlaskForm):
    name = StringField()
    provider = StringField()
    description = TextAreaField()


class CohortForm(FlaskForm):
    programme_id = StringField()
    panel_id = StringField()
    label = StringField()
    starts_on = StringField()
    session_count = StringField()
    places = StringField()


class PlaceForm(FlaskForm):
    source = StringField()  # "decision:<id>" (a place it pays for) or "case:<id>" (unfunded)


class RegisterForm(FlaskForm):
    """The marks arrive as ``place-<id>`` fields, one per pupil on the register."""

    what = HiddenField()  # "register" or "details"
    held_on = StringField()
    topic = StringField()


class LeaveForm(FlaskForm):
    """A pupil leaving a cohort (the date and why), or removing a place given by mistake."""

    what = HiddenField()  # "leave", "rejoin" (undo a leaving) or "remove"
    left_on = StringField()
    left_reason = TextAreaField()
