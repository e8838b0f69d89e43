"""The attendance upload forms. Only the CSRF token and plain values travel through WTForms;
the views read each field and show every problem beside it."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, FileField, HiddenField


class UploadForm(FlaskForm):
    file = FileField()


class ColumnsForm(FlaskForm):
    """The choices arrive as ``column-<key>`` fields, one per value an import reads."""


class ImportForm(FlaskForm):
    clean_rows_only = HiddenField()  # "yes" for "import only the clean rows"
    confirm = BooleanField()
