"""The "may need a conversation" list below the page: what counts as just crossing a
threshold, and the list's statements staying the same for 3 suggested pupils or 60 (the way
``tests/test_query_counts.py`` checks the other long pages)."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy.orm import Session

from bench.pages_bench import measure
from panelflow.attendance.figures import pupil_figures
from panelflow.attendance.suggestions import conversations, reasons
from panelflow.catalogue.models import WorkflowVersion
from panelflow.organisations.models import School
from panelflow.roles import Actor
from tests.attendance.weeks import add_weeks
from tests.factories import Auth, make_account, make_local_authority, make_pupil, make_school

CROSSING = [9, 9, 9, 10, 9, 9, 9, 8]  # 10% missed with the eighth week, 8.6% before it


def kinds(session: Session, pupil_id: int) -> list[str]:
    figures = pupil_figures(session, pupil_id)
    assert figures is not None
    return [reason.kind for reason in reasons(figures)]


def test_a_first_period_alone_is_not_a_crossing(session: Session) -> None:
    pupil = make_pupil(session)
    add_weeks(session, pupil, [(10, 2)])
    assert kinds(session, pupil.id) == []


def test_a_crossing_counts_only_with_the_schools_latest_week(session: Session) -> None:
    school = make_school(session)
    stopped = make_pupil(session, school, given_name="Bea")
    add_weeks(session, stopped, [(10, n) for n in CROSSING])
    assert kinds(session, stopped.id) == ["persistent"]
    later = make_pupil(session, school, given_name="Cal")
    add_weeks(session, later, [(10, 10)] * 10)  # the school has imported two weeks more
    assert kinds(session, stopped.id) == []


def test_already_absent_before_is_not_suggested_again(session: Session) -> None:
    pupil = make_pupil(session)
    add_weeks(session, pupil, [(10, 8)] * 7 + [(10, 7)])
    assert kinds(session, pupil.id) == []


def test_severe_and_falling_fast_together(session: Session) -> None:
    pupil = make_pupil(session)
    add_weeks(session, pupil, [(10, 6)] * 4 + [(10, 5), (10, 4), (10, 3), (10, 2)])
    assert kinds(session, pupil.id) == ["severe", "falling"]


def _roll(session: Session, school: School, start: int, count: int) -> None:
    for n in range(start, start + count):
        pupil = make_pupil(session, school, given_name=f"Pupil{n:03d}", family_name="Example")
        add_weeks(session, pupil, [(10, k) for k in CROSSING])
        steady = make_pupil(session, school, given_name=f"Steady{n:03d}", family_name="Example")
        add_weeks(session, steady, [(10, 10)] * 8)
    session.commit()


def test_the_list_sends_as_many_statements_for_60_pupils_as_for_3(
    app: Flask, session: Session, published: WorkflowVersion
) -> None:
    wirral = make_local_authority(session)
    school = make_school(session, "Rock Ferry High", local_authority=wirral)
    lead = make_account(session, "attendance_lead", school=school, local_authority=wirral)
    _roll(session, school, 0, 3)
    client = app.test_client()
    Auth(client).sign_in_as(lead)
    engine = app.extensions["panelflow.db"].engine

    measure(client, engine, "/attendance/conversations", "x")  # caches warmed, as in service
    few = measure(client, engine, "/attendance/conversations", r'id="pupil-\d+"')
    _roll(session, school, 3, 57)
    many = measure(client, engine, "/attendance/conversations", r'id="pupil-\d+"')
    assert (few.rows, many.rows) == (3, 50)  # one page of 50
    assert many.statements == few.statements, (few, many)
    page = client.get("/attendance/conversations?page=2").get_data(as_text=True)
    assert len(re.findall(r'id="pupil-\d+"', page)) == 10
    assert "Steady" not in page


def test_a_person_who_sees_no_pupils_sees_no_schools(session: Session) -> None:
    make_pupil(session)
    outsider = Actor("test:camhs", "Carla", frozenset({"camhs_practitioner"}), "camhs")
    found = conversations(session, outsider)
    assert (found.schools, found.school, found.rows) == ([], None, [])
