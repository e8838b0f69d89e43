"""A case's story in order: nominations, steps, barriers, actions and what became of them.

The timeline covers the cases the viewer may see (the caller passes their ids, already
filtered by ``case_scope``). It costs one query per kind of entry, however long the story.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from panelflow.actions.models import Action, ActionUpdate
from panelflow.cases.models import CaseEvent, CaseFlag
from panelflow.funding.models import FundingDecision
from panelflow.panels.models import AgendaItem, CaseBarrier, Meeting, Nomination
from panelflow.workflows.definitions import WorkflowSet

UPDATE_WORDS = {
    "created": "Action agreed",
    "accepted": "Action accepted",
    "declined": "Action declined",
    "progress": "Progress on an action",
    "completed": "Action completed",
    "withdrawn": "Action ended: consent to share withdrawn or expired",
}


@dataclass(frozen=True)
class Entry:
    at: datetime
    case_id: int
    kind: str  # nomination | step | discussion | barrier | action | funding | flag
    title: str
    by: str = ""
    details: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def _field_rows(
    definitions: WorkflowSet | None, values: dict[str, object]
) -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = []
    for name, value in values.items():
        label = (
            definitions.fields[name].label if definitions and name in definitions.fields else name
        )
        if isinstance(value, bool):
            value = "Yes" if value else "No"
        elif (
            definitions and name in definitions.fields and definitions.fields[name].type == "money"
        ):
            value = f"£{int(value) / 100:,.2f}"  # type: ignore[call-overload]
        # A support plan or a plan review stays a record; _timeline.html shows it readably.
        rows.append((label, value if isinstance(value, dict) else str(value)))
    return rows


def timeline(
    session: Session,
    case_ids: Collection[int],
    definitions: WorkflowSet | None,
    labels: dict[tuple[str, str], str] | None = None,
) -> Sequence[Entry]:
    """Every entry of the given cases, oldest first.

    ``labels`` maps (workflow, trigger) to the step's words; unknown steps show their name.
    """
    if not case_ids:
        return []
    ids = list(case_ids)
    labels = labels or {}
    entries: list[Entry] = []
    for nomination in session.scalars(select(Nomination).where(Nomination.case_id.in_(ids))):
        entries.append(
            Entry(
                nomination.at,
                nomination.case_id,
                "nomination",
                "Nominated for the panel",
                nomination.nominated_by_name,
                (("Why", nomination.reason),),
            )
        )
    for event in session.scalars(select(CaseEvent).where(CaseEvent.case_id.in_(ids))):
        title = labels.get((event.workflow_key, event.trigger), event.trigger.replace("_", " "))
        details = _field_rows(definitions, dict(event.fields or {}))
        entries.append(
            Entry(event.at, event.case_id, "step", title, event.actor_name, tuple(details))
        )
    for barrier in session.scalars(select(CaseBarrier).where(CaseBarrier.case_id.in_(ids))):
        entries.append(
            Entry(
                barrier.at,
                barrier.case_id,
                "barrier",
                f"Barrier recorded: {barrier.barrier}",
                barrier.recorded_by_name,
                (("Category", barrier.category.capitalize()),),
            )
        )
    rows = session.execute(
        select(ActionUpdate, Action.case_id, Action.title)
        .join(Action, Action.id == ActionUpdate.action_id)
        .where(Action.case_id.in_(ids))
    )
    for update, case_id, title in rows:
        details = [("Action", title)]
        if update.text:
            details.append(("Note", update.text))
        entries.append(
            Entry(
                update.at,
                case_id,
                "action",
                UPDATE_WORDS[update.kind],
                update.by_name,
                tuple(details),
            )
        )
    discussed = session.execute(
        select(AgendaItem, Meeting.starts_at)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(AgendaItem.case_id.in_(ids), AgendaItem.status != "waiting")
    )
    for item, starts_at in discussed:
        if item.status == "deferred":
            entries.append(
                Entry(
                    item.discussed_at or starts_at,
                    item.case_id,
                    "discussion",
                    "Deferred to the next panel meeting",
                    details=(("Why", item.deferred_reason),) if item.deferred_reason else (),
                )
            )
        elif item.discussion:
            entries.append(
                Entry(
                    item.discussed_at or starts_at,
                    item.case_id,
                    "discussion",
                    "Discussed at the panel meeting",
                    details=(("Notes", item.discussion),),
                )
            )
    for decision in session.scalars(
        select(FundingDecision).where(FundingDecision.case_id.in_(ids))
    ):
        details = (
            ("Amount", f"£{decision.amount_pence / 100:,.2f}"),
            ("Provider", decision.provider),
            ("Status", decision.status.capitalize()),
        )
        entries.append(
            Entry(
                decision.created_at,
                decision.case_id,
                "funding",
                f"Funding proposed: {decision.item.replace('_', ' ')}",
                decision.proposed_by_name,
                details,
            )
        )
    for flag in session.scalars(select(CaseFlag).where(CaseFlag.case_id.in_(ids))):
        entries.append(
            Entry(flag.raised_at, flag.case_id, "flag", f"Flag raised: {flag.text}", "panelflow")
        )
    entries.sort(key=lambda e: e.at)
    return entries
