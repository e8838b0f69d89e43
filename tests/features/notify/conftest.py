"""Fixtures for the notification features: a real SMTP server on loopback, the link base
address emails use, and no mail settings leaking in from the environment the tests run in."""

from __future__ import annotations

import os

import pytest

from tests.smtp import make_smtp_server, smtp_server

__all__ = ["make_smtp_server", "smtp_server"]

BASE_URL = "https://panels.wirral.example.gov.uk"


@pytest.fixture(autouse=True)
def _mail_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("PANELFLOW_SMTP_") or name == "PANELFLOW_MAIL_FROM":
            monkeypatch.delenv(name)
    monkeypatch.setenv("PANELFLOW_BASE_URL", BASE_URL)
