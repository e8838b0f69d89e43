"""Funded micro-interventions: panel budgets, funding decisions and their approval ladder,
spend, the ledger, and group programmes with their cohorts and session registers."""
