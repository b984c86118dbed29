"""`remit import`: a courier's remittance file (one payout, "distinta contrassegni") into the ledger.

Read with the order importer's CSV machinery (encodings, `;`, sniffing), amounts with the one
amount parser, dates day-first. Each file is one transaction and is known by its content hash:
the same file twice changes nothing. Every line is imported or rejected with its line and reason.
Lines are facts only; what a line means (settles a parcel, duplicates one, names an unknown
parcel) is decided by `remit reconcile`, which can also revise it when tracking catches up.
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from codtool.crashpoints import crash_point
from codtool.errors import AmountError, InputFileError, MappingError
from codtool.ledger import Ledger
from codtool.ledger import remit as store
from codtool.ledger.db import utc_now
from codtool.money import STATEMENTS, format_minor, read_amount
from codtool.tracking.sources import Table, parse_day

COLUMNS: dict[str, tuple[str, ...]] = {
    "tracking_number": ("tracking_number", "tracking", "awb", "waybill", "spedizione", "numero spedizione",
                        "lettera di vettura", "ldv"),
    "order_id": ("order_id", "order", "riferimento", "rif. mittente", "riferimento mittente", "ordine"),
    "cod_amount": ("cod_amount", "cod", "contrassegno", "importo contrassegno", "incassato"),
    "fee": ("fee", "cod_fee", "commissione", "commissioni", "diritto contrassegno"),
    "net_amount": ("net_amount", "net", "netto", "importo netto", "da accreditare"),
    "remittance_date": ("remittance_date", "date", "data", "data rimessa", "data accredito", "data distinta"),
    "bank_reference": ("bank_reference", "reference", "cro", "trn", "riferimento bonifico", "distinta"),
    "currency": ("currency", "valuta"),
}


@dataclass
class Reject:
    line: int
    reason: str


@dataclass
class RemitImport:
    """What one remittance file did: shown to people and, as JSON, to cron."""

    file: str
    courier: str
    already_imported: bool = False
    lines: int = 0
    imported: int = 0
    repeats_known_parcel: int = 0  # lines for a parcel that already has a remittance line
    remittances: list[dict] = field(default_factory=list)
    rejected: list[Reject] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Mapping:
    """A courier's own column names, plus deduction columns (freight, return charges, reversals)."""

    columns: dict[str, tuple[str, ...]]
    deductions: tuple[str, ...] = ()


def load_mapping(path: Path | None) -> Mapping:
    """`[columns]` field = "Header" or ["Header", ...]; `deductions = ["Nolo", "Spese reso"]`."""
    if path is None:
        return Mapping(COLUMNS)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise MappingError(f"{path}: cannot read the remittance mapping ({exc})") from exc
    unknown = set(data) - {"columns", "deductions"}
    columns = data.get("columns", {})
    bad = set(columns) - set(COLUMNS)
    if unknown or bad:
        raise MappingError(f"{path}: unknown key(s) {', '.join(sorted(unknown | bad))} "
                           f"(columns: {', '.join(COLUMNS)}; and deductions)")
    merged = dict(COLUMNS)
    for name, value in columns.items():
        merged[name] = (value,) if isinstance(value, str) else tuple(value)
    deductions = data.get("deductions", [])
    deductions = (deductions,) if isinstance(deductions, str) else tuple(deductions)
    return Mapping(merged, deductions)


def import_remittance(ledger: Ledger, path: Path, courier: str, currency: str,
                      mapping: Mapping | None = None) -> RemitImport:
    mapping = mapping or Mapping(COLUMNS)
    wanted = dict(mapping.columns) | {f"deduction:{name}": (name,) for name in mapping.deductions}
    table = _FileTable(path, wanted)
    _require(table, path, mapping)
    result = RemitImport(str(path), courier)
    with ledger.transaction() as session:
        if store.remit_file_known(session, courier, table.sha256):
            result.already_imported = True
            return result
        lines, rejects = _read_lines(table, currency, mapping, result)
        known = store.remitted_tracking(session, courier, sorted({ln["tracking"] for ln in lines if ln["tracking"]}))
        seen: set[str] = set()
        for ln in lines:
            t = ln["tracking"]
            result.repeats_known_parcel += bool(t) and (t in known or t in seen)
            seen.add(t)
        file_id = store.insert_remit_file(session, (courier, path.name, table.sha256, table.encoding, table.delimiter,
                                                 result.lines, len(lines), len(rejects), utc_now()))
        _store_lines(session, file_id, courier, currency, lines, result)
        store.insert_remit_rejects(session, [(file_id, r.line, r.reason, raw) for r, raw in rejects])
        crash_point("remit.import.after_lines")
    return result


class _FileTable(Table):
    """The order importer's reader (CSV or the workbook's first sheet) with the facts the file record keeps."""

    def __init__(self, path: Path, wanted) -> None:
        super().__init__(path, wanted, ())
        self.sha256, self.encoding, self.delimiter = self.source.sha256, self.source.encoding, self.source.delimiter


def _require(table: Table, path: Path, mapping: Mapping) -> None:
    cols = table.columns
    if cols.get("tracking_number") is None and cols.get("order_id") is None:
        raise InputFileError(path, "missing column tracking_number or order_id: one of "
                             + ", ".join(repr(c) for c in mapping.columns["tracking_number"]), 1)
    if cols.get("net_amount") is None and (cols.get("cod_amount") is None or cols.get("fee") is None):
        raise InputFileError(path, "missing column net_amount (or both cod_amount and fee): one of "
                             + ", ".join(repr(c) for c in mapping.columns["net_amount"]), 1)
    if cols.get("remittance_date") is None:
        raise InputFileError(path, "missing column remittance_date: one of "
                             + ", ".join(repr(c) for c in mapping.columns["remittance_date"]), 1)
    missing = [name for name in mapping.deductions if cols.get(f"deduction:{name}") is None]
    if missing:
        names = ", ".join(map(repr, missing))
        raise InputFileError(path, f"missing deduction column(s) {names} named by the mapping", 1)


def _read_lines(table: Table, currency: str, mapping: Mapping, result: RemitImport):
    lines, rejects = [], []
    for number, cells in table.records():
        result.lines += 1
        try:
            lines.append(_line(number, cells, currency, mapping))
        except (AmountError, ValueError) as exc:
            reason = str(exc)
            result.rejected.append(Reject(number, reason))
            rejects.append((Reject(number, reason), "|".join(v for v in cells.values())))
    return lines, rejects


def _amount(cells: dict[str, str], name: str, currency: str) -> int | None:
    text = cells.get(name, "")
    if not text:
        return None
    try:
        return read_amount(text, currency, STATEMENTS).minor
    except AmountError as exc:
        raise ValueError(f"{name}: {exc}") from exc


def _line(number: int, cells: dict[str, str], currency: str, mapping: Mapping) -> dict:
    """One line's facts, or ValueError with the reason it cannot be taken."""
    tracking, order = cells.get("tracking_number", ""), cells.get("order_id", "")
    if not tracking and not order:
        raise ValueError("no tracking number and no order id")
    line_currency = (cells.get("currency") or currency).upper()
    if line_currency != currency:
        raise ValueError(f"currency {line_currency} is not the ledger's {currency}")
    day = parse_day(cells.get("remittance_date", ""))
    if day is None:
        raise ValueError(f"cannot read remittance_date {cells.get('remittance_date', '')!r}")
    cod, fee, net = (_amount(cells, n, currency) for n in ("cod_amount", "fee", "net_amount"))
    deductions = sum(_amount(cells, f"deduction:{name}", currency) or 0 for name in mapping.deductions)
    deductions = abs(deductions)  # couriers print deductions as positive or negative; both take money away
    if net is None:
        if cod is None or fee is None:
            raise ValueError("no net_amount, and no cod_amount and fee to compute it")
        net = cod - fee - deductions
    if cod is None:
        cod = net + (fee or 0) + deductions
    if fee is None:
        fee = cod - net - deductions
    return {"line": number, "tracking": tracking, "order": order.lstrip("#"), "cod": cod, "fee": fee,
            "deductions": deductions, "net": net, "date": day, "reference": cells.get("bank_reference", "")}


def _store_lines(session, file_id: int, courier: str, currency: str, lines: list[dict], result: RemitImport) -> None:
    """One remittance per (bank reference, date) in the file, each with its lines and total."""
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for ln in lines:
        groups[(ln["reference"], ln["date"])].append(ln)
    for (reference, day), members in sorted(groups.items()):
        total = sum(ln["net"] for ln in members)
        rid = store.insert_remittance(session, (file_id, courier, reference, day, total, currency, len(members)))
        store.insert_remit_lines(session, [(rid, courier, ln["line"], ln["tracking"], ln["order"], ln["cod"], ln["fee"],
                                         ln["deductions"], ln["net"], currency, ln["date"]) for ln in members])
        result.remittances.append({"id": rid, "bank_reference": reference, "remittance_date": day,
                                   "lines": len(members), "total": format_minor(total, currency),
                                   "total_minor": total, "currency": currency})
    result.imported = len(lines)
