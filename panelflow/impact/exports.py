"""The report's and the barrier pages' tables as plain values, and as CSV and XLSX files.

The page, the CSV and the XLSX show one ``Table``, so a download always holds exactly what
the page showed, withheld groups included ("fewer than 5", figures "withheld"). Text that a
spreadsheet would run as a formula (a cell starting ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return) is written with a leading apostrophe in CSV, and as text, never a formula,
in XLSX. Figures are written as numbers.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from panelflow.impact.reports import Breakdown, Row
from panelflow.impact.suppression import FEWER

WITHHELD = "withheld"
# Spreadsheets run a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | None

IMPACT_COLUMNS = [
    "Pupils",
    "Improved",
    "Mean change (percentage points)",
    "Median change (percentage points)",
    "Mean attendance before (%)",
    "Mean attendance after (%)",
    "Not measurable yet",
    "Spend (£)",
    "Cost per improved pupil (£)",
]


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]]

    @property
    def figures(self) -> int:
        """Rows of figures (for audit records: how much was exported, never what)."""
        return len(self.rows)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _pounds(pence: int | None) -> float | None:
    return None if pence is None else round(pence / 100, 2)


def impact_cells(row: Row) -> list[Cell]:
    if row.withheld:
        return [row.label, FEWER, *([WITHHELD] * (len(IMPACT_COLUMNS) - 1))]
    return [
        row.label,
        row.pupils,
        row.improved,
        _round(row.mean_change),
        _round(row.median_change),
        _round(row.mean_before),
        _round(row.mean_after),
        row.not_measurable,
        _pounds(row.spend_pence),
        _pounds(row.cost_per_improved_pence),
    ]


def impact_table(breakdown: Breakdown, total: Row) -> Table:
    rows = [impact_cells(row) for row in breakdown.rows]
    rows.append(impact_cells(replace(total, label="All")))
    return Table(breakdown.key, breakdown.title, [breakdown.heading, *IMPACT_COLUMNS], rows)


def safe_text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return safe_text(value)
    return value


def csv_bytes(table: Table) -> bytes:
    """The table as CSV, UTF-8 with the byte order mark Excel needs to read "£" right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_csv_cell(c) for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_cell(c) for c in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(table: Table) -> bytes:
    """The table as an Excel workbook of one sheet; text cells are always text."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(table.title[:31])

    def cell(value: Cell) -> WriteOnlyCell:
        written = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            written.data_type = "s"  # never a formula, whatever it starts with
        return written

    sheet.append([cell(c) for c in table.columns])
    for row in table.rows:
        sheet.append([cell(c) for c in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
