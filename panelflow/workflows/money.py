"""Amounts of money as people write them ("£12", "12.50", "1,200"), read into whole pence.

One reader for every place money is typed: the approval bands of a workflow file's
``funding:`` section, and the funding forms. Pence are integers, so sums never drift.
"""

from __future__ import annotations

import re
from decimal import Decimal

# No more than ten million pounds: larger is a typing slip, and stays within a 32-bit column.
MAX_PENCE = 1_000_000_000
MONEY_HELP = "write it like 45, £12.50 or £1,200"

_SHAPE = re.compile(r"^(?P<pounds>\d+|\d{1,3}(?:,\d{3})+)(?:\.(?P<pence>\d+))?$")


class MoneyError(ValueError):
    """Text that is not an amount of money; the message says why, in plain words."""


def parse_money(text: str) -> int:
    """Whole pence in ``text``: "£12" is 1200, "12.5" is 1250, "1,200" is 120000.

    A pound sign and spaces around the number are allowed; commas only between thousands;
    at most two figures of pence. Raises ``MoneyError`` otherwise.
    """
    written = " ".join(str(text).split())
    plain = written.removeprefix("£").strip()
    if not plain:
        raise MoneyError(f"no amount is given: {MONEY_HELP}")
    if plain.startswith("-"):
        raise MoneyError(f"'{written}' is below zero: write the amount without a minus sign")
    match = _SHAPE.match(plain)
    if match is None:
        if re.fullmatch(r"[\d,]+(\.\d+)?", plain):
            raise MoneyError(
                f"'{written}' has a comma in the wrong place: put commas only between "
                "thousands, like £1,200, or leave them out"
            )
        raise MoneyError(f"'{written}' is not an amount of money: {MONEY_HELP}")
    pence_text = match.group("pence")
    if pence_text is not None and len(pence_text) > 2:
        raise MoneyError(f"'{written}' has more than two figures of pence: {MONEY_HELP}")
    pounds = Decimal(match.group("pounds").replace(",", ""))
    pence = int(pounds * 100 + Decimal((pence_text or "0").ljust(2, "0")))
    if pence > MAX_PENCE:
        raise MoneyError(f"'{written}' is more than £10,000,000: check the amount")
    return pence


def format_money(pence: int) -> str:
    """'£1,200.50' (or '-£5.00' below zero): how panelflow writes an amount back to people."""
    return f"{'-' if pence < 0 else ''}£{abs(pence) / 100:,.2f}"
