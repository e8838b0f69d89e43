"""Support first: graduated support, as attendance leads, EWOs and virtual school heads use
it. Steps are in conftest.py."""

from pytest_bdd import scenarios

scenarios("workflows/support_first.feature")
