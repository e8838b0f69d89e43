"""Downloads hold what the page shows, and nothing a spreadsheet would run."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from panelflow.impact.exports import Table, csv_bytes, impact_table, xlsx_bytes
from panelflow.impact.reports import Breakdown, Row

ROW = Row("Mentoring sessions", 12, 12, 9, -1.25, 2.0, 80.0, 78.75, 3, 120_000)
HIDDEN = Row("Uniform", 0, 0, 0, None, None, None, None, 0, 0, withheld=True)
TRICKY = Table(
    "t",
    "Tricky",
    ["Name", "Figure"],
    [["=1+2", -3.5], ["+cmd|' /C calc'!A0", 4], ["@SUM(A1)", 0], ["-2+3", 1], ["Plain", None]],
)


def test_csv_escapes_text_that_looks_like_a_formula_but_not_numbers() -> None:
    rows = list(csv.reader(io.StringIO(csv_bytes(TRICKY).decode("utf-8-sig"))))
    assert rows == [
        ["Name", "Figure"],
        ["'=1+2", "-3.5"],
        ["'+cmd|' /C calc'!A0", "4"],
        ["'@SUM(A1)", "0"],
        ["'-2+3", "1"],
        ["Plain", ""],
    ]


def test_xlsx_keeps_text_as_text_and_numbers_as_numbers() -> None:
    sheet = load_workbook(io.BytesIO(xlsx_bytes(TRICKY))).active
    assert sheet is not None
    cells = list(sheet.iter_rows(min_row=2))
    assert [(c[0].value, c[0].data_type) for c in cells[:2]] == [
        ("=1+2", "s"),
        ("+cmd|' /C calc'!A0", "s"),
    ]
    assert cells[0][1].value == -3.5 and cells[0][1].data_type == "n"


def test_withheld_rows_keep_their_label_and_withhold_every_figure() -> None:
    table = impact_table(Breakdown("types", "By intervention", "Intervention", [ROW, HIDDEN]), ROW)
    assert table.rows[0] == ["Mentoring sessions", 12, 9, -1.2, 2.0, 80.0, 78.8, 3, 1200.0, 133.33]
    assert table.rows[1] == ["Uniform", "fewer than 5", *["withheld"] * 8]
    assert table.rows[2][0] == "All"
    rows = list(csv.reader(io.StringIO(csv_bytes(table).decode("utf-8-sig"))))
    assert rows[2][:3] == ["Uniform", "fewer than 5", "withheld"]
