"""Steps for administering accounts: real pages, real CSRF tokens, real audit records.

The app and these steps use separate database sessions. Reads here go through a short-lived
session (``read``) so that, on SQLite, no transaction of the test is left open to hold the
write lock while the app writes.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from panelflow.accounts.models import User
from panelflow.audit.models import AuditRecord
from panelflow.catalogue.models import WorkflowVersion
from panelflow.catalogue.operations import engine_for
from panelflow.db import Database
from panelflow.organisations.models import School
from panelflow.workflows.definitions import WorkflowSet
from tests.factories import PASSWORD, Auth, csrf_token, make_account, make_local_authority

scenarios("admin/users.feature")


@pytest.fixture
def world() -> dict[str, Any]:
    return {}


# -- helpers ------------------------------------------------------------------------------


def read(db: Database, statement: Any) -> list[Any]:
    with db.sessions() as s:
        return list(s.execute(statement).all())


def text(response: TestResponse) -> str:
    return html.unescape(response.get_data(as_text=True))


def table_rows(response: TestResponse) -> list[str]:
    body = text(response)
    return re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', body, flags=re.DOTALL)


def definitions(published: WorkflowVersion) -> WorkflowSet:
    return engine_for(published).definitions


def agency_key(published: WorkflowVersion, label: str) -> str:
    for key, agency in definitions(published).agencies.items():
        if label in (agency, agency.split(" (")[0]):
            return key
    raise AssertionError(f"no agency labelled {label}")


def role_key(published: WorkflowVersion, label: str) -> str:
    for key, role in definitions(published).roles.items():
        if role.label == label:
            return key
    raise AssertionError(f"no role labelled {label}")


def token(client: FlaskClient, path: str) -> str:
    return csrf_token(client.get(path))


# -- given --------------------------------------------------------------------------------


@given("the shipped workflows are published")
def shipped(published: WorkflowVersion) -> None:
    """The ``published`` fixture publishes and commits the shipped workflow file."""


@given("Alice administers accounts for Wirral Council", target_fixture="alice")
def alice(session: Session) -> User:
    user = make_account(
        session,
        "la_admin",
        email="alice.admin@wirral.example",
        name="Alice Admin",
        local_authority=make_local_authority(session, "Wirral Council"),
    )
    session.commit()
    return user


@given(parsers.parse('Wirral Council has a school called "{name}"'))
def school(session: Session, name: str) -> None:
    la = make_local_authority(session, "Wirral Council")
    session.add(School(name=name, local_authority_id=la.id))
    session.commit()


@given(
    "Erin, an educational psychologist, has an account with Wirral Council",
    target_fixture="erin",
)
def erin(session: Session) -> User:
    user = make_account(
        session,
        "educational_psychologist",
        email="erin.hughes@ep.example",
        name="Erin Hughes",
        local_authority=make_local_authority(session, "Wirral Council"),
    )
    session.commit()
    return user


@given("Oscar administers accounts for Sefton Council", target_fixture="oscar")
def oscar(session: Session) -> User:
    user = make_account(
        session,
        "la_admin",
        email="oscar.admin@sefton.example",
        name="Oscar Admin",
        local_authority=make_local_authority(session, "Sefton Council"),
    )
    session.commit()
    return user


@given("Alice is signed in")
def alice_signed_in(client: FlaskClient, alice: User) -> None:
    Auth(client).sign_in_as(alice)


@given("Oscar is signed in")
def oscar_signed_in(client: FlaskClient, oscar: User) -> None:
    Auth(client).sign_in_as(oscar)


@given("Priya, a panel chair, is signed in", target_fixture="priya")
def priya(client: FlaskClient, session: Session) -> User:
    user = make_account(session, "panel_chair", email="priya@school.example", name="Priya Shah")
    session.commit()
    Auth(client).sign_in_as(user)
    return user


@given("Erin is signed in on her own computer")
def erin_elsewhere(app: Flask, erin: User, world: dict[str, Any]) -> None:
    own = app.test_client()
    Auth(own).sign_in_as(erin)
    world["erin_client"] = own


@given("Erin's account has been disabled")
def erin_disabled(session: Session, erin: User) -> None:
    erin.active = False
    session.commit()


# -- when ---------------------------------------------------------------------------------


def _create(
    client: FlaskClient,
    published: WorkflowVersion,
    world: dict[str, Any],
    db: Database,
    *,
    name: str,
    email: str,
    agency: str,
    role: str,
    school: str = "",
    password: str = "",
) -> None:
    school_id = ""
    if school:
        school_id = str(read(db, select(School.id).where(School.name == school))[0][0])
    world["response"] = client.post(
        "/admin/users/new",
        data={
            "csrf_token": token(client, "/admin/users/new"),
            "name": name,
            "email": email,
            "agency": agency_key(published, agency),
            "school": school_id,
            "roles": [role_key(published, role)],
            "password": password,
        },
    )


CREATE = re.compile(
    r'she creates an account for "(?P<name>[^"]+)" at "(?P<email>[^"]+)" working for '
    r'"(?P<agency>[^"]+)" as "(?P<role>[^"]+)"(?P<rest>.*)$'
)


@when(parsers.re(CREATE))
def create_account(
    client: FlaskClient,
    published: WorkflowVersion,
    world: dict[str, Any],
    db: Database,
    name: str,
    email: str,
    agency: str,
    role: str,
    rest: str,
) -> None:
    """The rest of the sentence says what else she fills in: an initial password, a given
    password, a school, or nothing."""
    given = re.fullmatch(r' with the password "(?P<password>[^"]*)"', rest)
    school = re.fullmatch(r' at "(?P<school>[^"]+)"', rest)
    password = PASSWORD if rest == " with an initial password" or school else ""
    if given:
        password = given["password"]
    assert (
        given
        or school
        or rest
        in (" with an initial password", " without a password", " without choosing a school")
    ), rest
    _create(
        client,
        published,
        world,
        db,
        name=name,
        email=email,
        agency=agency,
        role=role,
        school=school["school"] if school else "",
        password=password,
    )


@when(parsers.parse('she searches the users for "{q}"'))
def search(client: FlaskClient, world: dict[str, Any], q: str) -> None:
    world["list"] = client.get("/admin/users", query_string={"q": q})


@when("she lists the users")
def list_users(client: FlaskClient, world: dict[str, Any]) -> None:
    world["list"] = client.get("/admin/users")


def _post(client: FlaskClient, path: str, world: dict[str, Any], **data: str) -> None:
    """POST as the page's form would, with a CSRF token from a page the person can see."""
    page = re.sub(r"(/admin/users/\d+).*", r"\1", path)
    world["response"] = client.post(path, data={"csrf_token": token(client, page), **data})


@when(parsers.parse('she grants Erin the role "{role}"'))
def grant(client: FlaskClient, erin: User, world: dict[str, Any], role: str) -> None:
    _post(client, f"/admin/users/{erin.id}/roles", world, **{"grant-role": role})


@when(parsers.parse('she removes Erin\'s role "{role}"'))
def remove(client: FlaskClient, erin: User, world: dict[str, Any], role: str) -> None:
    _post(client, f"/admin/users/{erin.id}/roles/{role}/remove", world)


@when(parsers.parse('she removes her own role "{role}"'))
def remove_own(client: FlaskClient, alice: User, world: dict[str, Any], role: str) -> None:
    _post(client, f"/admin/users/{alice.id}/roles/{role}/remove", world)


@when("she disables Erin's account")
def disable_erin(client: FlaskClient, erin: User, world: dict[str, Any]) -> None:
    _post(client, f"/admin/users/{erin.id}/disable", world)


@when("she enables Erin's account")
def enable_erin(client: FlaskClient, erin: User, world: dict[str, Any]) -> None:
    _post(client, f"/admin/users/{erin.id}/enable", world)


@when("she disables her own account")
def disable_self(client: FlaskClient, alice: User, world: dict[str, Any]) -> None:
    _post(client, f"/admin/users/{alice.id}/disable", world)


@when(parsers.parse('she sets Erin\'s password to "{password}"'))
def set_erin_password(
    client: FlaskClient, erin: User, world: dict[str, Any], password: str
) -> None:
    _post(client, f"/admin/users/{erin.id}/password", world, **{"reset-password": password})


@when("he asks for Erin's account page")
def oscar_asks(client: FlaskClient, erin: User, world: dict[str, Any]) -> None:
    world["response"] = client.get(f"/admin/users/{erin.id}")


@when("he tries to disable Erin's account")
def oscar_disables(client: FlaskClient, erin: User, world: dict[str, Any]) -> None:
    world["response"] = client.post(
        f"/admin/users/{erin.id}/disable", data={"csrf_token": token(client, "/admin/users")}
    )


@when(parsers.parse('she asks for "{path}"'))
@when(parsers.parse('someone who is not signed in asks for "{path}"'))
def asks(client: FlaskClient, world: dict[str, Any], path: str) -> None:
    world["response"] = client.get(path)


@when("a form to create an account is sent without its security token")
def no_token(client: FlaskClient, published: WorkflowVersion, world: dict[str, Any]) -> None:
    world["response"] = client.post(
        "/admin/users/new",
        data={
            "name": "Chris Doyle",
            "email": "chris.doyle@camhs.example",
            "agency": "camhs",
            "roles": ["camhs_practitioner"],
        },
    )


# -- then ---------------------------------------------------------------------------------


def _followed(client: FlaskClient, world: dict[str, Any]) -> str:
    response: TestResponse = world["response"]
    assert response.status_code == 302, text(response)[:2000]
    location = response.headers["Location"]
    assert re.fullmatch(r"/admin/users/\d+", location), location
    return text(client.get(location))


@then(parsers.parse('she sees the account of {name} with the message "{message}"'))
def sees_account(client: FlaskClient, world: dict[str, Any], name: str, message: str) -> None:
    page = _followed(client, world)
    assert f'<h1 class="govuk-heading-l">{name}</h1>' in page
    assert "govuk-notification-banner--success" in page and message in page


@then(parsers.parse('she sees the message "{message}"'))
def sees_message(client: FlaskClient, world: dict[str, Any], message: str) -> None:
    page = _followed(client, world)
    assert "govuk-notification-banner--success" in page and message in page


@then(
    parsers.parse(
        '{name}\'s account has the email address "{email}", works for "{agency}" and holds "{role}"'
    )
)
def account_is(db: Database, name: str, email: str, agency: str, role: str) -> None:
    with db.sessions() as s:
        user = s.scalars(select(User).where(User.name == name)).one()
        assert (user.email, user.agency, user.roles) == (email, agency, {role})


@then(parsers.parse('the audit trail records "{first}" and "{second}" by Alice'))
def audit_both(db: Database, alice: User, first: str, second: str) -> None:
    actions = [
        row[0]
        for row in read(
            db, select(AuditRecord.action).where(AuditRecord.actor_id == f"user:{alice.id}")
        )
    ]
    assert first in actions and second in actions, actions


@then(parsers.parse('the audit trail records "{action}" for Erin by Alice'))
def audit_for_erin(db: Database, alice: User, erin: User, action: str) -> None:
    records = [
        row[0]
        for row in read(
            db,
            select(AuditRecord).where(
                AuditRecord.action == action, AuditRecord.actor_id == f"user:{alice.id}"
            ),
        )
    ]
    assert [r.details["user"] for r in records] == [erin.id], records


@then(parsers.parse("{name} can sign in with that password"))
def can_sign_in(app: Flask, db: Database, name: str) -> None:
    email = read(db, select(User.email).where(User.name == name))[0][0]
    assert Auth(app.test_client()).sign_in(email).status_code == 302


@then(parsers.parse("{name} cannot sign in with a password"))
def cannot_sign_in_with_password(app: Flask, db: Database, name: str) -> None:
    email = read(db, select(User.email).where(User.name == name))[0][0]
    assert Auth(app.test_client()).sign_in(email).status_code == 400


@then(parsers.parse('the form shows the error "{message}"'))
@then(parsers.parse('the page shows the error "{message}"'))
def shows_error(world: dict[str, Any], message: str) -> None:
    response: TestResponse = world["response"]
    page = text(response)
    assert response.status_code == 400, page[:2000]
    assert "<title>Error: " in page
    assert "There is a problem" in page and message in page


@then(parsers.parse('there is no account for "{who}"'))
def no_account(db: Database, who: str) -> None:
    assert read(db, select(User.id).where(or_(User.email == who, User.name == who))) == []


@then(parsers.parse('the list of users shows "{name}" at "{organisation}"'))
def listed_at(client: FlaskClient, name: str, organisation: str) -> None:
    rows = [r for r in table_rows(client.get("/admin/users")) if f">{name}</a>" in r]
    assert len(rows) == 1 and organisation in rows[0], rows


def _listing(client: FlaskClient, world: dict[str, Any]) -> list[str]:
    response: TestResponse = world.get("list") or client.get("/admin/users")
    assert response.status_code == 200
    return table_rows(response)


@then(parsers.parse('the list of users shows "{name}"'))
def listed(client: FlaskClient, world: dict[str, Any], name: str) -> None:
    assert any(f">{name}</a>" in row for row in _listing(client, world))


@then(parsers.parse('the list of users does not show "{name}"'))
def not_listed(client: FlaskClient, world: dict[str, Any], name: str) -> None:
    assert not any(f">{name}</a>" in row for row in _listing(client, world))


@then(parsers.parse('{name} holds the roles "{roles}"'))
def holds(db: Database, name: str, roles: str) -> None:
    with db.sessions() as s:
        user = s.scalars(select(User).where(User.name.startswith(name + " "))).one()
        assert sorted(user.roles) == [r.strip() for r in roles.split(",")]


@then("Erin's computer is no longer signed in")
def erin_signed_out(world: dict[str, Any]) -> None:
    assert world["erin_client"].get("/account").status_code == 302


@then("Erin cannot sign in")
def erin_cannot(app: Flask, erin: User) -> None:
    assert Auth(app.test_client()).sign_in(erin.email).status_code == 400


@then("Erin can sign in")
def erin_can(app: Flask, erin: User) -> None:
    assert Auth(app.test_client()).sign_in(erin.email).status_code == 302


@then(parsers.parse('Erin can sign in with the password "{password}"'))
def erin_can_with(app: Flask, erin: User, password: str) -> None:
    assert Auth(app.test_client()).sign_in(erin.email, password).status_code == 302


@then("Alice is still signed in")
def alice_still(client: FlaskClient) -> None:
    assert client.get("/account").status_code == 200


@then("Erin's account is still active")
def erin_active(db: Database, erin: User) -> None:
    assert read(db, select(User.active, User.session_epoch).where(User.id == erin.id)) == [
        (True, erin.session_epoch)
    ]


@then("the page is not found")
def not_found(world: dict[str, Any]) -> None:
    assert world["response"].status_code == 404


def _refusals(db: Database, who: User) -> list[AuditRecord]:
    return [
        row[0]
        for row in read(
            db,
            select(AuditRecord).where(
                AuditRecord.action == "access.refused", AuditRecord.actor_id == f"user:{who.id}"
            ),
        )
    ]


@then(
    parsers.parse(
        'the audit trail records that Oscar was refused "{permission}" for Erin\'s account'
    )
)
def oscar_refused(db: Database, oscar: User, erin: User, permission: str) -> None:
    [record] = _refusals(db, oscar)
    assert record.details["permission"] == permission
    assert record.details["user"] == erin.id
    assert record.details["path"] == f"/admin/users/{erin.id}"


@then(parsers.parse('the audit trail records that Priya was refused "{permission}"'))
def priya_refused(db: Database, priya: User, permission: str) -> None:
    [record] = _refusals(db, priya)
    assert (record.details["permission"], record.details["path"]) == (permission, "/admin/users")


@then(parsers.parse('she is refused with "{message}"'))
def forbidden(world: dict[str, Any], message: str) -> None:
    response: TestResponse = world["response"]
    assert response.status_code == 403
    assert message in text(response)


@then(parsers.parse('it is refused with "{message}"'))
def bad_request(world: dict[str, Any], message: str) -> None:
    response: TestResponse = world["response"]
    assert response.status_code == 400
    assert message in text(response)


@then("they are sent to sign in")
def to_sign_in(world: dict[str, Any]) -> None:
    response: TestResponse = world["response"]
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")
    assert "admin" in response.headers["Location"]
