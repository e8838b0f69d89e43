"""Building the impact report and the barrier themes for a person, and auditing downloads.

Like every operation, these take an explicit session and scope (or actor) and never commit.
Reading a report is not audited (it holds counts, never a pupil); each download is, with
what was downloaded, the filters and how many rows, and nothing that could name anyone.
"""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from panelflow.audit.operations import log
from panelflow.catalogue.operations import engine_for, live_version
from panelflow.funding.models import Programme
from panelflow.impact.barriers import BarrierFilters, BarrierReport, barrier_report
from panelflow.impact.exports import Table
from panelflow.impact.measures import Filters, measure
from panelflow.impact.reports import Report, build
from panelflow.impact.scope import Scope
from panelflow.organisations.models import School
from panelflow.panels.models import Panel
from panelflow.roles import Actor
from panelflow.workflows.definitions import WorkflowSet

logger = logging.getLogger(__name__)


def _definitions(session: Session) -> WorkflowSet | None:
    version = live_version(session)
    return engine_for(version).definitions if version is not None else None


def impact_report(session: Session, scope: Scope, filters: Filters, today: date) -> Report:
    """The impact report of the scope's schools for the filters, suppressed."""
    measures = measure(session, scope, filters, today)
    definitions = _definitions(session)
    funding = definitions.funding if definitions is not None else None
    programme_ids = {int(m.type_key) for m in measures if m.kind == "programme"}
    programmes: dict[int, str] = {
        row.id: row.name
        for row in session.execute(
            select(Programme.id, Programme.name).where(Programme.id.in_(programme_ids))
        )
    }
    panels: dict[int, str] = {
        row.id: row.name
        for row in session.execute(
            select(Panel.id, Panel.name).where(Panel.id.in_({m.panel_id for m in measures}))
        )
    }
    schools: dict[int, str] = {
        row.id: row.name
        for row in session.execute(
            select(School.id, School.name).where(School.id.in_({m.school_id for m in measures}))
        )
    }

    def type_label(kind: str, key: str) -> str:
        if kind == "programme":
            return f"{programmes.get(int(key), 'A programme')} (group programme)"
        return funding.item_label(key) if funding else key.replace("_", " ").capitalize()

    report = build(
        scope,
        filters,
        measures,
        type_label=type_label,
        panel_names=panels,
        school_names=schools,
    )
    logger.info("impact report: %s interventions", len(measures))
    return report


def barrier_themes(session: Session, scope: Scope, filters: BarrierFilters) -> BarrierReport:
    """The barrier tables of the scope's schools for the dates, suppressed."""
    definitions = _definitions(session)
    categories = list(definitions.barriers) if definitions is not None else []
    return barrier_report(session, scope, filters, categories)


def record_export(
    session: Session,
    actor: Actor,
    scope: Scope,
    table: Table,
    file_format: str,
    filters: dict[str, str | int],
) -> None:
    """Audit a download of one table: which, as what, with which filters, how many rows."""
    log(
        session,
        actor,
        "impact.exported",
        f"downloaded the table '{table.title}' as {file_format.upper()}",
        details={
            "table": table.key,
            "format": file_format,
            "filters": filters,
            "rows": table.figures,
            **scope.described(),
        },
    )
