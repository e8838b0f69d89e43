"""A school with its panel, for the panel operations' tests."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from panelflow.catalogue.models import WorkflowVersion
from panelflow.organisations.models import School
from panelflow.panels.models import Panel, PanelSchool
from tests.factories import make_local_authority, make_school


@pytest.fixture
def school(session: Session, published: WorkflowVersion) -> School:
    return make_school(session, "Birkenhead Park Primary", make_local_authority(session))


@pytest.fixture
def panel(session: Session, school: School) -> Panel:
    found = Panel(name="Park panel", local_authority_id=school.local_authority_id)
    session.add(found)
    session.flush()
    session.add(PanelSchool(panel_id=found.id, school_id=school.id))
    session.flush()
    return found
