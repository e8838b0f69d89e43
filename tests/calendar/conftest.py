"""A panel on a local authority with term dates for 2030-31 (far enough ahead that every date
is still to come whenever the tests run), its chair, members and people around it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from panelflow.accounts.models import User
from panelflow.accounts.operations import actor_for
from panelflow.db import Database
from panelflow.panels.models import Meeting, Panel, PanelMember, PanelSchool
from panelflow.roles import Actor, cli_actor
from panelflow.terms.dates import parse_term_dates
from panelflow.terms.operations import load_term_dates
from tests.factories import make_account, make_local_authority, make_school

# Autumn half term 28 October to 1 November 2030; February half term 17 to 21 February 2031.
TERM_DATES = """\
- academic_year: 2030-31
  terms:
    - name: Autumn term
      starts: 2030-09-02
      ends: 2030-12-20
      half_term: {starts: 2030-10-28, ends: 2030-11-01}
    - name: Spring term
      starts: 2031-01-06
      ends: 2031-04-04
      half_term: {starts: 2031-02-17, ends: 2031-02-21}
    - name: Summer term
      starts: 2031-04-22
      ends: 2031-07-22
      half_term: {starts: 2031-05-26, ends: 2031-05-30}
  training_days:
    - 2030-09-02
  bank_holidays:
    - date: 2031-05-05
      name: Early May bank holiday
"""


@dataclass
class World:
    panel_id: int
    chair: int  # panel chair at the school, the panel's chair
    ewo: int  # a standing member from the attendance service
    teacher: int  # school staff at the school: sees the panel, is not a member
    stranger: int  # a chair at another school: does not see the panel
    disabled_member: int  # a member whose account is disabled: never emailed

    def actor(self, session: Session, user_id: int) -> Actor:
        user = session.get(User, user_id)
        assert user is not None
        return actor_for(user)

    def panel(self, session: Session) -> Panel:
        panel = session.get(Panel, self.panel_id)
        assert panel is not None
        return panel


def load_test_term_dates(session: Session, local_authority_id: int) -> None:
    result = parse_term_dates(TERM_DATES)
    assert result.ok and result.term_dates is not None, result.problems
    load_term_dates(session, local_authority_id, result.term_dates, cli_actor("Olive Officer"))


@pytest.fixture
def world(session: Session) -> World:
    authority = make_local_authority(session)
    load_test_term_dates(session, authority.id)
    school = make_school(session, "Birkenhead Park Primary", local_authority=authority)
    other = make_school(session, "Rock Ferry High", local_authority=authority)
    panel = Panel(name="Birkenhead Park attendance panel", local_authority_id=authority.id)
    session.add(panel)
    session.flush()
    session.add(PanelSchool(panel_id=panel.id, school_id=school.id))
    chair = make_account(
        session, "panel_chair", email="priya@school.example", name="Priya Shah", school=school
    )
    ewo = make_account(session, "ewo", email="erin@council.example", name="Erin Walsh")
    teacher = make_account(
        session, "school_staff", email="tom@school.example", name="Tom Birch", school=school
    )
    stranger = make_account(
        session, "panel_chair", email="rhian@school.example", name="Rhian Evans", school=other
    )
    gone = make_account(
        session, "camhs_practitioner", email="gone@nhs.example", name="Ex Member", active=False
    )
    for user, is_chair in ((chair, True), (ewo, False), (gone, False)):
        session.add(PanelMember(panel_id=panel.id, user_id=user.id, is_chair=is_chair))
    session.commit()
    return World(panel.id, chair.id, ewo.id, teacher.id, stranger.id, gone.id)


def meetings(db: Database, panel_id: int) -> list[Meeting]:
    """The panel's meetings in date order, read in a short-lived session."""
    with db.sessions() as s:
        found = list(
            s.scalars(
                select(Meeting)
                .where(Meeting.panel_id == panel_id)
                .order_by(Meeting.starts_at, Meeting.id)
            )
        )
        s.expunge_all()
        return found


def at(text: str) -> datetime:
    """An aware datetime from ISO text with its offset, e.g. '2030-10-10T16:00+01:00'."""
    moment = datetime.fromisoformat(text)
    assert moment.tzinfo is not None
    return moment
