"""Configuration from the environment; nothing secret has a usable default in production."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

DEV_SECRET = "panelflow-development-only-secret"


def default_database_url(instance_path: str) -> str:
    return f"sqlite:///{Path(instance_path) / 'panelflow.db'}"


def _oidc_metadata_url() -> str:
    """The provider's discovery document, given directly or derived from its issuer."""
    url = os.environ.get("PANELFLOW_OIDC_METADATA_URL", "")
    issuer = os.environ.get("PANELFLOW_OIDC_ISSUER", "")
    if not url and issuer:
        url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    return url


DEFAULT_BASE_URL = "http://127.0.0.1:5000"


def base_url() -> str:
    """Where people reach panelflow (``PANELFLOW_BASE_URL``), for the links in emails."""
    return os.environ.get("PANELFLOW_BASE_URL", "").strip().rstrip("/") or DEFAULT_BASE_URL


class ConfigError(RuntimeError):
    """A setting in the environment that panelflow cannot start with; says which and why."""


def whole_number(name: str, default: int) -> int:
    """A setting that must be a whole number; a clear message, not a traceback, if not."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise ConfigError(f"{name} must be a whole number, like {default}; it is '{text}'")
    return value


def from_environment(instance_path: str) -> dict[str, Any]:
    return {
        "BASE_URL": base_url(),
        "SECRET_KEY": os.environ.get("PANELFLOW_SECRET_KEY", DEV_SECRET),
        "DATABASE_URL": os.environ.get("DATABASE_URL") or default_database_url(instance_path),
        "PANELFLOW_ENV": os.environ.get("PANELFLOW_ENV", "development"),
        "IDLE_MINUTES": whole_number("PANELFLOW_IDLE_MINUTES", 30),
        "ABSOLUTE_HOURS": whole_number("PANELFLOW_ABSOLUTE_HOURS", 10),
        # Reverse proxies (load balancer, nginx) in front of panelflow whose X-Forwarded-For,
        # -Proto, -Host and -Port headers are believed: 0 believes none.
        "TRUSTED_PROXIES": whole_number("PANELFLOW_TRUSTED_PROXIES", 0),
        "DEMO_MODE": os.environ.get("PANELFLOW_DEMO") == "1",
        "OIDC_METADATA_URL": _oidc_metadata_url(),
        "OIDC_CLIENT_ID": os.environ.get("PANELFLOW_OIDC_CLIENT_ID", ""),
        "OIDC_CLIENT_SECRET": os.environ.get("PANELFLOW_OIDC_CLIENT_SECRET", ""),
        # The largest request body accepted: an attendance file uploaded in the browser.
        "MAX_CONTENT_LENGTH": whole_number("PANELFLOW_MAX_UPLOAD_MB", 50) * 1024 * 1024,
    }
