"""What the web-level feature steps share.

The app and the steps use separate database sessions: ``read`` and ``scalars`` open a
short-lived one, so on SQLite no transaction of the test holds the write lock while the app
writes. ``text`` is a page's words without its markup, as a person reads them.
"""

from __future__ import annotations

import html
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from panelflow.db import Database
from panelflow.organisations.models import School
from tests.factories import make_local_authority, make_school


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
