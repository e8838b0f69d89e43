"""Setting up a browser test's records in the live server's database, and filling in the
GOV.UK date input as a person does."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from playwright.sync_api import Page
from sqlalchemy import select
from sqlalchemy.orm import Session

from panelflow.catalogue.models import WorkflowVersion
from panelflow.catalogue.operations import live_version, publish
from panelflow.db import Database
from panelflow.organisations.models import LocalAuthority, School
from panelflow.roles import cli_actor
from tests.factories import DEFAULT_SCHOOL, make_local_authority, make_pupil, make_school

if TYPE_CHECKING:
    from tests.browser.conftest import LiveServer


def database(live_server: LiveServer) -> Database:
    found: Database = live_server.app.extensions["panelflow.db"]
    return found


def published(session: Session, workflows_text: str) -> WorkflowVersion:
    """The shipped workflows, published once."""
    if live_version(session) is None:
        result = publish(session, workflows_text, "config/workflows.yaml", cli_actor("Wendy"))
        assert result.ok, result.problems
    version = live_version(session)
    assert version is not None
    return version


def home_school(session: Session, la: LocalAuthority | None = None) -> School:
    """The school where ``sign_in`` puts school staff (the first of its name)."""
    school = session.scalars(
        select(School).where(School.name == DEFAULT_SCHOOL).order_by(School.id)
    ).first()
    return school or make_school(session, DEFAULT_SCHOOL, la or make_local_authority(session))


def home_pupil(
    live_server: LiveServer, workflows_text: str, given_name: str, family_name: str
) -> int:
    """The shipped workflows published, and a pupil at the school the people signing in
    work at; the pupil's id."""
    with database(live_server).sessions() as session:
        published(session, workflows_text)
        pupil = make_pupil(
            session, home_school(session), given_name=given_name, family_name=family_name
        )
        session.commit()
        return pupil.id


def fill_boxes(page: Page, legend: str, day: str, month: str, year: str) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").fill(month)
    group.get_by_label("Year").fill(year)


def fill_date(page: Page, legend: str, when: date) -> None:
    fill_boxes(page, legend, str(when.day), str(when.month), str(when.year))
