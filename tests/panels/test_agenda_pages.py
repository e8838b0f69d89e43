"""A long agenda, a panel's many actions and a long inbox, a page at a time: the page says
where it is, links to the others, keeps its numbering, and a pupil moved by the chair is
shown on the page it moved to."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient

from panelflow.accounts.operations import actor_for
from panelflow.actions.operations import create_action
from panelflow.actions.views import INBOX_PAGE
from panelflow.cases.models import Case
from panelflow.catalogue.models import WorkflowVersion
from panelflow.db import Database, utcnow
from panelflow.panels.meeting_views import ACTIONS_PAGE
from panelflow.panels.models import Meeting, Panel, PanelSchool
from panelflow.panels.operations import nominate
from panelflow.panels.views import AGENDA_PAGE
from tests.factories import (
    Auth,
    csrf_token,
    make_account,
    make_local_authority,
    make_pupil,
    make_school,
)
from tests.features.panels.conftest import text

PUPILS = AGENDA_PAGE + 7
ROW = re.compile(r'id="case-(\d+)"')


@pytest.fixture
def world(db: Database, published: WorkflowVersion) -> tuple[int, list[int]]:
    """A panel whose next meeting has more pupils waiting than fit on a page."""
    with db.transaction() as session:
        school = make_school(session, "Birkenhead Park Primary", make_local_authority(session))
        chair = make_account(session, "panel_chair", email="priya@park.example", school=school)
        panel = Panel(name="Park panel", local_authority_id=school.local_authority_id)
        session.add(panel)
        session.flush()
        session.add(PanelSchool(panel_id=panel.id, school_id=school.id))
        meeting = Meeting(panel_id=panel.id, starts_at=utcnow() + timedelta(days=3))
        session.add(meeting)
        began = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
        cases: list[Case] = []
        for n in range(PUPILS):
            pupil = make_pupil(session, school, given_name=f"Pupil{n:03d}", family_name="Test")
            cases.append(
                nominate(
                    session, actor_for(chair), pupil, "Late.", now=began + timedelta(minutes=n)
                ).case
            )
        for n in range(ACTIONS_PAGE + 3):
            create_action(
                session,
                cases[n % PUPILS],
                actor_for(chair),
                title=f"Call home {n}",
                agency="school",
            )
        session.flush()
        return meeting.id, [c.id for c in cases]


def test_the_agenda_shows_a_page_at_a_time_and_keeps_its_numbering(
    client: FlaskClient, world: tuple[int, list[int]]
) -> None:
    meeting_id, cases = world
    assert Auth(client).sign_in("priya@park.example").status_code == 302

    first = client.get(f"/meetings/{meeting_id}")
    second = client.get(f"/meetings/{meeting_id}?page=2")
    beyond = client.get(f"/meetings/{meeting_id}?page=99")

    assert [int(c) for c in ROW.findall(first.get_data(as_text=True))] == cases[:AGENDA_PAGE]
    assert f"Pupils 1 to {AGENDA_PAGE} of {PUPILS}." in text(first)
    assert f'href="/meetings/{meeting_id}?page=2"' in first.get_data(as_text=True)
    page_two = second.get_data(as_text=True)
    assert [int(c) for c in ROW.findall(page_two)] == cases[AGENDA_PAGE:]
    assert f'start="{AGENDA_PAGE + 1}"' in page_two
    assert f"Pupils {AGENDA_PAGE + 1} to {PUPILS} of {PUPILS}." in text(second)
    assert ROW.findall(beyond.get_data(as_text=True)) == ROW.findall(page_two)  # the last page


def test_a_pupil_moved_across_pages_is_shown_where_it_went(
    client: FlaskClient, world: tuple[int, list[int]]
) -> None:
    meeting_id, cases = world
    assert Auth(client).sign_in("priya@park.example").status_code == 302
    moving = cases[AGENDA_PAGE]  # first on page 2
    page = client.get(f"/meetings/{meeting_id}?page=2")

    moved = client.post(
        f"/meetings/{meeting_id}/agenda/{moving}/up", data={"csrf_token": csrf_token(page)}
    )

    assert moved.status_code == 302
    assert moved.headers["Location"] == f"/meetings/{meeting_id}#case-{moving}"
    rows = [
        int(c) for c in ROW.findall(client.get(f"/meetings/{meeting_id}").get_data(as_text=True))
    ]
    assert rows[-1] == moving and cases[AGENDA_PAGE - 1] not in rows
    back = client.post(
        f"/meetings/{meeting_id}/agenda/{moving}/down", data={"csrf_token": csrf_token(page)}
    )
    assert back.headers["Location"] == f"/meetings/{meeting_id}?page=2#case-{moving}"


def test_the_panels_actions_come_a_page_at_a_time_with_counts_of_all(
    client: FlaskClient, world: tuple[int, list[int]], db: Database
) -> None:
    meeting_id, _ = world
    with db.sessions() as session:
        panel_id = session.get(Meeting, meeting_id).panel_id  # type: ignore[union-attr]
    assert Auth(client).sign_in("priya@park.example").status_code == 302

    first = client.get(f"/panels/{panel_id}/actions")
    second = client.get(f"/panels/{panel_id}/actions?page=2")
    odd = client.get(f"/panels/{panel_id}/actions?status=nonsense")

    links = re.compile(r'href="/actions/(\d+)"')
    on_first = links.findall(first.get_data(as_text=True))
    on_second = links.findall(second.get_data(as_text=True))
    assert len(on_first) == ACTIONS_PAGE and len(on_second) == 3
    assert not set(on_first) & set(on_second)
    assert f"Waiting to be accepted ({ACTIONS_PAGE + 3})" in text(first)
    assert f"Actions 1 to {ACTIONS_PAGE} of {ACTIONS_PAGE + 3}, by owner." in text(first)
    assert odd.status_code == 200 and len(links.findall(odd.get_data(as_text=True))) == ACTIONS_PAGE


def test_the_inbox_shows_the_soonest_due_and_pages_through_the_rest(
    client: FlaskClient, world: tuple[int, list[int]]
) -> None:
    assert Auth(client).sign_in("priya@park.example").status_code == 302
    links = re.compile(r'href="/actions/(\d+)"')
    total = ACTIONS_PAGE + 3

    inbox = client.get("/actions")
    pages = [client.get(f"/actions?group=open&page={n}") for n in (1, 2, 3)]
    other = client.get("/actions?group=nonsense")

    assert len(links.findall(inbox.get_data(as_text=True))) == INBOX_PAGE
    assert f"The {INBOX_PAGE} due soonest are shown. See all {total}" in text(inbox)
    assert 'href="/actions?group=open"' in inbox.get_data(as_text=True)
    seen = [links.findall(p.get_data(as_text=True)) for p in pages]
    assert [len(s) for s in seen] == [INBOX_PAGE, INBOX_PAGE, 3]
    assert len({a for s in seen for a in s}) == total  # every action once
    assert f"Actions {2 * INBOX_PAGE + 1} to {total} of {total}." in text(pages[2])
    assert links.findall(other.get_data(as_text=True)) == links.findall(
        inbox.get_data(as_text=True)
    )
