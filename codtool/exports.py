"""CSV and XLSX files for staff to open in a spreadsheet, typed, and safe from formula injection.

Every export declares its columns once (`Column(name, kind)`), and one writer per format turns
the same rows into cells: in XLSX money is a number with its currency's number format, dates
and times are date cells, rates are percentages, identifiers (CAP, phone, tracking and order
numbers) are text cells so `00118` keeps its zeros; in CSV everything is text in a stated
dialect (`machine`: UTF-8, `,`, `.`; `excel-it`: what Italian Excel opens directly).

Customer-typed text such as `=HYPERLINK(...)` or `@SUM(...)` would run as a formula in Excel
or LibreOffice; such cells get a leading apostrophe (OWASP's advice), which `unguard` takes off
again when codtool reads its own file back. A phone number such as `+39 333 1234567` has no
letters or operators to run, so it is left as typed for the people and dialers that read it.
XLSX is written in openpyxl's write-only (streaming) mode, so a 500,000-row export stays small
in memory; column widths are fitted to the header and the first rows. Where a file may be
written, and how (atomic, owner-only: it holds personal data), is the policy in
`codtool.output_paths`.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from itertools import chain, islice
from pathlib import Path
from typing import Any

from codtool.money import Money, exponent, is_currency_code
from codtool.output_paths import OutputRefused, check_output, write_atomic

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Only text starting with one of these can need a guard: a trigger, a guard's apostrophe, or a space
# before a trigger. Most cells start otherwise and skip `_needs_guard` (a sheet writes millions of cells).
_GUARD_FIRST = frozenset("'= +-@\t\r")
# A phone number as people type it: "+", a country code (never starting with 0), digits that may be
# spaced, dotted or bracketed ("+1 (212) 555.0100"), ending on a digit. Hyphens are left out on
# purpose: "+39-333-1234567" is a subtraction to a spreadsheet.
_PHONE = re.compile(r"\+[1-9][0-9 ().]*[0-9]")
FORMATS = (".csv", ".xlsx")
# Values whose CSV text is what safe_cell makes of them (str(value), None as ""), in a column the
# dialect leaves as it is; rows are written this many at a time. A call sheet's row is all of these.
_AS_TEXT = frozenset((str, int, bool, type(None)))
_CSV_CHUNK = 1_000

# Column kinds: how a value becomes a cell.
AUTO, TEXT, ID, INT, MONEY, DATE, DATETIME, RATE = "auto", "text", "id", "int", "money", "date", "datetime", "rate"
KINDS = (AUTO, TEXT, ID, INT, MONEY, DATE, DATETIME, RATE)
_DATE_FORMAT, _DATETIME_FORMAT, _RATE_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm", "0.0%"
_WIDTH_SAMPLE = 1000  # rows looked at to fit column widths before streaming the rest
_MAX_WIDTH = 60

ExportError = OutputRefused  # the name callers knew before the output-path policy


@dataclass(frozen=True)
class Column:
    """One export column: its header, what kind of value it holds, and for money where its currency is.

    `currency` names the row's currency column (or is a fixed ISO code); a `Money` value carries its own.
    """

    name: str
    kind: str = AUTO
    currency: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


def schema(*specs: str | tuple[str, str] | tuple[str, str, str] | Column) -> tuple[Column, ...]:
    """Columns from short specs: "name", ("name", kind) or ("name", "money", currency column)."""
    return tuple(s if isinstance(s, Column) else Column(s) if isinstance(s, str) else Column(*s) for s in specs)


@dataclass(frozen=True)
class CsvDialect:
    """How a CSV export spells its text: separator, decimal mark, and a byte-order mark for Excel."""

    name: str
    delimiter: str
    decimal: str
    bom: bool


CSV_DIALECTS = {
    "machine": CsvDialect("machine", ",", ".", False),
    "excel-it": CsvDialect("excel-it", ";", ",", True),
}
DEFAULT_DIALECT = "machine"


def csv_dialect(name: str) -> CsvDialect:
    """The named dialect, or a one-line error listing the choices."""
    try:
        return CSV_DIALECTS[name]
    except KeyError:
        raise ValueError(f"unknown CSV dialect {name!r}; choose one of {', '.join(CSV_DIALECTS)}") from None


def is_typed_phone(text: str) -> bool:
    """A phone number a spreadsheet cannot run: left as typed for the people and dialers reading it."""
    return bool(_PHONE.fullmatch(text))


def _needs_guard(text: str) -> bool:
    """A formula to a spreadsheet, or text that would read back as one once unguarded ("'=x" itself)."""
    rest = text.lstrip("'")
    if rest == text and is_typed_phone(text):
        return False
    return rest.startswith(_TRIGGERS) or rest.lstrip(" ").startswith(_TRIGGERS)


def safe_cell(value: Any) -> str:
    """The cell as text, with an apostrophe in front when a spreadsheet would read a formula.

    Text that already starts with apostrophes before a formula gets one more, so `unguard` can
    always give back exactly what was written.
    """
    text = value if type(value) is str else "" if value is None else str(value)
    if not text or text[0] not in _GUARD_FIRST:  # most cells: returned after one set lookup
        return text
    return "'" + text if _needs_guard(text) else text


def unguard(text: str) -> str:
    """The value before `safe_cell` guarded it: codtool reads back the files it wrote."""
    if text[:1] == "'" and text[1:2] in _GUARD_FIRST and _needs_guard(text[1:]):
        return text[1:]
    return text


def export_format(path: Path, replace: bool = True) -> str:
    """The export's format by suffix; with replace=False an existing file is refused too (see output_paths)."""
    return check_output(path, FORMATS, replace)


def write_table(path: str | os.PathLike[str], columns: Sequence[str | Column], rows: Iterable[Sequence[Any]],
                sheet: str = "codtool", replace: bool = False, dialect: str = DEFAULT_DIALECT) -> int:
    """CSV or XLSX by the file's suffix; returns the number of data rows written."""
    target = Path(path)
    if export_format(target, replace) == ".xlsx":
        return write_xlsx(target, columns, rows, sheet, replace)
    return write_csv(target, columns, rows, replace, dialect)


# --- CSV ----------------------------------------------------------------------------------------

def write_csv(path: str | os.PathLike[str], columns: Sequence[str | Column], rows: Iterable[Sequence[Any]],
              replace: bool = False, dialect: str = DEFAULT_DIALECT) -> int:
    """Text cells in the dialect's spelling; `excel-it` adds a BOM so Excel shows accented names."""
    cols, spec = schema(*columns), csv_dialect(dialect)
    index = {c.name: i for i, c in enumerate(cols)}

    def write(tmp: Path) -> int:
        count = 0
        with tmp.open("w", encoding="utf-8-sig" if spec.bom else "utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter=spec.delimiter)
            writer.writerow([safe_cell(c.name) for c in cols])
            spelled = [i for i, c in enumerate(cols) if spec.decimal != "." and c.kind in (MONEY, RATE)]

            def cells(row: Sequence[Any]) -> list[str]:
                if len(row) != len(cols):
                    raise ValueError(f"a row of {len(row)} cells for {len(cols)} columns")
                if not _AS_TEXT.issuperset(map(type, row)):  # a Money, a date, a float: each by its column
                    return [safe_cell(_csv_text(c, v, row, index, spec)) for c, v in zip(cols, row, strict=True)]
                guarded = list(map(safe_cell, row))  # the common row: every cell as safe_cell makes it
                for i in spelled:  # but a decimal comma in money and rates
                    guarded[i] = safe_cell(_csv_text(cols[i], row[i], row, index, spec))
                return guarded

            source = iter(rows)
            while chunk := list(islice(source, _CSV_CHUNK)):
                writer.writerows(map(cells, chunk))
                count += len(chunk)
        return count

    return write_atomic(path, write, (".csv",), replace)


def _csv_text(col: Column, value: Any, row: Sequence[Any], index: dict[str, int], spec: CsvDialect) -> str:
    if value is None:
        return ""
    if isinstance(value, Money):
        text = value.plain
    elif col.kind in (MONEY, RATE) or isinstance(value, float | Decimal):
        text = str(value)
    elif isinstance(value, datetime | date):
        return value.isoformat()
    else:
        return str(value)
    return text.replace(".", spec.decimal) if spec.decimal != "." and _looks_numeric(text) else text


def _looks_numeric(text: str) -> bool:
    return bool(re.fullmatch(r"-?[0-9]+(\.[0-9]+)?(e-?[0-9]+)?", text))


# --- XLSX ---------------------------------------------------------------------------------------

def money_format(currency: str) -> str:
    """Excel's number format for the currency: `#,##0.00 [$€-410]` for EUR, the ISO code otherwise."""
    places = exponent(currency)
    number = "#,##0" + ("." + "0" * places if places else "")
    return f"{number} [$€-410]" if currency == "EUR" else f'{number} "{currency}"'


def write_xlsx(path: str | os.PathLike[str], columns: Sequence[str | Column], rows: Iterable[Sequence[Any]],
               sheet: str = "codtool", replace: bool = False) -> int:
    """One sheet, bold frozen header with a filter, typed cells, streamed row by row."""
    cols = schema(*columns)
    index = {c.name: i for i, c in enumerate(cols)}

    def write(tmp: Path) -> int:
        from openpyxl import Workbook  # openpyxl takes longer to import than most commands take to run
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        book = Workbook(write_only=True)
        ws = book.create_sheet(sheet[:31])
        iterator = iter(rows)
        sample = list(islice(iterator, _WIDTH_SAMPLE))
        for i, width in enumerate(_widths(cols, sample, index), start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "A2"
        bold = Font(bold=True)
        header = []
        for c in cols:
            cell = WriteOnlyCell(ws, safe_cell(c.name))
            cell.font = bold
            header.append(cell)
        ws.append(header)
        count = 0
        for row in chain(sample, iterator):
            ws.append([_xlsx_cell(ws, c, v, row, index) for c, v in zip(cols, row, strict=True)])
            count += 1
        if cols:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{count + 1}"
        book.save(tmp)
        return count

    return write_atomic(path, write, (".xlsx",), replace)


def _widths(cols: Sequence[Column], sample: list[Sequence[Any]], index: dict[str, int]) -> Iterator[float]:
    """Fitted to the header and the first rows, in characters, within reason."""
    for i, col in enumerate(cols):
        longest = len(col.name) + 3  # room for the filter button
        for row in sample:
            longest = max(longest, _shown_length(col, row[i], row, index))
        yield min(_MAX_WIDTH, longest + 2)


def _shown_length(col: Column, value: Any, row: Sequence[Any], index: dict[str, int]) -> int:
    if value is None or value == "":
        return 0
    if col.kind == DATE:
        return 10
    if col.kind == DATETIME:
        return 16
    if col.kind == MONEY:
        return len(str(value)) * 4 // 3 + 2  # grouping marks and the currency sign
    return len(str(value))


def _xlsx_cell(ws: Any, col: Column, value: Any, row: Sequence[Any], index: dict[str, int]) -> Any:
    """A plain value where the default cell will do; a styled cell for money, dates and rates."""
    if value is None or value == "":
        return None
    if isinstance(value, Money):
        return _styled(ws, value.decimal, money_format(value.currency))
    kind = col.kind
    if kind in (TEXT, ID):
        return _text(value)
    if kind == MONEY:
        currency = _currency_of(col, row, index)
        amount = _decimal(value)
        if currency is None or amount is None:
            return _text(value)
        return _styled(ws, amount, money_format(currency))
    if kind == RATE:
        amount = value if isinstance(value, int | float | Decimal) else _decimal(value)
        return _text(value) if amount is None else _styled(ws, amount, _RATE_FORMAT)
    if kind == INT:
        return value if isinstance(value, int) else _int(value)
    if kind in (DATE, DATETIME):
        when = _when(value, kind)
        return _text(value) if when is None else _styled(ws, when, _DATE_FORMAT if kind == DATE else _DATETIME_FORMAT)
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    return _text(value)


def _styled(ws: Any, value: Any, number_format: str) -> Any:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value)
    cell.number_format = number_format
    return cell


def _text(value: Any) -> str:
    """Text, neutralised, and cleared of the control bytes XLSX refuses."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return safe_cell(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def _currency_of(col: Column, row: Sequence[Any], index: dict[str, int]) -> str | None:
    code = col.currency
    if code in index:
        code = str(row[index[code]] or "")
    return code if code and is_currency_code(code) else None


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def _int(value: Any) -> Any:
    text = str(value).strip()
    return int(text) if re.fullmatch(r"-?[0-9]{1,15}", text) else _text(value)


def _when(value: Any, kind: str) -> date | datetime | None:
    """A date or a naive UTC time (Excel cells have no zone) from a value or its ISO text."""
    if isinstance(value, datetime):
        when = value
    elif isinstance(value, date):
        return value if kind == DATE else datetime(value.year, value.month, value.day)
    else:
        try:
            when = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    if kind == DATE:
        return when.date()
    return when
