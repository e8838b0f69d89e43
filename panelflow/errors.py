"""Error pages in the GOV.UK "page not found" / "problem with the service" patterns.

``register(app)`` is called once from ``create_app``. Handlers render plain templates that
need nothing but the request, so they still work when the database or a blueprint is broken.
A 405 (a form posted to a page that only shows) is explained as a problem with the request,
keeping the ``Allow`` header Werkzeug computed. Unhandled exceptions reach the 500 handler
wrapped in ``InternalServerError`` (Flask logs the traceback itself); under ``TESTING`` they
propagate instead.
"""

from __future__ import annotations

from flask import Flask, render_template
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

TEMPLATES = {
    400: "errors/400.html",
    403: "errors/403.html",
    404: "errors/404.html",
    405: "errors/400.html",
    500: "errors/500.html",
}


def _render(error: HTTPException) -> ResponseReturnValue:
    code = error.code or 500
    headers = {k: v for k, v in error.get_headers() if k.lower() == "allow"}
    return render_template(TEMPLATES[code]), code, headers


def register(app: Flask) -> None:
    """Install the error pages for 400, 403, 404, 405 and 500."""
    for code in TEMPLATES:
        app.register_error_handler(code, _render)
