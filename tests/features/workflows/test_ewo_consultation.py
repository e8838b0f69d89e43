"""EWO consultations (SPIRAL), as EWOs, educational psychologists and inclusion facilitators
use them. Steps are in conftest.py."""

from pytest_bdd import scenarios

scenarios("workflows/ewo_consultation.feature")
