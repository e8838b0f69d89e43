"""A real OpenID Connect provider on loopback, and tools to forge ID tokens, for SSO tests.

The provider is panva's ``oidc-provider`` (OpenID Certified), run by Node from
``tests/sso/provider`` (``npm ci --prefix tests/sso/provider`` installs it). Everything here
talks to 127.0.0.1 only.

- :func:`start_provider` starts one (race-free free port, fresh RSA signing key) and returns an
  :class:`OIDCProvider`; ``stop()`` ends it (SIGTERM, then SIGKILL after 5 s).
- :class:`TamperProxy` is a transparent reverse proxy in front of a provider whose discovery
  document sends the token endpoint through it, so it can swap the ``id_token`` in the token
  response for an expired, forged, wrong-audience, wrong-nonce, wrong-issuer or unsigned one.
  Everything else (issuer, authorization endpoint, JWKS, userinfo) stays the provider's own.

The pytest fixtures built on these live in ``tests/sso/conftest.py``.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import hashlib
import http.client
import json
import os
import re
import secrets
import shutil
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from html import unescape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

PROVIDER_DIR = Path(__file__).resolve().parent / "provider"
PROVIDER_SCRIPT = PROVIDER_DIR / "provider.mjs"
MIN_NODE = (18, 12)
READY_TIMEOUT = 20.0
STOP_TIMEOUT = 5.0

DEFAULT_CLIENT_ID = "panelflow"
# Nothing listens there: fine for tests that only read the Location header.
DEFAULT_REDIRECT_URI = "http://127.0.0.1:9/sso/callback"
DEFAULT_ACCOUNTS: dict[str, dict[str, Any]] = {
    "alice": {"email": "alice@council.example", "email_verified": True, "name": "Alice Example"},
    "bob": {"email": "bob@council.example", "email_verified": False, "name": "Bob Example"},
    # An address the app has not provisioned.
    "carol": {"email": "carol@elsewhere.example", "email_verified": True, "name": "Carol Else"},
}
SCOPE = "openid email profile"


class ProviderUnavailable(RuntimeError):
    """Node or the provider's npm packages are missing: the tests cannot run here."""


def provider_unavailable_reason() -> str | None:
    """Why the provider cannot start on this machine, or None if it can."""
    node = shutil.which("node")
    if node is None:
        return "node is not installed (Debian: apt-get install nodejs npm)"
    version = _node_version(node)
    if version < MIN_NODE:
        return f"node {'.'.join(map(str, version))} is too old: oidc-provider 8 needs >= 18.12"
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider" / "package.json").is_file():
        return "oidc-provider is not installed: run `npm ci --prefix tests/sso/provider`"
    return None


_node_versions: dict[str, tuple[int, ...]] = {}


def _node_version(node: str) -> tuple[int, ...]:
    if node not in _node_versions:
        out = subprocess.run(
            [node, "--version"], capture_output=True, text=True, check=True, timeout=20
        ).stdout
        _node_versions[node] = tuple(int(x) for x in re.findall(r"\d+", out)[:3])
    return _node_versions[node]


# --- keys and tokens ------------------------------------------------------------------------


def generate_rsa_key(kid: str | None = None) -> RSAKey:
    """A fresh 2048-bit RSA signing key (joserfc, on top of ``cryptography``)."""
    return RSAKey.generate_key(
        2048,
        parameters={"kid": kid or secrets.token_hex(8), "use": "sig", "alg": "RS256"},
        private=True,
    )


def sign_jwt(claims: Mapping[str, Any], key: RSAKey | Mapping[str, Any], kid: str | None) -> str:
    """An RS256 JWS of ``claims`` with ``key``, whatever ``kid`` the header should claim."""
    header: dict[str, Any] = {"alg": "RS256", "typ": "JWT"}
    if kid is not None:
        header["kid"] = kid
    rsa_key = key if isinstance(key, RSAKey) else RSAKey.import_key(dict(key))
    return jwt.encode(header, dict(claims), rsa_key, algorithms=["RS256"])


def unsigned_jwt(claims: Mapping[str, Any]) -> str:
    """An ``alg: none`` token: must never be accepted."""

    def b64(data: dict[str, Any]) -> str:
        raw = json.dumps(data, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(dict(claims))}."


def unverified_claims(token: str) -> dict[str, Any]:
    """The payload of a JWS, without checking anything. For tests' own inspection only."""
    return _b64_json(token.split(".")[1])


def unverified_header(token: str) -> dict[str, Any]:
    """The protected header of a JWS, without checking anything."""
    return _b64_json(token.split(".")[0])


def _b64_json(segment: str) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    )
    return value


def pkce_pair() -> tuple[str, str]:
    """(code_verifier, S256 code_challenge)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


# --- the provider ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OIDCClient:
    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]


_live: set[OIDCProvider] = set()


@atexit.register
def _stop_leftovers() -> None:  # a last resort if a fixture's teardown never ran
    for provider in list(_live):
        provider.stop()


@dataclass(eq=False)
class OIDCProvider:
    """A running ``oidc-provider`` on 127.0.0.1 (from :func:`start_provider`)."""

    issuer: str
    client: OIDCClient
    accounts: dict[str, dict[str, Any]]
    signing_key: RSAKey
    log_path: Path
    startup_seconds: float
    process: subprocess.Popen[bytes] | None = field(repr=False, default=None)
    registration_token: str | None = field(repr=False, default=None)
    _metadata: dict[str, Any] | None = field(repr=False, default=None)

    # ---- what an app is configured with
    @property
    def client_id(self) -> str:
        return self.client.client_id

    @property
    def client_secret(self) -> str:
        return self.client.client_secret

    @property
    def redirect_uris(self) -> tuple[str, ...]:
        return self.client.redirect_uris

    @property
    def metadata_url(self) -> str:
        return self.issuer + "/.well-known/openid-configuration"

    def metadata(self) -> dict[str, Any]:
        """The discovery document (fetched once)."""
        if self._metadata is None:
            self._metadata = _get_json(self.metadata_url)
        return self._metadata

    @property
    def authorization_endpoint(self) -> str:
        return str(self.metadata()["authorization_endpoint"])

    @property
    def token_endpoint(self) -> str:
        return str(self.metadata()["token_endpoint"])

    @property
    def jwks_uri(self) -> str:
        return str(self.metadata()["jwks_uri"])

    @property
    def userinfo_endpoint(self) -> str:
        return str(self.metadata()["userinfo_endpoint"])

    # ---- keys
    @property
    def kid(self) -> str:
        return str(self.signing_key.kid)

    @property
    def private_jwk(self) -> dict[str, Any]:
        """The provider's signing key, private parts included, as a JWK dict."""
        return dict(self.signing_key.as_dict(private=True))

    @property
    def public_jwks(self) -> dict[str, Any]:
        """What the provider publishes at its jwks_uri."""
        return {"keys": [dict(self.signing_key.as_dict(private=False))]}

    def key_set(self) -> KeySet:
        """The provider's public keys, for ``joserfc.jwt.decode``."""
        return KeySet.import_key_set(self.public_jwks)  # type: ignore[arg-type]

    @staticmethod
    def foreign_key() -> RSAKey:
        """A fresh RSA key the provider knows nothing about."""
        return generate_rsa_key()

    def sign_id_token(
        self,
        claims: Mapping[str, Any],
        key: RSAKey | Mapping[str, Any] | None = None,
        *,
        kid: str | None = None,
    ) -> str:
        """RS256-sign ``claims`` with the provider's key, or with ``key`` (e.g. a
        :meth:`foreign_key`); the header carries the provider's ``kid`` unless told otherwise."""
        return sign_jwt(claims, self.signing_key if key is None else key, kid or self.kid)

    def id_token_claims(
        self, sub: str = "alice", *, nonce: str | None = None, lifetime: int = 3600, **extra: Any
    ) -> dict[str, Any]:
        """Plausible ID token claims as this provider would issue them to its client."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": sub,
            "aud": self.client_id,
            "iat": now,
            "exp": now + lifetime,
            "auth_time": now,
            **self.accounts.get(sub, {}),
        }
        if nonce is not None:
            claims["nonce"] = nonce
        claims.update(extra)
        return claims

    # ---- clients
    def register_client(
        self,
        redirect_uris: str | Iterable[str],
        *,
        token_endpoint_auth_method: str = "client_secret_basic",
    ) -> OIDCClient:
        """Register one more confidential client by OpenID Connect Dynamic Client Registration,
        e.g. one whose redirect URI points at a live server started after the provider."""
        if self.registration_token is None:
            raise RuntimeError("this provider was started with registration=False")
        uris = [redirect_uris] if isinstance(redirect_uris, str) else list(redirect_uris)
        body = {
            "redirect_uris": uris,
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
            "token_endpoint_auth_method": token_endpoint_auth_method,
        }
        answer = _post_json(
            urljoin(self.issuer + "/", self.metadata()["registration_endpoint"]),
            body,
            headers={"Authorization": f"Bearer {self.registration_token}"},
        )
        return OIDCClient(answer["client_id"], answer["client_secret"], tuple(uris))

    # ---- driving the login pages without a browser
    def authorization_url(
        self,
        *,
        code_challenge: str | None,
        state: str,
        nonce: str,
        redirect_uri: str | None = None,
        client_id: str | None = None,
        scope: str = SCOPE,
    ) -> str:
        """An authorization request URL; ``code_challenge=None`` leaves PKCE out."""
        params = {
            "client_id": client_id or self.client_id,
            "response_type": "code",
            "scope": scope,
            "redirect_uri": redirect_uri or self.redirect_uris[0],
            "state": state,
            "nonce": nonce,
        }
        if code_challenge is not None:
            params |= {"code_challenge": code_challenge, "code_challenge_method": "S256"}
        return f"{self.authorization_endpoint}?{urlencode(params)}"

    def sign_in(
        self,
        authorization_url: str,
        login: str = "alice",
        *,
        password: str = "any password",
        consent: bool = True,
    ) -> str:
        """Play the person at the provider's devInteractions pages, with ``requests``:
        open ``authorization_url`` (as built by the app), sign in as ``login`` (an account id),
        accept (or abort, with ``consent=False``) the consent screen, and return the URL the
        provider finally redirects to: the client's redirect URI with ``code`` and ``state``
        (or ``error``). Nothing is fetched from that URL: hand it to the app's test client.
        """
        import requests  # a runtime dependency of panelflow

        origin = _origin(self.issuer)
        with requests.Session() as browser:
            url = authorization_url
            for _ in range(12):
                if _origin(url) != origin:
                    return url
                with browser.get(url, allow_redirects=False, timeout=10) as response:
                    if response.is_redirect:
                        url = urljoin(url, response.headers["Location"])
                        continue
                    page = response.text
                if response.status_code != 200:
                    raise AssertionError(f"provider answered {response.status_code}:\n{page}")
                action = _form_action(page)
                if 'name="login"' in page:
                    data = {"prompt": "login", "login": login, "password": password}
                elif not consent:
                    action = _abort_link(page)
                    data = None
                else:
                    data = {"prompt": "consent"}
                target = urljoin(url, action)
                if data is None:
                    resp = browser.get(target, allow_redirects=False, timeout=10)
                else:
                    resp = browser.post(target, data=data, allow_redirects=False, timeout=10)
                with resp:
                    if not resp.is_redirect:
                        raise AssertionError(f"provider answered {resp.status_code}:\n{resp.text}")
                    url = urljoin(target, resp.headers["Location"])
        raise AssertionError(f"too many redirects at the provider; last URL {url}")

    def exchange_code(
        self,
        code: str,
        code_verifier: str | None,
        *,
        redirect_uri: str | None = None,
        client: OIDCClient | None = None,
        token_endpoint: str | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """POST the code to the token endpoint as a confidential client (HTTP Basic);
        returns (status, JSON body)."""
        import requests

        client = client or self.client
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri or client.redirect_uris[0],
        }
        if code_verifier is not None:
            data["code_verifier"] = code_verifier
        with requests.post(
            token_endpoint or self.token_endpoint,
            data=data,
            auth=(client.client_id, client.client_secret),
            timeout=10,
        ) as response:
            return response.status_code, response.json()

    # ---- lifecycle
    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        """What the node process wrote to stdout and stderr so far."""
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def stop(self) -> None:
        """SIGTERM, wait up to 5 s, then SIGKILL. Idempotent."""
        process, self.process = self.process, None
        _live.discard(self)
        if process is None:
            return
        _terminate(process)

    def __enter__(self) -> OIDCProvider:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_provider(
    workdir: Path,
    *,
    redirect_uris: str | Iterable[str] = (DEFAULT_REDIRECT_URI,),
    accounts: Mapping[str, Mapping[str, Any]] | None = None,
    client_id: str = DEFAULT_CLIENT_ID,
    client_secret: str | None = None,
    token_endpoint_auth_method: str = "client_secret_basic",
    extra_clients: Iterable[Mapping[str, Any]] = (),
    signing_key: RSAKey | None = None,
    registration: bool = True,
    timeout: float = READY_TIMEOUT,
) -> OIDCProvider:
    """Start ``node provider.mjs`` on a free 127.0.0.1 port and wait for its READY line.

    ``workdir`` receives ``config.json`` and ``provider.log``. ``accounts`` maps account id
    (the ``sub``, typed as login) to its claims; default :data:`DEFAULT_ACCOUNTS`.
    ``extra_clients`` are raw oidc-provider client metadata dicts.
    Raises :class:`ProviderUnavailable` if node or the npm packages are missing.
    """
    reason = provider_unavailable_reason()
    if reason:
        raise ProviderUnavailable(reason)
    node = shutil.which("node")
    assert node is not None

    uris = (redirect_uris,) if isinstance(redirect_uris, str) else tuple(redirect_uris)
    client = OIDCClient(client_id, client_secret or secrets.token_urlsafe(24), uris)
    account_claims = {sub: dict(claims) for sub, claims in (accounts or DEFAULT_ACCOUNTS).items()}
    key = signing_key or generate_rsa_key()
    registration_token = secrets.token_urlsafe(24) if registration else None

    workdir.mkdir(parents=True, exist_ok=True)
    config_path = workdir / "config.json"
    log_path = workdir / "provider.log"
    config: dict[str, Any] = {
        "port": 0,  # provider.mjs binds first, then fixes the issuer: no port race
        "clients": [
            {
                "client_id": client.client_id,
                "client_secret": client.client_secret,
                "redirect_uris": list(uris),
                "grant_types": ["authorization_code"],
                "response_types": ["code"],
                "token_endpoint_auth_method": token_endpoint_auth_method,
            },
            *(dict(c) for c in extra_clients),
        ],
        "accounts": account_claims,
        "jwks": {"keys": [dict(key.as_dict(private=True))]},
        "exit_on_stdin_close": True,
    }
    if registration_token:
        config["registration_token"] = registration_token
    config_path.write_text(json.dumps(config, indent=2))

    started = time.monotonic()
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [node, str(PROVIDER_SCRIPT), str(config_path)],
            cwd=PROVIDER_DIR,
            stdin=subprocess.PIPE,  # closed by us (or by our death): the provider then exits
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "NODE_ENV": "test"},
        )
    try:
        issuer = _wait_ready(process, log_path, timeout)
    except BaseException:
        _terminate(process)
        raise
    provider = OIDCProvider(
        issuer=issuer,
        client=client,
        accounts=account_claims,
        signing_key=key,
        log_path=log_path,
        startup_seconds=time.monotonic() - started,
        process=process,
        registration_token=registration_token,
    )
    _live.add(provider)
    return provider


def _wait_ready(process: subprocess.Popen[bytes], log_path: Path, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while True:
        text = log_path.read_text(errors="replace")
        match = re.search(r"^READY (\S+)$", text, re.MULTILINE)
        if match:
            return match.group(1)
        if process.poll() is not None:
            raise RuntimeError(
                f"oidc-provider exited with status {process.returncode} before READY:\n{text}"
            )
        if time.monotonic() > deadline:
            raise TimeoutError(f"oidc-provider not READY after {timeout:.0f} s:\n{text}")
        time.sleep(0.02)


def _terminate(process: subprocess.Popen[bytes]) -> None:
    try:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    finally:
        if process.stdin is not None:
            with contextlib.suppress(BrokenPipeError):
                process.stdin.close()


# --- the tampering proxy --------------------------------------------------------------------

TamperMode = str | Callable[[dict[str, Any]], "dict[str, Any] | str"] | None

_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "content-length",
    "host",
    "accept-encoding",
}


class TamperProxy:
    """A transparent HTTP reverse proxy on 127.0.0.1 in front of an :class:`OIDCProvider`.

    Configure the app with ``proxy.metadata_url`` instead of the provider's. The discovery
    document it serves is the provider's, except that ``token_endpoint`` points at the proxy;
    ``issuer``, ``authorization_endpoint``, ``jwks_uri`` and ``userinfo_endpoint`` stay the
    provider's, so the app still trusts the real issuer and checks signatures against the
    real keys. Token responses pass through unchanged while ``mode`` is None; otherwise their
    ``id_token`` is replaced by:

    - ``"expired"``: same claims, ``iat`` 2 h 10 min and ``exp`` 2 h in the past, real key;
    - ``"forged"``: same claims signed by a foreign key, under the provider's ``kid``;
    - ``"wrong_audience"``: ``aud`` another client's, real key;
    - ``"wrong_nonce"``: a different ``nonce``, real key;
    - ``"wrong_issuer"``: ``iss`` another issuer's, real key;
    - ``"unsigned"``: same claims with ``alg: none``;
    - a callable ``f(claims) -> claims | token``: claims are signed with the real key.

    ``seen_claims`` lists the claims of every genuine ID token that went through,
    ``issued_tokens`` what was actually handed to the client.
    """

    MODES = ("expired", "forged", "wrong_audience", "wrong_nonce", "wrong_issuer", "unsigned")

    def __init__(self, provider: OIDCProvider, mode: TamperMode = None) -> None:
        self.provider = provider
        self.mode = mode
        self.seen_claims: list[dict[str, Any]] = []
        self.issued_tokens: list[str] = []
        upstream = urlsplit(provider.issuer)
        self._upstream = (upstream.hostname or "127.0.0.1", upstream.port or 80)
        self._token_path = urlsplit(provider.token_endpoint).path
        self._discovery_path = urlsplit(provider.metadata_url).path
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="oidc-tamper-proxy",
            daemon=True,
        )
        self._thread.start()
        self._stopped = False

    @property
    def mode(self) -> TamperMode:
        return self._mode

    @mode.setter
    def mode(self, value: TamperMode) -> None:
        if value is not None and not callable(value) and value not in self.MODES:
            raise ValueError(f"unknown tamper mode {value!r}; one of {self.MODES} or a callable")
        self._mode = value

    @property
    def url(self) -> str:
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}"

    @property
    def issuer(self) -> str:
        """The issuer the app must trust: the provider's own, unchanged."""
        return self.provider.issuer

    @property
    def metadata_url(self) -> str:
        return self.url + self._discovery_path

    @property
    def token_endpoint(self) -> str:
        return self.url + self._token_path

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def __enter__(self) -> TamperProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- rewriting
    def _rewrite_discovery(self, document: dict[str, Any]) -> dict[str, Any]:
        return {**document, "token_endpoint": self.token_endpoint}

    def _rewrite_token_response(self, body: dict[str, Any]) -> dict[str, Any]:
        original = body.get("id_token")
        if not isinstance(original, str):
            return body
        # Check the genuine token before touching it: the harness must not hide a provider bug.
        claims = dict(jwt.decode(original, self.provider.key_set(), algorithms=["RS256"]).claims)
        with self._lock:
            self.seen_claims.append(dict(claims))
            mode = self.mode
        token = original if mode is None else self._tampered(mode, claims)
        with self._lock:
            self.issued_tokens.append(token)
        return {**body, "id_token": token}

    def _tampered(self, mode: TamperMode, claims: dict[str, Any]) -> str:
        provider = self.provider
        now = int(time.time())
        if callable(mode):
            result = mode(dict(claims))
            return result if isinstance(result, str) else provider.sign_id_token(result)
        if mode == "expired":
            claims["iat"] = now - 7800
            claims["exp"] = now - 7200
            if "auth_time" in claims:
                claims["auth_time"] = now - 7800
            return provider.sign_id_token(claims)
        if mode == "forged":
            return provider.sign_id_token(claims, key=provider.foreign_key())
        if mode == "wrong_audience":
            claims["aud"] = "some-other-client"
            return provider.sign_id_token(claims)
        if mode == "wrong_nonce":
            claims["nonce"] = secrets.token_urlsafe(16)
            return provider.sign_id_token(claims)
        if mode == "wrong_issuer":
            claims["iss"] = "https://impostor.invalid"
            return provider.sign_id_token(claims)
        if mode == "unsigned":
            return unsigned_jwt(claims)
        raise AssertionError(mode)

    def _forward(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else None
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in _HOP_BY_HOP}
        host, port = self._upstream
        headers["Host"] = f"{host}:{port}"
        conn = http.client.HTTPConnection(host, port, timeout=30)
        try:
            conn.request(handler.command, handler.path, body=body, headers=headers)
            response = conn.getresponse()
            status, reason = response.status, response.reason
            out_headers = [(k, v) for k, v in response.getheaders() if k.lower() not in _HOP_BY_HOP]
            payload = response.read()
        finally:
            conn.close()

        path = urlsplit(handler.path).path
        is_json = any(k.lower() == "content-type" and "json" in v for k, v in out_headers)
        if status == 200 and is_json and handler.command in ("GET", "POST"):
            if handler.command == "GET" and path == self._discovery_path:
                payload = json.dumps(self._rewrite_discovery(json.loads(payload))).encode()
            elif handler.command == "POST" and path == self._token_path:
                payload = json.dumps(self._rewrite_token_response(json.loads(payload))).encode()

        handler.send_response_only(status, reason)  # upstream's Date and Server pass through
        for key, value in out_headers:
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(payload)))
        handler.send_header("Connection", "close")
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(payload)


def _make_handler(proxy: TamperProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _any(self) -> None:
            try:
                proxy._forward(self)
            except Exception as exc:  # answer 502 rather than hang the client
                message = f"tamper proxy: {type(exc).__name__}: {exc}".encode()
                self.send_response(502)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(message)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(message)
            self.close_connection = True

        do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = do_OPTIONS = do_PATCH = _any

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

    return Handler


# --- small helpers --------------------------------------------------------------------------


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _form_action(page: str) -> str:
    match = re.search(r'<form[^>]*\baction="([^"]+)"', page)
    if not match:
        raise AssertionError(f"no form on the provider's page:\n{page}")
    return unescape(match.group(1))


def _abort_link(page: str) -> str:
    match = re.search(r'href="([^"]*/abort)"', page)
    if not match:
        raise AssertionError(f"no abort link on the provider's page:\n{page}")
    return unescape(match.group(1))


def _get_json(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=10) as response:
        value: dict[str, Any] = json.loads(response.read())
    return value


def _post_json(url: str, body: Any, headers: Mapping[str, str] | None = None) -> dict[str, Any]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        value: dict[str, Any] = json.loads(response.read())
    return value


def callback_params(url: str) -> dict[str, str]:
    """The query parameters of a redirect to the client (``code``, ``state``, ``iss``, or
    ``error``/``error_description``)."""
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
