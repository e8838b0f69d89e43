"""The impact pages: the report (``/impact``), barrier themes (``/impact/barriers``), their
charts as SVG images, and every table as CSV or XLSX.

People holding ``view_impact`` reach them; what they cover is ``impact.scope``: their own
school, or every school of the authority for its roles (the LA view, by school). Anyone else
gets 403. No page, chart or download names a pupil. Filters come by GET; a filter that makes
no sense is shown with a plain message (400), never an error page. Downloads are audited by
the operation they call, then the request commits once.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, render_template, request
from flask.typing import ResponseReturnValue

from panelflow import web
from panelflow.accounts.views import require_sign_in
from panelflow.funding.operations import today
from panelflow.impact import charts
from panelflow.impact.exports import Cell, Table, csv_bytes, impact_table, xlsx_bytes
from panelflow.impact.forms import PeriodForm, ReportForm
from panelflow.impact.operations import barrier_themes, impact_report, record_export
from panelflow.impact.scope import Scope, impact_scope
from panelflow.impact.windows import DEFAULT_WEEKS
from panelflow.roles.policy import Permission
from panelflow.roles.views import current_actor, forbidden_for, require

bp = Blueprint("impact", __name__)
bp.before_request(require_sign_in)

FORMATS = {
    "csv": ("text/csv", csv_bytes),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        xlsx_bytes,
    ),
}


def _scope() -> Scope:
    actor = current_actor()
    scope = impact_scope(web.session(), actor)
    if scope is None:  # holds the permission, but no school or authority to report on
        forbidden_for(actor, Permission.VIEW_IMPACT)
    return scope


@bp.app_template_filter("impact_cell")
def shown(value: Cell, column: str) -> str:
    """A table's value as the page shows it: signed changes, percentages, pounds."""
    if value is None:
        return "none" if "Cost" in column else ""
    if isinstance(value, str):
        return value
    if "change" in column:
        return f"{value:+.1f}"
    if "(%)" in column:
        return f"{value:.1f}%"
    if "(£)" in column:
        return f"£{value:,.2f}"
    return f"{value:,}"


def _download(table: Table, file_format: str, scope: Scope, filters: dict[str, Any]) -> Response:
    session = web.session()
    record_export(session, current_actor(), scope, table, file_format, filters)
    session.commit()
    mimetype, render = FORMATS[file_format]
    name = f"impact-{table.key}-{filters['from']}-to-{filters['to']}.{file_format}"
    return Response(
        render(table),
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


def _svg(content: bytes) -> Response:
    return Response(content, mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})


# -- the impact report -----------------------------------------------------------------------


def _report_form() -> ReportForm:
    return ReportForm(formdata=request.args)


def _invalid_report(form: ReportForm, scope: Scope) -> ResponseReturnValue:
    return (
        render_template("impact/report.html", form=form, report=None, scope=scope, query={}),
        400,
    )


@bp.get("/impact")
@require(Permission.VIEW_IMPACT)
def report() -> ResponseReturnValue:
    scope = _scope()
    form = _report_form()
    if not form.validate():
        return _invalid_report(form, scope)
    found = impact_report(web.session(), scope, form.filters(today()), today())
    tables = [impact_table(b, found.total) for b in found.breakdowns]
    return render_template(
        "impact/report.html",
        form=form,
        report=found,
        tables=tables,
        scope=scope,
        query=form.query(),
        default_weeks=DEFAULT_WEEKS,
    )


@bp.get("/impact/chart.svg")
@require(Permission.VIEW_IMPACT)
def report_chart() -> ResponseReturnValue:
    scope = _scope()
    form = _report_form()
    if not form.validate():
        abort(400)
    found = impact_report(web.session(), scope, form.filters(today()), today())
    types = found.breakdown("types")
    assert types is not None
    return _svg(charts.before_after(types))


@bp.get("/impact/export/<table>.<any(csv, xlsx):file_format>")
@require(Permission.VIEW_IMPACT)
def report_export(table: str, file_format: str) -> ResponseReturnValue:
    scope = _scope()
    form = _report_form()
    if not form.validate():
        return _invalid_report(form, scope)
    filters = form.filters(today())
    found = impact_report(web.session(), scope, filters, today())
    wanted = found.breakdown(table)
    if wanted is None:
        abort(404)
    return _download(impact_table(wanted, found.total), file_format, scope, filters.described())


# -- barrier themes --------------------------------------------------------------------------


def _barrier_form() -> PeriodForm:
    return PeriodForm(formdata=request.args)


@bp.get("/impact/barriers")
@require(Permission.VIEW_IMPACT)
def barriers() -> ResponseReturnValue:
    scope = _scope()
    form = _barrier_form()
    if not form.validate():
        return (
            render_template("impact/barriers.html", form=form, report=None, scope=scope, query={}),
            400,
        )
    found = barrier_themes(web.session(), scope, form.barrier_filters(today()))
    return render_template(
        "impact/barriers.html", form=form, report=found, scope=scope, query=form.query()
    )


@bp.get("/impact/barriers/chart.svg")
@require(Permission.VIEW_IMPACT)
def barriers_chart() -> ResponseReturnValue:
    scope = _scope()
    form = _barrier_form()
    if not form.validate():
        abort(400)
    found = barrier_themes(web.session(), scope, form.barrier_filters(today()))
    return _svg(charts.barriers_over_time(found.series))


@bp.get("/impact/barriers/export/<table>.<any(csv, xlsx):file_format>")
@require(Permission.VIEW_IMPACT)
def barriers_export(table: str, file_format: str) -> ResponseReturnValue:
    scope = _scope()
    form = _barrier_form()
    if not form.validate():
        return (
            render_template("impact/barriers.html", form=form, report=None, scope=scope, query={}),
            400,
        )
    filters = form.barrier_filters(today())
    found = barrier_themes(web.session(), scope, filters)
    wanted = found.table(table)
    if wanted is None:
        abort(404)
    return _download(wanted, file_format, scope, dict(filters.described()))
