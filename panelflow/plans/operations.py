"""Attendance support plans and their reviews, as the case history holds them.

A plan is not a table of its own: each version is the ``support_plan`` value of the step that
agreed or updated it, kept in ``CaseEvent.fields``, so the history holds every version. The
current plan of a case is the newest one recorded in its group of linked cases; the latest
review is the newest ``plan_review`` value. This module reads them back for the case page and
the documents, opens a support-first case straight from a pupil's page, and audits every
document opened.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from panelflow.audit.operations import log
from panelflow.cases.models import Case, CaseEvent
from panelflow.cases.operations import CaseError, open_case, within_need_to_know
from panelflow.organisations.models import Pupil
from panelflow.roles import Actor
from panelflow.workflows.structured import is_plan, is_review

logger = logging.getLogger(__name__)

SUPPORT_FIRST = "support_first"
# Who may open a support-first case straight from a pupil's page.
OPENERS = ("attendance_lead", "ewo")


@dataclass(frozen=True)
class Recorded:
    """A plan or a review, with the step that recorded it."""

    value: Mapping[str, Any]
    event: CaseEvent
    number: int  # 1 for the first plan (or review) of the group, 2 for the next...

    @property
    def field_values(self) -> Mapping[str, Any]:
        """Everything else recorded with the same step (review notes, attendance)."""
        return self.event.fields or {}


@dataclass(frozen=True)
class PlanStory:
    """Every plan and every review recorded on a group of linked cases, oldest first."""

    plans: Sequence[Recorded]
    reviews: Sequence[Recorded]

    @property
    def plan(self) -> Recorded | None:
        return self.plans[-1] if self.plans else None

    @property
    def review(self) -> Recorded | None:
        """The latest review (of the current plan, or from before there was one)."""
        return self.reviews[-1] if self.reviews else None

    def event(self, event_id: int) -> Recorded | None:
        for found in (*self.plans, *self.reviews):
            if found.event.id == event_id:
                return found
        return None

    def plan_before(self, review: Recorded) -> Recorded | None:
        """The plan a review was held against: the newest one recorded before it."""
        earlier = [
            p for p in self.plans if (p.event.at, p.event.id) < (review.event.at, review.event.id)
        ]
        return earlier[-1] if earlier else None


def story(session: Session, case: Case) -> PlanStory:
    """The plans and reviews of the case's group (one query)."""
    events = session.scalars(
        select(CaseEvent)
        .where(CaseEvent.group_id == case.group_id)
        .order_by(CaseEvent.at, CaseEvent.id)
    ).all()
    plans: list[Recorded] = []
    reviews: list[Recorded] = []
    for event in events:
        for value in (event.fields or {}).values():
            if is_plan(value):
                plans.append(Recorded(value, event, len(plans) + 1))
            elif is_review(value):
                reviews.append(Recorded(value, event, len(reviews) + 1))
    return PlanStory(plans, reviews)


def open_support_first(session: Session, actor: Actor, pupil: Pupil) -> Case:
    """Open a support-first case for a pupil straight away, without a panel.

    Only an attendance lead or an EWO who may work on the pupil's cases may; and a pupil has
    one open support-first case at a time (the pupil's row is locked while this is checked,
    so two people pressing the button at once open one case).
    """
    if not any(role in actor.roles for role in OPENERS):
        raise CaseError(
            "only a school attendance lead or an education welfare officer can open support "
            "first for a pupil"
        )
    if not within_need_to_know(session, actor, pupil.id):
        raise CaseError(
            "you cannot open a case for this pupil: they are outside what your role and "
            "agency need to know"
        )
    session.execute(select(Pupil.id).where(Pupil.id == pupil.id).with_for_update())
    already = session.scalar(
        select(Case.id).where(
            Case.pupil_id == pupil.id,
            Case.workflow_key == SUPPORT_FIRST,
            Case.is_final.is_(False),
        )
    )
    if already is not None:
        raise CaseError(
            f"{pupil.given_name} already has an open support-first case; carry on with that "
            "one rather than opening another"
        )
    case = open_case(session, pupil, SUPPORT_FIRST, actor)
    logger.info("support first opened directly: case %s", case.id)
    return case


def open_support_first_case(session: Session, pupil_id: int) -> int | None:
    """The pupil's open support-first case, if there is one (for the link on their page)."""
    return session.scalar(
        select(Case.id).where(
            Case.pupil_id == pupil_id,
            Case.workflow_key == SUPPORT_FIRST,
            Case.is_final.is_(False),
        )
    )


def document_opened(
    session: Session,
    actor: Actor,
    case: Case,
    document: str,
    event: CaseEvent,
    *,
    as_pdf: bool,
    address: str = "",
) -> None:
    """Audit that someone opened (or downloaded) a plan document about a pupil."""
    log(
        session,
        actor,
        "export.document" if as_pdf else "document.view",
        f"{'downloaded' if as_pdf else 'opened'} the document '{document}' as "
        f"{'a PDF' if as_pdf else 'a page'}",
        case_id=case.id,
        pupil_id=case.pupil_id,
        details={"document": document, "event": event.id, "address": address},
    )
