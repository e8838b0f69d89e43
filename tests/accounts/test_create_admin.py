"""`panelflow users create-admin`: the first account, with the password policy applied."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from panelflow.accounts.models import User
from panelflow.audit.models import AuditRecord
from panelflow.catalogue.models import WorkflowVersion
from panelflow.cli import main
from panelflow.db import Database


@pytest.fixture
def cli(db: Database, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("DATABASE_URL", db.url)
    return CliRunner()


ARGS = [
    "users",
    "create-admin",
    "--email",
    "Ade.Okafor@Wirral.example",
    "--name",
    "Ade Okafor",
    "--local-authority",
    "Wirral Council",
    "--password-stdin",
]


def test_creates_the_first_administrator(
    cli: CliRunner, session: Session, published: WorkflowVersion
) -> None:
    result = cli.invoke(main, ARGS, input="tangerine-kettle-moor-42\n")

    assert result.exit_code == 0, result.output
    assert "created administrator Ade Okafor <ade.okafor@wirral.example> for Wirral Council" in (
        result.output
    )
    user = session.scalars(select(User)).one()
    assert (user.email, user.agency, sorted(user.roles)) == (
        "ade.okafor@wirral.example",
        "local_authority",
        ["la_admin"],
    )
    assert user.password_hash and "tangerine" not in user.password_hash
    assert {"account.create", "account.role_granted"} <= set(
        session.scalars(select(AuditRecord.action))
    )


def test_a_common_password_is_refused_and_nothing_is_created(
    cli: CliRunner, session: Session, published: WorkflowVersion
) -> None:
    result = cli.invoke(main, ARGS, input="password1234\n")

    assert result.exit_code == 1
    assert "Password is one of the most commonly used passwords" in result.output
    assert session.scalars(select(User)).first() is None


def test_workflows_must_be_published_first(cli: CliRunner) -> None:
    result = cli.invoke(main, ARGS, input="tangerine-kettle-moor-42\n")

    assert result.exit_code == 1
    assert "publish the workflows first" in result.output
