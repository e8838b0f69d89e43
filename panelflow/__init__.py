"""panelflow: multi-agency panel and referral workflow engine for school attendance."""

from __future__ import annotations

import os
from importlib import import_module
from typing import Any

from flask import Flask
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from panelflow import config as config_module
from panelflow.db import Database

__all__ = ["create_app"]


# The modules whose ``bp`` blueprint serves the pages, one or two per domain (accounts
# registers its own, with the sign-in machinery).
BLUEPRINTS = (
    "panelflow.catalogue.views",
    "panelflow.audit.views",
    "panelflow.admin.views",
    "panelflow.cases.views",
    "panelflow.cases.worklist_views",
    "panelflow.cases.due_views",
    "panelflow.panels.views",
    "panelflow.panels.meeting_views",
    "panelflow.panels.calendar_views",
    "panelflow.actions.views",
    "panelflow.actions.agree_views",
    "panelflow.funding.views",
    "panelflow.plans.views",
    "panelflow.signoffs.views",
    "panelflow.sharing.views",
    "panelflow.virtual_school.views",
    "panelflow.impact.views",
    "panelflow.attendance.watch_views",
    "panelflow.attendance.views",
    "panelflow.subject_access.views",
)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the web application (the Flask tutorial's factory shape)."""
    app = Flask(__name__, instance_relative_config=True, static_url_path="/assets")
    app.config.from_mapping(config_module.from_environment(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    if proxies := app.config["TRUSTED_PROXIES"]:
        # The client's address (sign-in throttling, the audit trail) and whether the request
        # came over HTTPS (HSTS, links in emails) as the proxies saw them.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )

    if app.config["PANELFLOW_ENV"] == "production" and (
        app.config["SECRET_KEY"] == config_module.DEV_SECRET
    ):
        raise config_module.ConfigError(
            "PANELFLOW_SECRET_KEY must be set to a long random value in production"
        )

    app.jinja_loader = ChoiceLoader(
        [
            PackageLoader("panelflow"),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )

    from panelflow import errors, presentation, security, web
    from panelflow.accounts import views as accounts

    web.init_app(app, Database(app.config["DATABASE_URL"]))
    errors.register(app)
    security.init_app(app)
    presentation.init_app(app)
    WTFormsHelpers(app)
    accounts.init_app(app)

    from panelflow.roles.views import init_app as roles_init_app

    roles_init_app(app)
    for module in BLUEPRINTS:
        app.register_blueprint(import_module(module).bp)
    return app
