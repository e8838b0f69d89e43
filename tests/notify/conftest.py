"""Fixtures for the outbox tests: a real SMTP server on loopback (``tests/smtp.py``), and no
mail settings leaking in from the environment the tests run in."""

from __future__ import annotations

import os

import pytest

from tests.smtp import make_smtp_server, smtp_server

__all__ = ["make_smtp_server", "smtp_server"]


@pytest.fixture(autouse=True)
def _no_mail_settings_from_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("PANELFLOW_SMTP_") or name == "PANELFLOW_MAIL_FROM":
            monkeypatch.delenv(name)
