"""Steps for the chair's funding journey: the real propose form, decision page and ledger."""

from __future__ import annotations

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
from panelflow.funding.models import FundingDecision
from panelflow.funding.operations import parse_money, propose, today
from tests.factories import csrf_token
from tests.features.funding.conftest import entered, post_form, read, text

scenarios("funding/funding.feature")


def _propose_form(client: FlaskClient, world: dict[str, Any], pupil: str, **values: str) -> None:
    path = f"/cases/{world['cases'][pupil]}/funding/new"
    world["proposal"] = (path, values)
    world["response"] = post_form(client, path, values, follow_redirects=True)


@when(
    parsers.re(
        r'(?P<first>\w+) proposes "(?P<item>\w+)" for (?P<pupil>\w+) costing "(?P<amount>[^"]*)" '
        r'from "(?P<provider>[^"]*)"'
    )
)
def _proposes(
    client: FlaskClient,
    world: dict[str, Any],
    first: str,
    item: str,
    pupil: str,
    amount: str,
    provider: str,
) -> None:
    on = entered(today())
    _propose_form(
        client,
        world,
        pupil,
        item=item,
        amount=amount,
        provider=provider,
        starts_on=on,
        ends_on=on,
        description="",
    )
    if world["response"].request.path.startswith("/funding/"):
        world["decisions"][item] = int(world["response"].request.path.rsplit("/", 1)[1])


@when(parsers.parse('{first} gives the reason "{reason}"'))
def _gives_reason(client: FlaskClient, world: dict[str, Any], first: str, reason: str) -> None:
    path, values = world["proposal"]
    world["response"] = post_form(
        client, path, {**values, "override_reason": reason}, follow_redirects=True
    )


@then(parsers.parse('the funding is "{status}"'))
def _status(world: dict[str, Any], status: str) -> None:
    response = world["response"]
    assert response.status_code == 200
    assert response.request.path.startswith("/funding/")
    assert f"Status {status}" in text(response)


@when(parsers.parse('{first} approves the "{item}" funding'))
def _approves(client: FlaskClient, world: dict[str, Any], first: str, item: str) -> None:
    path = f"/funding/{world['decisions'][item]}"
    page = client.get(path)
    world["response"] = client.post(
        f"{path}/approve", data={"csrf_token": csrf_token(page)}, follow_redirects=True
    )


@when(parsers.parse('{first} records "{amount}" spent on the "{item}" funding'))
def _spends(client: FlaskClient, world: dict[str, Any], first: str, amount: str, item: str) -> None:
    path = f"/funding/{world['decisions'][item]}"
    page = client.get(path)
    world["response"] = client.post(
        f"{path}/spend",
        data={"csrf_token": csrf_token(page), "amount": amount, "on": entered(today())},
        follow_redirects=True,
    )
    assert "Spend recorded" in text(world["response"])


@given(parsers.parse('{first} has already committed "{amount}" of the budget'))
def _committed(session: Session, world: dict[str, Any], first: str, amount: str) -> None:
    user = session.get(User, world["users"][first])
    case = session.get(Case, world["cases"]["Amara"])
    assert user is not None and case is not None
    left = parse_money(amount)
    while left:
        part = min(left, 15000)  # within the first band, so approved at once
        propose(
            session,
            actor_for(user),
            case=case,
            item="transport",
            amount_pence=part,
            provider="Merseytravel",
            starts_on=today(),
            ends_on=today(),
        )
        left -= part
    session.commit()


@then(
    parsers.parse(
        'the ledger for "{label}" shows allocated "{allocated}", committed "{committed}", '
        'spent "{spent}" and remaining "{remaining}"'
    )
)
def _ledger(
    client: FlaskClient,
    world: dict[str, Any],
    label: str,
    allocated: str,
    committed: str,
    spent: str,
    remaining: str,
) -> None:
    page = text(client.get(f"/panels/{world['panel']}/funding"))
    assert f"Funding: {label}" in page
    assert (
        f"Allocated {allocated} Committed {committed} Spent {spent} Remaining {remaining}"
    ) in page


@then(
    parsers.parse(
        "the audit trail holds {first_count:d} approvals of funding by {first} "
        "and {second_count:d} by {second}"
    )
)
def _audited(
    db: Database,
    world: dict[str, Any],
    first_count: int,
    first: str,
    second_count: int,
    second: str,
) -> None:
    def approvals(name: str) -> int:
        rows = read(
            db,
            select(AuditRecord.action).where(
                AuditRecord.actor_id == f"user:{world['users'][name]}",
                AuditRecord.action == "funding.approve",
            ),
        )
        return len(rows)

    assert (approvals(first), approvals(second)) == (first_count, second_count)
    assert len(read(db, select(FundingDecision.id))) == 2
