"""The SSO test harness works, without the panelflow app: the real provider issues verifiable
ID tokens through authorization code + PKCE, refuses requests without PKCE, and the tamper
proxy hands out tokens that fail verification for the intended reason, both with joserfc
directly and with Authlib's Flask client (what the app uses)."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
import requests
from flask import Flask, url_for
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
    UnsupportedAlgorithmError,
)
from joserfc.jwk import KeySet

from tests.sso.harness import (
    DEFAULT_ACCOUNTS,
    DEFAULT_REDIRECT_URI,
    OIDCProvider,
    TamperProxy,
    callback_params,
    pkce_pair,
    unverified_claims,
    unverified_header,
)


def published_keys(provider: OIDCProvider) -> KeySet:
    with requests.get(provider.jwks_uri, timeout=10) as response:
        response.raise_for_status()
        return KeySet.import_key_set(response.json())


def verify(token: str, keys: KeySet, *, issuer: str, audience: str, nonce: str) -> dict[str, Any]:
    """Signature, then claims, the way a relying party must."""
    decoded = jwt.decode(token, keys, algorithms=["RS256"])
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": audience},
        nonce={"essential": True, "value": nonce},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
    ).validate(decoded.claims)
    return dict(decoded.claims)


def code_flow(
    provider: OIDCProvider, login: str = "alice", *, token_endpoint: str | None = None
) -> tuple[dict[str, Any], str]:
    """Authorization code + PKCE through the devInteractions pages: (token response, nonce)."""
    verifier, challenge = pkce_pair()
    state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    url = provider.authorization_url(code_challenge=challenge, state=state, nonce=nonce)
    callback = provider.sign_in(url, login)
    assert callback.startswith(provider.redirect_uris[0] + "?"), callback
    params = callback_params(callback)
    assert params["state"] == state
    assert params["iss"] == provider.issuer
    status, body = provider.exchange_code(params["code"], verifier, token_endpoint=token_endpoint)
    assert status == 200, body
    return body, nonce


# --- the provider ---------------------------------------------------------------------------


def test_discovery_document_describes_the_provider(oidc_provider: OIDCProvider) -> None:
    with requests.get(oidc_provider.metadata_url, timeout=10) as response:
        document = response.json()
    issuer = oidc_provider.issuer
    assert issuer.startswith("http://127.0.0.1:")
    assert document["issuer"] == issuer
    assert document["authorization_endpoint"] == issuer + "/auth"
    assert document["token_endpoint"] == issuer + "/token"
    assert document["jwks_uri"] == issuer + "/jwks"
    assert document["userinfo_endpoint"] == issuer + "/me"
    assert document["response_types_supported"] == ["code"]
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert document["id_token_signing_alg_values_supported"] == ["RS256"]
    assert {"openid", "email", "profile"} <= set(document["scopes_supported"])

    with requests.get(document["jwks_uri"], timeout=10) as response:
        (key,) = response.json()["keys"]
    assert key["kid"] == oidc_provider.kid
    assert key["n"] == oidc_provider.private_jwk["n"]
    assert "d" not in key  # the public half only


def test_code_flow_with_pkce_issues_a_verifiable_id_token_with_email_and_name(
    oidc_provider: OIDCProvider,
) -> None:
    tokens, nonce = code_flow(oidc_provider, "alice")

    claims = verify(
        tokens["id_token"],
        published_keys(oidc_provider),
        issuer=oidc_provider.issuer,
        audience="panelflow",
        nonce=nonce,
    )
    assert claims["sub"] == "alice"
    assert claims["email"] == "alice@council.example"
    assert claims["email_verified"] is True
    assert claims["name"] == "Alice Example"
    assert tokens["token_type"].lower() == "bearer"

    with requests.get(
        oidc_provider.userinfo_endpoint,
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
        timeout=10,
    ) as response:
        assert response.status_code == 200
        assert response.json() == {"sub": "alice", **DEFAULT_ACCOUNTS["alice"]}


@pytest.mark.parametrize(
    ("login", "email", "verified"),
    [("bob", "bob@council.example", False), ("carol", "carol@elsewhere.example", True)],
)
def test_other_accounts_carry_their_own_claims(
    oidc_provider: OIDCProvider, login: str, email: str, verified: bool
) -> None:
    tokens, _ = code_flow(oidc_provider, login)
    claims = unverified_claims(tokens["id_token"])
    assert (claims["sub"], claims["email"], claims["email_verified"]) == (login, email, verified)


def test_authorization_request_without_code_challenge_is_refused(
    oidc_provider: OIDCProvider,
) -> None:
    url = oidc_provider.authorization_url(code_challenge=None, state="s", nonce="n")
    with requests.get(url, allow_redirects=False, timeout=10) as response:
        assert response.is_redirect
        location = response.headers["Location"]
    assert location.startswith(DEFAULT_REDIRECT_URI + "?")
    params = callback_params(location)
    assert params["error"] == "invalid_request"
    assert "PKCE" in params["error_description"]
    assert "code" not in params


@pytest.mark.parametrize("verifier", [None, "wrong-" + "v" * 43])
def test_code_is_not_exchanged_without_the_right_code_verifier(
    oidc_provider: OIDCProvider, verifier: str | None
) -> None:
    _, challenge = pkce_pair()
    url = oidc_provider.authorization_url(code_challenge=challenge, state="s", nonce="n")
    code = callback_params(oidc_provider.sign_in(url, "alice"))["code"]
    status, body = oidc_provider.exchange_code(code, verifier)
    assert status == 400
    assert body["error"] in ("invalid_grant", "invalid_request")


def test_declining_consent_returns_access_denied(oidc_provider: OIDCProvider) -> None:
    _, challenge = pkce_pair()
    url = oidc_provider.authorization_url(code_challenge=challenge, state="s", nonce="n")
    params = callback_params(oidc_provider.sign_in(url, "alice", consent=False))
    assert params["error"] == "access_denied"


def test_registered_client_and_own_provider_accept_runtime_redirect_uris(
    oidc_provider: OIDCProvider, make_oidc_provider: Any
) -> None:
    late = oidc_provider.register_client("http://127.0.0.1:54321/auth/callback")
    assert late.client_id != oidc_provider.client_id
    verifier, challenge = pkce_pair()
    url = oidc_provider.authorization_url(
        code_challenge=challenge,
        state="s",
        nonce="n",
        client_id=late.client_id,
        redirect_uri=late.redirect_uris[0],
    )
    callback = oidc_provider.sign_in(url, "alice")
    assert callback.startswith("http://127.0.0.1:54321/auth/callback?code=")
    status, body = oidc_provider.exchange_code(
        callback_params(callback)["code"], verifier, client=late
    )
    assert status == 200, body
    assert unverified_claims(body["id_token"])["aud"] == late.client_id

    own = make_oidc_provider(
        "http://127.0.0.1:54322/cb", {"dave": {"email": "dave@council.example"}}
    )
    assert own.issuer != oidc_provider.issuer
    tokens, _ = code_flow(own, "dave")
    assert unverified_claims(tokens["id_token"])["email"] == "dave@council.example"
    assert own.startup_seconds < 20


def test_provider_stops_on_request(make_oidc_provider: Any) -> None:
    provider = make_oidc_provider(DEFAULT_REDIRECT_URI)
    process = provider.process
    assert provider.running
    provider.stop()
    assert process is not None and process.returncode == 0  # SIGTERM: a clean exit
    assert not provider.running
    with pytest.raises(requests.ConnectionError):
        requests.get(provider.metadata_url, timeout=2)


def test_sign_id_token_helpers(oidc_provider: OIDCProvider) -> None:
    claims = oidc_provider.id_token_claims("alice", nonce="abc")
    genuine = oidc_provider.sign_id_token(claims)
    keys = published_keys(oidc_provider)
    claims = verify(genuine, keys, issuer=oidc_provider.issuer, audience="panelflow", nonce="abc")
    assert claims["email"] == "alice@council.example"

    forged = oidc_provider.sign_id_token(claims, key=oidc_provider.foreign_key())
    assert unverified_header(forged)["kid"] == oidc_provider.kid
    with pytest.raises(BadSignatureError):
        jwt.decode(forged, keys, algorithms=["RS256"])


# --- the tamper proxy -----------------------------------------------------------------------


def test_proxy_discovery_moves_only_the_token_endpoint(
    oidc_provider: OIDCProvider, tamper_proxy: TamperProxy
) -> None:
    with requests.get(tamper_proxy.metadata_url, timeout=10) as response:
        proxied = response.json()
    genuine = oidc_provider.metadata()
    assert tamper_proxy.issuer == oidc_provider.issuer
    assert proxied["token_endpoint"] == tamper_proxy.token_endpoint
    assert proxied["token_endpoint"].startswith(tamper_proxy.url)
    assert {k: v for k, v in proxied.items() if k != "token_endpoint"} == {
        k: v for k, v in genuine.items() if k != "token_endpoint"
    }


def test_proxy_passes_tokens_through_untouched_by_default(
    oidc_provider: OIDCProvider, tamper_proxy: TamperProxy
) -> None:
    tokens, nonce = code_flow(oidc_provider, token_endpoint=tamper_proxy.token_endpoint)
    claims = verify(
        tokens["id_token"],
        published_keys(oidc_provider),
        issuer=oidc_provider.issuer,
        audience="panelflow",
        nonce=nonce,
    )
    assert claims == tamper_proxy.seen_claims[-1]
    assert tamper_proxy.issued_tokens == [tokens["id_token"]]


@pytest.mark.parametrize(
    ("mode", "error", "at"),
    [
        ("expired", ExpiredTokenError, "claims"),
        ("forged", BadSignatureError, "signature"),
        ("wrong_audience", InvalidClaimError, "claims"),
        ("wrong_nonce", InvalidClaimError, "claims"),
        ("wrong_issuer", InvalidClaimError, "claims"),
        ("unsigned", UnsupportedAlgorithmError, "signature"),
    ],
)
def test_tampered_id_token_fails_verification_for_the_right_reason(
    oidc_provider: OIDCProvider,
    tamper_proxy: TamperProxy,
    mode: str,
    error: type[JoseError],
    at: str,
) -> None:
    tamper_proxy.mode = mode
    tokens, nonce = code_flow(oidc_provider, token_endpoint=tamper_proxy.token_endpoint)
    token = tokens["id_token"]
    keys = published_keys(oidc_provider)

    if at == "signature":
        with pytest.raises(error):
            jwt.decode(token, keys, algorithms=["RS256"])
        return
    jwt.decode(token, keys, algorithms=["RS256"])  # the signature itself is genuine
    with pytest.raises(error) as raised:
        verify(token, keys, issuer=oidc_provider.issuer, audience="panelflow", nonce=nonce)
    expected_claim = {
        "expired": "exp",
        "wrong_audience": "aud",
        "wrong_nonce": "nonce",
        "wrong_issuer": "iss",
    }[mode]
    if expected_claim != "exp":
        assert raised.value.claim == expected_claim  # type: ignore[attr-defined]
    original = tamper_proxy.seen_claims[-1]
    tampered = unverified_claims(token)
    assert tampered["sub"] == original["sub"] == "alice"
    if mode == "expired":
        assert tampered["exp"] < original["iat"] - 7000


def test_tamper_mode_may_be_a_function(
    oidc_provider: OIDCProvider, tamper_proxy: TamperProxy
) -> None:
    tamper_proxy.mode = lambda claims: {**claims, "email": "mallory@council.example"}
    tokens, nonce = code_flow(oidc_provider, token_endpoint=tamper_proxy.token_endpoint)
    claims = verify(
        tokens["id_token"],
        published_keys(oidc_provider),
        issuer=oidc_provider.issuer,
        audience="panelflow",
        nonce=nonce,
    )
    assert claims["email"] == "mallory@council.example"
    with pytest.raises(ValueError, match="unknown tamper mode"):
        tamper_proxy.mode = "nonsense"


# --- end to end with Authlib's Flask client, as the app will use it ---------------------------


def authlib_app(metadata_url: str, provider: OIDCProvider) -> Flask:
    """A bare Flask app signing in with Authlib, as panelflow will (nothing of panelflow)."""
    from authlib.integrations.flask_client import OAuth

    app = Flask(__name__)
    app.config.update(SECRET_KEY="test", TESTING=True, SERVER_NAME="127.0.0.1:9")
    oauth = OAuth(app)
    oauth.register(
        "council",
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        server_metadata_url=metadata_url,
        client_kwargs={"scope": "openid profile email", "code_challenge_method": "S256"},
    )

    @app.get("/sso/login")
    def login() -> Any:
        return oauth.council.authorize_redirect(url_for("callback", _external=True))

    @app.get("/sso/callback")
    def callback() -> Any:
        token = oauth.council.authorize_access_token()
        return dict(token["userinfo"])

    return app


def authlib_sign_in(app: Flask, provider: OIDCProvider, login: str = "alice") -> Any:
    with app.test_client() as client:
        response = client.get("/sso/login")
        assert response.status_code == 302
        authorization_url = response.headers["Location"]
        assert "code_challenge=" in authorization_url
        callback = provider.sign_in(authorization_url, login)
        assert callback.startswith(DEFAULT_REDIRECT_URI + "?")
        return client.get(callback)


def test_authlib_client_signs_in_through_the_proxy(
    oidc_provider: OIDCProvider, tamper_proxy: TamperProxy
) -> None:
    response = authlib_sign_in(authlib_app(tamper_proxy.metadata_url, oidc_provider), oidc_provider)
    assert response.status_code == 200
    userinfo = response.get_json()
    assert userinfo["email"] == "alice@council.example"
    assert userinfo["email_verified"] is True
    assert userinfo["name"] == "Alice Example"
    assert userinfo["iss"] == oidc_provider.issuer
    assert len(tamper_proxy.issued_tokens) == 1


@pytest.mark.parametrize(
    ("mode", "error"),
    [
        ("expired", ExpiredTokenError),
        ("forged", BadSignatureError),
        ("wrong_audience", ClaimError),  # Authlib: "azp" missing for a foreign audience
        ("wrong_nonce", InvalidClaimError),
        ("wrong_issuer", InvalidClaimError),
        ("unsigned", JoseError),
    ],
)
def test_authlib_client_rejects_tampered_id_tokens(
    oidc_provider: OIDCProvider, tamper_proxy: TamperProxy, mode: str, error: type[Exception]
) -> None:
    tamper_proxy.mode = mode
    app = authlib_app(tamper_proxy.metadata_url, oidc_provider)
    with pytest.raises(error):
        authlib_sign_in(app, oidc_provider)
    assert len(tamper_proxy.issued_tokens) == 1
