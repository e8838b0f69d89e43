"""Forms for recording a basis for sharing and its withdrawal: CSRF, and the typed text.

The dates come in three boxes each (day, month, year), as the GOV.UK date input has them;
``panelflow.forms.boxed_date`` reads them.
"""

from __future__ import annotations

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
