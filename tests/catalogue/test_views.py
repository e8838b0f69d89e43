"""The read-only workflow catalogue through the Flask test client: which pages exist (and
which are 404s), what the pages say with nothing published, what a workflow page lists, and
how versions are shown.

``config/workflows.yaml`` is being revised, so apart from the four workflow keys every name
and label is read from the published definitions.

Unhandled errors are not propagated to the test (as they are by default under ``TESTING``):
the app renders its real 500 page, as it would in production, so a broken page shows up as a
wrong status rather than an exception.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from panelflow.catalogue.models import WorkflowVersion
from panelflow.catalogue.operations import engine_for, publish
from panelflow.roles import Actor
from panelflow.workflows.conditions import LIBRARY
from panelflow.workflows.definitions import WorkflowSet
from panelflow.workflows.validation import validate_text
from tests.factories import Auth, make_account

WORKFLOW_KEYS = ("school_panel", "support_first", "ewo_consultation", "statutory_referral")
LIVE_TAG = '<strong class="govuk-tag govuk-tag--green">Live</strong>'


@pytest.fixture
def client(app: Flask, session: Session) -> Iterator[FlaskClient]:
    """A signed-in member of staff (the catalogue is behind sign-in)."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    user = make_account(session, "school_staff")
    session.commit()
    Auth(client).sign_in_as(user)
    yield client


def test_the_catalogue_is_only_for_people_signed_in(app: Flask) -> None:
    anonymous = app.test_client()

    for path in ("/", "/workflows", "/workflows/versions", "/workflows/school_panel"):
        response = anonymous.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/sign-in?next=")


def assert_no_stack_trace(response: TestResponse) -> None:
    text = response.get_data(as_text=True)
    assert "Traceback" not in text
    assert 'File "' not in text  # a Python stack frame
    assert "jinja2.exceptions" not in text and "sqlalchemy.exc" not in text


def html(response: TestResponse) -> str:
    return response.get_data(as_text=True)


def shows(page: str, text: str) -> bool:
    """Whether ``text`` appears on the page, as the template would have escaped it."""
    return str(escape(text)) in page


def retitled(text: str, key: str, suffix: str) -> tuple[str, str, str]:
    """The workflow file with workflow ``key``'s title changed: (text, old title, new title)."""
    result = validate_text(text)
    assert result.definitions is not None
    old = result.definitions.workflows[key].title
    start = re.search(rf"^\s*{key}:\s*$", text, re.MULTILINE)
    assert start is not None
    match = re.compile(rf"^(\s*)title: {re.escape(old)}[ \t]*$", re.MULTILINE).search(
        text, start.end()
    )
    assert match is not None, f"no plain 'title: {old}' line under '{key}:'"
    new = f"{old}{suffix}"
    changed = f"{text[: match.start()]}{match.group(1)}title: {new}{text[match.end() :]}"
    check = validate_text(changed)
    assert check.definitions is not None and check.definitions.workflows[key].title == new
    return changed, old, new


# --- which pages exist ---------------------------------------------------------------------

PAGES = [
    ("/", 200),
    ("/workflows", 200),
    *[(f"/workflows/{key}", 200) for key in WORKFLOW_KEYS],
    ("/workflows/versions", 200),
    ("/workflows/versions/1", 200),
    *[(f"/workflows/versions/1/{key}", 200) for key in WORKFLOW_KEYS],
    *[(f"/workflows/versions/1/{key}/diagram.svg", 200) for key in WORKFLOW_KEYS],
    # Not found:
    ("/workflows/no_such_workflow", 404),
    ("/workflows/versions/1/no_such_workflow", 404),
    ("/workflows/versions/2", 404),
    ("/workflows/versions/99/school_panel", 404),
    ("/workflows/versions/99/school_panel/diagram.svg", 404),
    ("/workflows/versions/1/no_such_workflow/diagram.svg", 404),
    ("/workflows/versions/one", 404),
    ("/workflows/versions/1.5", 404),
    ("/workflows/versions/-1", 404),
    ("/workflows/versions/one/school_panel", 404),
    ("/workflows/versions/one/school_panel/diagram.svg", 404),
]


@pytest.mark.parametrize(("path", "status"), PAGES, ids=[path for path, _ in PAGES])
def test_page_status(
    client: FlaskClient, published: WorkflowVersion, path: str, status: int
) -> None:
    response = client.get(path)

    assert response.status_code == status, f"{path}: {response.status_code}"
    if path.endswith(".svg") and status == 200:
        assert response.mimetype == "image/svg+xml"
        assert html(response).lstrip().startswith(("<?xml", "<svg", "<!DOCTYPE svg"))
        assert "<svg" in html(response)
    else:
        assert response.mimetype == "text/html"
        if status == 404:
            assert "Page not found" in html(response)
    assert_no_stack_trace(response)


def test_a_diagram_names_every_state_of_its_workflow(
    client: FlaskClient, published: WorkflowVersion
) -> None:
    for key, wf in engine_for(published).definitions.workflows.items():
        svg = html(client.get(f"/workflows/versions/1/{key}/diagram.svg"))
        for state in wf.states:
            assert state in svg, (key, state)


# --- nothing published yet -----------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/workflows"])
def test_with_nothing_published_the_pages_say_so(client: FlaskClient, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 200
    assert "No workflow version has been published yet" in html(response)
    assert_no_stack_trace(response)


@pytest.mark.parametrize(
    "path",
    [
        "/workflows/school_panel",
        "/workflows/versions/1",
        "/workflows/versions/1/school_panel",
        "/workflows/versions/1/school_panel/diagram.svg",
    ],
)
def test_with_nothing_published_workflow_pages_are_not_found(
    client: FlaskClient, path: str
) -> None:
    response = client.get(path)

    assert response.status_code == 404
    assert_no_stack_trace(response)


def test_with_nothing_published_the_versions_page_is_empty(client: FlaskClient) -> None:
    response = client.get("/workflows/versions")

    assert response.status_code == 200
    assert "No workflow version has been published yet" in html(response)


# --- what the pages show -------------------------------------------------------------------


def test_home_and_index_link_every_workflow(
    client: FlaskClient, published: WorkflowVersion
) -> None:
    definitions = engine_for(published).definitions
    home = html(client.get("/"))
    index = html(client.get("/workflows"))

    for key, wf in definitions.workflows.items():
        link = f'href="/workflows/{key}">{escape(wf.title)}</a>'
        assert link in home, key
        assert link in index, key
    for role in definitions.roles.values():
        assert shows(index, role.label)


@pytest.mark.parametrize("key", WORKFLOW_KEYS)
def test_a_workflow_page_lists_its_states_steps_roles_and_conditions(
    client: FlaskClient, published: WorkflowVersion, key: str
) -> None:
    """Every state label and step label, the roles allowed for each step (by label) and the
    text of every condition: the page is the readable form of the workflow file."""
    definitions: WorkflowSet = engine_for(published).definitions
    wf = definitions.workflows[key]

    response = client.get(f"/workflows/{key}")

    assert response.status_code == 200, (
        f"/workflows/{key} answered {response.status_code}; expected 200 with the workflow's "
        "states, steps, roles and conditions"
    )
    page = html(response)
    assert shows(page, wf.title)
    missing = [f"state {s.name}: {s.label}" for s in wf.states.values() if not shows(page, s.label)]
    for t in wf.transitions:
        if not shows(page, t.label):
            missing.append(f"step {t.trigger}: {t.label}")
        who = ", ".join(definitions.role_label(r) for r in t.allowed)
        if not shows(page, who):
            missing.append(f"roles of {t.trigger}: {who}")
        for condition in (*t.conditions, *t.unless):
            if not shows(page, condition.text):
                missing.append(f"condition of {t.trigger}: {condition.text}")
    assert missing == []
    # Each step's card says who may take it, in the step's own card.
    cards = page.split('<div class="govuk-summary-card">')[1:]
    assert len(cards) == len(wf.transitions)
    for card, t in zip(cards, wf.transitions, strict=True):
        assert shows(card, t.label)
        for role in t.allowed:
            assert shows(card, definitions.role_label(role)), (t.trigger, role)
        for condition in (*t.conditions, *t.unless):
            assert shows(card, condition.text), (t.trigger, condition.text)
    # The diagram of this version is on the page.
    assert f'src="/workflows/versions/{published.number}/{key}/diagram.svg"' in page
    assert_no_stack_trace(response)


def test_the_versions_page_marks_the_newest_as_live(
    client: FlaskClient,
    session: Session,
    published: WorkflowVersion,
    workflows_text: str,
    editor: Actor,
) -> None:
    assert LIVE_TAG in html(client.get("/workflows/versions"))
    changed, _, _ = retitled(workflows_text, "ewo_consultation", " (SPIRAL)")
    assert publish(session, changed, "config/workflows.yaml", editor).ok
    session.commit()

    page = html(client.get("/workflows/versions"))

    rows = page.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    rows_list = [r for r in rows.split('<tr class="govuk-table__row">') if r.strip()]
    assert len(rows_list) == 2
    assert "Version 2</a>" in rows_list[0] and LIVE_TAG in rows_list[0]
    assert "Version 1</a>" in rows_list[1] and LIVE_TAG not in rows_list[1]
    assert LIVE_TAG in html(client.get("/workflows/versions/2"))
    assert LIVE_TAG not in html(client.get("/workflows/versions/1"))


def test_a_new_version_changes_the_live_page_but_not_the_old_versions_page(
    client: FlaskClient,
    session: Session,
    published: WorkflowVersion,
    workflows_text: str,
    editor: Actor,
) -> None:
    changed, old, new = retitled(workflows_text, "support_first", " (graduated response)")
    result = publish(session, changed, "config/workflows.yaml", editor)
    assert result.ok
    session.commit()

    live = html(client.get("/workflows/support_first"))
    old_page = html(client.get("/workflows/versions/1/support_first"))
    version_2 = client.get("/workflows/versions/2")

    assert f'<h1 class="govuk-heading-l">{escape(new)}</h1>' in live
    assert "Workflow version 2" in live
    assert f'<h1 class="govuk-heading-l">{escape(old)}</h1>' in old_page
    assert shows(old_page, new) is False
    assert "Workflow version 1" in old_page
    assert 'src="/workflows/versions/1/support_first/diagram.svg"' in old_page
    assert 'src="/workflows/versions/2/support_first/diagram.svg"' in live
    # The version page says what changed in plain words, and shows the line diff.
    assert version_2.status_code == 200
    page = html(version_2)
    assert shows(page, f"workflow 'support_first': title changed from '{old}' to '{new}'")
    assert "Line-by-line changes to the file" in page
    diff = page.split('<pre class="panelflow-diff"', 1)[1].split("</pre>", 1)[0]
    assert re.search(rf"^-\s+title: {re.escape(str(escape(old)))}$", diff, re.MULTILINE)
    assert re.search(rf"^\+\s+title: {re.escape(str(escape(new)))}$", diff, re.MULTILINE)
    assert_no_stack_trace(version_2)


# --- conditions joined with "or" ----------------------------------------------------------

OR_CONDITIONS = """\
agencies:
  school: School
roles:
  lead: {agency: school, label: Attendance lead}
fields:
  note: {label: Note}
workflows:
  plan:
    title: Support plan
    initial: start
    states:
      - name: start
        label: Started
      - name: a
        label: Route A
      - name: b
        label: Route B
      - name: closed
        label: Closed
        final: true
    transitions:
      - trigger: to_a
        label: Take route A
        source: start
        dest: a
        allowed: [lead]
      - trigger: to_b
        label: Take route B
        source: start
        dest: b
        allowed: [lead]
      - trigger: close
        label: Close the plan
        source: [a, b]
        dest: closed
        allowed: [lead]
        conditions:
          - visited(a) or visited(b)
        unless:
          - looked_after or has_social_worker
"""


def test_a_step_with_an_or_condition_is_shown_with_each_alternative(
    client: FlaskClient, session: Session, editor: Actor
) -> None:
    """A condition may join alternatives with 'or' (parse_condition makes it a spec named
    'any_of', which is not a library entry). The page shows it (200) with its text and what
    each alternative means (each part's library summary), for ``conditions:`` and, prefixed
    by "not", for ``unless:``.

    PRODUCT BUG found while writing these tests: workflow.html looked up
    ``library['any_of']``, which does not exist, so every workflow page with an 'or'
    condition (in the shipped file: school_panel and statutory_referral) was a 500.
    """
    result = publish(session, OR_CONDITIONS, "or.yaml", editor)
    assert result.ok and result.version is not None, result.problems
    session.commit()
    close = engine_for(result.version).definitions.workflows["plan"].transitions[-1]

    response = client.get("/workflows/plan")

    assert response.status_code == 200, (
        f"/workflows/plan answered {response.status_code}; expected 200 (an 'or' condition "
        "must not break the workflow page)"
    )
    page = html(response)
    for condition in (*close.conditions, *close.unless):
        assert shows(page, condition.text)
        for part in condition.parts():
            assert shows(page, LIBRARY[part.name].summary.rstrip(".")), part.text
    assert_no_stack_trace(response)
