"""The subject access page when PDFs cannot be drawn on the server: a plain message, no
download and no audit record of an export."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from panelflow.audit.models import AuditRecord
from panelflow.catalogue.models import WorkflowVersion
from panelflow.documents import DocumentUnavailable
from panelflow.subject_access import render
from tests.factories import (
    Auth,
    csrf_token,
    make_account,
    make_local_authority,
    make_pupil,
    make_school,
)


def test_without_pdfs_the_page_says_so_and_nothing_is_exported(
    client: FlaskClient,
    auth: Auth,
    session: Session,
    published: WorkflowVersion,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    school = make_school(session, local_authority=make_local_authority(session))
    lead = make_account(session, "attendance_lead", school=school)
    pupil = make_pupil(session, school)
    session.commit()

    def unavailable(html: str) -> Any:
        raise DocumentUnavailable("PDF downloads need the Pango library on the server")

    monkeypatch.setattr(render, "pdf_from_html", unavailable)
    auth.sign_in_as(lead)
    path = f"/pupils/{pupil.id}/subject-access"
    page = client.get(path)
    response = client.post(path, data={"csrf_token": csrf_token(page), "reference": "SAR-7"})
    assert response.status_code == 503
    assert response.mimetype == "text/html"
    assert "The export could not be made: PDF downloads need the Pango library" in (
        response.get_data(as_text=True)
    )
    session.rollback()
    exported = session.scalars(
        select(AuditRecord).where(AuditRecord.action == "export.subject_access")
    ).all()
    assert exported == []


def test_the_form_needs_its_csrf_token(
    client: FlaskClient, auth: Auth, session: Session, published: WorkflowVersion
) -> None:
    school = make_school(session, local_authority=make_local_authority(session))
    lead = make_account(session, "attendance_lead", school=school)
    pupil = make_pupil(session, school)
    session.commit()
    auth.sign_in_as(lead)
    response = client.post(f"/pupils/{pupil.id}/subject-access", data={"reference": "SAR-7"})
    assert response.status_code == 400
    assert response.mimetype != "application/zip"
