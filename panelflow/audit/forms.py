"""The audit trail's search form (sent by GET, so a search can be bookmarked) and the button
that checks the chain (POST, with a CSRF token).

The search asks only for ids, an action and dates, so no personal data reaches the query
string, the browser history or the server's access log. Every message names the field in
words, as the GOV.UK error summary needs.
"""

from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import ValidationError

from panelflow.audit.operations import Filters
from panelflow.forms import FilterForm, GovDateField

# A person is their account number ("12") or an actor id without a name in it ("user:12",
# "system:timer"); a CLI officer's id carries their name, so it cannot be searched from here.
PERSON = re.compile(
    r"^(?:(?:user:)?(?P<account>\d{1,18})|(?P<system>system:[a-z_]{1,40}))$", re.ASCII
)
NUMBER = re.compile(r"^\d{1,18}$", re.ASCII)


class SearchForm(FilterForm):
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
        return query | self.date_query(self.date_from, self.date_to)


class VerifyForm(FlaskForm):
    """The button that checks the chain: CSRF only."""

    submit = SubmitField("Check the audit trail", widget=GovSubmitInput())
