"""The subject access export forgets no table: every table linked to a pupil is exported or
deliberately left out with a reason, and what is declared exported is really in the export,
for this pupil only."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from flask import Flask, render_template
from sqlalchemy import Table

from panelflow import web
from panelflow.catalogue.models import WorkflowVersion
from panelflow.db import Base, utcnow
from panelflow.subject_access import operations as ops
from panelflow.subject_access.gather import EXPORTED, LEFT_OUT, held_about
from panelflow.subject_access.render import JSON_NAME, PDF_NAME, document_html, records_at
from tests.factories import make_account, make_local_authority, make_school
from tests.subject_access.records import everything_about, shared

ROOTS = {"pupils", "cases"}


def linked_tables() -> dict[str, Table]:
    """Tables holding something about a pupil: ``pupils`` and ``cases``, any table with a
    ``pupil_id`` or ``case_id`` column, and any table with a foreign key to one of those
    (action updates through actions, register marks through places...), to any depth."""
    tables = Base.metadata.tables
    linked = {
        name: table
        for name, table in tables.items()
        if name in ROOTS or "pupil_id" in table.c or "case_id" in table.c
    }
    grown = True
    while grown:
        grown = False
        for name, table in tables.items():
            if name in linked:
                continue
            if any(fk.column.table.name in linked for fk in table.foreign_keys):
                linked[name] = table
                grown = True
    return linked


def test_every_table_linked_to_a_pupil_is_exported_or_left_out_with_a_reason() -> None:
    linked = linked_tables()
    forgotten = sorted(set(linked) - set(EXPORTED) - set(LEFT_OUT))
    assert not forgotten, (
        f"tables linked to a pupil that the subject access export neither exports nor lists "
        f"as left out (panelflow/subject_access/gather.py, EXPORTED or LEFT_OUT): {forgotten}"
    )
    assert not set(EXPORTED) & set(LEFT_OUT)
    assert all(reason.strip() for reason in LEFT_OUT.values())
    unknown = sorted((set(EXPORTED) | set(LEFT_OUT)) - set(Base.metadata.tables))
    assert not unknown, f"no such tables: {unknown}"
    # The walk itself finds the tables reached only through another (so it can fail).
    assert {"action_updates", "register_marks", "funding_spend"} <= set(linked)
    assert "meetings" not in linked and "users" not in linked


def _export(app: Flask, pupil_id: int, user_id: int) -> tuple[dict[str, Any], str, bytes]:
    from panelflow.accounts.models import User
    from panelflow.accounts.operations import actor_for

    with app.test_request_context():
        session = web.session()
        user = session.get(User, user_id)
        assert user is not None
        actor = actor_for(user)
        made = ops.export(session, actor, pupil_id, "SAR-2026-014", render_template)
        data = b"".join(made.chunks())
        held = held_about(session, pupil_id)
        html = document_html(held, "SAR-2026-014", utcnow(), made.counts, render_template)
        session.commit()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        document = json.loads(archive.read(JSON_NAME))
        pdf = archive.read(PDF_NAME)
    return document, html, pdf


@pytest.fixture
def two_pupils(session: Any, published: WorkflowVersion) -> dict[str, Any]:
    la = make_local_authority(session)
    school = make_school(session, local_authority=la)
    lead = make_account(session, "attendance_lead", name="Lee Morgan", school=school)
    from panelflow.accounts.operations import actor_for

    actor = actor_for(lead)
    where = shared(session, school, lead, published)
    amara, amara_ids = everything_about(session, where, "Amara", "Hughes", actor)
    other, other_ids = everything_about(session, where, "Bethany", "Quill", actor)
    session.commit()
    return {
        "lead": lead.id,
        "pupil": amara.id,
        "ids": amara_ids,
        "other": other,
        "other_ids": other_ids,
    }


def test_what_is_declared_exported_is_in_the_export_for_this_pupil_only(
    app: Flask, two_pupils: dict[str, Any]
) -> None:
    document, html, pdf = _export(app, two_pupils["pupil"], two_pupils["lead"])
    ids = two_pupils["ids"]
    assert set(ids) == set(EXPORTED), "the records builder covers every exported table"
    for table, path in EXPORTED.items():
        found = [record["id"] for record in records_at(document, path)]
        assert len(found) == len(set(found)), f"{table} exported twice"
        assert set(found) == ids[table], table
        assert document["counts"][table] == len(found), table

    other = two_pupils["other"]
    text = json.dumps(document)
    for words in (other.given_name, other.family_name, other.upn):
        assert words not in text
        assert words not in html
    assert pdf.startswith(b"%PDF-")
