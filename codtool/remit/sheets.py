"""Reading the first sheet of an XLSX file as text rows, for couriers' and banks' Excel exports.

Cells become the text a CSV export would hold: dates as ISO days, numbers through their
shortest decimal text (so the one amount parser reads them exactly), everything else trimmed.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from codtool.errors import InputFileError
from codtool.tracking.sources import resolve_columns


def xlsx_rows(path: Path) -> tuple[str, list[tuple[int, list[str]]]]:
    """(content hash, [(row number, cells)]) for the non-blank rows of the first sheet."""
    if not path.is_file():
        raise InputFileError(path, "no such file")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise InputFileError(path, f"cannot read the workbook ({exc})") from exc
    try:
        rows = [(n, cells) for n, row in enumerate(book.worksheets[0].iter_rows(values_only=True), start=1)
                if any(cells := [cell_text(v) for v in row])]
    finally:
        book.close()
    return digest, rows


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    if isinstance(value, float | int) and not isinstance(value, bool):
        return format(Decimal(repr(value)), "f")
    return " ".join(str(value).split())


class SheetTable:
    """An XLSX input with the same face as the CSV `Table`: header resolved, records by row number."""

    encoding, delimiter = "xlsx", ""

    def __init__(self, path: Path, wanted: Mapping[str, Sequence[str]], required: Sequence[str]) -> None:
        self.path = path
        self.sha256, rows = xlsx_rows(path)
        if not rows:
            raise InputFileError(path, "the workbook's first sheet is empty")
        (_, self.header), self.rows = rows[0], rows[1:]
        self.columns = resolve_columns(path, self.header, wanted, required)

    def records(self) -> Iterator[tuple[int, dict[str, str]]]:
        for line, row in self.rows:
            yield line, {f: (row[i] if i is not None and i < len(row) else "") for f, i in self.columns.items()}
