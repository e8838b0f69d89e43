"""Small factories for the objects tests need; each flushes so ids exist."""

from __future__ import annotations

import re
import uuid
from datetime import date
from functools import lru_cache
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from panelflow.accounts.models import RoleAssignment, User
from panelflow.accounts.passwords import hash_password
from panelflow.organisations.models import LocalAuthority, Pupil, School
from panelflow.roles import Actor
from panelflow.workflows.validation import validate_text

WORKFLOWS_FILE = Path(__file__).resolve().parent.parent / "config" / "workflows.yaml"


DEFAULT_SCHOOL = "Birkenhead Park Primary"


def make_school(
    session: Session,
    name: str = DEFAULT_SCHOOL,
    local_authority: LocalAuthority | None = None,
) -> School:
    school = School(name=name, local_authority_id=local_authority.id if local_authority else None)
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


# -- accounts ------------------------------------------------------------------------------

PASSWORD = "tangerine-kettle-moor-42"  # meets the password policy


@lru_cache(maxsize=1)
def _shipped_roles() -> dict[str, str]:
    """Role -> agency, as the shipped workflow file declares them."""
    result = validate_text(WORKFLOWS_FILE.read_bytes())
    assert result.definitions is not None
    return {name: role.agency for name, role in result.definitions.roles.items()}


@lru_cache(maxsize=8)
def _hashed(password: str) -> str:
    """Hashing is slow on purpose; tests reuse one hash per password."""
    return hash_password(password)


def make_local_authority(session: Session, name: str = "Wirral Council") -> LocalAuthority:
    found = session.scalars(select(LocalAuthority).where(LocalAuthority.name == name)).first()
    if found is None:
        found = LocalAuthority(name=name)
        session.add(found)
        session.flush()
    return found


def make_account(
    session: Session,
    *roles: str,
    email: str | None = None,
    name: str = "Sam Example",
    school: School | None = None,
    local_authority: LocalAuthority | None = None,
    password: str | None = PASSWORD,
    active: bool = True,
) -> User:
    """An account holding ``roles`` (default: panel chair), created directly so that tests
    need not publish workflows first; agency from the shipped file's roles."""
    roles = roles or ("panel_chair",)
    agency = _shipped_roles()[roles[0]]
    la = local_authority or make_local_authority(session)
    if agency == "school" and school is None:
        # Everyone at school without a school named works at the same one.
        school = session.scalars(
            select(School).where(School.name == DEFAULT_SCHOOL).order_by(School.id)
        ).first() or make_school(session, local_authority=la)
    user = User(
        email=email or f"{roles[0]}.{uuid.uuid4().hex[:8]}@council.example",
        name=name,
        agency=agency,
        local_authority_id=la.id,
        school_id=school.id if school and agency == "school" else None,
        password_hash=_hashed(password) if password else None,
        active=active,
    )
    session.add(user)
    session.flush()
    for role in roles:
        session.add(RoleAssignment(user_id=user.id, role=role, granted_by="tests"))
    session.flush()
    session.refresh(user)
    return user


_TOKEN = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'name="csrf_token" value="([^"]+)"'
)


def csrf_token(page: TestResponse) -> str:
    """The CSRF token of the (first) form on a page."""
    match = _TOKEN.search(page.get_data(as_text=True))
    assert match, "no form with a CSRF token on this page"
    return match.group(1) or match.group(2)


class Auth:
    """Signs in and out through the real pages, CSRF token and all."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def sign_in(self, email: str, password: str = PASSWORD, **data: str) -> TestResponse:
        token = csrf_token(self.client.get("/sign-in"))
        return self.client.post(
            "/sign-in" + (f"?next={data.pop('next')}" if "next" in data else ""),
            data={"csrf_token": token, "email": email, "password": password, **data},
        )

    def sign_in_as(self, user: User) -> TestResponse:
        response = self.sign_in(user.email)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    def sign_out(self) -> TestResponse:
        token = csrf_token(self.client.get("/account"))
        return self.client.post("/sign-out", data={"csrf_token": token})
