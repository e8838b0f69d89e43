"""Funding in the web UI: a panel's ledger, proposing funding for a pupil, a decision's page
(approve, decline, withdraw, record spend), budgets for LA administrators, and group
programmes with their cohorts, places (a pupil leaving, a place removed) and session
registers.

Every page loads its record within the person's reach (404, audited, outside it), reads the
form, calls one operation and commits once. Pupils outside someone's need-to-know are counted
in the ledger's totals but never named. LA administrators see money, never pupils.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from panelflow import web
from panelflow.accounts.views import local_path, require_sign_in
from panelflow.cases.models import Case
from panelflow.cases.views import typed_date, visible_case
from panelflow.catalogue.operations import pinned
from panelflow.funding.forms import (
    BudgetForm,
    CohortForm,
    LeaveForm,
    PlaceForm,
    ProgrammeForm,
    ProposeForm,
    RegisterForm,
    StepForm,
)
from panelflow.funding.models import (
    MARKS,
    Budget,
    Cohort,
    CohortPlace,
    CohortSession,
    FundingDecision,
    Programme,
)
from panelflow.funding.operations import (
    FundingError,
    add_place,
    add_programme,
    approval_refusal,
    approve,
    authority_panels,
    budget_on,
    budgets_of,
    cohort_register,
    cohort_scope,
    decline,
    leave_cohort,
    ledger,
    live_rules,
    mark_register,
    money_text,
    next_approval,
    propose,
    record_spend,
    rejoin_cohort,
    remove_place,
    rules_of,
    runs_panel,
    set_budget,
    start_cohort,
    today,
    update_session,
    visible_decision,
    withdraw,
)
from panelflow.organisations.models import Pupil
from panelflow.panels.models import Panel, PanelSchool
from panelflow.panels.operations import panel_for_school
from panelflow.presentation import day
from panelflow.roles.policy import Permission, case_scope
from panelflow.roles.views import current_actor, not_found_for, require
from panelflow.workflows.definitions import FundingRules
from panelflow.workflows.money import format_money

bp = Blueprint("funding", __name__)
bp.before_request(require_sign_in)

STATUS_TAGS = {
    "proposed": "govuk-tag--yellow",
    "approved": "govuk-tag--green",
    "declined": "govuk-tag--red",
    "withdrawn": "govuk-tag--grey",
}
STEPS = ("approve", "decline", "withdraw", "spend")
DONE = {
    "approve": "Approval recorded",
    "decline": "Funding declined",
    "withdraw": "Funding withdrawn: what was not spent is back in the budget",
    "spend": "Spend recorded",
}
EXPIRED = "The form had expired; send it again"


# -- words for templates ---------------------------------------------------------------------


@bp.app_template_global("funding_status")
def funding_status(decision: FundingDecision) -> str:
    """'Approved', 'Waiting for approval', 'Waiting for a second approval' ..."""
    if decision.status == "proposed":
        return "Waiting for a second approval" if decision.approvals else "Waiting for approval"
    return decision.status.capitalize()


@bp.app_template_global("funding_status_class")
def funding_status_class(decision: FundingDecision) -> str:
    return STATUS_TAGS.get(decision.status, "")


@bp.app_template_global("funding_item")
def funding_item(decision: FundingDecision) -> str:
    """The words for the decision's item, from the version it was made under."""
    cache: dict[int, FundingRules | None] = g.setdefault("funding_rules", {})
    if decision.workflow_version_id not in cache:
        cache[decision.workflow_version_id] = pinned(
            web.session(), decision.workflow_version_id
        ).engine.definitions.funding
    funding = cache[decision.workflow_version_id]
    return funding.item_label(decision.item) if funding else decision.item.replace("_", " ")


def _typed(text: str | None, field: str, what: str, problems: dict[str, str]) -> date | None:
    found = typed_date((text or "").strip())
    if found is None:
        problems[field] = f"Enter {what} as day/month/year, like 27/3/2026"
    return found


def _pence(text: str | None, field: str, problems: dict[str, str]) -> int | None:
    try:
        return money_text(text or "", field)
    except FundingError as error:
        problems[field] = str(error)
        return None


def _whole(text: str | None, field: str, what: str, problems: dict[str, str]) -> int | None:
    words = (text or "").strip()
    if not words.isdigit():
        problems[field] = f"Enter {what} as a whole number, like 6"
        return None
    return int(words)


def _entered(value: date) -> str:
    return f"{value.day}/{value.month}/{value.year}"


# -- proposing -------------------------------------------------------------------------------


@bp.route("/cases/<int:case_id>/funding/new", methods=["GET", "POST"])
@require(Permission.RUN_PANELS)
def propose_page(case_id: int) -> ResponseReturnValue:
    actor = current_actor()
    session = web.session()
    case = visible_case(case_id)
    back = local_path(request.args.get("next"))
    general: list[str] = []
    rules = None
    try:
        rules = live_rules(session)[2]
    except FundingError as error:
        general.append(str(error))
    panel = panel_for_school(session, case.pupil.school_id)
    if panel is None:
        general.append("This pupil's school is not on a panel, so there is no budget to use")
    form = ProposeForm()
    if request.method == "GET":
        form.starts_on.data = _entered(today())
        form.meeting_id.data = request.args.get("meeting", "")
    problems: dict[str, str] = {}
    if form.validate_on_submit() and not general:
        # Checked in the order of the page, so the error summary reads top to bottom.
        item = (form.item.data or "").strip()
        if not item:
            problems["item"] = "Choose what the money is for"
        amount = _pence(form.amount.data, "amount", problems)
        if not (form.provider.data or "").strip():
            problems["provider"] = "Enter who provides it: a bus company, a shop, a youth centre"
        starts_on = _typed(form.starts_on.data, "starts_on", "the start date", problems)
        ends_on = _typed(form.ends_on.data, "ends_on", "the end date", problems)
        meeting_text = (form.meeting_id.data or request.args.get("meeting") or "").strip()
        if not problems:
            assert amount is not None and starts_on is not None and ends_on is not None
            try:
                decision = propose(
                    session,
                    actor,
                    case=case,
                    item=item,
                    amount_pence=amount,
                    provider=form.provider.data or "",
                    starts_on=starts_on,
                    ends_on=ends_on,
                    description=form.description.data or "",
                    meeting_id=int(meeting_text) if meeting_text.isdigit() else None,
                    override_reason=form.override_reason.data or "",
                )
            except FundingError as error:
                session.rollback()
                if error.field and error.field != "meeting_id":
                    problems[error.field] = str(error)
                else:
                    general.append(str(error))
            except LookupError:
                not_found_for(actor, Permission.RUN_PANELS, case=case_id)
            else:
                session.commit()
                flash(
                    f"{funding_status(decision)}: {funding_item(decision)}, "
                    f"{format_money(decision.amount_pence)}",
                    "success",
                )
                return redirect(back or url_for("funding.decision", decision_id=decision.id))
    elif request.method == "POST" and not general:
        general.append(EXPIRED)
    budget = budget_on(session, panel.id, today()) if panel else None
    book = ledger(session, panel.id, budget.id) if panel and budget else None
    return (
        render_template(
            "funding/propose.html",
            case=case,
            form=form,
            rules=rules,
            panel=panel,
            book=book,
            problems=problems,
            general=general,
            back=back,
        ),
        400 if problems or (general and request.method == "POST") else 200,
    )


# -- a decision ------------------------------------------------------------------------------


def _decision_or_404(decision_id: int) -> FundingDecision:
    actor = current_actor()
    found = visible_decision(web.session(), actor, decision_id)
    if found is None:
        not_found_for(actor, Permission.RUN_PANELS, funding_decision=decision_id)
    return found


def _decision_page(
    found: FundingDecision,
    form: StepForm,
    step: str | None = None,
    problem: str | None = None,
    field: str | None = None,
) -> ResponseReturnValue:
    session = web.session()
    actor = current_actor()
    definitions, rules = rules_of(session, found)
    needed = next_approval(rules, found) if found.status == "proposed" else None
    band = rules.band_for(found.amount_pence)
    book = ledger(session, found.panel_id, found.budget_id)
    last_approval = (
        needed is not None and band is not None and (needed.step == 2 or not band.needs_second)
    )
    return (
        render_template(
            "funding/decision.html",
            decision=found,
            pupil=found.pupil,
            definitions=definitions,
            needed=needed,
            refusal=approval_refusal(session, actor, found) if needed else None,
            overspends=bool(last_approval) and book.would_overspend(found.amount_pence),
            book=book,
            left=found.amount_pence - found.spent_pence,
            form=form,
            step=step,
            problem=problem,
            field=field,
            today=_entered(today()),
        ),
        400 if problem else 200,
    )


@bp.get("/funding/<int:decision_id>")
@require(Permission.RUN_PANELS)
def decision(decision_id: int) -> ResponseReturnValue:
    return _decision_page(_decision_or_404(decision_id), StepForm())


@bp.post("/funding/<int:decision_id>/<step>")
@require(Permission.RUN_PANELS)
def take(decision_id: int, step: str) -> ResponseReturnValue:
    actor = current_actor()
    session = web.session()
    found = _decision_or_404(decision_id)
    if step not in STEPS:
        not_found_for(actor, Permission.RUN_PANELS, funding_decision=decision_id, step=step)
    form = StepForm()
    problem: str | None = None
    field: str | None = None
    if not form.validate_on_submit():
        problem = EXPIRED
    else:
        text = form.text.data or ""
        try:
            if step == "approve":
                approve(session, actor, found.id, text)
            elif step == "decline":
                decline(session, actor, found.id, text)
            elif step == "withdraw":
                withdraw(session, actor, found.id, text)
            else:
                amount = money_text(form.amount.data or "", "amount")
                on = typed_date((form.on.data or "").strip())
                if on is None:
                    raise FundingError("Enter the date as day/month/year, like 27/3/2026", "on")
                record_spend(session, actor, found.id, amount, on, text)
        except FundingError as error:
            problem, field = str(error), error.field
        except LookupError:
            not_found_for(actor, Permission.RUN_PANELS, funding_decision=decision_id)
    if problem is None:
        session.commit()
        flash(DONE[step], "success")
        return redirect(url_for("funding.decision", decision_id=found.id))
    session.rollback()
    again = _decision_or_404(decision_id)
    session.refresh(again)
    return _decision_page(again, form, step, problem, field)


# -- a panel's ledger ------------------------------------------------------------------------


def _my_panel(panel_id: int) -> Panel:
    actor = current_actor()
    panel = web.session().scalar(
        select(Panel)
        .options(selectinload(Panel.schools))
        .where(Panel.id == panel_id, runs_panel(actor, Panel.id))
    )
    if panel is None:
        not_found_for(actor, Permission.RUN_PANELS, panel=panel_id)
    return panel


@bp.get("/panels/<int:panel_id>/funding")
@require(Permission.RUN_PANELS)
def ledger_page(panel_id: int) -> ResponseReturnValue:
    actor = current_actor()
    session = web.session()
    panel = _my_panel(panel_id)
    periods = budgets_of(session, panel.id)
    wanted = request.args.get("budget", type=int)
    chosen: Budget | None = None
    if wanted is not None:
        chosen = next((b for b in periods if b.id == wanted), None)
        if chosen is None:
            not_found_for(actor, Permission.RUN_PANELS, panel=panel_id, budget=wanted)
    else:
        chosen = budget_on(session, panel.id, today()) or (periods[-1] if periods else None)
    book = ledger(session, panel.id, chosen.id) if chosen else None
    visible: set[int] = set()
    if book is not None:
        visible = set(
            session.scalars(
                select(Case.id).where(
                    Case.id.in_([line.decision.case_id for line in book.lines]), case_scope(actor)
                )
            )
        )
    return render_template(
        "funding/ledger.html", panel=panel, periods=periods, book=book, visible=visible
    )


# -- budgets (LA administrators) -------------------------------------------------------------


@bp.route("/funding/budgets", methods=["GET", "POST"])
@require(Permission.MANAGE_BUDGETS)
def budgets() -> ResponseReturnValue:
    actor = current_actor()
    session = web.session()
    panels = authority_panels(session, actor.local_authority_id)
    form = BudgetForm()
    problems: dict[str, str] = {}
    if form.validate_on_submit():
        outcome = _save_budget(form, problems, None)
        if outcome is not None:
            return outcome
    elif request.method == "POST":
        problems["label"] = EXPIRED
    rows = [(p, [ledger(session, p.id, b.id) for b in budgets_of(session, p.id)]) for p in panels]
    return (
        render_template(
            "funding/budgets.html", rows=rows, panels=panels, form=form, problems=problems
        ),
        400 if problems else 200,
    )


def _save_budget(
    form: BudgetForm, problems: dict[str, str], budget: Budget | None
) -> ResponseReturnValue | None:
    session = web.session()
    panel_text = (form.panel_id.data or "").strip()
    panel_id = budget.panel_id if budget else (int(panel_text) if panel_text.isdigit() else None)
    if panel_id is None:
        problems["panel_id"] = "Choose a panel"
    label = form.label.data or ""
    starts_on = _typed(form.starts_on.data, "starts_on", "the first day", problems)
    ends_on = _typed(form.ends_on.data, "ends_on", "the last day", problems)
    amount = _pence(form.amount.data, "amount", problems)
    if problems:
        return None
    assert panel_id is not None and starts_on and ends_on and amount is not None
    try:
        saved = set_budget(
            session,
            current_actor(),
            panel_id=panel_id,
            label=label,
            starts_on=starts_on,
            ends_on=ends_on,
            amount_pence=amount,
            budget_id=budget.id if budget else None,
        )
    except FundingError as error:
        session.rollback()
        problems[error.field or "label"] = str(error)
        return None
    except LookupError:
        session.rollback()
        problems["panel_id"] = "Choose one of your authority's panels"
        return None
    session.commit()
    flash(f"Budget set: {saved.label}, {format_money(saved.amount_pence)}", "success")
    return redirect(url_for("funding.budgets"))


@bp.route("/funding/budgets/<int:budget_id>", methods=["GET", "POST"])
@require(Permission.MANAGE_BUDGETS)
def budget(budget_id: int) -> ResponseReturnValue:
    actor = current_actor()
    session = web.session()
    found = session.scalar(
        select(Budget)
        .join(Panel, Panel.id == Budget.panel_id)
        .where(
            Budget.id == budget_id,
            Panel.local_authority_id == actor.local_authority_id,
        )
    )
    if found is None or actor.local_authority_id is None:
        not_found_for(actor, Permission.MANAGE_BUDGETS, budget=budget_id)
    form = BudgetForm()
    problems: dict[str, str] = {}
    if request.method == "GET":
        form.label.data = found.label
        form.starts_on.data = _entered(found.starts_on)
        form.ends_on.data = _entered(found.ends_on)
        form.amount.data = f"{found.amount_pence / 100:.2f}"
    elif form.validate_on_submit():
        outcome = _save_budget(form, problems, found)
        if outcome is not None:
            return outcome
    else:
        problems["label"] = EXPIRED
    return (
        render_template(
            "funding/budget.html",
            budget=found,
            book=ledger(session, found.panel_id, found.id),
            form=form,
            problems=problems,
        ),
        400 if problems else 200,
    )


# -- group programmes ------------------------------------------------------------------------


@bp.route("/funding/programmes", methods=["GET", "POST"])
@require(Permission.MANAGE_BUDGETS)
def manage_programmes() -> ResponseReturnValue:
    actor = current_actor()
    session = web.session()
    form = ProgrammeForm()
    problems: dict[str, str] = {}
    if form.validate_on_submit():
        try:
            added = add_programme(
                session,
                actor,
                name=form.name.data or "",
                provider=form.provider.data or "",
                description=form.description.data or "",
            )
        except FundingError as error:
            session.rollback()
            problems[error.field or "name"] = str(error)
        else:
            session.commit()
            flash(f"{added.name} is on offer to every panel", "success")
            return redirect(url_for("funding.manage_programmes"))
    elif request.method == "POST":
        problems["name"] = EXPIRED
    offered = session.scalars(
        select(Programme)
        .where(Programme.local_authority_id == actor.local_authority_id)
        .order_by(Programme.name)
    ).all()
    counts = {
        programme_id: (cohorts, places)
        for programme_id, cohorts, places in session.execute(
            select(
                Cohort.programme_id,
                func.count(func.distinct(Cohort.id)),
                func.count(CohortPlace.id),
            )
            .outerjoin(CohortPlace, CohortPlace.cohort_id == Cohort.id)
            .where(Cohort.programme_id.in_([p.id for p in offered]))
            .group_by(Cohort.programme_id)
        )
    }
    return (
        render_template(
            "funding/manage_programmes.html",
            programmes=offered,
            counts=counts,
            form=form,
            problems=problems,
        ),
        400 if problems else 200,
    )


@bp.route("/programmes", methods=["GET", "POST"])
@require(Permission.RUN_PANELS)
def programmes() -> ResponseReturnValue:
    actor = current_actor()
    session = web.session()
    my_panels = session.scalars(
        select(Panel).where(runs_panel(actor, Panel.id)).order_by(Panel.name)
    ).all()
    offered = session.scalars(
        select(Programme)
        .where(Programme.local_authority_id == actor.local_authority_id)
        .order_by(Programme.name)
    ).all()
    form = CohortForm()
    problems: dict[str, str] = {}
    if form.validate_on_submit():
        programme_text = (form.programme_id.data or "").strip()
        panel_text = (form.panel_id.data or "").strip()
        if not programme_text.isdigit():
            problems["programme_id"] = "Choose a programme"
        if not panel_text.isdigit():
            problems["panel_id"] = "Choose a panel"
        starts_on = _typed(
            form.starts_on.data, "starts_on", "the date of the first session", problems
        )
        sessions = _whole(
            form.session_count.data, "session_count", "the number of sessions", problems
        )
        places = _whole(form.places.data, "places", "the number of places", problems)
        if not problems:
            assert starts_on is not None and sessions is not None and places is not None
            try:
                cohort = start_cohort(
                    session,
                    actor,
                    programme_id=int(programme_text),
                    panel_id=int(panel_text),
                    label=form.label.data or "",
                    starts_on=starts_on,
                    session_count=sessions,
                    places=places,
                )
            except FundingError as error:
                session.rollback()
                problems[error.field or "label"] = str(error)
            except LookupError:
                session.rollback()
                problems["panel_id"] = "Choose one of your panels"
            else:
                session.commit()
                flash("Cohort started", "success")
                return redirect(url_for("funding.cohort", cohort_id=cohort.id))
    elif request.method == "POST":
        problems["programme_id"] = EXPIRED
    cohorts = session.scalars(
        select(Cohort)
        .options(selectinload(Cohort.programme), selectinload(Cohort.panel))
        .where(cohort_scope(actor))
        .order_by(Cohort.starts_on.desc(), Cohort.id)
    ).all()
    taken = dict(
        session.execute(
            select(CohortPlace.cohort_id, func.count())
            .where(
                CohortPlace.cohort_id.in_([c.id for c in cohorts]), CohortPlace.left_on.is_(None)
            )
            .group_by(CohortPlace.cohort_id)
        ).all()
    )
    return (
        render_template(
            "funding/programmes.html",
            programmes=offered,
            panels=my_panels,
            cohorts=cohorts,
            taken=taken,
            form=form,
            problems=problems,
        ),
        400 if problems else 200,
    )


def _my_cohort(cohort_id: int) -> Cohort:
    actor = current_actor()
    found = web.session().scalar(
        select(Cohort)
        .options(selectinload(Cohort.programme), selectinload(Cohort.panel))
        .where(Cohort.id == cohort_id, cohort_scope(actor))
    )
    if found is None:
        not_found_for(actor, Permission.RUN_PANELS, cohort=cohort_id)
    return found


def _place_choices(cohort: Cohort) -> list[tuple[str, str]]:
    """Who could take a place: pupils with an approved decision not yet paying for a place
    (first), then any open case of a pupil at the panel's schools, within need-to-know."""
    actor = current_actor()
    session = web.session()
    placed = select(CohortPlace.pupil_id).where(CohortPlace.cohort_id == cohort.id)
    paying = select(CohortPlace.decision_id).where(CohortPlace.decision_id.is_not(None))
    funded = session.scalars(
        select(FundingDecision)
        .options(selectinload(FundingDecision.pupil))
        .where(
            FundingDecision.panel_id == cohort.panel_id,
            FundingDecision.status == "approved",
            FundingDecision.id.not_in(paying),
            FundingDecision.pupil_id.not_in(placed),
            FundingDecision.case_id.in_(select(Case.id).where(case_scope(actor))),
        )
        .order_by(FundingDecision.created_at)
    ).all()
    schools = select(PanelSchool.school_id).where(PanelSchool.panel_id == cohort.panel_id)
    cases = session.scalars(
        select(Case)
        .options(selectinload(Case.pupil))
        .join(Pupil, Pupil.id == Case.pupil_id)
        .where(
            Pupil.school_id.in_(schools),
            Case.is_final.is_(False),
            Case.pupil_id.not_in(placed),
            case_scope(actor),
        )
        .order_by(Pupil.family_name, Pupil.given_name, Case.id)
    ).all()
    choices = [
        (
            f"decision:{d.id}",
            f"{d.pupil.full_name}: paid by {funding_item(d)}, {format_money(d.amount_pence)}",
        )
        for d in funded
    ]
    seen = {d.pupil_id for d in funded}
    for case in cases:
        if case.pupil_id not in seen:
            seen.add(case.pupil_id)
            choices.append((f"case:{case.id}", f"{case.pupil.full_name}: not funded"))
    return choices


@bp.route("/cohorts/<int:cohort_id>", methods=["GET", "POST"])
@require(Permission.RUN_PANELS)
def cohort(cohort_id: int) -> ResponseReturnValue:
    actor = current_actor()
    session = web.session()
    found = _my_cohort(cohort_id)
    form = PlaceForm()
    problems: dict[str, str] = {}
    if form.validate_on_submit():
        kind, _, number = (form.source.data or "").partition(":")
        try:
            if not number.isdigit() or kind not in ("decision", "case"):
                raise FundingError("Choose a pupil", "source")
            decision_id = int(number) if kind == "decision" else None
            case_id = int(number)
            if decision_id is not None:
                paid = visible_decision(session, actor, decision_id)
                if paid is None:
                    raise FundingError("Choose a pupil", "source")
                case_id = paid.case_id
            add_place(session, actor, found.id, case_id=case_id, decision_id=decision_id)
        except FundingError as error:
            session.rollback()
            problems["source"] = str(error)
        except LookupError:
            session.rollback()
            problems["source"] = "Choose a pupil from the list"
        else:
            session.commit()
            flash("Place given", "success")
            return redirect(url_for("funding.cohort", cohort_id=found.id))
    elif request.method == "POST":
        problems["source"] = EXPIRED
    sessions, places = cohort_register(session, found)
    visible = _visible_cases([p.place.case_id for p in places])
    return (
        render_template(
            "funding/cohort.html",
            cohort=found,
            sessions=sessions,
            places=places,
            visible=visible,
            taken=sum(1 for p in places if p.place.left_on is None),
            choices=_place_choices(found),
            form=form,
            problems=problems,
        ),
        400 if problems else 200,
    )


def _visible_cases(case_ids: list[int]) -> set[int]:
    return set(
        web.session().scalars(
            select(Case.id).where(Case.id.in_(case_ids), case_scope(current_actor()))
        )
    )


@bp.route("/cohorts/<int:cohort_id>/sessions/<int:session_id>", methods=["GET", "POST"])
@require(Permission.RUN_PANELS)
def register(cohort_id: int, session_id: int) -> ResponseReturnValue:
    actor = current_actor()
    session = web.session()
    found = _my_cohort(cohort_id)
    sitting = session.scalar(
        select(CohortSession).where(
            CohortSession.id == session_id, CohortSession.cohort_id == found.id
        )
    )
    if sitting is None:
        not_found_for(actor, Permission.RUN_PANELS, cohort=cohort_id, cohort_session=session_id)
    places = cohort_register(session, found)[1]
    visible = _visible_cases([p.place.case_id for p in places])
    shown = [p for p in places if p.place.case_id in visible]
    form = RegisterForm()
    problems: dict[str, str] = {}
    if request.method == "GET":
        form.held_on.data = _entered(sitting.held_on)
        form.topic.data = sitting.topic
    elif not form.validate_on_submit():
        problems["register"] = EXPIRED
    else:
        try:
            if form.what.data == "details":
                held_on = _typed(form.held_on.data, "held_on", "the date", problems)
                if held_on is not None:
                    update_session(
                        session, actor, sitting.id, held_on=held_on, topic=form.topic.data or ""
                    )
            else:
                marks = {
                    p.place.id: request.form[f"place-{p.place.id}"]
                    for p in shown
                    if request.form.get(f"place-{p.place.id}")
                    and p.place.expected_at(sitting.held_on)
                }
                if not marks:
                    problems["register"] = "Mark at least one pupil"
                else:
                    mark_register(session, actor, sitting.id, marks)
        except FundingError as error:
            problems[error.field or "register"] = str(error)
        except LookupError:
            problems["register"] = "The register changed while you had it open; try again"
        if not problems:
            session.commit()
            flash(
                "Session details saved" if form.what.data == "details" else "Register saved",
                "success",
            )
            return redirect(url_for("funding.register", cohort_id=found.id, session_id=sitting.id))
        session.rollback()
    return (
        render_template(
            "funding/register.html",
            cohort=found,
            sitting=sitting,
            places=[p for p in shown if p.place.expected_at(sitting.held_on)],
            leavers=[p for p in shown if not p.place.expected_at(sitting.held_on)],
            hidden=len(places) - len(shown),
            marks=MARKS,
            form=form,
            problems=problems,
        ),
        400 if problems else 200,
    )


@bp.route("/cohorts/<int:cohort_id>/places/<int:place_id>", methods=["GET", "POST"])
@require(Permission.RUN_PANELS)
def place(cohort_id: int, place_id: int) -> ResponseReturnValue:
    """A pupil's place on a cohort: record that they left (or correct it), or remove a place
    given by mistake while its pupil is on no register."""
    actor = current_actor()
    session = web.session()
    found = _my_cohort(cohort_id)
    places = cohort_register(session, found)[1]
    visible = _visible_cases([p.place.case_id for p in places])
    row = next((p for p in places if p.place.id == place_id), None)
    if row is None or row.place.case_id not in visible:
        not_found_for(actor, Permission.RUN_PANELS, cohort=cohort_id, cohort_place=place_id)
    seat = row.place
    pupil = seat.pupil.full_name
    form = LeaveForm()
    problems: dict[str, str] = {}
    if request.method == "GET":
        form.left_on.data = _entered(seat.left_on or today())
        form.left_reason.data = seat.left_reason
    elif not form.validate_on_submit():
        problems[form.what.data if form.what.data in ("remove", "rejoin") else "left_on"] = EXPIRED
    else:
        done = _change_place(form, seat.id, pupil, problems)
        if done is not None:
            session.commit()
            flash(done, "success")
            return redirect(url_for("funding.cohort", cohort_id=found.id))
        session.rollback()
    return (
        render_template(
            "funding/place.html",
            cohort=found,
            row=row,
            seat=seat,
            form=form,
            problems=problems,
        ),
        400 if problems else 200,
    )


def _change_place(
    form: LeaveForm, place_id: int, pupil: str, problems: dict[str, str]
) -> str | None:
    """Remove the place or record the leaving; the words to flash, or None with problems."""
    actor = current_actor()
    session = web.session()
    try:
        if form.what.data == "remove":
            remove_place(session, actor, place_id)
            return f"{pupil}'s place is removed"
        if form.what.data == "rejoin":
            rejoin_cohort(session, actor, place_id)
            return f"{pupil} is on the cohort again"
        left_on = _typed(form.left_on.data, "left_on", "the leaving date", problems)
        if not (form.left_reason.data or "").strip():
            problems["left_reason"] = "Say in a few words why they left, like 'moved school'"
        if left_on is None or problems:
            return None
        leave_cohort(session, actor, place_id, left_on=left_on, reason=form.left_reason.data or "")
        return f"{pupil} left the cohort on {day(left_on)}; their register marks are kept"
    except FundingError as error:
        problems[error.field or "left_on"] = str(error)
    except LookupError:  # removed, or moved out of reach, since the page was shown
        session.rollback()
        not_found_for(actor, Permission.RUN_PANELS, cohort_place=place_id)
    return None


__all__ = ["bp", "funding_item", "funding_status"]
