"""Steps for group programmes: the LA offers one, the chair runs a cohort and its register,
a pupil leaves part-way, and a place given by mistake is removed."""

from __future__ import annotations

import re
from datetime import timedelta
from itertools import pairwise
from typing import Any

from flask.testing import FlaskClient
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import select
from sqlalchemy.orm import Session

from panelflow.accounts.models import User
from panelflow.accounts.operations import actor_for
from panelflow.audit.models import AuditRecord
from panelflow.cases.models import Case
from panelflow.db import Database
from panelflow.funding.models import CohortPlace, CohortSession
from panelflow.funding.operations import approve, parse_money, propose, today
from tests.features.funding.conftest import entered, post_form, read, text

scenarios("funding/register.feature")


@given(parsers.parse('{first} adds the programme "{name}" run by "{provider}"'))
def _adds_programme(
    client: FlaskClient, world: dict[str, Any], first: str, name: str, provider: str
) -> None:
    response = post_form(
        client,
        "/funding/programmes",
        {"name": name, "provider": provider, "description": "A 6-9 week group programme"},
        follow_redirects=True,
    )
    assert f"{name} is on offer to every panel" in text(response)


@given(parsers.parse('{pupil}\'s place on a group programme is funded with "{amount}"'))
def _funded(session: Session, world: dict[str, Any], pupil: str, amount: str) -> None:
    chair = session.get(User, world["users"]["Priya"])
    lead = session.get(User, world["users"]["Lee"])
    case = session.get(Case, world["cases"][pupil])
    assert chair is not None and lead is not None and case is not None
    decision = propose(
        session,
        actor_for(chair),
        case=case,
        item="group_programme",
        amount_pence=parse_money(amount),
        provider="The Hive Youth Zone",
        starts_on=today(),
        ends_on=today() + timedelta(weeks=8),
    )
    approve(session, actor_for(lead), decision.id)
    session.commit()
    world["decisions"]["group_programme"] = decision.id


@given(
    parsers.parse(
        '{first} starts the cohort "{label}" of "{programme}" with {sessions:d} sessions '
        "and {places:d} places"
    )
)
@when(
    parsers.parse(
        '{first} starts the cohort "{label}" of "{programme}" with {sessions:d} sessions '
        "and {places:d} places"
    )
)
def _starts_cohort(
    client: FlaskClient,
    world: dict[str, Any],
    first: str,
    label: str,
    programme: str,
    sessions: int,
    places: int,
) -> None:
    listing = client.get("/programmes").get_data(as_text=True)
    found = re.search(rf'<option value="(\d+)"[^>]*>{re.escape(programme)}<', listing)
    assert found, "the programme is not offered"
    response = post_form(
        client,
        "/programmes",
        {
            "programme_id": found.group(1),
            "panel_id": str(world["panel"]),
            "label": label,
            "starts_on": entered(today()),
            "session_count": str(sessions),
            "places": str(places),
        },
    )
    assert response.status_code == 302, text(response)
    world["cohort"] = response.headers["Location"]


@then(
    parsers.parse(
        "the cohort has {count:d} weekly sessions and {taken:d} of {places:d} places taken"
    )
)
def _cohort_shape(
    client: FlaskClient, db: Database, world: dict[str, Any], count: int, taken: int, places: int
) -> None:
    page = text(client.get(world["cohort"]))
    assert f"{taken} of {places} places taken" in page
    held = [row.held_on for row in read(db, select(CohortSession.held_on).order_by("number"))]
    assert len(held) == count
    assert [(b - a).days for a, b in pairwise(held)] == [7] * (count - 1)


@when(parsers.parse("{first} gives {pupil} the funded place"))
def _gives_place(client: FlaskClient, world: dict[str, Any], first: str, pupil: str) -> None:
    response = post_form(
        client,
        world["cohort"],
        {"source": f"decision:{world['decisions']['group_programme']}"},
        follow_redirects=True,
    )
    assert "Place given" in text(response)


def _register_path(db: Database, world: dict[str, Any], number: int) -> str:
    [(sitting,)] = read(db, select(CohortSession.id).where(CohortSession.number == number))
    return f"{world['cohort']}/sessions/{sitting}"


@given(parsers.parse('{first} marks {pupil} "{mark}" at session {number:d}'))
@when(parsers.parse('{first} marks {pupil} "{mark}" at session {number:d}'))
def _marks(
    client: FlaskClient,
    db: Database,
    world: dict[str, Any],
    first: str,
    pupil: str,
    mark: str,
    number: int,
) -> None:
    [(place,)] = read(
        db, select(CohortPlace.id).where(CohortPlace.pupil_id == world["pupils"][pupil])
    )
    response = post_form(
        client,
        _register_path(db, world, number),
        {"what": "register", f"place-{place}": mark},
        follow_redirects=True,
    )
    assert "Register saved" in text(response)


@then(parsers.parse("the cohort page shows {pupil} attended {attended:d} of {marked:d} marked"))
def _attended(
    client: FlaskClient, world: dict[str, Any], pupil: str, attended: int, marked: int
) -> None:
    page = text(client.get(world["cohort"]))
    assert f"{pupil} Hughes Funding decision {attended} of {marked} marked" in page


@then(parsers.parse('the register of session {number:d} shows {pupil} as "{mark}"'))
def _register_shows(
    client: FlaskClient, db: Database, world: dict[str, Any], number: int, pupil: str, mark: str
) -> None:
    page = client.get(_register_path(db, world, number)).get_data(as_text=True)
    checked = re.findall(r'value="(\w+)" checked', page)
    assert checked == [mark]


@then(
    parsers.parse('{first}\'s view of the cohort and its first register answers "page not found"')
)
def _not_found(client: FlaskClient, db: Database, world: dict[str, Any], first: str) -> None:
    assert client.get(world["cohort"]).status_code == 404
    assert client.get(_register_path(db, world, 1)).status_code == 404


@given(parsers.parse("{first} gives {pupil} a place"))
@when(parsers.parse("{first} gives {pupil} a place"))
def _gives_unfunded_place(
    client: FlaskClient, world: dict[str, Any], first: str, pupil: str
) -> None:
    response = post_form(
        client, world["cohort"], {"source": f"case:{world['cases'][pupil]}"}, follow_redirects=True
    )
    assert "Place given" in text(response)


def _place_path(db: Database, world: dict[str, Any], pupil: str) -> str:
    [(place,)] = read(
        db, select(CohortPlace.id).where(CohortPlace.pupil_id == world["pupils"][pupil])
    )
    return f"{world['cohort']}/places/{place}"


def _leave(
    client: FlaskClient, db: Database, world: dict[str, Any], pupil: str, on: str, why: str
) -> None:
    world["response"] = post_form(
        client,
        _place_path(db, world, pupil),
        {"what": "leave", "left_on": on, "left_reason": why},
        follow_redirects=True,
    )


@given(
    parsers.parse(
        '{first} records that {pupil} left on the day of session {number:d} because "{why}"'
    )
)
@when(
    parsers.parse(
        '{first} records that {pupil} left on the day of session {number:d} because "{why}"'
    )
)
def _leaves_on_session_day(
    client: FlaskClient,
    db: Database,
    world: dict[str, Any],
    first: str,
    pupil: str,
    number: int,
    why: str,
) -> None:
    [(held_on,)] = read(db, select(CohortSession.held_on).where(CohortSession.number == number))
    world["left_on"] = held_on
    _leave(client, db, world, pupil, entered(held_on), why)


@when(parsers.parse('{first} records that {pupil} left on "{on}" because "{why}"'))
def _leaves_on(
    client: FlaskClient,
    db: Database,
    world: dict[str, Any],
    first: str,
    pupil: str,
    on: str,
    why: str,
) -> None:
    _leave(client, db, world, pupil, on, why)


@then(
    parsers.parse(
        "the cohort page shows {pupil} attended {attended:d} of {marked:d} marked and left"
    )
)
def _attended_and_left(
    client: FlaskClient, world: dict[str, Any], pupil: str, attended: int, marked: int
) -> None:
    assert world["response"].request.path == world["cohort"]
    page = text(client.get(world["cohort"]))
    assert f"{pupil} Hughes Not funded {attended} of {marked} marked Left on" in page


@then(parsers.parse("the register of session {number:d} shows {pupil} as left, not absent"))
def _register_shows_left(
    client: FlaskClient, db: Database, world: dict[str, Any], number: int, pupil: str
) -> None:
    page = client.get(_register_path(db, world, number))
    assert f"{pupil} Hughes: left on" in text(page)
    assert re.findall(r'value="(\w+)" checked', page.get_data(as_text=True)) == []
    assert "place-" not in page.get_data(as_text=True)


@then("the audit trail says a pupil left the cohort, without the reason")
def _audited_leaving(db: Database, world: dict[str, Any]) -> None:
    [(summary, details)] = read(
        db,
        select(AuditRecord.summary, AuditRecord.details).where(
            AuditRecord.action == "cohort.leave"
        ),
    )
    assert summary == "recorded that a pupil left a group programme cohort"
    assert details["left_on"] == world["left_on"].isoformat()
    assert "Moved" not in summary + str(details)


@when(parsers.parse("{first} undoes {pupil}'s leaving"))
def _undoes_leaving(
    client: FlaskClient, db: Database, world: dict[str, Any], first: str, pupil: str
) -> None:
    world["response"] = post_form(
        client, _place_path(db, world, pupil), {"what": "rejoin"}, follow_redirects=True
    )


@then("the audit trail says the leaving was taken back")
def _audited_rejoining(db: Database, world: dict[str, Any]) -> None:
    [(details,)] = read(
        db, select(AuditRecord.details).where(AuditRecord.action == "cohort.rejoin")
    )
    assert details["previous_left_on"] == world["left_on"].isoformat()


@when(parsers.parse("{first} removes {pupil}'s place"))
def _removes(
    client: FlaskClient, db: Database, world: dict[str, Any], first: str, pupil: str
) -> None:
    response = post_form(
        client, _place_path(db, world, pupil), {"what": "remove"}, follow_redirects=True
    )
    assert f"{pupil} Hughes's place is removed" in text(response)


@then(parsers.parse("{pupil} can be given a place again"))
def _offered_again(client: FlaskClient, world: dict[str, Any], pupil: str) -> None:
    assert f"{pupil} Hughes: not funded" in text(client.get(world["cohort"]))
