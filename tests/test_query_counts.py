"""SQL statements per page stay the same as pupils and cases grow: 10 cases, then 1,000.

The world is the one ``bench/pages_bench.py`` times: one school's panel, ten pupils taken
through the product's operations (nominated, discussed at last month's meeting with barriers
and actions for CAMHS, the youth service, a named EWO and the school, actions accepted,
completed, declined and progressed, two back for review, three newly nominated), and every
other case a copy of one of them, written in bulk with new ids. It is built at each size in
turn, the people sign in through the real pages, and each page is requested once to warm up
and once more while a listener on the app's engine counts the statements sent.

A page that loads something per pupil, per case or per action shows here as more statements
at 1,000 cases than at 10. So does a ``selectinload`` over more than 500 parents, which
SQLAlchemy sends 500 keys at a time.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from bench.pages_bench import (
    PAGES,
    Measured,
    People,
    Place,
    World,
    build,
    measure,
    start_next_meeting,
)
from panelflow import create_app
from panelflow.accounts.models import User
from panelflow.audit.operations import ChainReport, verify
from panelflow.db import Database
from panelflow.panels.meeting_views import ACTIONS_PAGE, NAV_AROUND
from panelflow.panels.views import AGENDA_PAGE
from tests.factories import Auth, make_account

SMALL, LARGE = 10, 1_000


def _people(session: Session, place: Place) -> People:
    def account(name: str, *roles: str) -> User:
        return make_account(
            session,
            *roles,
            name=name,
            email=f"{name.split()[0].lower()}@counts.example",
            school=place.school,
            local_authority=place.local_authority,
        )

    return People(
        chair=account("Priya Chair", "panel_chair", "attendance_lead"),
        staff=account("Tom Staff", "school_staff"),
        camhs=account("Carla Camhs", "camhs_practitioner"),
        youth=account("Yusuf Youth", "youth_worker"),
        ewo=account("Evan Welfare", "ewo"),
    )


def _measure(database: Database, world: World) -> dict[str, Measured]:
    app = create_app({"DATABASE_URL": database.url, "TESTING": True})
    try:
        engine = app.extensions["panelflow.db"].engine
        clients = {"chair": app.test_client(), "camhs": app.test_client()}
        for who, email in (("chair", world.chair_email), ("camhs", world.camhs_email)):
            assert Auth(clients[who]).sign_in(email).status_code == 302
        found = {}
        for page in PAGES:
            if page.under_way and world.review_item_id is None:
                world = start_next_meeting(database, world)
            client, path = clients[page.who], page.path(world)
            measure(client, engine, path, page.shows)  # caches warmed, as in service
            found[page.name] = measure(client, engine, path, page.shows)
        return found
    finally:
        app.extensions["panelflow.db"].dispose()


@pytest.fixture(scope="module")
def measured(database: Database) -> Iterator[dict[int, dict[str, Measured] | ChainReport]]:
    """Each page measured at 10 and at 1,000 cases, and the audit chain at 1,000."""
    from tests.conftest import empty_database

    found: dict[int, dict[str, Measured] | ChainReport] = {}
    try:
        for size in (SMALL, LARGE):
            world = build(database, size, _people)
            if size == LARGE:
                with database.sessions() as session:
                    found[0] = verify(session)
            found[size] = _measure(database, world)
            empty_database(database)
    finally:
        empty_database(database)
    yield found


def _at(measured: dict[int, object], size: int, page: str) -> Measured:
    pages = measured[size]
    assert isinstance(pages, dict)
    found = pages[page]
    assert isinstance(found, Measured)
    return found


@pytest.mark.parametrize("page", [p.name for p in PAGES])
def test_statements_per_page_do_not_grow_with_cases(measured: dict[int, object], page: str) -> None:
    small, large = _at(measured, SMALL, page), _at(measured, LARGE, page)
    assert 0 < small.rows < large.rows, "the page shows more at 1,000 cases"
    # A full page may need fewer statements than a short one (the agenda's held rows fill
    # it, so the waiting cases are not asked for), never more.
    assert large.statements <= small.statements, (
        f"{page}: {small.statements} SQL statements at {SMALL} cases, {large.statements} at {LARGE}"
    )


def test_long_lists_show_a_page_at_a_time(measured: dict[int, object]) -> None:
    assert _at(measured, SMALL, "agenda").rows == SMALL
    assert _at(measured, LARGE, "agenda").rows == AGENDA_PAGE
    assert _at(measured, LARGE, "agenda, meeting under way").rows == AGENDA_PAGE
    assert _at(measured, LARGE, "panel actions").rows == ACTIONS_PAGE
    # Meeting mode lists the pupils either side of the one discussed, not the whole agenda.
    assert _at(measured, LARGE, "meeting mode").rows <= 2 * NAV_AROUND + 1


def test_the_copies_extend_the_audit_chain_as_log_does(measured: dict[int, object]) -> None:
    report = measured[0]
    assert isinstance(report, ChainReport)
    assert report.intact, report
    assert report.checked > LARGE
