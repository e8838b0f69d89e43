"""Small factories for the objects tests need; each flushes so ids exist."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from panelflow.organisations.models import Pupil, School
from panelflow.roles import Actor


def make_school(session: Session, name: str = "Birkenhead Park Primary") -> School:
    school = School(name=name)
    session.add(school)
    session.flush()
    return school


def make_pupil(session: Session, school: School | None = None, **attributes: object) -> Pupil:
    school = school or make_school(session)
    values: dict[str, object] = {
        "given_name": "Alex",
        "family_name": "Taylor",
        "date_of_birth": date(2015, 5, 4),
        "year_group": 5,
    }
    values.update(attributes)
    pupil = Pupil(school_id=school.id, **values)
    session.add(pupil)
    session.flush()
    return pupil


def person(name: str, *roles: str, agency: str = "school") -> Actor:
    return Actor(f"test:{name}", name, frozenset(roles), agency)
