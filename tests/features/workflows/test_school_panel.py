"""The school attendance panel (nomination without paperwork), as panel chairs and school
staff use it. Steps are in conftest.py."""

from pytest_bdd import scenarios

scenarios("workflows/school_panel.feature")
