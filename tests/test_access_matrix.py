"""Who can reach what: every route by every role persona (and someone not signed in).

The table is written out by hand on purpose: it is the second, independent statement of the
access rules that `panelflow/roles/policy.py` implements. A route that is not in the table
fails ``test_every_route_is_in_the_table``, so a new page cannot ship without deciding who may
see it. Every response is also checked for the name of a pupil at another school.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from panelflow.catalogue.models import WorkflowVersion
from panelflow.roles.policy import MATRIX
from tests.factories import Auth, make_account, make_local_authority, make_pupil, make_school

ROLES = tuple(MATRIX)
EVERYONE = frozenset(ROLES)
ANONYMOUS = "anonymous"
OTHER_SCHOOLS_PUPIL = ("Zebedee", "Quixote")


@dataclass(frozen=True)
class Route:
    endpoint: str
    method: str
    path: str
    allowed: frozenset[str]  # roles that get ``ok``; other roles get 403
    ok: int = 200
    public: bool = False  # reachable without signing in (then ``ok`` for anonymous too)


ROUTES = [
    Route("catalogue.home", "GET", "/", EVERYONE),
    Route("catalogue.index", "GET", "/workflows", EVERYONE),
    Route("catalogue.versions", "GET", "/workflows/versions", EVERYONE),
    Route("catalogue.version_detail", "GET", "/workflows/versions/1", EVERYONE),
    Route("catalogue.workflow", "GET", "/workflows/school_panel", EVERYONE),
    Route("catalogue.workflow_in_version", "GET", "/workflows/versions/1/support_first", EVERYONE),
    Route(
        "catalogue.diagram", "GET", "/workflows/versions/1/ewo_consultation/diagram.svg", EVERYONE
    ),
    Route("accounts.account", "GET", "/account", EVERYONE),
]
# Routes whose behaviour is about signing in and out, covered by tests/features/accounts
# and tests/sso: listed here so the table stays complete.
SIGN_IN_ROUTES = {
    "accounts.sign_in_page",
    "accounts.sign_out",
    "accounts.sign_out_everywhere_page",
    "accounts.sso_start",
    "accounts.sso_callback",
    "favicon",
    "static",
}


def test_every_route_is_in_the_table(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}

    missing = endpoints - {r.endpoint for r in ROUTES} - SIGN_IN_ROUTES
    assert not missing, f"routes with no access rules in tests/test_access_matrix.py: {missing}"


@pytest.fixture
def accounts(session: Session, published: WorkflowVersion) -> dict[str, str]:
    """One account per role, at Birkenhead Park Primary where a school is needed; and a pupil
    at another school whose name must never appear to them."""
    la = make_local_authority(session)
    park = make_school(session, "Birkenhead Park Primary")
    other = make_school(session, "Rock Ferry High")
    park.local_authority_id = other.local_authority_id = la.id
    make_pupil(
        session, other, given_name=OTHER_SCHOOLS_PUPIL[0], family_name=OTHER_SCHOOLS_PUPIL[1]
    )
    emails = {
        role: make_account(session, role, school=park, local_authority=la).email for role in ROLES
    }
    session.commit()
    return emails


@pytest.mark.parametrize("persona", [*ROLES, ANONYMOUS])
def test_each_persona_gets_exactly_what_the_table_says(
    app: Flask, accounts: dict[str, str], persona: str
) -> None:
    client: FlaskClient = app.test_client()
    if persona != ANONYMOUS:
        Auth(client).sign_in(accounts[persona])
    failures = []
    for route in ROUTES:
        response = client.open(route.path, method=route.method)
        body = response.get_data(as_text=True)
        if persona == ANONYMOUS and not route.public:
            expected = 302
        else:
            expected = route.ok if route.public or persona in route.allowed else 403
        if response.status_code != expected:
            failures.append(
                f"{route.method} {route.path}: {response.status_code}, expected {expected}"
            )
        elif expected == 302 and not response.headers["Location"].startswith("/sign-in"):
            failures.append(f"{route.path}: redirected to {response.headers['Location']}")
        if any(name in body for name in OTHER_SCHOOLS_PUPIL):
            failures.append(f"{route.path}: shows another school's pupil")
    assert not failures, f"{persona}:\n" + "\n".join(failures)
