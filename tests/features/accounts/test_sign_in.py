"""Steps for signing in: real pages, real CSRF tokens, real password hashes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from panelflow.accounts.models import SignInAttempt, User
from panelflow.audit.models import AuditRecord
from panelflow.db import utcnow
from tests.factories import Auth, csrf_token, make_account

scenarios("accounts/sign_in.feature")

ADDRESS = "127.0.0.1"  # the Flask test client's address


@pytest.fixture
def world() -> dict[str, Any]:
    return {}


def signed_in(client: FlaskClient) -> bool:
    return client.get("/account").status_code == 200


def actions(session: Session) -> list[str]:
    session.expire_all()
    return list(session.scalars(select(AuditRecord.action).order_by(AuditRecord.seq)))


@given("Priya, a panel chair, has an account", target_fixture="priya")
def priya(session: Session) -> User:
    user = make_account(
        session, "panel_chair", email="priya.shah@council.example", name="Priya Shah"
    )
    session.commit()
    return user


@given("Priya's account has been disabled")
def disabled(session: Session, priya: User) -> None:
    priya.active = False
    session.commit()


def _failures(session: Session, email: str, address: str, count: int, ago: timedelta) -> None:
    at = utcnow() - ago
    for n in range(count):
        session.add(
            SignInAttempt(
                at=at + timedelta(seconds=n), email=email, address=address, succeeded=False
            )
        )
    session.commit()


@given(parsers.parse("{count:d} failed attempts to sign in as Priya in the last 10 minutes"))
def recent_failures(session: Session, priya: User, count: int) -> None:
    _failures(session, priya.email, "192.0.2.7", count, timedelta(minutes=10))


@given(parsers.parse("{count:d} failed attempts to sign in as Priya {minutes:d} minutes ago"))
def old_failures(session: Session, priya: User, count: int, minutes: int) -> None:
    _failures(session, priya.email, "192.0.2.7", count, timedelta(minutes=minutes))


@given(
    parsers.parse(
        "{count:d} failed attempts to sign in as other people from Priya's "
        "network in the last 10 minutes"
    )
)
def network_failures(session: Session, count: int) -> None:
    for n in range(count):
        _failures(session, f"guess{n}@council.example", ADDRESS, 1, timedelta(minutes=10))


@given("Priya has opened the sign-in page")
def opened(client: FlaskClient, world: dict[str, Any]) -> None:
    client.get("/sign-in")
    world["before"] = client.get_cookie("panelflow").value  # type: ignore[union-attr]


@given("Priya is signed in")
def is_signed_in(auth: Auth, priya: User) -> None:
    auth.sign_in_as(priya)


@given("Priya is signed in on her laptop and on a shared computer")
def two_devices(app: Flask, auth: Auth, priya: User, world: dict[str, Any]) -> None:
    auth.sign_in_as(priya)
    shared = app.test_client()
    Auth(shared).sign_in_as(priya)
    world["shared"] = shared


@when("Priya signs in with her password")
def sign_in_right(auth: Auth, priya: User, world: dict[str, Any]) -> None:
    world["response"] = auth.sign_in(priya.email)


@when(parsers.parse('Priya signs in with the password "{password}"'))
def sign_in_wrong(auth: Auth, priya: User, password: str, world: dict[str, Any]) -> None:
    world["response"] = auth.sign_in(priya.email, password)


@when(parsers.parse('"{email}" signs in with the password "{password}"'))
def stranger(auth: Auth, email: str, password: str, world: dict[str, Any]) -> None:
    world["response"] = auth.sign_in(email, password)


@when(parsers.parse('Priya signs in with her password and a return address of "{target}"'))
def sign_in_next(auth: Auth, priya: User, target: str, world: dict[str, Any]) -> None:
    world["response"] = auth.sign_in(priya.email, next=target)


@when(parsers.parse('Priya asks for "{path}" before signing in'))
def asks_first(client: FlaskClient, path: str, world: dict[str, Any]) -> None:
    world["response"] = client.get(path)


@when("she comes back after 31 minutes without doing anything")
def idle(client: FlaskClient, world: dict[str, Any]) -> None:
    with client.session_transaction() as cookie:
        cookie["seen_at"] = (utcnow() - timedelta(minutes=31)).isoformat()
    world["response"] = client.get("/workflows")


@when("she is still working 11 hours after signing in")
def long_day(client: FlaskClient, world: dict[str, Any]) -> None:
    with client.session_transaction() as cookie:
        cookie["signed_in_at"] = (utcnow() - timedelta(hours=11)).isoformat()
    world["response"] = client.get("/workflows")


@when("she signs out")
def sign_out(auth: Auth, world: dict[str, Any]) -> None:
    world["response"] = auth.sign_out()


@when("she signs out everywhere from her laptop")
def everywhere(client: FlaskClient, world: dict[str, Any]) -> None:
    token = csrf_token(client.get("/account"))
    world["response"] = client.post("/account/sign-out-everywhere", data={"csrf_token": token})


@when("a form is sent to sign her out without its security token")
def no_token(client: FlaskClient, world: dict[str, Any]) -> None:
    world["response"] = client.post("/sign-out", data={})


@then("she is signed in and sees the home page")
def home(client: FlaskClient, world: dict[str, Any]) -> None:
    response: TestResponse = world["response"]
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert signed_in(client)


@then(parsers.parse('she is told "{message}"'))
def told(world: dict[str, Any], message: str) -> None:
    response: TestResponse = world["response"]
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


@then("she is not signed in")
def not_signed_in(client: FlaskClient) -> None:
    assert not signed_in(client)


@then("she is still signed in")
def still_signed_in(client: FlaskClient) -> None:
    assert signed_in(client)


@then("the audit trail records that she signed in with a password")
def audit_sign_in(session: Session, priya: User) -> None:
    record = session.scalars(
        select(AuditRecord).where(AuditRecord.action == "account.sign_in")
    ).one()
    assert record.actor_id == f"user:{priya.id}" and record.details["method"] == "password"


@then("the audit trail records a failed sign-in")
def audit_failed(session: Session) -> None:
    assert actions(session) == ["account.sign_in_failed"]


@then("the audit trail records a locked sign-in")
def audit_locked(session: Session) -> None:
    assert actions(session) == ["account.sign_in_locked"]


@then("the audit trail records that she signed out everywhere")
def audit_everywhere(session: Session) -> None:
    assert actions(session)[-1] == "account.sign_out_everywhere"


@then("the session she had before signing in is not the one she has now")
def new_session(client: FlaskClient, world: dict[str, Any]) -> None:
    assert world["response"].status_code == 302
    after = client.get_cookie("panelflow").value  # type: ignore[union-attr]
    assert after != world["before"]
    # The old cookie, replayed, is not signed in.
    other = client.application.test_client()
    other.set_cookie("panelflow", world["before"])
    assert other.get("/account").status_code == 302


@then("she is sent to sign in")
def sent_to_sign_in(world: dict[str, Any]) -> None:
    response: TestResponse = world["response"]
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")


@then(parsers.parse('after signing in she is on "{path}"'))
def back_again(auth: Auth, priya: User, world: dict[str, Any], path: str) -> None:
    location = world["response"].headers["Location"]
    target = location.split("next=", 1)[1]
    response = auth.sign_in(priya.email, next=target)
    assert response.headers["Location"] == path


@then(parsers.parse('she is sent to sign in with the message "{message}"'))
def sent_with_message(client: FlaskClient, world: dict[str, Any], message: str) -> None:
    response: TestResponse = world["response"]
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert message in page


@then("the shared computer is no longer signed in")
def shared_out(world: dict[str, Any]) -> None:
    assert world["shared"].get("/account").status_code == 302


@then(parsers.parse('it is refused with "{message}"'))
def refused(world: dict[str, Any], message: str) -> None:
    response: TestResponse = world["response"]
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
