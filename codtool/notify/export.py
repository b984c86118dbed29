"""CSV and XLSX files for staff, safe to open in a spreadsheet.

A cell starting with = + - @ tab or CR could run as a formula (CSV injection), so it gets a
leading apostrophe. Phone numbers such as +39 333 1234567 hold only digits, so they cannot
carry a formula and are left as typed for staff to read and dial.
(The checks stage has the same rule in codtool/exports.py; the lead will keep one of them.)
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from codtool.errors import CodtoolError

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PHONE = re.compile(r"^\+\d[\d ]{5,19}$")
FORMATS = (".csv", ".xlsx")


class ExportError(CodtoolError):
    """An export file cannot be written in the requested format."""


def safe_cell(value: Any) -> Any:
    """Neutralise text a spreadsheet would run as a formula; numbers and phone numbers pass."""
    if isinstance(value, str) and value.startswith(_TRIGGERS) and not _PHONE.match(value):
        return "'" + value
    return value


def export_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ExportError(f"{path}: write .csv or .xlsx, not {suffix or 'a file without extension'}")
    return suffix


def write_table(path: Path, columns: Sequence[str], rows: Iterable[Sequence[Any]], sheet: str = "codtool") -> int:
    """Write atomically (temp file, then rename), so a reader never sees half a file."""
    writer = _write_xlsx if export_format(path) == ".xlsx" else _write_csv
    return _atomic(path, lambda tmp: writer(tmp, columns, rows, sheet))


def _atomic(path: Path, write: Callable[[Path], int]) -> int:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise ExportError(f"{path}: cannot write here ({exc.strerror or exc})") from exc
    os.close(fd)
    tmp = Path(name)
    try:
        count = write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return count


def _write_csv(path: Path, columns: Sequence[str], rows: Iterable[Sequence[Any]], _sheet: str) -> int:
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as out:  # BOM: Excel reads accents right
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([safe_cell(v) for v in row])
            count += 1
    return count


def _write_xlsx(path: Path, columns: Sequence[str], rows: Iterable[Sequence[Any]], sheet: str) -> int:
    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet[:31])
    ws.append(list(columns))
    count = 0
    for row in rows:
        ws.append([_xlsx_value(v) for v in row])
        count += 1
    book.save(path)
    return count


def _xlsx_value(value: Any) -> Any:
    """Text stays text (openpyxl would store '=...' as a formula); control bytes XLSX refuses go."""
    if isinstance(value, str):
        return safe_cell(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value
