"""The school and pupils most attendance tests import for."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from panelflow.organisations.models import Pupil, School
from tests.attendance.files import make_roll


@pytest.fixture
def roll(session: Session) -> tuple[School, list[Pupil]]:
    return make_roll(session)
