"""The subject access page's form: CSRF and the request's reference."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField


class RequestForm(FlaskForm):
    reference = StringField()
