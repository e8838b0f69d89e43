"""Request plumbing shared by every blueprint: one database session per request."""

from __future__ import annotations

from flask import Flask, current_app, g, redirect, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from panelflow.db import Database


def init_app(app: Flask, database: Database) -> None:
    app.extensions["panelflow.db"] = database

    @app.get("/favicon.ico")
    def favicon() -> ResponseReturnValue:
        # Browsers ask for it at the root whatever the page says (e.g. when showing an SVG).
        return redirect(url_for("static", filename="images/favicon.ico"), code=301)

    @app.teardown_appcontext
    def _close_session(exc: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            if exc is not None:
                session.rollback()
            session.close()


def database() -> Database:
    db: Database = current_app.extensions["panelflow.db"]
    return db


def session() -> Session:
    """The request's session; views commit it once, after the operation succeeded."""
    if "db_session" not in g:
        g.db_session = database().sessions()
    current: Session = g.db_session
    return current
