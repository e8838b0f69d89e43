"""Attendance support plans, their reviews, and the documents made from them."""
