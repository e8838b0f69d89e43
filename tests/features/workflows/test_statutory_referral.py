"""Statutory referrals (support first enforced; safeguarding never held back), as EWOs,
attendance leads and social workers use them. Steps are in conftest.py."""

from pytest_bdd import scenarios

scenarios("workflows/statutory_referral.feature")
