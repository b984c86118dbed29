"""A statement as a file the shop can be sent: XLSX, CSV or PDF, chosen by the suffix, written
atomically and owner-only (codtool.output_paths).

XLSX: numeric money cells in a euro format, dates as dates, bold frozen header, column widths.
CSV: amounts as plain decimal text (exact). PDF (reportlab, `invariant=1`): the operator's and
the shop's names, the period, a summary box, the parcel table across pages with its header
repeated, page numbers, amounts in Italian notation, DejaVu Sans embedded (shipped in
codtool/data/fonts) so "€" and accents render anywhere; same ledger, same bytes.
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from codtool.exports import safe_cell
from codtool.money import Money
from codtool.output_paths import check_output, write_atomic
from codtool.payouts.statements import Statement

FORMATS = (".xlsx", ".csv", ".pdf")
FONTS = Path(__file__).resolve().parent.parent / "data" / "fonts"
COLUMNS = ("kind", "order_id", "tracking_number", "courier", "delivered_at", "cod", "fee", "net", "reason")


def statement_format(path: Path, replace: bool = False) -> str:
    """The file's format by suffix, under the output policy of every export (codtool.output_paths):
    an existing file is replaced only with `replace` (--force)."""
    return check_output(path, FORMATS, replace)


def write_statement(statement: Statement, path: Path, operator: str, replace: bool = False) -> None:
    writer = {".xlsx": _xlsx, ".csv": _csv, ".pdf": _pdf}[statement_format(path, replace)]
    write_atomic(path, lambda tmp: writer(statement, tmp, operator), FORMATS, replace)


def _rows(s: Statement) -> list[tuple]:
    """Lines, then adjustments, then the totals: every deduction with its reason."""
    rows = [(ln["kind"], ln["order_id"], ln["tracking_number"], ln["courier"], ln["delivered_at"], ln["cod_minor"],
             ln["fee_minor"], ln["net_minor"], ln["reason"]) for ln in s.lines]
    rows += [(a["kind"], "", a["tracking_number"], "", "", None, None, a["amount_minor"], a["reason"])
             for a in s.adjustments]
    return rows


def _decimal(minor: int | None, currency: str) -> Decimal | None:
    return None if minor is None else Money(minor, currency).decimal


def _xlsx(s: Statement, tmp: Path, operator: str) -> int:
    book = Workbook()
    ws = book.active
    ws.title = f"Statement {s.id}"
    money = '#,##0.00 "€"' if s.currency == "EUR" else f'#,##0.00 "{s.currency}"'
    ws.append(list(COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    rows = _rows(s) + [("total", "", "", "", "", s.cod, s.fees, s.net, f"{s.shop} {s.cycle_start} to {s.cycle_end}")]
    for row in rows:
        day = date.fromisoformat(row[4]) if row[4] else None
        ws.append([safe_cell(row[0]), safe_cell(row[1]), safe_cell(row[2]), safe_cell(row[3]), day,
                   *(_decimal(v, s.currency) for v in row[5:8]), safe_cell(row[8])])
        cells = ws[ws.max_row]
        cells[4].number_format = "yyyy-mm-dd"
        for cell in cells[5:8]:
            cell.number_format = money
    ws[ws.max_row][0].font = Font(bold=True)
    for letter, width in zip("ABCDEFGHI", (11, 14, 20, 10, 12, 12, 10, 12, 70), strict=True):
        ws.column_dimensions[letter].width = width
    book.save(tmp)
    return len(rows)


def _csv(s: Statement, tmp: Path, operator: str) -> int:
    def text(minor: int | None) -> str:
        return "" if minor is None else Money(minor, s.currency).plain

    rows = _rows(s) + [("total", "", "", "", "", s.cod, s.fees, s.net, f"{s.shop} {s.cycle_start} to {s.cycle_end}")]
    with tmp.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([*(safe_cell(v) for v in row[:5]), *(text(v) for v in row[5:8]), safe_cell(row[8])])
    return len(rows)


def _pdf(s: Statement, tmp: Path, operator: str) -> int:
    from codtool.payouts.pdf import render

    render(s, tmp, operator)
    return len(s.lines)
