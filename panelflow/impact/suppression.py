"""Withholding small groups, so that no child can be picked out of a table.

A group of fewer than ``THRESHOLD`` pupils is shown as "fewer than 5", its figures withheld.
When exactly one group of a breakdown is withheld, the next smallest is withheld too: the
groups of a breakdown add up to its total, so the one withheld could otherwise be worked out
by subtraction. A breakdown whose total is itself below the threshold is withheld whole. In
the cells of the barrier pages' cross tables (a school by a category) a count of none is
shown as 0: no child is in it.
"""

from __future__ import annotations

from collections.abc import Sequence

THRESHOLD = 5
FEWER = f"fewer than {THRESHOLD}"


def small(count: int, *, zero_shown: bool = False) -> bool:
    """Whether a count of pupils is too small to show (0 too, unless ``zero_shown``)."""
    return count < THRESHOLD and not (zero_shown and count == 0)


def withheld(
    counts: Sequence[int], total: int | None = None, *, zero_shown: bool = False
) -> list[bool]:
    """Which of a breakdown's groups to withhold, given each group's number of pupils.

    ``total`` is the breakdown's total, when one is shown; ``None`` adds the counts. With
    ``zero_shown`` a count of none is shown as 0 (a cell of a cross table: no child in it).
    """
    if not counts:
        return []
    if small(sum(counts) if total is None else total, zero_shown=zero_shown):
        return [True] * len(counts)
    hidden = [small(count, zero_shown=zero_shown) for count in counts]
    if sum(hidden) == 1 and len(counts) > 1:
        shown = [(count, index) for index, count in enumerate(counts) if not hidden[index]]
        if zero_shown:  # hiding a cell of none would hide no one
            shown = [(count, index) for count, index in shown if count] or shown
        _, next_smallest = min(shown)
        hidden[next_smallest] = True
    return hidden
