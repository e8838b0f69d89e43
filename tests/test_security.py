"""Security headers on every response; the app refuses to start in production with the
development secret; behind a trusted proxy, the forwarded scheme and address count."""

from __future__ import annotations

import re
import sys

import pytest
from flask import Flask
from flask.testing import FlaskClient

from panelflow import cli, create_app
from panelflow.accounts.views import client_address
from panelflow.db import Database


@pytest.mark.parametrize("path", ["/sign-in", "/no-such-page", "/assets/panelflow.css"])
def test_every_response_carries_the_security_headers(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    response.close()  # a static file's response holds the file open until closed

    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in response.headers  # only over HTTPS


def test_the_one_inline_script_carries_the_pages_nonce(client: FlaskClient) -> None:
    response = client.get("/sign-in")

    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])
    assert nonce is not None
    page = response.get_data(as_text=True)
    scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page)
    assert scripts and all(f'nonce="{nonce.group(1)}"' in s for s in scripts)


def test_https_responses_ask_browsers_to_stay_on_https(client: FlaskClient) -> None:
    response = client.get("/sign-in", base_url="https://panelflow.example")

    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_behind_a_trusted_proxy_the_forwarded_scheme_and_address_count(
    monkeypatch: pytest.MonkeyPatch, db: Database
) -> None:
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    direct = create_app({"DATABASE_URL": db.url, "TESTING": True}).test_client()
    monkeypatch.setenv("PANELFLOW_TRUSTED_PROXIES", "1")
    behind = create_app({"DATABASE_URL": db.url, "TESTING": True})
    behind.add_url_rule("/address-seen", "address_seen", client_address)

    assert "Strict-Transport-Security" not in direct.get("/sign-in", headers=forwarded).headers
    client = behind.test_client()
    assert "Strict-Transport-Security" in client.get("/sign-in", headers=forwarded).headers
    assert client.get("/address-seen", headers=forwarded).get_data(as_text=True) == "203.0.113.9"
    assert client.get("/address-seen").get_data(as_text=True) == "127.0.0.1"


@pytest.mark.parametrize("value", ["one", "-1", "1.5"])
def test_a_setting_that_is_not_a_whole_number_is_named_plainly(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    monkeypatch.setenv("PANELFLOW_TRUSTED_PROXIES", value)
    monkeypatch.setattr(sys, "argv", ["panelflow", "workflows", "list"])

    with pytest.raises(SystemExit) as exited:
        cli.run()

    assert exited.value.code == 2
    assert capsys.readouterr().err == (
        "panelflow cannot start: PANELFLOW_TRUSTED_PROXIES must be a whole number, "
        f"like 0; it is '{value}'\n"
    )


def test_the_session_cookie_is_httponly_and_samesite(client: FlaskClient) -> None:
    client.get("/sign-in")

    cookie = client.get_cookie("panelflow")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"


def test_production_refuses_the_development_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANELFLOW_ENV", "production")
    monkeypatch.delenv("PANELFLOW_SECRET_KEY", raising=False)

    with pytest.raises(RuntimeError, match="PANELFLOW_SECRET_KEY must be set"):
        create_app()


def test_production_cookies_are_secure(monkeypatch: pytest.MonkeyPatch, app: Flask) -> None:
    monkeypatch.setenv("PANELFLOW_ENV", "production")
    monkeypatch.setenv("PANELFLOW_SECRET_KEY", "x" * 48)
    production = create_app({"DATABASE_URL": app.config["DATABASE_URL"]})
    try:
        assert production.config["SESSION_COOKIE_SECURE"] is True
        assert production.config["SESSION_COOKIE_NAME"].startswith("__Host-")
    finally:
        production.extensions["panelflow.db"].dispose()
