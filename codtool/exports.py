"""CSV and XLSX files for staff to open in a spreadsheet, safe from formula injection.

Customer-typed text such as `=HYPERLINK(...)` or `@SUM(...)` would run as a formula in Excel
or LibreOffice; such cells get a leading apostrophe (OWASP's advice). A phone number such as
`+39 333 1234567` has no letters or operators to run, so it is left as typed for the people
and dialers that read it. Numbers stay numbers in XLSX. Where a file may be written, and how
(atomic, owner-only: it holds personal data), is the one policy in `codtool.output_paths`.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from codtool.output_paths import OutputRefused, check_output, write_atomic

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# A phone number as people type it: "+", a country code (never starting with 0), digits that may be
# spaced, dotted or bracketed ("+1 (212) 555.0100"), ending on a digit. Hyphens are left out on
# purpose: "+39-333-1234567" is a subtraction to a spreadsheet.
_PHONE = re.compile(r"\+[1-9][0-9 ().]*[0-9]")
FORMATS = (".csv", ".xlsx")


ExportError = OutputRefused  # the name callers knew before the output-path policy


def is_typed_phone(text: str) -> bool:
    """A phone number a spreadsheet cannot run: left as typed for the people and dialers reading it."""
    return bool(_PHONE.fullmatch(text))


def safe_cell(value: Any) -> str:
    """The cell as text, with an apostrophe in front when a spreadsheet would read a formula."""
    text = "" if value is None else str(value)
    if is_typed_phone(text):
        return text
    if text.startswith(_TRIGGERS) or text.lstrip(" ").startswith(_TRIGGERS):
        return "'" + text
    return text


def _xlsx_value(value: Any) -> Any:
    """Numbers stay numbers; text is neutralised and cleared of control bytes XLSX refuses."""
    if value is None or isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return safe_cell(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def export_format(path: Path, replace: bool = True) -> str:
    """The export's format by suffix; with replace=False an existing file is refused too (see output_paths)."""
    return check_output(path, FORMATS, replace)


def write_table(path: str | os.PathLike[str], columns: Sequence[str], rows: Iterable[Sequence[Any]],
                sheet: str = "codtool", replace: bool = False) -> int:
    """CSV or XLSX by the file's suffix; returns the number of data rows written."""
    target = Path(path)
    if export_format(target, replace) == ".xlsx":
        return write_xlsx(target, columns, rows, sheet, replace)
    return write_csv(target, columns, rows, replace)


def write_csv(path: str | os.PathLike[str], columns: Sequence[str], rows: Iterable[Sequence[Any]],
              replace: bool = False) -> int:
    """UTF-8 with a byte-order mark, so Excel shows accented names correctly."""

    def write(tmp: Path) -> int:
        count = 0
        with tmp.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([safe_cell(c) for c in columns])
            for row in rows:
                writer.writerow([safe_cell(v) for v in row])
                count += 1
        return count

    return write_atomic(path, write, (".csv",), replace)


def write_xlsx(path: str | os.PathLike[str], columns: Sequence[str], rows: Iterable[Sequence[Any]],
               sheet: str = "codtool", replace: bool = False) -> int:
    def write(tmp: Path) -> int:
        book = Workbook(write_only=True)
        ws = book.create_sheet(sheet[:31])
        ws.append([safe_cell(c) for c in columns])
        count = 0
        for row in rows:
            ws.append([_xlsx_value(v) for v in row])
            count += 1
        book.save(tmp)
        return count

    return write_atomic(path, write, (".xlsx",), replace)
