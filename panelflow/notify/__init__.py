"""Email notifications through an outbox: operations queue messages in their own
transaction, and ``panelflow mail send`` (or ``send_pending``) delivers them over SMTP later,
so an email goes out if and only if the change that caused it was committed.
"""
