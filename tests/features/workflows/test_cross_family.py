"""Cases moving between families (linked cases share one history) and workflow versions
(a case keeps its version until it is migrated on purpose). Shared steps are in conftest.py;
the version steps are here."""

from __future__ import annotations

from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import select

from panelflow.audit.models import AuditRecord
from panelflow.catalogue.models import WorkflowVersion
from panelflow.catalogue.operations import apply_migration, publish, version_by_number
from tests.conftest import WORKFLOWS_FILE
from tests.features.workflows.world import CASE, WHO, World

scenarios("workflows/cross_family.feature")

# The one change version 2 makes: the panel's funding decision is required again.
FUNDING_OPTIONAL = """\
        requires: [barriers_discussed, actions_agreed]
        optional: [funding_decision]
        conditions:
          - has_recorded(reason)
"""
FUNDING_REQUIRED = """\
        requires: [barriers_discussed, actions_agreed, funding_decision]
        conditions:
          - has_recorded(reason)
"""


@given(
    parsers.re(
        rf"{WHO} has published version 2, in which the panel must record a funding decision "
        "when it discusses a pupil"
    )
)
def _publish_version_2(world: World, who: str) -> None:
    text = WORKFLOWS_FILE.read_text(encoding="utf-8")
    assert text.count(FUNDING_OPTIONAL) == 1, "the shipped file no longer reads as expected"
    result = publish(
        world.session,
        text.replace(FUNDING_OPTIONAL, FUNDING_REQUIRED),
        "config/workflows.yaml",
        world.person(who),
    )
    assert result.ok, result.problems or result.refusal
    assert result.version is not None and result.version.number == 2
    world.session.commit()


def _migrate(world: World, who: str, number: str) -> None:
    target = version_by_number(world.session, int(number))
    assert target is not None
    report = apply_migration(world.session, target, world.person(who))
    assert report.applied and not report.stuck
    world.session.commit()


@given(parsers.re(rf"{WHO} has migrated the open cases to version (?P<number>\d+)"))
def _has_migrated(world: World, who: str, number: str) -> None:
    _migrate(world, who, number)


@when(parsers.re(rf"{WHO} migrates the open cases to version (?P<number>\d+)"))
def _migrates(world: World, who: str, number: str) -> None:
    _migrate(world, who, number)


@then(parsers.re(rf"{CASE} is on workflow version (?P<number>\d+)"))
def _on_version(world: World, owner: str | None, kind: str, number: str) -> None:
    case = world.find(kind, owner)
    version = world.session.get(WorkflowVersion, case.workflow_version_id)
    assert version is not None and version.number == int(number)


@then(
    parsers.re(
        rf"the audit trail records that {WHO} moved {CASE} from version (?P<old>\d+) "
        r"to version (?P<new>\d+)"
    )
)
def _migration_audited(
    world: World, who: str, owner: str | None, kind: str, old: str, new: str
) -> None:
    case = world.find(kind, owner)
    record = world.session.scalars(
        select(AuditRecord).where(
            AuditRecord.action == "case.migrate", AuditRecord.case_id == case.id
        )
    ).one()
    assert record.actor_name == world.person(who).name
    assert (record.details["from_version"], record.details["to_version"]) == (int(old), int(new))
    assert record.workflow_version == int(new)
