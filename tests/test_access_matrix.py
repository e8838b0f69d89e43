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
from sqlalchemy import select
from sqlalchemy.orm import Session

from panelflow.demo import PERSONA_PASSWORD, PERSONAS, SCHOOLS, seed
from panelflow.organisations.models import School
from panelflow.roles.policy import MATRIX
from tests.factories import Auth, make_pupil

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
    Route("admin.users", "GET", "/admin/users", frozenset({"la_admin"})),
    Route("admin.new_user", "GET", "/admin/users/new", frozenset({"la_admin"})),
    Route("admin.user", "GET", "/admin/users/1", frozenset({"la_admin"})),
    Route("admin.teams", "GET", "/admin/teams", frozenset({"la_admin"})),
    Route("audit.search_page", "GET", "/audit", frozenset({"auditor"})),
    Route("audit.record_page", "GET", "/audit/1", frozenset({"auditor"})),
    Route("audit.export_csv", "GET", "/audit/export.csv", frozenset({"auditor"})),
]
# Routes whose behaviour is about signing in and out, covered by tests/features/accounts
# and tests/sso: listed here so the table stays complete.
# Changes made by POST, each covered with its CSRF token and the same permission by the
# feature named.
POSTED_ROUTES = {
    "admin.grant_role",
    "admin.remove_role",
    "admin.disable",
    "admin.enable",
    "admin.new_password",  # tests/features/admin/users.feature
    "admin.set_user_team",  # tests/features/admin/teams.feature
    "audit.verify_page",  # tests/features/audit/audit_trail.feature
}
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

    missing = endpoints - {r.endpoint for r in ROUTES} - SIGN_IN_ROUTES - POSTED_ROUTES
    assert not missing, f"routes with no access rules in tests/test_access_matrix.py: {missing}"


@pytest.fixture
def personas(session: Session, workflows_text: str) -> dict[str, str]:
    """The demo data's accounts (one per role), plus a pupil at a school none of them works
    at, whose name must never reach them."""
    seed(session, workflows_text, "config/workflows.yaml")
    bidston = session.scalars(select(School).where(School.name == SCHOOLS[2])).one()
    make_pupil(
        session, bidston, given_name=OTHER_SCHOOLS_PUPIL[0], family_name=OTHER_SCHOOLS_PUPIL[1]
    )
    session.commit()
    return {p["key"]: p["email"] for p in PERSONAS}


def test_every_demo_persona_gets_exactly_what_the_table_says(
    app: Flask, personas: dict[str, str]
) -> None:
    roles_of = {p["key"]: p["role"] for p in PERSONAS}
    assert set(roles_of.values()) == set(ROLES), "the demo needs a persona for every role"
    failures = []
    for persona in [*personas, ANONYMOUS]:
        client: FlaskClient = app.test_client()
        if persona != ANONYMOUS:
            signed = Auth(client).sign_in(personas[persona], PERSONA_PASSWORD)
            assert signed.status_code == 302, f"{persona} could not sign in"
        role = roles_of.get(persona, ANONYMOUS)
        for route in ROUTES:
            response = client.open(route.path, method=route.method)
            body = response.get_data(as_text=True)
            if role == ANONYMOUS and not route.public:
                expected = 302
            else:
                expected = route.ok if route.public or role in route.allowed else 403
            where = f"{persona} ({role}): {route.method} {route.path}"
            if response.status_code != expected:
                failures.append(f"{where}: {response.status_code}, expected {expected}")
            elif expected == 302 and not response.headers["Location"].startswith("/sign-in"):
                failures.append(f"{where}: redirected to {response.headers['Location']}")
            if any(name in body for name in OTHER_SCHOOLS_PUPIL):
                failures.append(f"{where}: shows another school's pupil")
    assert not failures, "\n".join(failures)
