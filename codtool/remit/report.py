"""`remit report`: per courier and cycle the totals, the aging of what each courier owes, open discrepancies.

Aging counts the parcels' open amounts (unremitted, short-paid, over-paid with a minus, fee
differences) by days past their cycle's payout date: not due, 0-5, 6-10, 11-30, over 30.
Each courier's bands add up to its total, and the couriers' totals to the grand total.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from codtool.exports import FORMATS, export_format, safe_cell
from codtool.money import exponent, format_minor
from codtool.output_paths import write_atomic
from codtool.remit.classify import PARCEL_KINDS
from codtool.remit.reconcile import Reconciled, cycle_json, discrepancy_json

BANDS = ("not_due", "0-5", "6-10", "11-30", "over_30")
CYCLE_COLUMNS = ("courier", "cycle_start", "cycle_end", "payout_due", "parcels", "expected", "remitted", "fees",
                 "difference", "status")
AGING_COLUMNS = ("courier", *BANDS, "total")
DISCREPANCY_COLUMNS = ("id", "kind", "courier", "tracking_number", "order_id", "bank_reference", "amount", "cycle",
                       "detail")
DECISION_COLUMNS = ("discrepancy", "kind", "courier", "tracking_number", "amount", "decision", "note", "decided_by",
                    "decided_at")


def band(days_past_due: int) -> str:
    if days_past_due < 0:
        return "not_due"
    if days_past_due <= 5:
        return "0-5"
    if days_past_due <= 10:
        return "6-10"
    return "11-30" if days_past_due <= 30 else "over_30"


@dataclass
class Report:
    """The reconcile result plus the decisions taken so far (the audit trail), as rows and JSON."""

    result: Reconciled
    decisions: list[dict] = field(default_factory=list)

    def aging(self) -> dict[str, dict[str, int]]:
        """Courier -> band -> minor units owed (signed), from the open parcel items."""
        found = self.result.classified
        owed: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(BANDS, 0))
        for _, d in self.result.open:
            if d.kind in PARCEL_KINDS:
                cycle = found.parcel_cycle[d.subject_id]
                sign = -1 if d.kind == "over_paid" else 1
                owed[d.courier][band((self.result.as_of - cycle.due).days)] += sign * d.amount_minor
        for parcel, expected in found.not_due:
            if self.result.courier in (None, parcel.courier):
                owed[parcel.courier]["not_due"] += expected
        return dict(sorted(owed.items()))

    def to_json(self) -> dict:
        currency = self.result.currency
        aging = [{"courier": c, **{f"{b}_minor": v for b, v in bands.items()}, "total_minor": sum(bands.values()),
                  "currency": currency} for c, bands in self.aging().items()]
        return {"as_of": self.result.as_of.isoformat(), "currency": currency,
                "cycles": [cycle_json(r) for r in self.result.cycles()], "aging": aging,
                "aging_total_minor": sum(a["total_minor"] for a in aging),
                "discrepancies": [discrepancy_json(i, d) for i, d in self.result.open],
                "decisions": self.decisions}

    # --- sheets as rows: money as Decimal (numeric in XLSX), dates as dates ------------------------

    def money(self, minor: int) -> Decimal:
        return Decimal(minor).scaleb(-exponent(self.result.currency))

    def cycle_rows(self) -> list[tuple]:
        return [(r.courier, r.cycle.start, r.cycle.end, r.cycle.due, r.parcels, self.money(r.expected),
                 self.money(r.remitted), self.money(r.fees), self.money(r.difference), r.status)
                for r in self.result.cycles()]

    def aging_rows(self) -> list[tuple]:
        rows = [(c, *(self.money(v) for v in bands.values()), self.money(sum(bands.values())))
                for c, bands in self.aging().items()]
        if rows:
            totals = [sum((r[i] for r in rows), Decimal(0)) for i in range(1, len(AGING_COLUMNS))]
            rows.append(("TOTAL", *totals))
        return rows

    def decision_rows(self) -> list[tuple]:
        return [(d["discrepancy_id"], d["kind"], d["courier"], d["tracking_number"], self.money(d["amount_minor"]),
                 d["decision"], d["note"], d["decided_by"], d["decided_at"]) for d in self.decisions]

    def discrepancy_rows(self) -> list[tuple]:
        return [(i, d.kind, d.courier, d.tracking_number, d.order_id, d.bank_reference, self.money(d.amount_minor),
                 d.cycle, d.detail) for i, d in self.result.open]


def write_report(report: Report, path: Path, replace: bool = False) -> None:
    """XLSX or CSV by the suffix, through the output-path policy (an existing file needs replace)."""
    writer = _xlsx if export_format(path, replace) == ".xlsx" else _csv
    write_atomic(path, lambda tmp: writer(report, tmp), FORMATS, replace)


def _xlsx(report: Report, tmp: Path) -> int:
    book = Workbook()
    book.remove(book.active)
    money_format = '#,##0.00 "€"' if report.result.currency == "EUR" else f'#,##0.00 "{report.result.currency}"'
    sheets = (("Cycles", CYCLE_COLUMNS, report.cycle_rows()), ("Aging", AGING_COLUMNS, report.aging_rows()),
              ("Discrepancies", DISCREPANCY_COLUMNS, report.discrepancy_rows()),
              ("Decisions", DECISION_COLUMNS, report.decision_rows()))
    for title, columns, rows in sheets:
        ws = book.create_sheet(title)
        ws.append(list(columns))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        for row in rows:
            ws.append([_xlsx_value(v) for v in row])
            for cell, value in zip(ws[ws.max_row], row, strict=True):
                if isinstance(value, Decimal):
                    cell.number_format = money_format
                elif isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
        for index, name in enumerate(columns, start=1):
            ws.column_dimensions[ws.cell(1, index).column_letter].width = max(12, min(60, len(name) + 4))
    book.save(tmp)
    return len(report.discrepancy_rows())


def _xlsx_value(value):
    if isinstance(value, Decimal | date | int):
        return value
    return safe_cell(value)


def _csv(report: Report, tmp: Path) -> int:
    """One table with a `section` column; amounts as plain decimal text, exact."""
    import csv

    columns = ("section", *dict.fromkeys(CYCLE_COLUMNS + AGING_COLUMNS + DISCREPANCY_COLUMNS + DECISION_COLUMNS))
    with tmp.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for section, names, rows in (("cycle", CYCLE_COLUMNS, report.cycle_rows()),
                                     ("aging", AGING_COLUMNS, report.aging_rows()),
                                     ("discrepancy", DISCREPANCY_COLUMNS, report.discrepancy_rows()),
                                     ("decision", DECISION_COLUMNS, report.decision_rows())):
            for row in rows:
                values = dict(zip(names, row, strict=True))
                writer.writerow([section] + [_csv_value(values.get(c)) for c in columns[1:]])
    return len(report.discrepancy_rows())


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal | int | date):
        return str(value)
    return safe_cell(value)


def money_text(minor: int, currency: str) -> str:
    return format_minor(minor, currency)
