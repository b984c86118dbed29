"""Reading an `.xlsx` workbook's sheet as the CSV reader reads a file: text cells, true line numbers.

Staff fill in call sheets and NDR decisions in Excel or LibreOffice, and shops export orders as
XLSX; every reader that takes a CSV takes a workbook too, through `codtool.importing.source`.
Cells come out as the text a person sees, so CAPs and phones keep their digits: a number typed in
Excel becomes its text without ".0" (`118` stays `118`: a CAP the sheet already turned into a
number cannot be given its zeros back, and the order checks say so), a date becomes ISO
(`2026-11-23`, or `2026-11-23T09:30:00` with a time); as in CSV, the row-by-row readers
(`Chunk.rows`) read a cell codtool's formula guard prefixed (`'=1+1`) as the original value. The
sheet's row number is the line number in every error. openpyxl's read-only mode streams the rows;
the input policy's bounds apply to every row and cell, and the unpacked size of the workbook is
bounded before it is opened.

API: a caller opens any input with `source.inspect_file(path, sheet)` (CSV or workbook), then
`source.read_header` / `source.read_chunks` (or `tracking.sources.Table(path, ..., sheet)`); those
call `read_sheet_header` / `sheet_chunks` here for a `SourceFile` whose encoding is `XLSX`.
`sheet_rows(source)` walks a sheet for readers that find their own header (bank statements);
`cell_text(value)` is the one cell-to-text rule.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codtool.errors import InputFileError
from codtool.input_policy import MAX_FIELD_CHARS, MAX_FIELDS, LimitExceeded

if TYPE_CHECKING:
    from codtool.importing.source import Chunk, Header, SourceFile

XLSX = "xlsx"  # the `encoding` a SourceFile gets for a workbook
SUFFIXES = (".xlsx", ".xlsm")
MAX_UNPACKED_BYTES = 2_000_000_000  # a zip bomb fails here, before openpyxl inflates it
_ZIP_MAGIC = b"PK\x03\x04"


def is_workbook(path: Path, head: bytes) -> bool:
    """An Office Open XML workbook: a zip archive named .xlsx or .xlsm."""
    return path.suffix.lower() in SUFFIXES and head.startswith(_ZIP_MAGIC)


def check_archive(path: Path) -> None:
    """Refuse a workbook that is not a readable zip, or one that unpacks beyond the bound."""
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputFileError(path, f"not a readable XLSX workbook ({exc})") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise LimitExceeded(f"{path}: the workbook unpacks to {unpacked:,} bytes; "
                            f"the limit is {MAX_UNPACKED_BYTES:,}")


def workbook_names(path: Path) -> list[str]:
    """The workbook's worksheet names, in order."""
    book = _open(path)
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def choose_sheet(path: Path, sheet: str | None) -> str:
    """The named sheet, or the first; a missing name is one line listing the sheets there are."""
    names = workbook_names(path)
    if not names:
        raise InputFileError(path, "the workbook has no sheets")
    if sheet is None:
        return names[0]
    if sheet not in names:
        raise InputFileError(path, f"no sheet named {sheet!r}; the workbook has {', '.join(map(repr, names))}")
    return sheet


def _open(path: Path) -> Any:
    from openpyxl import load_workbook  # openpyxl costs ~0.2 s to import: only when a workbook is read

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (KeyError, XML errors) for a damaged file
        raise InputFileError(path, f"not a readable XLSX workbook ({type(exc).__name__}: {exc})") from None


def sheet_rows(source: SourceFile) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells as text) for every row of the sheet, blank rows included."""
    book = _open(source.path)
    try:
        ws = book[source.sheet]
        ws.reset_dimensions()  # some writers record a wrong size; read what is there
        for number, values in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1):
            cells = [cell_text(v) for v in values]
            while cells and cells[-1] == "":
                cells.pop()
            if len(cells) > MAX_FIELDS:
                raise LimitExceeded(f"{source.path}:{number}: {len(cells):,} fields; "
                                    f"the limit for one record is {MAX_FIELDS:,}")
            if any(len(c) > MAX_FIELD_CHARS for c in cells):
                raise LimitExceeded(f"{source.path}:{number}: a cell longer than {MAX_FIELD_CHARS:,} characters")
            yield number, cells
    finally:
        book.close()


def cell_text(value: Any) -> str:
    """What the person typed, as text: 118 not 118.0, dates as ISO (guarded formulas: see Chunk.rows)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(value, ".15g")  # the 15 significant digits Excel shows
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def read_sheet_header(source: SourceFile) -> Header:
    from codtool.importing.source import Header

    for number, cells in sheet_rows(source):
        if any(c.strip() for c in cells):
            return Header([" ".join(c.split()) for c in cells], number, True)
    raise InputFileError(source.path, f"sheet {source.sheet!r} has no header row")


def sheet_chunks(source: SourceFile, header: Header, chunk_rows: int) -> Iterator[Chunk]:
    """Records after the header in chunks, each with its sheet row number; blank rows are skipped."""
    from codtool.importing.source import _chunk, _fit

    width = len(header.cells)
    lines: list[int] = []
    rows: list[list[str]] = []
    for number, cells in sheet_rows(source):
        if number <= header.end_line or not any(cells):
            continue
        lines.append(number)
        rows.append(_fit(cells, width))
        if len(rows) >= chunk_rows:
            yield _chunk(lines, rows, width, 0)
            lines, rows = [], []
    yield _chunk(lines, rows, width, source.size)
