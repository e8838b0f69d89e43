"""Small groups withheld, and the next smallest with them."""

from __future__ import annotations

import pytest

from panelflow.impact.suppression import withheld


@pytest.mark.parametrize(
    ("counts", "total", "expected"),
    [
        ([23, 9], None, [False, False]),
        ([5, 5], None, [False, False]),
        ([4, 20], None, [True, True]),  # one small: the other would give it away
        ([3, 20, 7], None, [True, False, True]),  # the next smallest goes with it
        ([3, 2, 20], None, [True, True, False]),  # two small: neither can be worked out
        ([2, 2], None, [True, True]),  # a total under 5: the whole breakdown
        ([3], 40, [True]),  # one group only: nothing to pair it with
        ([], None, []),
        ([0, 12], None, [True, True]),  # none is small too, unless told otherwise
    ],
)
def test_withheld(counts: list[int], total: int | None, expected: list[bool]) -> None:
    assert withheld(counts, total) == expected


def test_cross_table_cells_show_none_as_zero() -> None:
    assert withheld([0, 6, 7], zero_shown=True) == [False, False, False]
    assert withheld([0, 3, 7], zero_shown=True) == [False, True, True]
    assert withheld([0, 0], zero_shown=True) == [False, False]
