"""Steps for nominating a pupil: the real pages, forms and CSRF tokens."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from panelflow.accounts.models import User
from panelflow.accounts.operations import actor_for
from panelflow.cases.models import Case
from panelflow.db import Database
from panelflow.organisations.models import Pupil
from panelflow.panels.models import Nomination
from panelflow.panels.operations import nominate
from tests.factories import csrf_token
from tests.features.pages import read, text

scenarios("panels/nomination.feature")


def _find(client: FlaskClient, words: str) -> Any:
    page = client.get("/nominate")
    return client.post("/nominate", data={"csrf_token": csrf_token(page), "q": words})


@when(parsers.re(r'(?P<first>\w+) finds "(?P<words>[^"]*)"$'))
def _finds(client: FlaskClient, world: dict[str, Any], first: str, words: str) -> None:
    world["response"] = _find(client, words)


@when(
    parsers.re(
        r'(?P<first>\w+) finds "(?P<words>[^"]*)" and nominates her saying "(?P<reason>[^"]*)"'
    )
)
def _nominates(
    client: FlaskClient, world: dict[str, Any], first: str, words: str, reason: str
) -> None:
    found = _find(client, words)
    link = next(
        part.split('"')[0]
        for part in found.get_data(as_text=True).split('href="')[1:]
        if part.startswith("/nominate/pupils/")
    )
    form = client.get(link)
    world["response"] = client.post(
        link, data={"csrf_token": csrf_token(form), "reason": reason}, follow_redirects=True
    )


@when(parsers.parse('{first} adds "{name}" born "{born}", year "{year}", saying "{reason}"'))
def _adds(
    client: FlaskClient,
    world: dict[str, Any],
    first: str,
    name: str,
    born: str,
    year: str,
    reason: str,
) -> None:
    form = client.get("/nominate/new")
    given_name, family_name = name.split()
    world["response"] = client.post(
        "/nominate/new",
        data={
            "csrf_token": csrf_token(form),
            "given_name": given_name,
            "family_name": family_name,
            "date_of_birth": born,
            "year_group": year,
            "reason": reason,
        },
        follow_redirects=True,
    )


@given(parsers.parse('{first} has nominated {pupil} saying "{reason}"'))
def _has_nominated(
    session: Session, world: dict[str, Any], first: str, pupil: str, reason: str
) -> None:
    user = session.get(User, world["users"][first])
    assert user is not None
    nominate(session, actor_for(user), session.get(Pupil, world["pupils"][pupil]), reason)  # type: ignore[arg-type]
    session.commit()


@then(parsers.parse("{first} is told {name} is on the agenda of the next panel meeting"))
def _told_on_agenda(world: dict[str, Any], first: str, name: str) -> None:
    response = world["response"]
    assert response.status_code == 200
    assert f"{name} is on the agenda of the panel meeting on" in text(response)


@then(parsers.parse("{first} is told {name} already has a panel case"))
def _told_joined(world: dict[str, Any], first: str, name: str) -> None:
    assert f"{name} already has a panel case; your nomination has been added to it" in text(
        world["response"]
    )


@then(parsers.parse('the next meeting\'s agenda shows {name} as a new nomination with "{reason}"'))
def _agenda_shows(client: FlaskClient, world: dict[str, Any], name: str, reason: str) -> None:
    page = text(client.get(f"/meetings/{world['meeting']}"))
    assert f"{name} New nomination" in page
    assert f"“{reason}”" in page


@then(parsers.parse("{pupil} has {count:d} panel case with {nominations:d} nominations"))
def _counts(db: Database, world: dict[str, Any], pupil: str, count: int, nominations: int) -> None:
    pupil_id = world["pupils"][pupil]
    [(cases,)] = read(db, select(func.count()).select_from(Case).where(Case.pupil_id == pupil_id))
    [(made,)] = read(
        db,
        select(func.count())
        .select_from(Nomination)
        .join(Case, Case.id == Nomination.case_id)
        .where(Case.pupil_id == pupil_id),
    )
    assert (cases, made) == (count, nominations)


@then(parsers.parse("{pupil} has no panel case"))
def _no_case(db: Database, world: dict[str, Any], pupil: str) -> None:
    [(cases,)] = read(
        db, select(func.count()).select_from(Case).where(Case.pupil_id == world["pupils"][pupil])
    )
    assert cases == 0


@then("no pupil is found")
def _none_found(world: dict[str, Any]) -> None:
    assert "No pupil on your school's roll matches" in text(world["response"])


@then(parsers.parse('{first}\'s nomination page for {pupil} answers "page not found"'))
def _not_found(client: FlaskClient, world: dict[str, Any], first: str, pupil: str) -> None:
    assert client.get(f"/nominate/pupils/{world['pupils'][pupil]}").status_code == 404
