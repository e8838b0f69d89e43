"""Errors are stored and logged, so their descriptions carry no personal data."""

from __future__ import annotations

import smtplib

from panelflow.notify.smtp import ERROR_LIMIT, describe_error


def test_a_server_reply_keeps_its_code_and_words_but_not_addresses() -> None:
    error = smtplib.SMTPDataError(554, b"5.7.1 Message from <ann.pupil@home.example> refused")

    assert describe_error(error) == "SMTPDataError: 554 5.7.1 Message from <<address>> refused"


def test_refused_recipients_are_described_by_their_replies_only() -> None:
    error = smtplib.SMTPRecipientsRefused(
        {"ann@home.example": (550, b"5.1.1 ann@home.example: user unknown")}
    )

    assert describe_error(error) == "SMTPRecipientsRefused: 550 5.1.1 <address>: user unknown"


def test_an_error_outside_the_smtp_conversation_gives_its_class_only() -> None:
    # e.g. a header value that cannot be encoded: its text would quote the subject
    error = UnicodeEncodeError("ascii", "Siân Jones", 2, 3, "ordinal not in range(128)")

    assert describe_error(error) == "UnicodeEncodeError"


def test_long_replies_are_cut_to_fit_the_column() -> None:
    described = describe_error(smtplib.SMTPDataError(451, b"x" * 2000))

    assert len(described) == ERROR_LIMIT
    assert described.startswith("SMTPDataError: 451 xxx") and described.endswith("…")
