"""`remit bank`: bank statements as Italian banks export them, and plain `date, amount, description` CSVs.

Real exports carry preamble rows (account holder, IBAN, period) before the header, `Data
contabile`/`Data valuta`, either `Dare`/`Avere` columns (a debit sometimes written negative) or
one signed `Importo`, `Descrizione`/`Causale`, and a `Saldo finale` trailer. The header is the
first row naming a date and an amount column; balance rows are kept as the closing balance, not
as movements. Lines are keyed by content plus occurrence, so an export overlapping the previous
one adds only the new movements, while two genuinely identical movements in one file both count.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from codtool.crashpoints import crash_point
from codtool.errors import AmountError, InputFileError
from codtool.importing.profiles import fold
from codtool.importing.sheets import XLSX, sheet_rows
from codtool.importing.source import SourceFile, inspect_file
from codtool.ledger import Ledger
from codtool.ledger import remit as store
from codtool.ledger.db import utc_now
from codtool.money import STATEMENTS, read_amount
from codtool.tracking.sources import parse_day

COLUMNS = {
    "date": ("data contabile", "data cont.", "data operazione", "data", "date", "booking date", "data registrazione"),
    "value_date": ("data valuta", "data val.", "valuta", "value date"),
    "debit": ("dare", "debito", "addebiti", "uscite", "debit"),
    "credit": ("avere", "credito", "accrediti", "entrate", "credit"),
    "amount": ("importo", "importo(€)", "importo (€)", "importo eur", "amount", "importo euro"),
    "description": ("descrizione", "descrizione operazioni", "descrizione operazione", "description", "dettagli"),
    "causale": ("causale", "causale abi", "tipo operazione"),
}
_DELIMITERS = (";", ",", "\t", "|")
_BALANCE_WORDS = ("saldo", "balance")


@dataclass
class BankReject:
    line: int
    reason: str


@dataclass
class BankImport:
    file: str
    already_imported: bool = False
    layout: str = ""
    lines: int = 0
    imported: int = 0
    already_known: int = 0
    credits: int = 0
    debits: int = 0
    closing_balance_minor: int | None = None
    rejected: list[BankReject] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)


def import_statement(ledger: Ledger, path: Path, currency: str) -> BankImport:
    """One statement file (CSV, or XLSX as banks' home-banking exports it) in one transaction."""
    source = inspect_file(path)
    sha256, rows = source.sha256, _rows(source)
    header_at, columns = _find_header(path, rows)
    layout = "dare_avere" if columns.get("credit") is not None else "signed"
    result = BankImport(str(path), layout=layout)
    with ledger.transaction() as session:
        if store.statement_known(session, sha256):
            result.already_imported = True
            return result
        movements, rejects = _movements(rows[header_at + 1:], columns, currency, result)
        statement = store.insert_statement(session, (path.name, sha256, layout, result.lines, 0, 0,
                                                  len(rejects), result.closing_balance_minor, currency, utc_now()))
        new = store.insert_bank_lines(session, [(statement, *m) for m in movements])
        store.insert_bank_rejects(session, [(statement, r.line, r.reason, raw) for r, raw in rejects])
        result.imported, result.already_known = new, len(movements) - new
        store.set_statement_counts(session, statement, new, len(movements) - new)
        crash_point("remit.bank.after_lines")
    return result


def _rows(source: SourceFile) -> list[tuple[int, list[str]]]:
    """(line, cells) for every non-blank record; the delimiter is the one most used by the widest row,
    because preamble lines ("Conto: 1234") would fool a header-line sniffer."""
    if source.encoding == XLSX:
        return [(n, [" ".join(c.split()) for c in cells]) for n, cells in sheet_rows(source) if any(cells)]
    text = source.path.read_text(encoding=source.encoding)
    sample = text.splitlines()[:40]
    delimiter = max(_DELIMITERS, key=lambda d: max((line.count(d) for line in sample), default=0))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, end = [], 0
    try:
        for record in reader:
            start, end = end + 1, reader.line_num
            if any(cell.strip() for cell in record):
                rows.append((start, [" ".join(cell.split()) for cell in record]))
    except csv.Error as exc:
        raise InputFileError(source.path, f"malformed CSV ({exc})", reader.line_num) from exc
    return rows


def _find_header(path: Path, rows: list[tuple[int, list[str]]]) -> tuple[int, dict[str, int | None]]:
    for index, (_, cells) in enumerate(rows[:60]):
        positions = {fold(c): i for i, c in reversed(list(enumerate(cells)))}
        found = {name: next((positions[fold(c)] for c in cands if fold(c) in positions), None)
                 for name, cands in COLUMNS.items()}
        has_amount = found["amount"] is not None or (found["debit"] is not None and found["credit"] is not None)
        if found["date"] is not None and has_amount:
            return index, found
    raise InputFileError(path, "no header row with a date column (Data contabile, Data, date) and an amount "
                         "(Importo, amount, or Dare and Avere) in the first 60 rows", 1)


def _cell(cells: list[str], position: int | None) -> str:
    return cells[position].strip() if position is not None and position < len(cells) else ""


def _movements(rows, columns, currency: str, result: BankImport):
    movements, rejects, seen = [], [], Counter()
    for line, cells in rows:
        result.lines += 1
        if _is_balance_row(cells, columns, currency, result):
            continue
        try:
            movement = _movement(cells, columns, currency)
        except (AmountError, ValueError) as exc:
            result.rejected.append(BankReject(line, str(exc)))
            rejects.append((BankReject(line, str(exc)), "|".join(cells)))
            continue
        booking, value, amount, description, causale = movement
        content = "\x1f".join((booking, str(amount), currency, description))  # exports differ in causale
        seen[content] += 1
        key = hashlib.sha256(f"{content}\x1f{seen[content]}".encode()).hexdigest()[:32]
        movements.append((line, booking, value, amount, currency, description, causale, key))
        result.credits += amount > 0
        result.debits += amount < 0
    return movements, rejects


def _is_balance_row(cells, columns, currency: str, result: BankImport) -> bool:
    """'Saldo iniziale/finale/contabile' rows: the closing one is kept as the statement's balance."""
    text = " ".join(cells).casefold()
    if not any(word in text for word in _BALANCE_WORDS) or parse_day(_cell(cells, columns["date"])):
        return False
    if "final" in text or "closing" in text or "contabile" in text:
        amounts = [c for c in cells if any(ch.isdigit() for ch in c) and not parse_day(c)]
        for cell in reversed(amounts):
            try:
                result.closing_balance_minor = read_amount(cell, currency, STATEMENTS).minor
                break
            except AmountError:
                continue
    return True


def _movement(cells, columns, currency: str) -> tuple[str, str, int, str, str]:
    raw_date = _cell(cells, columns["date"])
    booking = parse_day(raw_date)
    if booking is None:
        raise ValueError(f"cannot read the booking date {raw_date!r}")
    value = parse_day(_cell(cells, columns["value_date"])) or booking
    if columns["amount"] is not None:
        text = _cell(cells, columns["amount"])
        if not text:
            raise ValueError("no amount")
        amount = read_amount(text, currency, STATEMENTS).minor
    else:
        debit, credit = _cell(cells, columns["debit"]), _cell(cells, columns["credit"])
        if bool(debit) == bool(credit):
            raise ValueError("needs exactly one of Dare and Avere")
        cell, sign = (credit, 1) if credit else (debit, -1)
        amount = sign * abs(read_amount(cell, currency, STATEMENTS).minor)
    if amount == 0:
        raise ValueError("zero amount")
    return booking, value, amount, _cell(cells, columns["description"]), _cell(cells, columns["causale"])
