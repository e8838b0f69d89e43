"""What the web-level feature steps share.

The app and the steps use separate database sessions: ``read`` and ``scalars`` open a
short-lived one, so on SQLite no transaction of the test holds the write lock while the app
writes. ``text`` is a page's words without its markup, as a person reads them.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from panelflow.accounts.models import User
from panelflow.db import Database
from panelflow.organisations.models import Pupil, School
from panelflow.panels.models import Panel, PanelSchool
from tests.factories import Auth, make_account, make_local_authority, make_pupil, make_school


def read(db: Database, statement: Any) -> list[Any]:
    with db.sessions() as s:
        return list(s.execute(statement).all())


def scalars(db: Database, statement: Any) -> list[Any]:
    with db.sessions() as s:
        return list(s.scalars(statement).all())


def text(page: TestResponse | str) -> str:
    markup = page if isinstance(page, str) else page.get_data(as_text=True)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def school_named(session: Session, name: str) -> School:
    """The school of that name, or a new one in the default local authority."""
    found = session.scalar(select(School).where(School.name == name))
    return found or make_school(session, name, local_authority=make_local_authority(session))


# -- the cast of a scenario, kept in a ``world`` dict ({"users": {}, "pupils": {}, ...}) ---------
def person(
    session: Session,
    world: dict[str, Any],
    name: str,
    role: str,
    *,
    domain: str,
    school: str | None = None,
) -> None:
    """An account for "First Last" in ``role``, known in the world by their first name."""
    first = name.split()[0]
    user = make_account(
        session,
        role,
        name=name,
        email=f"{first.lower()}@{domain}",
        school=school_named(session, school) if school else None,
        local_authority=make_local_authority(session),
    )
    session.commit()
    world["users"][first] = user.id


def pupil_at(session: Session, world: dict[str, Any], name: str, school: str) -> Pupil:
    """A pupil "Given Family" on the school's roll, known in the world by their given name."""
    given_name, family_name = name.split()
    pupil = make_pupil(
        session, school_named(session, school), given_name=given_name, family_name=family_name
    )
    session.commit()
    world["pupils"][given_name] = pupil.id
    return pupil


def signed_in(client: FlaskClient, db: Database, world: dict[str, Any], first: str) -> None:
    """Sign the person in through the sign-in page (signing out whoever was signed in)."""
    if world.get("signed_in"):
        Auth(client).sign_out()
    [(email,)] = read(db, select(User.email).where(User.id == world["users"][first]))
    assert Auth(client).sign_in(email).status_code == 302
    world["signed_in"] = first


def panel_with_budget(session: Session, school: str, amount: str, label: str) -> Panel:
    """A panel for the school with a budget from a month ago to three months ahead, set by
    an LA administrator of another authority (so they meet no one in the story)."""
    from panelflow.accounts.operations import actor_for
    from panelflow.funding.operations import parse_money, set_budget, today

    at = school_named(session, school)
    panel = Panel(name=f"{school} panel", local_authority_id=at.local_authority_id)
    session.add(panel)
    session.flush()
    session.add(PanelSchool(panel_id=panel.id, school_id=at.id))
    treasurer = make_account(
        session, "la_admin", name="Budget Setter", local_authority=make_local_authority(session)
    )
    now = today()
    set_budget(
        session,
        actor_for(treasurer),
        panel_id=panel.id,
        label=label,
        starts_on=now - timedelta(days=30),
        ends_on=now + timedelta(days=90),
        amount_pence=parse_money(amount),
    )
    session.commit()
    return panel
