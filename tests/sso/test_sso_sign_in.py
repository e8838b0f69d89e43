"""Steps for single sign-on, end to end against the real provider running on loopback.

The app under test is served by Flask's test client (its URLs are ``http://localhost/...``);
the person's side at the provider (login form, consent) is played by the harness over HTTP,
and the app itself talks to the provider's token, keys and userinfo endpoints for real.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from panelflow.accounts import sso
from panelflow.audit.models import AuditRecord
from tests.factories import make_account
from tests.sso.harness import OIDCProvider, TamperProxy

scenarios("accounts/sso.feature")

CALLBACK = "http://localhost/sign-in/sso/callback"


@pytest.fixture
def world() -> dict[str, Any]:
    return {}


@given(parsers.parse('{name} has a panelflow account for "{email}"'))
def account(session: Session, name: str, email: str) -> None:
    make_account(session, "ewo", email=email, name=name)
    session.commit()


@given("single sign-on is set up with the council's provider")
def set_up(app: Flask, oidc_provider: OIDCProvider, world: dict[str, Any]) -> None:
    client = oidc_provider.register_client(CALLBACK)
    sso.configure(app, oidc_provider.metadata_url, client.client_id, client.client_secret)
    world["client"] = client


@given(parsers.parse("the answers from the provider are tampered with: {mode}"))
def tampered(
    app: Flask,
    oidc_provider: OIDCProvider,
    make_tamper_proxy: Any,
    world: dict[str, Any],
    mode: str,
) -> None:
    proxy: TamperProxy = make_tamper_proxy(oidc_provider, mode=mode)
    client = world["client"]
    sso.configure(app, proxy.metadata_url, client.client_id, client.client_secret)


def _sign_in_at_provider(
    client: FlaskClient, provider: OIDCProvider, login: str, start: str = "/sign-in/sso"
) -> TestResponse:
    to_provider = client.get(start)
    assert to_provider.status_code == 302, to_provider.get_data(as_text=True)[:300]
    back = provider.sign_in(to_provider.headers["Location"], login)
    assert back.startswith(CALLBACK), back
    parts = urlsplit(back)
    return client.get(f"{parts.path}?{parts.query}")


@when("Alice signs in with her council account")
def alice_signs_in(client: FlaskClient, oidc_provider: OIDCProvider, world: dict[str, Any]) -> None:
    world["response"] = _sign_in_at_provider(client, oidc_provider, "alice")


@when("Carol, whose council account has no panelflow account, signs in with it")
def carol_signs_in(client: FlaskClient, oidc_provider: OIDCProvider, world: dict[str, Any]) -> None:
    world["response"] = _sign_in_at_provider(client, oidc_provider, "carol")


@when("Bob, whose council email is not verified, signs in with his council account")
def bob_signs_in(client: FlaskClient, oidc_provider: OIDCProvider, world: dict[str, Any]) -> None:
    world["response"] = _sign_in_at_provider(client, oidc_provider, "bob")


@when(parsers.parse('Alice asks for "{path}", then signs in with her council account'))
def asks_first(
    client: FlaskClient, oidc_provider: OIDCProvider, world: dict[str, Any], path: str
) -> None:
    sent = client.get(path)
    target = sent.headers["Location"].split("next=", 1)[1]
    world["response"] = _sign_in_at_provider(
        client, oidc_provider, "alice", start=f"/sign-in/sso?next={target}"
    )


@when("someone starts to sign in with their council account")
def starts(client: FlaskClient, world: dict[str, Any]) -> None:
    world["response"] = client.get("/sign-in/sso")


@then(parsers.parse('she is signed in to panelflow as "{email}"'))
def signed_in_as(client: FlaskClient, world: dict[str, Any], email: str) -> None:
    assert world["response"].status_code == 302
    assert world["response"].headers["Location"] == "/"
    page = client.get("/account")
    assert page.status_code == 200 and email in page.get_data(as_text=True)


@then(parsers.parse('she is on "{path}"'))
def on(world: dict[str, Any], path: str) -> None:
    assert world["response"].headers["Location"] == path


@then(parsers.parse('she sees "{text}"'))
def sees(world: dict[str, Any], text: str) -> None:
    response: TestResponse = world["response"]
    assert response.status_code in (400, 403)
    assert text in response.get_data(as_text=True)


@then("nobody is signed in")
def nobody(client: FlaskClient) -> None:
    assert client.get("/account").status_code == 302


@then("they are sent to the council's sign-in page with an S256 code challenge")
def pkce(oidc_provider: OIDCProvider, world: dict[str, Any]) -> None:
    location = world["response"].headers["Location"]
    assert location.startswith(oidc_provider.authorization_endpoint)
    query = parse_qs(urlsplit(location).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert query["scope"] == ["openid email profile"] and "nonce" in query


@then("the audit trail records that she signed in with single sign-on")
def audit_sso(session: Session) -> None:
    record = session.scalars(
        select(AuditRecord).where(AuditRecord.action == "account.sign_in")
    ).one()
    assert record.details["method"] == "sso"


@then("the audit trail records a refused single sign-on")
def audit_refused(session: Session) -> None:
    assert session.scalars(
        select(AuditRecord.action).where(AuditRecord.action == "account.sso_refused")
    ).all()
