"""Fixtures for single sign-on tests against a real OpenID Connect provider on loopback.

- ``oidc_provider`` (session): one provider, client ``panelflow`` registered with
  ``oidc_redirect_uris`` (override that fixture to change them), default accounts alice, bob
  and carol; ``oidc_provider.register_client(uri)`` adds a client for a server started later.
- ``make_oidc_provider`` (function): ``make_oidc_provider(redirect_uris, accounts=None, **kw)``
  starts a provider of one's own (e.g. redirect URI on a live app server's port); all stopped
  at the end of the test.
- ``make_tamper_proxy`` (function): ``make_tamper_proxy(provider, mode=None)`` puts a
  :class:`TamperProxy` in front of a provider; ``tamper_proxy`` is one in front of
  ``oidc_provider``.

Node and ``npm ci --prefix tests/sso/provider`` are needed; without them these tests skip,
unless ``PANELFLOW_REQUIRE_SSO=1``, when they fail instead.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import pytest

from tests.sso.harness import (
    DEFAULT_REDIRECT_URI,
    OIDCProvider,
    TamperMode,
    TamperProxy,
    provider_unavailable_reason,
    start_provider,
)

REQUIRE_ENV = "PANELFLOW_REQUIRE_SSO"


def _require_provider() -> None:
    reason = provider_unavailable_reason()
    if reason is None:
        return
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{REQUIRE_ENV}=1 but the OIDC provider cannot run: {reason}", pytrace=False)
    pytest.skip(f"OIDC provider unavailable: {reason}")


@pytest.fixture(scope="session")
def oidc_redirect_uris() -> list[str]:
    """Redirect URIs of the session provider's ``panelflow`` client. Override to change."""
    return [DEFAULT_REDIRECT_URI]


@pytest.fixture(scope="session")
def oidc_provider(
    tmp_path_factory: pytest.TempPathFactory, oidc_redirect_uris: list[str]
) -> Iterator[OIDCProvider]:
    """A real oidc-provider for the whole session (fresh RSA key, client ``panelflow``)."""
    _require_provider()
    provider = start_provider(
        tmp_path_factory.mktemp("oidc-provider"), redirect_uris=oidc_redirect_uris
    )
    try:
        yield provider
    finally:
        provider.stop()


MakeProvider = Callable[..., OIDCProvider]


@pytest.fixture
def make_oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MakeProvider]:
    """``make_oidc_provider(redirect_uris, accounts=None, **start_provider_kwargs)``: a
    provider of the test's own, stopped when the test ends."""
    started: list[OIDCProvider] = []

    def make(
        redirect_uris: str | Iterable[str],
        accounts: Mapping[str, Mapping[str, Any]] | None = None,
        **kwargs: Any,
    ) -> OIDCProvider:
        _require_provider()
        provider = start_provider(
            tmp_path_factory.mktemp("oidc-provider"),
            redirect_uris=redirect_uris,
            accounts=accounts,
            **kwargs,
        )
        started.append(provider)
        return provider

    try:
        yield make
    finally:
        for provider in reversed(started):
            provider.stop()


MakeProxy = Callable[..., TamperProxy]


@pytest.fixture
def make_tamper_proxy() -> Iterator[MakeProxy]:
    """``make_tamper_proxy(provider, mode=None)``: a tampering reverse proxy in front of
    ``provider``, stopped when the test ends. Point the app at ``proxy.metadata_url``."""
    started: list[TamperProxy] = []

    def make(provider: OIDCProvider, mode: TamperMode = None) -> TamperProxy:
        proxy = TamperProxy(provider, mode)
        started.append(proxy)
        return proxy

    try:
        yield make
    finally:
        for proxy in reversed(started):
            proxy.stop()


@pytest.fixture
def tamper_proxy(oidc_provider: OIDCProvider, make_tamper_proxy: MakeProxy) -> TamperProxy:
    """A pass-through proxy in front of ``oidc_provider``; set ``.mode`` to tamper."""
    return make_tamper_proxy(oidc_provider)
