"""Single sign-on for council staff by OpenID Connect (authorization code + PKCE S256).

Configured from the environment (``PANELFLOW_OIDC_METADATA_URL`` or ``PANELFLOW_OIDC_ISSUER``,
``PANELFLOW_OIDC_CLIENT_ID``, ``PANELFLOW_OIDC_CLIENT_SECRET``). Authlib checks the ID token:
signature against the provider's published keys, issuer, audience, nonce and expiry. A
person is signed in only if the verified email matches an account an administrator already
created; there is no self-registration into a children's records system.
"""

from __future__ import annotations

import logging
from typing import Any

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from joserfc.errors import JoseError
from requests import RequestException

from panelflow import web
from panelflow.accounts.operations import sign_in_with_sso

logger = logging.getLogger(__name__)

SCOPE = "openid email profile"


def configure(app: Flask, metadata_url: str, client_id: str, client_secret: str) -> None:
    """Point single sign-on at a provider (from the environment at start-up, or in tests).

    Authlib keeps each client it creates (with the provider's metadata), so every
    configuration registers a client under a new name rather than changing an old one.
    """
    app.config.update(
        OIDC_METADATA_URL=metadata_url, OIDC_CLIENT_ID=client_id, OIDC_CLIENT_SECRET=client_secret
    )
    registry: OAuth = app.extensions["panelflow.oauth"]
    count = app.extensions.get("panelflow.oauth_clients", 0) + 1
    app.extensions["panelflow.oauth_clients"] = count
    name = f"council{count}"
    registry.register(
        name,
        client_id=client_id,
        client_secret=client_secret,
        server_metadata_url=metadata_url,
        client_kwargs={"scope": SCOPE, "code_challenge_method": "S256"},
    )
    app.extensions["panelflow.oauth_client"] = name


def enabled() -> bool:
    return bool(current_app.config.get("OIDC_METADATA_URL"))


def _client() -> Any:
    registry: OAuth = current_app.extensions["panelflow.oauth"]
    return registry.create_client(current_app.extensions["panelflow.oauth_client"])


def init_app(app: Flask) -> None:
    app.extensions["panelflow.oauth"] = OAuth(app)
    metadata = app.config.get("OIDC_METADATA_URL")
    if metadata:
        configure(app, metadata, app.config["OIDC_CLIENT_ID"], app.config["OIDC_CLIENT_SECRET"])


def start() -> ResponseReturnValue:
    """Send the person to the council's sign-in page."""
    if not enabled():
        return render_template("accounts/sso_refused.html", reason="not_configured"), 404
    target = request.args.get("next")
    session["sso_next"] = target if target and target.startswith("/") else None
    client = _client()
    try:
        redirect_to: ResponseReturnValue = client.authorize_redirect(
            url_for("accounts.sso_callback", _external=True)
        )
    except (RequestException, AuthlibBaseError, ValueError) as error:
        logger.warning("single sign-on provider unavailable: %s", error.__class__.__name__)
        return render_template("accounts/sso_refused.html", reason="unavailable"), 503
    return redirect_to


def callback() -> ResponseReturnValue:
    """Back from the provider: check everything, then sign in a provisioned person only."""
    from panelflow.accounts.views import client_address, local_path, start_session

    if not enabled():
        return render_template("accounts/sso_refused.html", reason="not_configured"), 404
    client = _client()
    try:
        token: dict[str, Any] = client.authorize_access_token()
        claims = dict(token.get("userinfo") or {})
        if not claims.get("email"):
            claims.update(client.userinfo(token=token))
    except (AuthlibBaseError, JoseError, RequestException, KeyError, ValueError) as error:
        # A forged, expired, replayed or mismatched response: never trusted, never detailed
        # to the person (it could help an attacker), always audited.
        from panelflow.accounts.operations import refuse_sso

        refuse_sso(web.session(), reason=error.__class__.__name__, address=client_address())
        web.session().commit()
        return render_template("accounts/sso_refused.html", reason="untrusted"), 400
    target = local_path(session.pop("sso_next", None))
    result = sign_in_with_sso(
        web.session(),
        email=str(claims.get("email") or ""),
        email_verified=claims.get("email_verified") is True,
        subject=str(claims.get("sub", "")),
        issuer=str(claims.get("iss", "")),
        address=client_address(),
    )
    web.session().commit()
    if result.user is None:
        return render_template(
            "accounts/sso_refused.html", reason=result.message, email=claims.get("email")
        ), 403
    start_session(result.user)
    return redirect(target or url_for("catalogue.home"))
