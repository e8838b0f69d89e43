"""Funding decisions and their approval ladder, spend, the ledger, budgets and programmes.

Who approves how much comes from the ``funding:`` section of the workflow file: a decision
falls in the first band whose ``up_to`` is at least its amount. Someone holding one of the
band's ``approved_by`` roles gives the first approval, and that may be the proposer (a chair
deciding in the meeting): then it is approved at once. A band with ``second_approval_by``
needs a second approval, from one of those roles, by someone who is neither the proposer nor
the first approver. A decision keeps the bands of the version it was proposed under.

The ledger of a budget period: *allocated* is the budget; *committed* is what approved
decisions still may spend (approved minus spent); *spent* is what was paid out; *remaining*
is allocated minus committed minus spent; *pending* is what awaits approval. Proposing or
approving something that would make committed + spent exceed allocated is refused unless an
override reason is given; the reason is kept on the decision and audited.

Like every operation, these take an explicit session and actor, check access first (running
panels, for a panel the actor sits on or whose school they work at, and need-to-know on the
case), never commit, and audit each decision. A record outside the actor's reach raises
``LookupError`` (views answer 404); a rule broken raises ``FundingError(message, field)``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, false, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from panelflow.audit.operations import log
from panelflow.cases.models import Case
from panelflow.catalogue.models import WorkflowVersion
from panelflow.catalogue.operations import engine_for, live_version, pinned
from panelflow.db import utcnow
from panelflow.funding.models import (
    MARKS,
    Budget,
    Cohort,
    CohortPlace,
    CohortSession,
    FundingApproval,
    FundingDecision,
    Programme,
    RegisterMark,
    SpendEntry,
)
from panelflow.organisations.models import Pupil
from panelflow.panels.models import Meeting, Panel, PanelMember, PanelSchool
from panelflow.panels.operations import panel_for_school
from panelflow.presentation import LONDON, day
from panelflow.roles import Actor
from panelflow.roles.policy import Permission, allowed, case_scope
from panelflow.workflows.definitions import ApprovalBand, FundingRules, WorkflowSet
from panelflow.workflows.money import MoneyError, format_money, parse_money

__all__ = [
    "FundingError",
    "Ledger",
    "LedgerLine",
    "MoneyError",
    "add_place",
    "add_programme",
    "approval_refusal",
    "approve",
    "budget_on",
    "case_funding",
    "decisions_for_cases",
    "decline",
    "leave_cohort",
    "ledger",
    "live_rules",
    "mark_register",
    "may_propose",
    "parse_money",
    "propose",
    "record_spend",
    "remove_place",
    "set_budget",
    "start_cohort",
    "update_session",
    "withdraw",
]

logger = logging.getLogger(__name__)

ATTENDED = ("present", "late")  # the marks that count as coming to a session

TEXT_LIMIT = 2000
NAME_LIMIT = 200
REASON_LIMIT = 200
LABEL_LIMIT = 100
MAX_PLACES = 100
MAX_SESSIONS = 52


class FundingError(Exception):
    """A funding step could not be taken; the message says why, in plain words."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def today(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(LONDON).date()


# -- who may do what ------------------------------------------------------------------------


def runs_panel(actor: Actor, column: InstrumentedAttribute[int]) -> ColumnElement[bool]:
    """SQL on a panel id column: the actor runs panels, and this panel is theirs (they sit on
    it, or work at one of its schools)."""
    if not allowed(actor, Permission.RUN_PANELS) or actor.user_id is None:
        return false()
    member = select(PanelMember.panel_id).where(PanelMember.user_id == actor.user_id)
    clauses = [column.in_(member)]
    if actor.school_id is not None:
        at_school = select(PanelSchool.panel_id).where(PanelSchool.school_id == actor.school_id)
        clauses.append(column.in_(at_school))
    return or_(*clauses)


def decision_scope(actor: Actor) -> ColumnElement[bool]:
    """SQL on ``FundingDecision``: decisions the actor may read and act on."""
    return runs_panel(actor, FundingDecision.panel_id) & FundingDecision.case_id.in_(
        select(Case.id).where(case_scope(actor))
    )


def cohort_scope(actor: Actor) -> ColumnElement[bool]:
    """SQL on ``Cohort``: cohorts of panels the actor runs."""
    return runs_panel(actor, Cohort.panel_id)


def _runs(session: Session, actor: Actor, panel_id: int) -> bool:
    found = session.scalar(
        select(Panel.id).where(Panel.id == panel_id, runs_panel(actor, Panel.id))
    )
    return found is not None


# -- the rules -------------------------------------------------------------------------------


def live_rules(session: Session) -> tuple[WorkflowVersion, WorkflowSet, FundingRules]:
    """The live workflow version and its funding rules: new decisions follow these."""
    version = live_version(session)
    definitions = engine_for(version).definitions if version is not None else None
    if version is None or definitions is None or definitions.funding is None:
        raise FundingError(
            "Funding is not set up: the published workflows have no 'funding:' section. "
            "Ask your LA workflow editor to add one (see docs/funding.md)"
        )
    return version, definitions, definitions.funding


def rules_of(session: Session, decision: FundingDecision) -> tuple[WorkflowSet, FundingRules]:
    """The rules a decision follows: those of the version it was proposed under."""
    definitions = pinned(session, decision.workflow_version_id).engine.definitions
    assert definitions.funding is not None, "a decision is only made under funding rules"
    return definitions, definitions.funding


def _band(rules: FundingRules, pence: int) -> ApprovalBand:
    band = rules.band_for(pence)
    if band is None:
        assert rules.limit is not None
        raise FundingError(
            f"{format_money(pence)} is more than a panel can approve (at most "
            f"{format_money(rules.limit)}); agree a smaller amount, or ask your LA workflow "
            "editor about the approval bands",
            "amount",
        )
    return band


def _roles_words(definitions: WorkflowSet, roles: Iterable[str]) -> str:
    labels = [definitions.role_label(r) for r in roles]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]


@dataclass(frozen=True)
class NextApproval:
    """The approval a proposed decision waits for: its step, and who may give it."""

    step: int
    roles: tuple[str, ...]


def next_approval(rules: FundingRules, decision: FundingDecision) -> NextApproval | None:
    """What the decision still needs, or None when it needs nothing more."""
    band = rules.band_for(decision.amount_pence)
    given = len(decision.approvals)
    if band is None:
        return None
    if given == 0:
        return NextApproval(1, band.approved_by)
    if given == 1 and band.needs_second:
        return NextApproval(2, band.second_approval_by)
    return None


def _approver(
    session: Session, actor: Actor, decision: FundingDecision
) -> tuple[ApprovalBand, NextApproval, str]:
    """The step and role in which ``actor`` may approve (or decline) ``decision`` now."""
    if decision.status != "proposed":
        raise FundingError(f"This decision is {decision.status}, so it cannot be approved now")
    definitions, rules = rules_of(session, decision)
    band = _band(rules, decision.amount_pence)
    needed = next_approval(rules, decision)
    if needed is None:
        raise FundingError("This decision already has every approval it needs")
    if needed.step == 2:
        if actor.id == decision.proposed_by_id:
            raise FundingError(
                "The second approval must come from someone other than the person who proposed it"
            )
        if actor.id == decision.approvals[0].actor_id:
            raise FundingError(
                "You gave the first approval; the second must come from someone else"
            )
    role = actor.acting_role(needed.roles)
    if role is None:
        which = "first" if needed.step == 1 else "second"
        raise FundingError(
            f"Only {_roles_words(definitions, needed.roles)} can give the {which} approval "
            f"of {format_money(decision.amount_pence)}, and you do not hold that role"
        )
    return band, needed, role


# -- the ledger ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerLine:
    decision: FundingDecision
    spent: int

    @property
    def committed(self) -> int:
        """What an approved decision may still spend."""
        if self.decision.status != "approved":
            return 0
        return max(self.decision.amount_pence - self.spent, 0)

    @property
    def pending(self) -> int:
        return self.decision.amount_pence if self.decision.status == "proposed" else 0


@dataclass(frozen=True)
class Ledger:
    """A budget period's money: allocated, committed, spent, remaining and pending."""

    budget: Budget
    lines: tuple[LedgerLine, ...]

    @property
    def allocated(self) -> int:
        return self.budget.amount_pence

    @property
    def committed(self) -> int:
        return sum(line.committed for line in self.lines)

    @property
    def spent(self) -> int:
        # Spend stays spent when a decision is withdrawn afterwards.
        return sum(line.spent for line in self.lines)

    @property
    def pending(self) -> int:
        return sum(line.pending for line in self.lines)

    @property
    def remaining(self) -> int:
        return self.allocated - self.committed - self.spent

    def would_overspend(self, pence: int) -> bool:
        return self.committed + self.spent + pence > self.allocated


def ledger(session: Session, panel_id: int, budget_id: int, *, fresh: bool = False) -> Ledger:
    """The ledger of one budget period of a panel (``LookupError`` if it is not the panel's).

    ``fresh`` reads every figure from the database even for records this session has loaded
    already: checks made under a lock must see what other transactions committed meanwhile,
    not the state the session remembers from before it waited for the lock.
    """
    budget = session.get(Budget, budget_id, populate_existing=fresh)
    if budget is None or budget.panel_id != panel_id:
        raise LookupError(budget_id)
    decisions = session.scalars(
        select(FundingDecision)
        .options(
            selectinload(FundingDecision.spends),
            selectinload(FundingDecision.approvals),
            selectinload(FundingDecision.pupil),
        )
        .where(FundingDecision.budget_id == budget.id)
        .order_by(FundingDecision.starts_on, FundingDecision.id)
        .execution_options(populate_existing=fresh)
    ).all()
    return Ledger(budget, tuple(LedgerLine(d, d.spent_pence) for d in decisions))


def budgets_of(session: Session, panel_id: int) -> Sequence[Budget]:
    return session.scalars(
        select(Budget).where(Budget.panel_id == panel_id).order_by(Budget.starts_on)
    ).all()


def budget_on(session: Session, panel_id: int, on: date, *, lock: bool = False) -> Budget | None:
    """The panel's budget period that ``on`` falls in."""
    query = select(Budget).where(
        Budget.panel_id == panel_id, Budget.starts_on <= on, Budget.ends_on >= on
    )
    return session.scalar(query.with_for_update() if lock else query)


def _check_overspend(
    session: Session, budget: Budget, pence: int, override_reason: str, *, already: str = ""
) -> bool:
    """Whether this amount overspends the period; refused without a reason. Locks the budget
    row first, so two decisions cannot both take the last of it (PostgreSQL; on SQLite every
    transaction holds the write lock from its start), then reads the ledger afresh: what
    this session loaded before the lock may have been approved or spent by another since."""
    session.execute(select(Budget.id).where(Budget.id == budget.id).with_for_update())
    book = ledger(session, budget.panel_id, budget.id, fresh=True)
    if not book.would_overspend(pence):
        return False
    if not override_reason and not already:
        left = max(book.remaining, 0)
        raise FundingError(
            f"This would overspend {budget.label}: {format_money(left)} is left and "
            f"{format_money(pence)} is asked for. To go ahead anyway, give the reason for "
            "overriding the budget",
            "override_reason",
        )
    return True


# -- decisions -------------------------------------------------------------------------------


def _text(value: str, limit: int, message: str, field: str, *, required: bool = True) -> str:
    cleaned = " ".join(value.split()) if "\n" not in value else value.strip()
    if required and not cleaned:
        raise FundingError(message, field)
    if len(cleaned) > limit:
        raise FundingError(
            f"Keep it short: at most {limit} characters (you wrote {len(cleaned)})", field
        )
    return cleaned


def may_propose(session: Session, actor: Actor, case: Case) -> bool:
    """Whether ``actor`` may propose funding on ``case`` (which they may see): the case is
    open, and they run the panel of the pupil's school, whose budget would pay for it. The
    same checks as ``propose`` makes, for pages deciding whether to offer it."""
    if not allowed(actor, Permission.RUN_PANELS) or case.is_final:
        return False
    panel = panel_for_school(session, case.pupil.school_id)
    return panel is not None and _runs(session, actor, panel.id)


def propose(
    session: Session,
    actor: Actor,
    *,
    case: Case,
    item: str,
    amount_pence: int,
    provider: str,
    starts_on: date,
    ends_on: date,
    description: str = "",
    meeting_id: int | None = None,
    override_reason: str = "",
    now: datetime | None = None,
) -> FundingDecision:
    """Propose funding for a pupil's case; approved at once if the proposer may approve it."""
    now = now or utcnow()
    in_scope = session.scalar(select(Case.id).where(Case.id == case.id, case_scope(actor)))
    if not allowed(actor, Permission.RUN_PANELS) or in_scope is None:
        raise LookupError(case.id)
    if case.is_final:
        raise FundingError("This case is closed; funding can only be agreed on an open case")
    version, _, rules = live_rules(session)
    if item not in rules.items:
        raise FundingError("Choose what the money is for", "item")
    if amount_pence <= 0:
        raise FundingError("Enter an amount of more than £0", "amount")
    provider = _text(
        provider,
        NAME_LIMIT,
        "Enter who provides it: a bus company, a shop, a youth centre",
        "provider",
    )
    description = _text(description, TEXT_LIMIT, "", "description", required=False)
    override_reason = _text(override_reason, TEXT_LIMIT, "", "override_reason", required=False)
    if ends_on < starts_on:
        raise FundingError("The end date must be the same as or after the start date", "ends_on")
    band = _band(rules, amount_pence)
    pupil = session.get(Pupil, case.pupil_id)
    assert pupil is not None
    panel = panel_for_school(session, pupil.school_id)
    if panel is None:
        raise FundingError("This pupil's school is not on a panel, so there is no budget to use")
    if not _runs(session, actor, panel.id):
        raise FundingError("You can propose funding only for a panel you sit on or work at")
    if meeting_id is not None:
        meeting = session.get(Meeting, meeting_id)
        if meeting is None or meeting.panel_id != panel.id:
            raise FundingError("That meeting is not one of this panel's meetings", "meeting_id")
    budget = budget_on(session, panel.id, starts_on, lock=True)
    if budget is None:
        raise FundingError(
            f"No budget is set for {panel.name} on {day(starts_on)}; ask your LA administrator",
            "starts_on",
        )
    role = actor.acting_role(band.approved_by)
    complete = role is not None and not band.needs_second
    overspends = _check_overspend(session, budget, amount_pence, override_reason)

    decision = FundingDecision(
        panel_id=panel.id,
        budget_id=budget.id,
        case_id=case.id,
        pupil_id=pupil.id,
        meeting_id=meeting_id,
        workflow_version_id=version.id,
        item=item,
        description=description,
        amount_pence=amount_pence,
        provider=provider,
        starts_on=starts_on,
        ends_on=ends_on,
        status="approved" if complete else "proposed",
        proposed_by_id=actor.id,
        proposed_by_user_id=actor.user_id,
        proposed_by_name=actor.name,
        override_reason=override_reason if overspends else "",
        approved_at=now if complete else None,
        created_at=now,
    )
    session.add(decision)
    session.flush()
    what = f"{rules.item_label(item)}, {format_money(amount_pence)}"
    details = {
        "decision": decision.id,
        "panel": panel.id,
        "budget": budget.id,
        "item": item,
        "amount_pence": amount_pence,
        "band_up_to_pence": band.up_to,
        "meeting": meeting_id,
    }
    log(
        session,
        actor,
        "funding.propose",
        f"proposed funding: {what}",
        case_id=case.id,
        pupil_id=pupil.id,
        workflow_version=version.number,
        details=details,
        at=now,
    )
    if role is not None:
        session.add(
            FundingApproval(
                decision_id=decision.id,
                step=1,
                actor_id=actor.id,
                user_id=actor.user_id,
                name=actor.name,
                role=role,
                at=now,
            )
        )
        log(
            session,
            actor,
            "funding.approve",
            f"approved their own proposal ({what})"
            + ("" if complete else "; it needs a second approval"),
            role=role,
            case_id=case.id,
            pupil_id=pupil.id,
            workflow_version=version.number,
            details={"decision": decision.id, "step": 1, "status": decision.status},
            at=now,
        )
    if overspends:
        _log_override(session, actor, decision, now)
    session.flush()
    session.refresh(decision)
    logger.info("funding decision %s proposed (%s)", decision.id, decision.status)
    return decision


def _log_override(session: Session, actor: Actor, decision: FundingDecision, now: datetime) -> None:
    # Free text stays on the decision, not in the audit details (it may name people).
    log(
        session,
        actor,
        "funding.override",
        f"overrode the budget for {format_money(decision.amount_pence)} of funding; the "
        "reason is kept with the decision",
        case_id=decision.case_id,
        pupil_id=decision.pupil_id,
        details={"decision": decision.id, "budget": decision.budget_id},
        at=now,
    )


def _decision_for(session: Session, actor: Actor, decision_id: int) -> FundingDecision:
    decision = session.scalar(
        select(FundingDecision)
        .where(FundingDecision.id == decision_id, decision_scope(actor))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if decision is None:
        raise LookupError(decision_id)
    return decision


def visible_decision(session: Session, actor: Actor, decision_id: int) -> FundingDecision | None:
    """The decision, if the actor may read it."""
    return session.scalar(
        select(FundingDecision)
        .options(
            selectinload(FundingDecision.approvals),
            selectinload(FundingDecision.spends),
            selectinload(FundingDecision.pupil),
            selectinload(FundingDecision.budget),
        )
        .where(FundingDecision.id == decision_id, decision_scope(actor))
    )


def approve(
    session: Session,
    actor: Actor,
    decision_id: int,
    override_reason: str = "",
    *,
    now: datetime | None = None,
) -> FundingDecision:
    """Give the approval a proposed decision waits for (the first, or the second)."""
    now = now or utcnow()
    decision = _decision_for(session, actor, decision_id)
    band, needed, role = _approver(session, actor, decision)
    complete = needed.step == 2 or not band.needs_second
    override_reason = _text(override_reason, TEXT_LIMIT, "", "override_reason", required=False)
    overspends = False
    if complete:
        overspends = _check_overspend(
            session,
            decision.budget,
            decision.amount_pence,
            override_reason,
            already=decision.override_reason,
        )
    session.add(
        FundingApproval(
            decision_id=decision.id,
            step=needed.step,
            actor_id=actor.id,
            user_id=actor.user_id,
            name=actor.name,
            role=role,
            at=now,
        )
    )
    if complete:
        decision.status = "approved"
        decision.approved_at = now
    which = "first" if needed.step == 1 else "second"
    log(
        session,
        actor,
        "funding.approve",
        f"gave the {which} approval of {format_money(decision.amount_pence)} of funding"
        + ("; it is approved" if complete else "; it needs a second approval"),
        role=role,
        case_id=decision.case_id,
        pupil_id=decision.pupil_id,
        details={"decision": decision.id, "step": needed.step, "status": decision.status},
        at=now,
    )
    if overspends and override_reason:
        decision.override_reason = override_reason
        _log_override(session, actor, decision, now)
    session.flush()
    session.refresh(decision)
    return decision


def decline(
    session: Session, actor: Actor, decision_id: int, reason: str, *, now: datetime | None = None
) -> FundingDecision:
    """Refuse a proposed decision, as someone who could have approved it now."""
    now = now or utcnow()
    decision = _decision_for(session, actor, decision_id)
    if decision.status == "proposed" and actor.id == decision.proposed_by_id:
        raise FundingError("You proposed this; withdraw it instead of declining it")
    _, _, role = _approver(session, actor, decision)
    reason = _text(reason, TEXT_LIMIT, "Say why you are declining it", "reason")
    _close(decision, "declined", actor, reason, now)
    log(
        session,
        actor,
        "funding.decline",
        f"declined {format_money(decision.amount_pence)} of funding",
        role=role,
        case_id=decision.case_id,
        pupil_id=decision.pupil_id,
        details={"decision": decision.id},
        at=now,
    )
    session.flush()
    return decision


def withdraw(
    session: Session, actor: Actor, decision_id: int, reason: str, *, now: datetime | None = None
) -> FundingDecision:
    """Withdraw a proposed or approved decision; what it has not spent goes back."""
    now = now or utcnow()
    decision = _decision_for(session, actor, decision_id)
    if decision.status not in ("proposed", "approved"):
        raise FundingError(f"This decision is {decision.status} already")
    reason = _text(reason, TEXT_LIMIT, "Say why you are withdrawing it", "reason")
    released = decision.amount_pence - decision.spent_pence if decision.status == "approved" else 0
    _close(decision, "withdrawn", actor, reason, now)
    log(
        session,
        actor,
        "funding.withdraw",
        f"withdrew {format_money(decision.amount_pence)} of funding"
        + (f"; {format_money(released)} goes back to the budget" if released else ""),
        case_id=decision.case_id,
        pupil_id=decision.pupil_id,
        details={
            "decision": decision.id,
            "spent_pence": decision.spent_pence,
            "released_pence": released,
        },
        at=now,
    )
    session.flush()
    return decision


def _close(
    decision: FundingDecision, status: str, actor: Actor, reason: str, now: datetime
) -> None:
    decision.status = status
    decision.closed_at = now
    decision.closed_by_name = actor.name
    decision.closed_reason = reason


def record_spend(
    session: Session,
    actor: Actor,
    decision_id: int,
    amount_pence: int,
    on: date,
    note: str = "",
    *,
    now: datetime | None = None,
) -> SpendEntry:
    """Record money paid out against an approved decision; never more than it approved."""
    now = now or utcnow()
    decision = _decision_for(session, actor, decision_id)
    if decision.status != "approved":
        raise FundingError(
            f"Spend can be recorded only against an approved decision; this one is "
            f"{decision.status}"
        )
    if amount_pence <= 0:
        raise FundingError("Enter an amount of more than £0", "amount")
    if on > today(now):
        raise FundingError("The date of the spend cannot be in the future", "on")
    note = _text(note, TEXT_LIMIT, "", "note", required=False)
    left = decision.amount_pence - decision.spent_pence
    if amount_pence > left:
        raise FundingError(
            f"That would bring the spend to {format_money(decision.spent_pence + amount_pence)}, "
            f"more than the {format_money(decision.amount_pence)} approved; at most "
            f"{format_money(max(left, 0))} can still be spent",
            "amount",
        )
    entry = SpendEntry(
        decision_id=decision.id,
        amount_pence=amount_pence,
        spent_on=on,
        note=note,
        by_user_id=actor.user_id,
        by_name=actor.name,
        at=now,
    )
    session.add(entry)
    session.flush()
    log(
        session,
        actor,
        "funding.spend",
        f"recorded {format_money(amount_pence)} spent",
        case_id=decision.case_id,
        pupil_id=decision.pupil_id,
        details={"decision": decision.id, "spend": entry.id, "amount_pence": amount_pence},
        at=now,
    )
    session.refresh(decision)
    return entry


def decisions_for_cases(
    session: Session, case_ids: Sequence[int]
) -> dict[int, list[FundingDecision]]:
    """Every funding decision of these cases, oldest first, by case (no access check: the
    caller has already limited ``case_ids`` to cases the viewer may see)."""
    found: dict[int, list[FundingDecision]] = {}
    if not case_ids:
        return found
    for decision in session.scalars(
        select(FundingDecision)
        .options(selectinload(FundingDecision.approvals), selectinload(FundingDecision.spends))
        .where(FundingDecision.case_id.in_(list(case_ids)))
        .order_by(FundingDecision.created_at, FundingDecision.id)
    ):
        found.setdefault(decision.case_id, []).append(decision)
    return found


@dataclass(frozen=True)
class CaseFunding:
    """What a case's page shows of its funding: the decisions, which of them the viewer may
    open, and whether they may propose more."""

    decisions: list[FundingDecision]
    openable: frozenset[int]  # decision ids
    may_propose: bool


def case_funding(session: Session, actor: Actor, case: Case) -> CaseFunding:
    """The funding of a case the actor may see. Everyone who may see the case sees what was
    decided (its timeline says so too); a decision opens for those who run its panel."""
    decisions = decisions_for_cases(session, [case.id]).get(case.id, [])
    panels = {d.panel_id for d in decisions}
    theirs = set(
        session.scalars(select(Panel.id).where(Panel.id.in_(panels), runs_panel(actor, Panel.id)))
        if panels and allowed(actor, Permission.RUN_PANELS)
        else ()
    )
    return CaseFunding(
        decisions=decisions,
        openable=frozenset(d.id for d in decisions if d.panel_id in theirs),
        may_propose=may_propose(session, actor, case),
    )


# -- budgets ---------------------------------------------------------------------------------


def _la_panel(session: Session, actor: Actor, panel_id: int) -> Panel:
    if not allowed(actor, Permission.MANAGE_BUDGETS):
        raise LookupError(panel_id)
    panel = session.get(Panel, panel_id)
    if (
        panel is None
        or actor.local_authority_id is None
        or panel.local_authority_id != actor.local_authority_id
    ):
        raise LookupError(panel_id)
    return panel


def set_budget(
    session: Session,
    actor: Actor,
    *,
    panel_id: int,
    label: str,
    starts_on: date,
    ends_on: date,
    amount_pence: int,
    budget_id: int | None = None,
    now: datetime | None = None,
) -> Budget:
    """Set a panel's budget for a period (a new period, or change one); periods of one panel
    never overlap."""
    now = now or utcnow()
    panel = _la_panel(session, actor, panel_id)
    existing: Budget | None = None
    if budget_id is not None:
        existing = session.scalar(
            select(Budget).where(Budget.id == budget_id, Budget.panel_id == panel.id)
        )
        if existing is None:
            raise LookupError(budget_id)
    label = _text(label, LABEL_LIMIT, "Name the period, like 'Autumn term 2026'", "label")
    if ends_on < starts_on:
        raise FundingError("The end date must be after the start date", "ends_on")
    if amount_pence < 0:
        raise FundingError("Enter an amount of £0 or more", "amount")
    overlapping = session.scalar(
        select(Budget)
        .where(
            Budget.panel_id == panel.id,
            Budget.starts_on <= ends_on,
            Budget.ends_on >= starts_on,
            Budget.id != (existing.id if existing else -1),
        )
        .order_by(Budget.starts_on)
        .limit(1)
    )
    if overlapping is not None:
        raise FundingError(
            f"These dates overlap {overlapping.label} ({day(overlapping.starts_on)} to "
            f"{day(overlapping.ends_on)}); a panel's budget periods cannot overlap",
            "starts_on",
        )
    if existing is not None:
        outside = session.scalar(
            select(func.count())
            .select_from(FundingDecision)
            .where(
                FundingDecision.budget_id == existing.id,
                or_(FundingDecision.starts_on < starts_on, FundingDecision.starts_on > ends_on),
            )
        )
        if outside:
            raise FundingError(
                f"{outside} funding decision(s) in this period start outside the new dates; "
                "keep the dates around them",
                "starts_on",
            )
    previous = existing.amount_pence if existing else None
    budget = existing or Budget(panel_id=panel.id)
    budget.label = label
    budget.starts_on = starts_on
    budget.ends_on = ends_on
    budget.amount_pence = amount_pence
    budget.set_by_user_id = actor.user_id
    budget.set_by_name = actor.name
    budget.set_at = now
    if existing is None:
        session.add(budget)
    session.flush()
    log(
        session,
        actor,
        "funding.budget",
        f"set the budget of {panel.name} for {label} to {format_money(amount_pence)}",
        details={
            "panel": panel.id,
            "budget": budget.id,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
            "amount_pence": amount_pence,
            "previous_amount_pence": previous,
        },
        at=now,
    )
    return budget


def authority_panels(session: Session, local_authority_id: int | None) -> Sequence[Panel]:
    return session.scalars(
        select(Panel).where(Panel.local_authority_id == local_authority_id).order_by(Panel.name)
    ).all()


# -- group programmes, cohorts and registers -------------------------------------------------


def add_programme(
    session: Session,
    actor: Actor,
    *,
    name: str,
    provider: str,
    description: str = "",
    now: datetime | None = None,
) -> Programme:
    """Offer a group programme in the actor's local authority."""
    if not allowed(actor, Permission.MANAGE_BUDGETS) or actor.local_authority_id is None:
        raise FundingError("Only LA administrators add group programmes")
    name = _text(name, NAME_LIMIT, "Enter the programme's name", "name")
    provider = _text(provider, NAME_LIMIT, "Enter who runs it", "provider")
    description = _text(description, TEXT_LIMIT, "", "description", required=False)
    clash = session.scalar(
        select(Programme.id).where(
            Programme.local_authority_id == actor.local_authority_id,
            func.lower(Programme.name) == name.lower(),
        )
    )
    if clash is not None:
        raise FundingError(f"There is already a programme called {name}", "name")
    programme = Programme(
        local_authority_id=actor.local_authority_id,
        name=name,
        provider=provider,
        description=description,
        created_by_name=actor.name,
        created_at=now or utcnow(),
    )
    session.add(programme)
    session.flush()
    log(
        session,
        actor,
        "programme.add",
        f"added the group programme {name}",
        details={"programme": programme.id},
        at=now,
    )
    return programme


def start_cohort(
    session: Session,
    actor: Actor,
    *,
    programme_id: int,
    panel_id: int,
    label: str,
    starts_on: date,
    session_count: int,
    places: int,
    now: datetime | None = None,
) -> Cohort:
    """Start a cohort of a programme for a panel, with one session a week from ``starts_on``
    (each session's date can be moved afterwards)."""
    if not _runs(session, actor, panel_id):
        raise LookupError(panel_id)
    panel = session.get(Panel, panel_id)
    programme = session.get(Programme, programme_id)
    if (
        panel is None
        or programme is None
        or programme.local_authority_id != panel.local_authority_id
    ):
        raise FundingError("Choose one of the programmes on offer", "programme_id")
    label = _text(label, NAME_LIMIT, "Name the cohort, like 'Spring 2027, Tuesdays'", "label")
    if not 1 <= session_count <= MAX_SESSIONS:
        raise FundingError(
            f"Enter the number of sessions, from 1 to {MAX_SESSIONS}", "session_count"
        )
    if not 1 <= places <= MAX_PLACES:
        raise FundingError(f"Enter the number of places, from 1 to {MAX_PLACES}", "places")
    cohort = Cohort(
        programme_id=programme.id,
        panel_id=panel.id,
        label=label,
        starts_on=starts_on,
        session_count=session_count,
        places=places,
        created_by_name=actor.name,
        created_at=now or utcnow(),
    )
    session.add(cohort)
    session.flush()
    for number in range(1, session_count + 1):
        session.add(
            CohortSession(
                cohort_id=cohort.id,
                number=number,
                held_on=starts_on + timedelta(weeks=number - 1),
                topic="",
            )
        )
    log(
        session,
        actor,
        "cohort.start",
        f"started a cohort of {programme.name} with {places} places and {session_count} sessions",
        details={"cohort": cohort.id, "programme": programme.id, "panel": panel.id},
        at=now,
    )
    session.flush()
    return cohort


def _cohort_for(session: Session, actor: Actor, cohort_id: int) -> Cohort:
    cohort = session.scalar(select(Cohort).where(Cohort.id == cohort_id, cohort_scope(actor)))
    if cohort is None:
        raise LookupError(cohort_id)
    return cohort


def add_place(
    session: Session,
    actor: Actor,
    cohort_id: int,
    *,
    case_id: int,
    decision_id: int | None = None,
    now: datetime | None = None,
) -> CohortPlace:
    """Give a pupil (through their case) a place on a cohort, paid for by a decision or not."""
    cohort = _cohort_for(session, actor, cohort_id)
    case = session.scalar(select(Case).where(Case.id == case_id, case_scope(actor)))
    if case is None:
        raise LookupError(case_id)
    on_panel = session.scalar(
        select(PanelSchool.panel_id)
        .join(Pupil, Pupil.school_id == PanelSchool.school_id)
        .where(Pupil.id == case.pupil_id, PanelSchool.panel_id == cohort.panel_id)
    )
    if on_panel is None:
        raise FundingError("This pupil's school is not on the cohort's panel", "case_id")
    _claim_a_free_place(session, cohort, "case_id")
    already = session.scalar(
        select(CohortPlace.id).where(
            CohortPlace.cohort_id == cohort.id, CohortPlace.pupil_id == case.pupil_id
        )
    )
    if already is not None:
        raise FundingError("This pupil already has a place on this cohort", "case_id")
    if decision_id is not None:
        decision = session.get(FundingDecision, decision_id)
        if decision is None or decision.case_id != case.id or decision.status != "approved":
            raise FundingError(
                "A place can be paid for only by an approved funding decision for this pupil",
                "decision_id",
            )
        paying = session.scalar(
            select(CohortPlace.id).where(CohortPlace.decision_id == decision.id)
        )
        if paying is not None:
            raise FundingError("That funding decision already pays for a place", "decision_id")
    now = now or utcnow()
    place = CohortPlace(
        cohort_id=cohort.id,
        case_id=case.id,
        pupil_id=case.pupil_id,
        decision_id=decision_id,
        added_by_name=actor.name,
        added_at=now,
    )
    session.add(place)
    session.flush()
    log(
        session,
        actor,
        "cohort.place",
        "gave a pupil a place on a group programme cohort",
        case_id=case.id,
        pupil_id=case.pupil_id,
        details={"cohort": cohort.id, "place": place.id, "decision": decision_id},
        at=now,
    )
    return place


def _claim_a_free_place(session: Session, cohort: Cohort, field: str) -> None:
    """Refuse unless a place on the cohort is free. The cohort is locked first, so two
    places taken at once cannot both take the last one (PostgreSQL)."""
    session.execute(select(Cohort.id).where(Cohort.id == cohort.id).with_for_update())
    taken = session.scalar(
        select(func.count())
        .select_from(CohortPlace)
        .where(CohortPlace.cohort_id == cohort.id, CohortPlace.left_on.is_(None))
    )
    if (taken or 0) >= cohort.places:
        raise FundingError(f"All {cohort.places} places on this cohort are taken", field)


def _place_for(session: Session, actor: Actor, place_id: int) -> tuple[CohortPlace, Cohort]:
    """A place on a cohort the actor runs, of a pupil they may see, locked for changing."""
    found = session.execute(
        select(CohortPlace, Cohort)
        .join(Cohort, Cohort.id == CohortPlace.cohort_id)
        .where(
            CohortPlace.id == place_id,
            cohort_scope(actor),
            CohortPlace.case_id.in_(select(Case.id).where(case_scope(actor))),
        )
        .with_for_update(of=CohortPlace)
        .execution_options(populate_existing=True)
    ).first()
    if found is None:
        raise LookupError(place_id)
    seat, cohort = found
    return seat, cohort


def _attended_after(session: Session, place_id: int, on: date) -> CohortSession | None:
    """The first session after ``on`` the pupil came to (marked present or late), if any."""
    return session.scalar(
        select(CohortSession)
        .join(RegisterMark, RegisterMark.session_id == CohortSession.id)
        .where(
            RegisterMark.place_id == place_id,
            RegisterMark.mark.in_(ATTENDED),
            CohortSession.held_on > on,
        )
        .order_by(CohortSession.held_on, CohortSession.number)
        .limit(1)
    )


def leave_cohort(
    session: Session,
    actor: Actor,
    place_id: int,
    *,
    left_on: date,
    reason: str,
    now: datetime | None = None,
) -> CohortPlace:
    """Record that a pupil left a cohort on a date, and why (or correct what was recorded).

    The place and its register marks stay: the pupil is not expected at sessions held after
    ``left_on``, and the place no longer counts as taken. The date cannot be before the
    cohort started, in the future, or before a session the pupil came to.
    """
    now = now or utcnow()
    place, cohort = _place_for(session, actor, place_id)
    if left_on < cohort.starts_on:
        raise FundingError(
            f"The leaving date cannot be before the cohort started, on {day(cohort.starts_on)}",
            "left_on",
        )
    if left_on > today(now):
        raise FundingError("The leaving date cannot be in the future", "left_on")
    came = _attended_after(session, place.id, left_on)
    if came is not None:
        raise FundingError(
            f"The pupil came to session {came.number} on {day(came.held_on)}, so they cannot "
            "have left before it; enter that date or a later one",
            "left_on",
        )
    reason = _text(
        reason, REASON_LIMIT, "Say in a few words why they left, like 'moved school'", "left_reason"
    )
    previous = place.left_on
    place.left_on = left_on
    place.left_reason = reason
    place.left_recorded_by_name = actor.name
    place.left_recorded_at = now
    session.flush()
    # The reason is free text that may name people: it stays on the place, not in the trail.
    log(
        session,
        actor,
        "cohort.leave",
        "recorded that a pupil left a group programme cohort"
        + (" (a correction)" if previous is not None else ""),
        case_id=place.case_id,
        pupil_id=place.pupil_id,
        details={
            "cohort": cohort.id,
            "place": place.id,
            "left_on": left_on.isoformat(),
            "previous_left_on": previous.isoformat() if previous else None,
        },
        at=now,
    )
    return place


def rejoin_cohort(
    session: Session, actor: Actor, place_id: int, *, now: datetime | None = None
) -> CohortPlace:
    """Undo a leaving recorded by mistake: the pupil is on the cohort again, if a place is
    free. The audit trail keeps the leaving date that was taken back."""
    now = now or utcnow()
    place, cohort = _place_for(session, actor, place_id)
    if place.left_on is None:
        raise FundingError("This pupil has not left the cohort", "rejoin")
    _claim_a_free_place(session, cohort, "rejoin")
    previous = place.left_on
    place.left_on = None
    place.left_reason = ""
    place.left_recorded_by_name = ""
    place.left_recorded_at = None
    session.flush()
    log(
        session,
        actor,
        "cohort.rejoin",
        "took back a pupil's leaving of a group programme cohort: they are on it again",
        case_id=place.case_id,
        pupil_id=place.pupil_id,
        details={"cohort": cohort.id, "place": place.id, "previous_left_on": previous.isoformat()},
        at=now,
    )
    return place


def remove_place(
    session: Session, actor: Actor, place_id: int, *, now: datetime | None = None
) -> None:
    """Remove a place given by mistake, before any register mark exists for it.

    Once the pupil is on a register their place is history: record that they left instead.
    A funding decision that paid for the place can then pay for another.
    """
    place, cohort = _place_for(session, actor, place_id)
    marked = session.scalar(
        select(func.count()).select_from(RegisterMark).where(RegisterMark.place_id == place.id)
    )
    if marked:
        raise FundingError(
            "This pupil is already on a register, so the place cannot be removed; record that "
            "they left the cohort instead",
            "remove",
        )
    log(
        session,
        actor,
        "cohort.place_remove",
        "removed a place given by mistake on a group programme cohort",
        case_id=place.case_id,
        pupil_id=place.pupil_id,
        details={"cohort": cohort.id, "place": place.id, "decision": place.decision_id},
        at=now,
    )
    session.delete(place)
    session.flush()


def _session_for(session: Session, actor: Actor, cohort_session_id: int) -> CohortSession:
    found = session.scalar(
        select(CohortSession)
        .join(Cohort, Cohort.id == CohortSession.cohort_id)
        .where(CohortSession.id == cohort_session_id, cohort_scope(actor))
    )
    if found is None:
        raise LookupError(cohort_session_id)
    return found


def update_session(
    session: Session,
    actor: Actor,
    cohort_session_id: int,
    *,
    held_on: date,
    topic: str = "",
    now: datetime | None = None,
) -> CohortSession:
    """Move a session to another date, or say what it is about."""
    found = _session_for(session, actor, cohort_session_id)
    topic = _text(topic, NAME_LIMIT, "", "topic", required=False)
    leaver = session.scalar(
        select(CohortPlace)
        .join(RegisterMark, RegisterMark.place_id == CohortPlace.id)
        .where(
            RegisterMark.session_id == found.id,
            RegisterMark.mark.in_(ATTENDED),
            CohortPlace.left_on < held_on,
        )
        .limit(1)
    )
    if leaver is not None:
        assert leaver.left_on is not None
        raise FundingError(
            f"A pupil who came to this session left the cohort on {day(leaver.left_on)}; "
            "the session cannot be moved after that",
            "held_on",
        )
    moved_from = found.held_on
    found.held_on = held_on
    found.topic = topic
    log(
        session,
        actor,
        "cohort.session",
        f"updated session {found.number} of a cohort",
        details={
            "cohort": found.cohort_id,
            "session": found.id,
            "held_on": held_on.isoformat(),
            "moved_from": moved_from.isoformat(),
        },
        at=now,
    )
    session.flush()
    return found


def mark_register(
    session: Session,
    actor: Actor,
    cohort_session_id: int,
    marks: Mapping[int, str],
    *,
    now: datetime | None = None,
) -> int:
    """Record who came to a session (place id -> present, late, absent or excused).

    Marks for places of pupils outside the actor's need-to-know are refused. Returns how many
    marks were written; marking again replaces the earlier mark.
    """
    now = now or utcnow()
    found = _session_for(session, actor, cohort_session_id)
    # Locked, so a place cannot be removed, nor its pupil recorded as leaving, meanwhile.
    places = {
        p.id: p
        for p in session.scalars(
            select(CohortPlace)
            .where(
                CohortPlace.cohort_id == found.cohort_id,
                CohortPlace.case_id.in_(select(Case.id).where(case_scope(actor))),
            )
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    }
    for place_id, mark in marks.items():
        if place_id not in places:
            raise LookupError(place_id)
        if mark not in MARKS:
            raise FundingError(
                f"Mark each pupil as one of: {', '.join(MARKS)}", f"place-{place_id}"
            )
        left_on = places[place_id].left_on
        if not places[place_id].expected_at(found.held_on) and left_on is not None:
            raise FundingError(
                f"This pupil left the cohort on {day(left_on)}, before this session, so they "
                "are not on its register",
                f"place-{place_id}",
            )
    existing = {
        m.place_id: m
        for m in session.scalars(
            select(RegisterMark).where(
                RegisterMark.session_id == found.id, RegisterMark.place_id.in_(list(marks))
            )
        )
    }
    for place_id, mark in marks.items():
        row = existing.get(place_id)
        if row is None:
            session.add(
                RegisterMark(
                    session_id=found.id,
                    place_id=place_id,
                    mark=mark,
                    by_user_id=actor.user_id,
                    by_name=actor.name,
                    at=now,
                )
            )
        elif row.mark != mark:
            row.mark, row.by_user_id, row.by_name, row.at = mark, actor.user_id, actor.name, now
    log(
        session,
        actor,
        "cohort.register",
        f"took the register of session {found.number} of a cohort ({len(marks)} pupils)",
        details={
            "cohort": found.cohort_id,
            "session": found.id,
            "marks": {str(k): v for k, v in sorted(marks.items())},
        },
        at=now,
    )
    session.flush()
    return len(marks)


@dataclass(frozen=True)
class PlaceAttendance:
    place: CohortPlace
    marks: dict[int, str]  # session id -> mark
    expected: frozenset[int]  # the sessions the pupil is expected at (not after leaving)

    @property
    def attended(self) -> int:
        return sum(1 for m in self.marks.values() if m in ATTENDED)

    @property
    def marked(self) -> int:
        """Marks of sessions the pupil was expected at (an absence marked for a session
        after they left is kept, but not counted)."""
        return sum(1 for session_id in self.marks if session_id in self.expected)


def cohort_register(
    session: Session, cohort: Cohort
) -> tuple[list[CohortSession], list[PlaceAttendance]]:
    """A cohort's sessions in order and every place with its marks."""
    sessions = list(
        session.scalars(
            select(CohortSession)
            .where(CohortSession.cohort_id == cohort.id)
            .order_by(CohortSession.number)
        )
    )
    places = list(
        session.scalars(
            select(CohortPlace)
            .options(selectinload(CohortPlace.pupil).selectinload(Pupil.school))
            .where(CohortPlace.cohort_id == cohort.id)
            .order_by(CohortPlace.added_at, CohortPlace.id)
        )
    )
    marks: dict[int, dict[int, str]] = {p.id: {} for p in places}
    for row in session.scalars(select(RegisterMark).where(RegisterMark.place_id.in_(list(marks)))):
        marks[row.place_id][row.session_id] = row.mark
    return sessions, [
        PlaceAttendance(
            p, marks[p.id], frozenset(s.id for s in sessions if p.expected_at(s.held_on))
        )
        for p in places
    ]


def money_text(text: str, field: str = "amount") -> int:
    """``parse_money`` for forms: a ``FundingError`` on the field instead of ``MoneyError``."""
    if not text.strip():
        raise FundingError("Enter the amount, like 45 or 12.50", field)
    try:
        return parse_money(text)
    except MoneyError as error:
        message = str(error)
        raise FundingError(message[:1].upper() + message[1:], field) from error


def approval_refusal(session: Session, actor: Actor, decision: FundingDecision) -> str | None:
    """Why ``actor`` may not approve ``decision`` now, or None if they may (for pages)."""
    try:
        _approver(session, actor, decision)
    except FundingError as error:
        return str(error)
    return None
