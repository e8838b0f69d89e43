"""Plan documents, and opening support first straight from a pupil's page.

Documents are read by anyone who may see the case (need-to-know in SQL, 404 otherwise) and
every opening or download is audited. A template with a mistake shows a page naming the
file and line, never an error page. The case page's plan section and the timeline's
structured values use the template helpers registered here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from markupsafe import Markup

from panelflow import web
from panelflow.accounts.views import require_sign_in
from panelflow.cases.models import Case
from panelflow.cases.operations import CaseError, within_need_to_know
from panelflow.cases.views import visible_case, visible_pupil
from panelflow.catalogue.operations import pinned
from panelflow.plans import documents
from panelflow.plans.operations import (
    OPENERS,
    SUPPORT_FIRST,
    PlanStory,
    Recorded,
    document_opened,
    open_support_first,
    open_support_first_case,
    story,
)
from panelflow.presentation import agency_label, day
from panelflow.roles.policy import Permission
from panelflow.roles.views import current_actor, forbidden_for, not_found_for, require
from panelflow.workflows.structured import DECISIONS, PEOPLE, RATINGS

bp = Blueprint("plans", __name__)
bp.before_request(require_sign_in)


class OpenForm(FlaskForm):
    """Only the CSRF token: opening support first asks for nothing else."""


# -- template helpers ------------------------------------------------------------------------


@bp.app_template_filter("plan_day")
def plan_day(iso: str | None) -> str:
    """'2026-04-20' as '20 April 2026'."""
    if not iso:
        return ""
    try:
        return day(date.fromisoformat(str(iso)))
    except ValueError:
        return str(iso)


@bp.app_template_global("plan_party")
def plan_party(who: str) -> str:
    return PEOPLE.get(who) or agency_label(who)


@bp.app_template_global("plan_words")
def plan_words() -> dict[str, dict[str, str]]:
    return {"ratings": RATINGS, "decisions": DECISIONS}


@bp.app_template_global("plan_story")
def plan_story(case: Case) -> PlanStory | None:
    """The case page's plan section: the plans and reviews of the case's group, if any."""
    found = story(web.session(), case)
    if not found.plans and not found.reviews and case.workflow_key != SUPPORT_FIRST:
        return None
    return found


@bp.app_template_global("may_open_support_first")
def may_open_support_first(pupil: Any) -> dict[str, Any] | None:
    """For the pupil's page: whether the person may open support first, or where it is."""
    actor = current_actor()
    if not any(role in actor.roles for role in OPENERS):
        return None
    session = web.session()
    if not within_need_to_know(session, actor, pupil.id):
        return None
    return {"open_case": open_support_first_case(session, pupil.id)}


# -- documents -------------------------------------------------------------------------------


def _recorded(case: Case, key: str) -> tuple[documents.Document, Recorded, Recorded | None]:
    """The document asked for, the plan or review it is made from, and (for a review) the
    plan it reviewed. 404 when there is no such document for this case."""
    actor = current_actor()
    document = documents.DOCUMENTS.get(key)
    if document is None:
        not_found_for(actor, Permission.VIEW_PUPILS, case=case.id, document=key)
    found = story(web.session(), case)
    wanted = request.args.get("event", "")
    if wanted:
        chosen = found.event(int(wanted)) if wanted.isdigit() else None
    else:
        chosen = found.plan if document.needs == "plan" else found.review
    in_plans = chosen is not None and any(chosen is p for p in found.plans)
    if chosen is None or in_plans != (document.needs == "plan"):
        not_found_for(actor, Permission.VIEW_PUPILS, case=case.id, document=key, event=wanted)
    reviewed = found.plan_before(chosen) if document.needs == "review" else None
    return document, chosen, reviewed


def _values(case: Case, chosen: Recorded, reviewed: Recorded | None, needs: str) -> dict[str, Any]:
    definitions = pinned(web.session(), case.workflow_version_id).engine.definitions
    wf = definitions.workflows.get(case.workflow_key)
    plan = chosen if needs == "plan" else reviewed
    values = documents.pupil_values(case.pupil)
    values.update(
        today=day(date.today()),
        stage=wf.state_label(case.state) if wf else case.state,
        plan=documents.plan_values(
            definitions,
            plan.value,
            at=plan.event.at,
            by=plan.event.actor_name,
            number=plan.number,
        )
        if plan
        else None,
        review=documents.review_values(
            chosen.value, chosen.field_values, at=chosen.event.at, by=chosen.event.actor_name
        )
        if needs == "review"
        else None,
    )
    return values


def _render(case: Case, key: str) -> tuple[documents.Document, Recorded, str | None, str]:
    document, chosen, reviewed = _recorded(case, key)
    where = documents.folder(current_app.config.get("DOCUMENTS_FOLDER"))
    try:
        html = documents.render(document, _values(case, chosen, reviewed, document.needs), where)
    except documents.DocumentProblem as problem:
        return document, chosen, None, str(problem)
    return document, chosen, html, ""


def _opened(case: Case, found: documents.Document, chosen: Recorded, *, as_pdf: bool) -> None:
    """The audit record of someone reading (or downloading) the document, committed."""
    session = web.session()
    document_opened(
        session,
        current_actor(),
        case,
        found.key,
        chosen.event,
        as_pdf=as_pdf,
        address=request.remote_addr or "",
    )
    session.commit()


@bp.get("/cases/<int:case_id>/documents/<key>")
@require(Permission.VIEW_PUPILS)
def document(case_id: int, key: str) -> ResponseReturnValue:
    case = visible_case(case_id)
    found, chosen, html, problem = _render(case, key)
    if html is not None:
        _opened(case, found, chosen, as_pdf=False)
    return render_template(
        "plans/document.html",
        case=case,
        document=found,
        chosen=chosen,
        body=Markup(html) if html is not None else None,
        problem=problem,
        event=request.args.get("event", ""),
    )


@bp.get("/cases/<int:case_id>/documents/<key>.pdf")
@require(Permission.VIEW_PUPILS)
def document_pdf(case_id: int, key: str) -> ResponseReturnValue:
    from panelflow.documents import DocumentUnavailable, pdf_from_html

    case = visible_case(case_id)
    found, chosen, html, _ = _render(case, key)
    back = url_for(
        "plans.document", case_id=case.id, key=key, event=request.args.get("event") or None
    )
    if html is None:
        return redirect(back)
    page = render_template(
        "plans/document_print.html",
        case=case,
        document=found,
        body=Markup(html),
    )
    try:
        pdf = pdf_from_html(page)
    except DocumentUnavailable as error:
        flash(f"{error}. Print this page instead.", "error")
        return redirect(back)
    _opened(case, found, chosen, as_pdf=True)
    name = f"{found.key.replace('_', '-')}-{chosen.event.at:%Y-%m-%d}.pdf"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# -- opening support first straight away -----------------------------------------------------


@bp.route("/pupils/<int:pupil_id>/support-first", methods=["GET", "POST"])
@require(Permission.WORK_ON_CASES)
def open_page(pupil_id: int) -> ResponseReturnValue:
    actor = current_actor()
    session = web.session()
    pupil = visible_pupil(pupil_id)
    if not any(role in actor.roles for role in OPENERS):
        forbidden_for(actor, Permission.WORK_ON_CASES, pupil=pupil_id, opening="support_first")
    form = OpenForm()
    problem = ""
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            problem, status = "The form had expired; press the button again", 400
        else:
            try:
                case = open_support_first(session, actor, pupil)
            except CaseError as error:
                session.rollback()
                problem, status = str(error)[:1].upper() + str(error)[1:], 400
            else:
                session.commit()
                flash(f"Support first opened for {pupil.given_name}", "success")
                return redirect(url_for("cases.case", case_id=case.id))
    return (
        render_template(
            "plans/open.html",
            pupil=pupil,
            form=form,
            problem=problem,
            existing=open_support_first_case(session, pupil.id),
        ),
        status,
    )
