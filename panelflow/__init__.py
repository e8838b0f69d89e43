"""panelflow: multi-agency panel and referral workflow engine for school attendance."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from panelflow import config as config_module
from panelflow.db import Database

__all__ = ["create_app"]


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

    from panelflow.actions.views import bp as actions_bp
    from panelflow.admin.views import bp as admin_bp
    from panelflow.audit.views import bp as audit_bp
    from panelflow.cases.views import bp as cases_bp
    from panelflow.catalogue.views import bp as catalogue_bp
    from panelflow.panels.meeting_views import bp as meetings_bp
    from panelflow.panels.views import bp as panels_bp
    from panelflow.roles.views import init_app as roles_init_app

    roles_init_app(app)
    app.register_blueprint(catalogue_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(cases_bp)
    app.register_blueprint(panels_bp)
    app.register_blueprint(meetings_bp)
    app.register_blueprint(actions_bp)
    from panelflow.actions.agree_views import bp as case_actions_bp

    app.register_blueprint(case_actions_bp)
    from panelflow.cases.worklist_views import bp as worklist_bp

    app.register_blueprint(worklist_bp)
    from panelflow.funding.views import bp as funding_bp

    app.register_blueprint(funding_bp)
    from panelflow.panels.calendar_views import bp as calendar_bp

    app.register_blueprint(calendar_bp)
    from panelflow.signoffs.views import bp as signoffs_bp

    app.register_blueprint(signoffs_bp)
    from panelflow.cases.due_views import bp as due_bp

    app.register_blueprint(due_bp)
    from panelflow.sharing.views import bp as sharing_bp

    app.register_blueprint(sharing_bp)
    from panelflow.virtual_school.views import bp as virtual_school_bp

    app.register_blueprint(virtual_school_bp)
    from panelflow.plans.views import bp as plans_bp

    app.register_blueprint(plans_bp)
    return app
