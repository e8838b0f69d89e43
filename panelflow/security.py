"""Web security applied to every response: CSRF, headers, cookies.

- CSRF: Flask-WTF's CSRFProtect checks every POST, PUT, PATCH and DELETE.
- Content-Security-Policy: scripts and styles only from this site; the one inline script
  the GOV.UK template writes carries a per-request nonce. Framing is denied.
- HSTS when the request came over HTTPS.
- Session cookie: HttpOnly, SameSite=Lax, Secure in production.
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, g, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError, CSRFProtect

csrf = CSRFProtect()


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    nonce: str = g.csp_nonce
    return nonce


def _headers(response: Response) -> Response:
    nonce = g.get("csp_nonce")
    script = "'self'" + (f" 'nonce-{nonce}'" if nonce else "")
    response.headers.setdefault(
        "Content-Security-Policy",
        f"default-src 'self'; script-src {script}; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'",
    )
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        response.headers.setdefault(
            "Strict-Transport-Security", "max-age=63072000; includeSubDomains"
        )
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    production = app.config["PANELFLOW_ENV"] == "production"
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=production,
        SESSION_COOKIE_NAME="__Host-panelflow" if production else "panelflow",
        REMEMBER_COOKIE_DURATION=0,
    )
    csrf.init_app(app)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(_headers)

    @app.errorhandler(CSRFError)
    def _csrf_failed(error: CSRFError) -> ResponseReturnValue:
        from flask import render_template

        return render_template("errors/csrf.html", reason=error.description), 400
