"""Writing result tables to XLSX (or CSV) files people open in Excel, safe from formula injection.

A cell starting with = + - @ tab or CR is run as a formula by spreadsheet programs, and
customer names and notes are typed by strangers, so such text gets a leading apostrophe.
The checks stage's codtool/exports.py applies the same rule to CSV; the two will be unified.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from codtool.errors import CodtoolError

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: Any) -> Any:
    """Text that a spreadsheet would evaluate is prefixed with an apostrophe; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_xlsx(path: Path, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """One sheet, header row first; written to a temporary file and renamed, never half-written."""
    with _atomic(path) as tmp:
        book = Workbook(write_only=True)
        sheet = book.create_sheet("codtool")
        sheet.append(list(columns))
        for row in rows:
            sheet.append([_safe(v) for v in row])
        book.save(tmp)


def write_table(path: Path, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """XLSX or CSV by the file's suffix."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        write_xlsx(path, columns, rows)
    elif suffix == ".csv":
        with _atomic(path) as tmp, open(tmp, "w", newline="", encoding="utf-8-sig") as out:
            writer = csv.writer(out)
            writer.writerow(columns)
            writer.writerows([_safe(v) for v in row] for row in rows)
    else:
        raise CodtoolError(f"{path}: choose a .xlsx or .csv file name for --out")


class _atomic:
    """A temporary path beside the target, renamed onto it only if writing succeeded."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> str:
        if not self.path.parent.is_dir():
            raise CodtoolError(f"{self.path}: the folder {self.path.parent} does not exist")
        fd, self.tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".codtool-", suffix=self.path.suffix)
        os.close(fd)
        return self.tmp

    def __exit__(self, kind, *_: object) -> None:
        if kind is None:
            os.replace(self.tmp, self.path)
        elif os.path.exists(self.tmp):
            os.unlink(self.tmp)
