"""Long lists split into pages: one reading of ``?page=``, one set of page links.

Every list that can grow without bound (the audit trail, a panel's agenda and actions) pages
through ``Paging``; templates draw the links with ``pagination()`` from
``templates/_pagination.html`` (the GOV.UK pagination component).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Paging:
    total: int
    page: int
    per_page: int

    @classmethod
    def at(cls, total: int, asked: int | None, per_page: int) -> Paging:
        """The page asked for, kept within range: past the end shows the last page."""
        pages = max(1, -(-total // per_page))
        return cls(total, min(max(asked or 1, 1), pages), per_page)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def first(self) -> int:
        """The position of the first row shown (1-based), or 0 if there are none."""
        return self.offset + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.offset + self.per_page, self.total)

    def of(self, rows: Sequence[T]) -> Sequence[T]:
        """This page's share of the whole list."""
        return rows[self.offset : self.offset + self.per_page]

    def numbers(self) -> list[int | None]:
        """Pages to link to: the first, the last, and this one with its neighbours; ``None``
        where pages are left out."""
        near = range(max(1, self.page - 1), min(self.pages, self.page + 1) + 1)
        shown = sorted({1, self.pages, *near})
        numbers: list[int | None] = []
        for number in shown:
            if numbers and number - (numbers[-1] or 0) > 1:
                numbers.append(None)
            numbers.append(number)
        return numbers
