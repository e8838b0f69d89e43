"""The audit trail's search form (sent by GET, so a search can be bookmarked) and the button
that checks the chain (POST, with a CSRF token).

The search asks only for ids, an action and dates, so no personal data reaches the query
string, the browser history or the server's access log. Every message names the field in
words, as the GOV.UK error summary needs.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovDateInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import Field, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import ValidationError

from panelflow.audit.operations import Filters

# A person is their account number ("12") or an actor id without a name in it ("user:12",
# "system:timer"); a CLI officer's id carries their name, so it cannot be searched from here.
PERSON = re.compile(
    r"^(?:(?:user:)?(?P<account>\d{1,18})|(?P<system>system:[a-z_]{1,40}))$", re.ASCII
)
NUMBER = re.compile(r"^\d{1,18}$", re.ASCII)
DIGITS = re.compile(r"^\d{1,4}$", re.ASCII)
PARTS = ("day", "month", "year")


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


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    person = StringField(
        "Person",
        description="Their account number, like 12, or actor id, like user:12",
        widget=GovTextInput(),
    )
    pupil = StringField("Pupil ID", description="For example, 1234", widget=GovTextInput())
    case = StringField("Case ID", description="For example, 567", widget=GovTextInput())
    action = SelectField(
        "Action",
        choices=[SelectChoice("", "Any action")],
        validate_choice=False,
        widget=GovSelect(),
    )
    date_from = GovDateField("Date from", description="For example, 27 3 2026")
    date_to = GovDateField("Date to", description="For example, 31 3 2026")
    # The Search button is in the template, with no name, so it adds nothing to the address.

    def __init__(self, actions: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.known_actions = set(actions)
        self.action.choices = [SelectChoice("", "Any action"), *map(SelectChoice, actions)]

    def validate_person(self, field: StringField) -> None:
        if (field.data or "").strip() and not PERSON.match(field.data.strip()):
            raise ValidationError(
                "Person must be an account number, like 12, or an actor id, like user:12"
            )

    def validate_pupil(self, field: StringField) -> None:
        if (field.data or "").strip() and not NUMBER.match(field.data.strip()):
            raise ValidationError("Pupil ID must be a number, like 1234")

    def validate_case(self, field: StringField) -> None:
        if (field.data or "").strip() and not NUMBER.match(field.data.strip()):
            raise ValidationError("Case ID must be a number, like 567")

    def validate_action(self, field: SelectField) -> None:
        if field.data and field.data not in self.known_actions:
            raise ValidationError("Select an action from the list")

    def validate_date_to(self, field: GovDateField) -> None:
        start = self.date_from.data
        if start is not None and field.data is not None and field.data < start:
            raise ValidationError("Date to must be the same as or after date from")

    def filters(self) -> Filters:
        """The validated filters (call after ``validate()`` succeeded)."""
        person = (self.person.data or "").strip()
        match = PERSON.match(person)
        actor_id = None
        if match:
            actor_id = f"user:{int(match['account'])}" if match["account"] else match["system"]
        pupil = (self.pupil.data or "").strip()
        case = (self.case.data or "").strip()
        return Filters(
            actor_id=actor_id,
            pupil_id=int(pupil) if pupil else None,
            case_id=int(case) if case else None,
            action=self.action.data or None,
            date_from=self.date_from.data,
            date_to=self.date_to.data,
        )

    def query(self) -> dict[str, str | list[str]]:
        """The query string that repeats this search (for pages and the export link)."""
        query: dict[str, str | list[str]] = {}
        for name in ("person", "pupil", "case", "action"):
            value = (getattr(self, name).data or "").strip()
            if value:
                query[name] = value
        for field in (self.date_from, self.date_to):
            if field.data is not None:
                query[field.name] = [
                    str(field.data.day),
                    str(field.data.month),
                    str(field.data.year),
                ]
        return query

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


class VerifyForm(FlaskForm):
    """The button that checks the chain: CSRF only."""

    submit = SubmitField("Check the audit trail", widget=GovSubmitInput())
