"""The auditor's view of the audit trail: search it, read a record, check the chain, export.

Only people holding ``view_audit`` (auditors) get here, and exporting also needs ``export``.
Every page of the trail, every search, check and export is itself written to the trail by
the operation the view calls (``panelflow.audit.operations``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, stream_with_context
from flask.typing import ResponseReturnValue

from panelflow import web
from panelflow.accounts.views import require_sign_in
from panelflow.audit.forms import SearchForm, VerifyForm
from panelflow.audit.operations import (
    EXPORT_COLUMNS,
    LONDON,
    Export,
    check_chain,
    export_rows,
    read_record,
    recorded_actions,
    refused_search,
    search,
    start_export,
)
from panelflow.catalogue.operations import engine_for, live_version
from panelflow.db import utcnow
from panelflow.roles.policy import Permission, allowed
from panelflow.roles.views import current_actor, require

bp = Blueprint("audit", __name__)
bp.before_request(require_sign_in)


@bp.app_template_filter("london")
def london(moment: datetime) -> str:
    """A stored UTC moment as Europe/London local time, e.g. "2 Mar 2026 09:00:00 GMT"."""
    local = moment.astimezone(LONDON)
    return f"{local.day} {local:%b %Y %H:%M:%S %Z}"


def _labels() -> dict[str, Callable[[str], str]]:
    """Role and agency labels from the live workflow file (the raw names if none is live)."""
    live = live_version(web.session())
    if live is None:
        return {"role_label": lambda r: r.replace("_", " "), "agency_label": lambda a: a}
    definitions = engine_for(live).definitions
    return {"role_label": definitions.role_label, "agency_label": definitions.agency_label}


def _search_form() -> SearchForm:
    return SearchForm(recorded_actions(web.session()), formdata=request.args)


def _invalid_search(form: SearchForm) -> ResponseReturnValue:
    """Show what is wrong with the filters; the attempt is audited by field name only."""
    session = web.session()
    refused_search(session, current_actor(), form.invalid_fields())
    session.commit()
    return render_template("audit/search.html", form=form, result=None, **_labels()), 400


@bp.get("/audit")
@require(Permission.VIEW_AUDIT)
def search_page() -> ResponseReturnValue:
    session = web.session()
    form = _search_form()
    if not form.validate():
        return _invalid_search(form)
    result = search(session, current_actor(), form.filters(), request.args.get("page", 1, type=int))
    session.commit()
    return render_template(
        "audit/search.html",
        form=form,
        result=result,
        query=form.query(),
        verify_form=VerifyForm(),
        can_export=allowed(current_actor(), Permission.EXPORT),
        **_labels(),
    )


@bp.get("/audit/<int:seq>")
@require(Permission.VIEW_AUDIT)
def record_page(seq: int) -> ResponseReturnValue:
    session = web.session()
    record = read_record(session, current_actor(), seq)
    if record is None:
        abort(404)
    session.commit()
    return render_template(
        "audit/record.html", record=record, details=readable(record.details), **_labels()
    )


def readable(details: dict[str, Any]) -> list[tuple[str, str]]:
    """A record's details as (key, text) pairs: nested values are shown as JSON text."""
    rows = []
    for key, value in details.items():
        if value is None:
            text = "(none)"
        elif isinstance(value, str):
            text = value
        else:
            text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
        rows.append((str(key), text))
    return rows


@bp.post("/audit/verify")
@require(Permission.VIEW_AUDIT)
def verify_page() -> ResponseReturnValue:
    if not VerifyForm().validate_on_submit():
        abort(400)
    session = web.session()
    report = check_chain(session, current_actor())
    session.commit()
    return render_template("audit/verified.html", report=report)


@bp.get("/audit/export.csv")
@require(Permission.VIEW_AUDIT)
@require(Permission.EXPORT)
def export_csv() -> ResponseReturnValue:
    session = web.session()
    form = _search_form()
    if not form.validate():
        return _invalid_search(form)
    export = start_export(session, current_actor(), form.filters())
    session.commit()
    filename = f"audit-trail-{utcnow().astimezone(LONDON):%Y-%m-%d}.csv"
    return Response(
        stream_with_context(_csv(export)),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


# Spreadsheets run a cell that starts with one of these as a formula.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def _csv(export: Export) -> Iterator[str]:
    """The CSV, one batch of records at a time. The UTF-8 byte order mark makes Excel read
    names correctly. Between batches the read transaction ends, so a slow download never
    holds SQLite's write lock."""
    session = web.session()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(EXPORT_COLUMNS)
    for rows in export_rows(session, export):
        for row in rows:
            writer.writerow([_cell(value) for value in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        session.rollback()  # a read: nothing to keep, and it releases the lock
    if buffer.getvalue():
        yield buffer.getvalue()
