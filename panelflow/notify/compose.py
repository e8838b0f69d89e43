"""Writing one email: its subject line, its plain-text body from ``templates/email/``, the
link back to the app, and queueing it under its dedupe key. Every kind of email (actions,
due cases, sign-offs, the virtual school) is written through these.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from flask import current_app, has_app_context
from jinja2 import Environment, PackageLoader, StrictUndefined
from sqlalchemy.orm import Session

from panelflow import config
from panelflow.accounts.models import User
from panelflow.notify.outbox import MAX_SUBJECT, queue
from panelflow.presentation import day

logger = logging.getLogger(__name__)

_templates = Environment(
    loader=PackageLoader("panelflow", "templates/email"),
    autoescape=False,  # plain text, never HTML
    undefined=StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
)
_templates.globals["day"] = day


def base_url() -> str:
    """``PANELFLOW_BASE_URL``: the app's setting in a request, the environment elsewhere."""
    if has_app_context():
        configured = current_app.config.get("BASE_URL")
        if configured:
            return str(configured).rstrip("/")
    return config.base_url()


def subject_line(prefix: str, title: str) -> str:
    """One line that fits the outbox's subject column, however the title was typed."""
    subject = f"{prefix}: {' '.join(title.split())}"
    return subject if len(subject) <= MAX_SUBJECT else subject[: MAX_SUBJECT - 1] + "…"


def render(template: str, **values: Any) -> str:
    return _templates.get_template(template).render(**values)


def send(session: Session, user: User, subject: str, body: str, key: str, now: datetime) -> int:
    """Queue one email; 1 if it was added, 0 if its key was already in the outbox.

    An address the outbox cannot use is logged (by account id) and skipped: a notice that
    cannot go must not undo the decision that caused it.
    """
    try:
        queued = queue(session, to=user.email, subject=subject, body=body, dedupe_key=key, now=now)
    except ValueError as error:
        logger.warning("not emailing user %d (%s): %s", user.id, key, error)
        return 0
    return 0 if queued is None else 1
