"""Security headers on every response; the app refuses to start in production with the
development secret."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from panelflow import create_app


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
