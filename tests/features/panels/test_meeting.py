"""Steps for meeting mode: the chair's real pages, forms and CSRF tokens, end to end."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import select
from sqlalchemy.orm import Session

from panelflow.accounts.models import User
from panelflow.actions.models import Action
from panelflow.cases.models import Case
from panelflow.cases.operations import open_case
from panelflow.db import Database, utcnow
from panelflow.notify.models import OutgoingEmail
from panelflow.organisations.models import Pupil
from panelflow.panels.models import AgendaItem
from panelflow.panels.operations import nominate
from panelflow.roles import Actor
from tests.factories import csrf_token, make_pupil
from tests.features.pages import read, school_named, text

scenarios("panels/meeting.feature")

STAFF = Actor("test:staff", "Tom Birch", frozenset({"school_staff"}), "school")


def _case_of(db: Database, world: dict[str, Any], first: str) -> Case:
    with db.sessions() as s:
        case = s.scalar(select(Case).where(Case.pupil_id == world["pupils"][first]))
        assert case is not None
        s.expunge(case)
        return case


def _post(client: FlaskClient, page_url: str, url: str, data: dict[str, Any]) -> Any:
    page = client.get(page_url)
    assert page.status_code == 200, page_url
    return client.post(url, data={"csrf_token": csrf_token(page), **data})


@given(
    parsers.parse("{first_a} {family_a} and {first_b} {family_b} have been nominated at {school}")
)
def _nominated(
    session: Session,
    world: dict[str, Any],
    first_a: str,
    family_a: str,
    first_b: str,
    family_b: str,
    school: str,
) -> None:
    at = school_named(session, school)
    start = utcnow() - timedelta(days=2)
    for n, (given_name, family_name) in enumerate(((first_a, family_a), (first_b, family_b))):
        pupil = make_pupil(session, at, given_name=given_name, family_name=family_name)
        nominate(
            session, STAFF, pupil, f"{given_name} is often late.", now=start + timedelta(hours=n)
        )
        world["pupils"][given_name] = pupil.id
    session.commit()


@given(parsers.parse("{name} has an open panel case at {school} that is not on the agenda"))
def _open_case(session: Session, world: dict[str, Any], name: str, school: str) -> None:
    given_name, family_name = name.split()
    pupil = make_pupil(
        session, school_named(session, school), given_name=given_name, family_name=family_name
    )
    open_case(session, pupil, "school_panel", STAFF)
    world["pupils"][given_name] = pupil.id
    session.commit()


def _start(client: FlaskClient, world: dict[str, Any]) -> None:
    meeting = f"/meetings/{world['meeting']}"
    response = _post(client, meeting, f"{meeting}/start", {})
    assert response.status_code == 302


@given(parsers.parse("{first} has started the meeting"))
def _started(client: FlaskClient, world: dict[str, Any], first: str) -> None:
    _start(client, world)


@when(
    parsers.parse(
        "{first} starts the meeting and records {member}, and {other} of the youth service, "
        "as present"
    )
)
def _start_and_attend(
    client: FlaskClient, db: Database, world: dict[str, Any], first: str, member: str, other: str
) -> None:
    _start(client, world)
    url = f"/meetings/{world['meeting']}/attendance"
    page = client.get(url)
    assert page.status_code == 200
    [(member_id,)] = read(db, select(User.id).where(User.name == member))
    # Nia is not a standing member: she joins the panel first, as the chair would arrange.
    assert member not in text(page)
    with db.sessions() as s:
        from panelflow.panels.models import Meeting, PanelMember

        meeting = s.get(Meeting, world["meeting"])
        assert meeting is not None
        s.add(PanelMember(panel_id=meeting.panel_id, user_id=member_id))
        s.commit()
    page = client.get(url)
    world["response"] = client.post(
        url,
        data={
            "csrf_token": csrf_token(page),
            "present": [str(member_id)],
            "other_name": [other, ""],
            "other_agency": ["Youth service", ""],
        },
        follow_redirects=True,
    )
    assert world["response"].status_code == 200


@then(parsers.parse("meeting mode shows {name} as pupil {n:d} of {total:d}"))
def _shows(client: FlaskClient, world: dict[str, Any], name: str, n: int, total: int) -> None:
    response = client.get(f"/meetings/{world['meeting']}/run", follow_redirects=True)
    assert response.status_code == 200
    words = text(response)
    assert f"Pupil {n} of {total}" in words
    assert re.search(rf"<h1[^>]*>{name}</h1>", response.get_data(as_text=True))
    world["item_url"] = response.request.path


@when(
    parsers.parse('{first} records the discussion "{notes}" with the barriers "{one}" and "{two}"')
)
def _discussion(
    client: FlaskClient, world: dict[str, Any], first: str, notes: str, one: str, two: str
) -> None:
    url = world["item_url"]
    response = _post(
        client, url, f"{url}/discussion", {"discussion": notes, "barriers": [one, two]}
    )
    assert response.status_code == 302, text(response)


@when(parsers.parse('{first} agrees the action "{title}" for "{owner}"'))
def _agrees(client: FlaskClient, world: dict[str, Any], first: str, title: str, owner: str) -> None:
    url = world["item_url"]
    page = client.get(url)
    key = re.search(
        rf'<option value="([^"]+)"[^>]*>{re.escape(owner)}', page.get_data(as_text=True)
    )
    assert key, f"no owner {owner!r} offered"
    response = client.post(
        f"{url}/actions",
        data={"csrf_token": csrf_token(page), "title": title, "owner": key.group(1), "due": ""},
    )
    assert response.status_code == 302, text(response)


def _outcome_url(client: FlaskClient, world: dict[str, Any], label: str) -> str:
    page = client.get(world["item_url"]).get_data(as_text=True)
    found = re.search(rf'href="([^"]+/outcome/[a-z_]+)"[^>]*>{re.escape(label)}<', page)
    assert found, f"no outcome {label!r} offered"
    return found.group(1)


@when(parsers.parse('{first} opens the outcome "{label}"'))
def _opens(client: FlaskClient, world: dict[str, Any], first: str, label: str) -> None:
    world["outcome_url"] = _outcome_url(client, world, label)
    world["response"] = client.get(world["outcome_url"])
    assert world["response"].status_code == 200


@then(parsers.parse('the outcome form is drafted with "{one}" and "{two}"'))
def _drafted(world: dict[str, Any], one: str, two: str) -> None:
    page = text(world["response"])
    assert one in page
    assert two in page


def _fields(page_html: str) -> dict[str, str]:
    import html

    return {
        name: html.unescape(value)
        for name, value in re.findall(
            r'<textarea[^>]*name="([a-z_]+)"[^>]*>\s*(.*?)</textarea>', page_html, re.S
        )
    }


@when(parsers.parse("{first} confirms the outcome"))
def _confirms(client: FlaskClient, world: dict[str, Any], first: str) -> None:
    page = world["response"]
    body = page.get_data(as_text=True)
    version = re.search(r'name="expected_version"[^>]*value="(\d+)"', body)
    data = {"csrf_token": csrf_token(page), **_fields(body)}
    if version:
        data["expected_version"] = version.group(1)
    response = client.post(world["outcome_url"], data=data)
    assert response.status_code == 302, text(response)


@when(parsers.parse('{first} opens the outcome "{label}" and clears "{question}"'))
def _clears(
    client: FlaskClient, world: dict[str, Any], first: str, label: str, question: str
) -> None:
    response = client.get(f"/meetings/{world['meeting']}/run", follow_redirects=True)
    world["item_url"] = response.request.path
    url = _outcome_url(client, world, label)
    page = client.get(url)
    body = page.get_data(as_text=True)
    fields = _fields(body)
    fields["actions_agreed"] = ""
    fields["barriers_discussed"] = "Transport"
    world["response"] = client.post(url, data={"csrf_token": csrf_token(page), **fields})


@then(parsers.parse('{first}\'s case is "{state}"'))
def _state(
    client: FlaskClient, db: Database, world: dict[str, Any], first: str, state: str
) -> None:
    case = _case_of(db, world, first)
    page = client.get(f"/cases/{case.id}")
    assert state in text(page)


@then(parsers.parse('{first}\'s case timeline shows "{title}" with "{words}"'))
def _timeline(
    client: FlaskClient, db: Database, world: dict[str, Any], first: str, title: str, words: str
) -> None:
    case = _case_of(db, world, first)
    page = text(client.get(f"/cases/{case.id}"))
    assert title in page
    assert words in page.split(title, 1)[1]


@when(parsers.parse('{first} defers {pupil} saying "{reason}"'))
def _defers(
    client: FlaskClient, db: Database, world: dict[str, Any], first: str, pupil: str, reason: str
) -> None:
    case = _case_of(db, world, pupil)
    url = world["item_url"]
    response = _post(
        client,
        url,
        f"/meetings/{world['meeting']}/agenda/{case.id}/defer",
        {"reason": reason, "next": "run"},
    )
    assert response.status_code == 302


@when(parsers.parse("{first} closes the meeting"))
def _closes(client: FlaskClient, world: dict[str, Any], first: str) -> None:
    url = f"/meetings/{world['meeting']}/close"
    response = _post(client, url, url, {})
    assert response.status_code == 302
    world["minutes"] = client.get(response.headers["Location"])
    assert world["minutes"].status_code == 200


@then(parsers.parse("the minutes name {one} and {two} as present"))
def _present(world: dict[str, Any], one: str, two: str) -> None:
    words = text(world["minutes"])
    present = words.split("Present", 1)[1].split("Pupils", 1)[0]
    assert one in present
    assert two in present


@then(
    parsers.parse(
        'the minutes show {first}\'s outcome "{outcome}", her barriers and the action "{title}"'
    )
)
def _minutes_item(world: dict[str, Any], first: str, outcome: str, title: str) -> None:
    words = text(world["minutes"])
    assert f"Outcome: {outcome}" in words
    assert "Pupil: anxiety or low mood" in words
    assert title in words


@then(parsers.parse('the minutes show {first} deferred: "{reason}"'))
def _minutes_deferred(world: dict[str, Any], first: str, reason: str) -> None:
    assert f"Deferred to the next meeting: {reason}" in text(world["minutes"])


@then("the minutes download as a PDF")
def _pdf(client: FlaskClient, world: dict[str, Any]) -> None:
    response = client.get(f"/meetings/{world['meeting']}/minutes.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert len(response.data) > 2000


@then(parsers.parse('the action "{title}" is in {first}\'s inbox'))
def _in_inbox(
    client: FlaskClient, db: Database, world: dict[str, Any], title: str, first: str
) -> None:
    from tests.factories import Auth

    [(email,)] = read(db, select(User.email).where(User.name.like(f"{first} %")))
    Auth(client).sign_out()
    assert Auth(client).sign_in(email).status_code == 302
    assert title in text(client.get("/actions"))


@then(parsers.parse('an email about "{title}" is queued for {first}, without {pupil}\'s name'))
def _emailed(db: Database, world: dict[str, Any], title: str, first: str, pupil: str) -> None:
    [(email,)] = read(db, select(User.email).where(User.name.like(f"{first} %")))
    rows = read(db, select(OutgoingEmail).where(OutgoingEmail.to_address == email))
    assert len(rows) == 1
    [message] = rows[0]
    assert title in message.subject + message.body
    assert pupil not in message.subject + message.body
    [(action_id,)] = read(db, select(Action.id).where(Action.title == title))
    assert f"/actions/{action_id}" in message.body


@when(parsers.parse("{first} moves {name} up the agenda"))
def _moves(client: FlaskClient, db: Database, world: dict[str, Any], first: str, name: str) -> None:
    case = _case_of(db, world, name.split()[0])
    url = f"/meetings/{world['meeting']}"
    assert _post(client, url, f"{url}/agenda/{case.id}/up", {}).status_code == 302


@when(parsers.parse("{first} adds {name} to the agenda"))
def _adds(client: FlaskClient, db: Database, world: dict[str, Any], first: str, name: str) -> None:
    case = _case_of(db, world, name.split()[0])
    url = f"/meetings/{world['meeting']}/add"
    page = client.get(url)
    assert name in text(page)
    response = client.post(url, data={"csrf_token": csrf_token(page), "case": str(case.id)})
    assert response.status_code == 302


@then(parsers.parse("the agenda reads {names}"))
def _agenda_reads(client: FlaskClient, db: Database, world: dict[str, Any], names: str) -> None:
    words = text(client.get(f"/meetings/{world['meeting']}"))
    expected = names.replace(" and ", ", ").split(", ")
    positions = [words.index(n) for n in expected]
    assert positions == sorted(positions)
    rows = read(
        db,
        select(Pupil.given_name)
        .join(Case, Case.pupil_id == Pupil.id)
        .join(AgendaItem, AgendaItem.case_id == Case.id)
        .where(AgendaItem.meeting_id == world["meeting"])
        .order_by(AgendaItem.position),
    )
    assert [r.given_name for r in rows] == [n.split()[0] for n in expected]


@then(parsers.parse('{first} gets "not found" for the meeting\'s pages'))
def _not_found(client: FlaskClient, world: dict[str, Any], first: str) -> None:
    meeting = world["meeting"]
    for path in (f"/meetings/{meeting}", f"/meetings/{meeting}/run", f"/meetings/{meeting}/close"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/meetings/{meeting}/start").status_code in (400, 404)
