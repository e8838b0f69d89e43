"""Reading a school's attendance export one row at a time, never the whole file at once.

CSV files are read through the ``csv`` module over a text stream. Their encoding is worked
out first: UTF-8 (with or without the byte-order mark Excel writes), else Windows-1252, the
encoding older MIS exports use. XLSX workbooks are read with openpyxl in read-only mode, which
streams the first worksheet's rows. Either way a row comes as its row number (1 for the first
row, as a spreadsheet counts) and its cells: text from CSV; text, numbers or dates from XLSX.
"""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

Row = tuple[int, list[Any]]

_CHUNK = 1 << 16
_XLSX_MAGIC = b"PK\x03\x04"


class ReadError(Exception):
    """The file cannot be read at all; the message says why in plain words."""


def detect_encoding(path: Path) -> str:
    """``utf-8-sig`` when the file starts with a UTF-8 byte-order mark, ``utf-8`` when every
    byte decodes as UTF-8, else ``cp1252``. Reads the file in chunks."""
    with path.open("rb") as stream:
        start = stream.read(len(codecs.BOM_UTF8))
        if start == codecs.BOM_UTF8:
            return "utf-8-sig"
        decoder = codecs.getincrementaldecoder("utf-8")()
        chunk = start
        try:
            while chunk:
                decoder.decode(chunk)
                chunk = stream.read(_CHUNK)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8"


def column_letter(index: int) -> str:
    """The spreadsheet letter of a column counted from 0: 0 is A, 26 is AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _is_xlsx(path: Path) -> bool:
    with path.open("rb") as stream:
        return stream.read(4) == _XLSX_MAGIC


def _csv_rows(path: Path) -> Iterator[Row]:
    encoding = detect_encoding(path)
    # Windows-1252 leaves five bytes undefined; read them as replacement characters rather
    # than fail, since they can only be in text (a name), never in a number or a date.
    with path.open(encoding=encoding, errors="replace", newline="") as stream:
        sample = stream.read(4096)
        stream.seek(0)
        try:
            dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(stream, dialect)
        try:
            yield from enumerate(reader, start=1)
        except csv.Error as error:
            raise ReadError(
                f"{path.name} cannot be read as CSV at row {reader.line_num}: {error}"
            ) from None


def _xlsx_rows(path: Path) -> Iterator[Row]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise ReadError(
            f"{path.name} cannot be read as an Excel workbook (.xlsx): it may be damaged, or "
            "another kind of file; save it again from the MIS or Excel as .xlsx or .csv"
        ) from None
    try:
        if not workbook.worksheets:
            raise ReadError(f"{path.name} has no worksheet")
        sheet = workbook.worksheets[0]
        # Some exports record a wrong size for the sheet; read what is really there.
        sheet.reset_dimensions()
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(cells)
    finally:
        workbook.close()


@contextmanager
def open_rows(path: str | Path) -> Iterator[Iterator[Row]]:
    """The rows of a CSV or XLSX file, read as they are used. Raises ``ReadError`` when the
    file is missing or is neither."""
    path = Path(path)
    if not path.exists():
        raise ReadError(f"{path}: no such file")
    if path.is_dir():
        raise ReadError(f"{path}: is a folder, not an attendance file")
    suffix = path.suffix.lower()
    try:
        xlsx = _is_xlsx(path)
    except OSError as error:
        raise ReadError(f"{path}: cannot be read ({error.strerror})") from None
    if suffix == ".xlsx" and not xlsx:
        raise ReadError(
            f"{path.name} is called .xlsx but is not an Excel workbook; save it again as "
            ".xlsx or .csv"
        )
    if suffix in (".xls", ".ods"):
        raise ReadError(
            f"{path.name} is a {suffix} file; panelflow reads .csv and .xlsx: save it again "
            "from the MIS or Excel as one of those"
        )
    rows = _xlsx_rows(path) if xlsx else _csv_rows(path)
    try:
        yield rows
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()


def estimate_rows(path: str | Path) -> int | None:
    """About how many rows follow the header, for a progress bar; None if it cannot tell.

    For CSV, the lines counted (a quoted cell may hold a line break, so it may be a few
    over); for XLSX, the size the worksheet records, which some exports get wrong.
    """
    path = Path(path)
    try:
        if _is_xlsx(path):
            from openpyxl import load_workbook

            workbook = load_workbook(path, read_only=True, data_only=True)
            try:
                rows = workbook.worksheets[0].max_row if workbook.worksheets else None
            finally:
                workbook.close()
            return max(rows - 1, 0) if rows else None
        lines = 0
        last = b"\n"
        with path.open("rb") as stream:
            while chunk := stream.read(_CHUNK):
                lines += chunk.count(b"\n")
                last = chunk[-1:]
        if last != b"\n":
            lines += 1  # the last line has no line break
        return max(lines - 1, 0)
    except Exception:  # an estimate only: checking the file says what is wrong with it
        return None
