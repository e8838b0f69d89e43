"""Splitting a long list into pages: which page is shown, which rows, which links."""

from __future__ import annotations

import pytest

from panelflow.paging import Paging


@pytest.mark.parametrize(
    ("page", "pages", "expected"),
    [
        (1, 1, [1]),
        (1, 3, [1, 2, 3]),
        (1, 9, [1, 2, None, 9]),
        (5, 9, [1, None, 4, 5, 6, None, 9]),
        (9, 9, [1, None, 8, 9]),
        (3, 9, [1, 2, 3, 4, None, 9]),
    ],
)
def test_page_links(page: int, pages: int, expected: list[int | None]) -> None:
    assert Paging(total=pages * 10, page=page, per_page=10).numbers() == expected


@pytest.mark.parametrize(
    ("total", "asked", "page", "first", "last"),
    [
        (0, None, 1, 0, 0),
        (0, 4, 1, 0, 0),
        (120, None, 1, 1, 50),
        (120, 2, 2, 51, 100),
        (120, 3, 3, 101, 120),
        (120, 99, 3, 101, 120),  # past the end: the last page
        (120, -2, 1, 1, 50),
    ],
)
def test_the_page_asked_for_is_kept_in_range(
    total: int, asked: int | None, page: int, first: int, last: int
) -> None:
    paging = Paging.at(total, asked, 50)

    assert (paging.page, paging.first, paging.last) == (page, first, last)
    rows = list(range(1, total + 1))
    assert list(paging.of(rows)) == (list(range(first, last + 1)) if total else [])
