"""Words and dates as people read them, for every template: one place, one style.

Moments are stored in UTC and shown in Europe/London time; role and agency names come from
the live workflow file's labels.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, g

from panelflow.workflows.money import format_money

LONDON = ZoneInfo("Europe/London")

PUPIL_FLAG_WORDS = {
    "looked_after": "looked after",
    "previously_looked_after": "previously looked after",
    "has_social_worker": "has a social worker",
    "has_ehcp": "has an EHCP",
    "has_send": "SEND support",
    "free_school_meals": "free school meals",
}


def day(moment: datetime | date | None) -> str:
    """'3 March 2026' (London date of a moment)."""
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        moment = moment.astimezone(LONDON).date()
    return f"{moment.day} {moment:%B %Y}"


def when(moment: datetime | None) -> str:
    """'3 March 2026 at 9:05am' in London time."""
    if moment is None:
        return ""
    local = moment.astimezone(LONDON)
    hour = local.hour % 12 or 12
    return f"{day(local)} at {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


def year_group(number: int) -> str:
    return {-1: "Nursery", 0: "Reception"}.get(number, f"Year {number}")


def pupil_flags(pupil: Any) -> list[str]:
    return [words for name, words in PUPIL_FLAG_WORDS.items() if getattr(pupil, name)]


def _labels() -> tuple[dict[str, str], dict[str, str]]:
    """Role and agency labels of the live workflow version, read once per request."""
    if "labels" not in g:
        from panelflow import web
        from panelflow.catalogue.operations import engine_for, live_version

        live = live_version(web.session())
        roles: dict[str, str] = {}
        agencies: dict[str, str] = {}
        if live is not None:
            definitions = engine_for(live).definitions
            roles = {k: r.label for k, r in definitions.roles.items()}
            agencies = dict(definitions.agencies)
        g.labels = (roles, agencies)
    labels: tuple[dict[str, str], dict[str, str]] = g.labels
    return labels


def role_label(role: str | None) -> str:
    return _labels()[0].get(role or "", (role or "").replace("_", " "))


def agency_label(agency: str) -> str:
    return _labels()[1].get(agency, agency.replace("_", " "))


def action_owner(action: Any) -> str:
    """Who an action is for: a named person, a role, or a whole agency."""
    if action.assigned_user_id is not None and action.assignee is not None:
        return str(action.assignee.name)
    if action.role:
        return role_label(action.role)
    return agency_label(action.agency)


def money(pence: int | None) -> str:
    return "" if pence is None else format_money(pence)


def choice_item(option: str, value: str) -> dict[str, Any]:
    """A radio item for one option of a choice field, checked when it is the value given."""
    return {"value": option, "text": option[:1].upper() + option[1:], "checked": option == value}


def init_app(app: Flask) -> None:
    app.jinja_env.filters["panelflow_choice"] = choice_item
    app.jinja_env.globals.update(
        day=day,
        when=when,
        year_group=year_group,
        pupil_flags=pupil_flags,
        role_label=role_label,
        agency_label=agency_label,
        action_owner=action_owner,
        money=money,
    )
