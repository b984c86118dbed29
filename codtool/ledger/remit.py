"""Money-side SQL: accounts, transactions and postings, remittances, bank lines, discrepancies.

Portable SQL, run on SQLite and PostgreSQL (see docs/ledger.md): `?` placeholders, `INSERT ... RETURNING id`,
`ON CONFLICT ... DO NOTHING`, integer minor units (sums cast to BIGINT: PostgreSQL would
return Decimal), ISO date text; date arithmetic happens in Python. Postings are only ever
inserted: there is no UPDATE or DELETE on money in this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from codtool.ledger.session import Row, Session

_IN_LIMIT = 500
ACCOUNT_KINDS = ("receivable", "payable", "bank", "fees", "in_transit", "write_offs", "suspense", "disputed",
                 "adjustments")


def _parts(values: Sequence[Any]) -> Iterator[tuple[Sequence[Any], str]]:
    for start in range(0, len(values), _IN_LIMIT):
        part = values[start:start + _IN_LIMIT]
        yield part, ", ".join("?" * len(part))


# --- accounts, transactions, postings ----------------------------------------------------------

def ensure_accounts(session: Session, codes: Iterable[str], now: str) -> dict[str, int]:
    """Ids of the accounts named by code ('kind' or 'kind:party'), creating the missing ones."""
    wanted = sorted(set(codes))
    rows = [(code, code.partition(":")[0], code.partition(":")[2], now) for code in wanted]
    session.executemany("INSERT INTO accounts (code, kind, party, created_at) VALUES (?, ?, ?, ?) "
                     "ON CONFLICT (code) DO NOTHING", rows)
    found: dict[str, int] = {}
    for part, marks in _parts(wanted):
        found.update({r[0]: r[1] for r in session.execute(
            f"SELECT code, id FROM accounts WHERE code IN ({marks})", part)})
    return found


@dataclass(frozen=True)
class TxnRow:
    """A transaction ready to store; legs are (account id, shipment id or None, amount, currency)."""

    key: str
    cause_type: str
    cause_id: int
    effective_date: str
    memo: str
    legs: tuple[tuple[int, int | None, int, str], ...]


def insert_transactions(session: Session, txns: Sequence[TxnRow], now: str) -> int:
    """Store new transactions and their postings; keys already present are skipped. Returns how many were new."""
    present = existing_keys(session, [t.key for t in txns])
    new = [t for t in txns if t.key not in present]
    session.bulk_insert("money_transactions", ("txn_key", "cause_type", "cause_id", "effective_date", "memo",
                                               "posted_at"),
                        [(t.key, t.cause_type, t.cause_id, t.effective_date, t.memo, now) for t in new],
                        conflict="txn_key")
    ids = ids_of_keys(session, [t.key for t in new])
    session.bulk_insert("postings", ("transaction_id", "account_id", "shipment_id", "amount_minor", "currency"),
                        [(ids[t.key], *leg) for t in new for leg in t.legs])
    return len(new)


def existing_keys(session: Session, keys: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for part, marks in _parts(list(keys)):
        found |= {r[0] for r in session.execute(f"SELECT txn_key FROM money_transactions WHERE txn_key IN ({marks})",
                                             part)}
    return found


def ids_of_keys(session: Session, keys: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for part, marks in _parts(list(keys)):
        found.update({r[0]: r[1] for r in session.execute(
            f"SELECT txn_key, id FROM money_transactions WHERE txn_key IN ({marks})", part)})
    return found


def posted_by_cause(session: Session, cause_types: Sequence[str]) -> Iterator[tuple]:
    """(cause type, cause id, account code, shipment id, currency, amount) for every posting of these causes.

    Unsummed on purpose: the caller adds them up in one pass, which is several times faster than a
    GROUP BY over the join on a million causes."""
    codes = dict(session.execute("SELECT id, code FROM accounts").fetchall())
    marks = ", ".join("?" * len(cause_types))
    rows = session.stream(
        "SELECT t.cause_type, t.cause_id, p.account_id, p.shipment_id, p.currency, p.amount_minor "
        "FROM money_transactions t JOIN postings p ON p.transaction_id = t.id "
        f"WHERE t.cause_type IN ({marks})", list(cause_types), size=50_000)
    for cause_type, cause_id, account, shipment, currency, amount in rows:
        yield cause_type, cause_id, codes[account], shipment, currency, amount


def transactions_per_cause(session: Session, cause_types: Sequence[str]) -> dict[tuple[str, int], int]:
    marks = ", ".join("?" * len(cause_types))
    return {(r[0], r[1]): r[2] for r in session.execute(
        f"SELECT cause_type, cause_id, COUNT(*) FROM money_transactions WHERE cause_type IN ({marks}) "
        "GROUP BY cause_type, cause_id", list(cause_types))}


def balances(session: Session) -> list[Row]:
    """Every account's balance per currency (debit positive)."""
    return session.execute(
        "SELECT a.code, a.kind, a.party, p.currency, CAST(SUM(p.amount_minor) AS BIGINT) AS balance, "
        "COUNT(*) AS postings "
        "FROM postings p JOIN accounts a ON a.id = p.account_id GROUP BY a.code, a.kind, a.party, p.currency "
        "ORDER BY a.code, p.currency").fetchall()


def parcel_balance(session: Session, account_code: str, shipment_id: int) -> int:
    row = session.execute(
        "SELECT CAST(COALESCE(SUM(p.amount_minor), 0) AS BIGINT) FROM postings p "
        "JOIN accounts a ON a.id = p.account_id "
        "WHERE a.code = ? AND p.shipment_id = ?", (account_code, shipment_id)).fetchone()
    return int(row[0])


def account_balance(session: Session, account_code: str) -> int:
    row = session.execute(
        "SELECT CAST(COALESCE(SUM(p.amount_minor), 0) AS BIGINT) FROM postings p "
        "JOIN accounts a ON a.id = p.account_id "
        "WHERE a.code = ?", (account_code,)).fetchone()
    return int(row[0])


# --- facts reconcile reads --------------------------------------------------------------------

def cod_parcels(session: Session, couriers: Sequence[str]) -> list[Row]:
    """Every COD shipment of these couriers with its order reference and shop."""
    rows: list[Row] = []
    for part, marks in _parts(list(couriers)):
        rows += session.execute(
            "SELECT s.id, s.courier, s.tracking_number, s.status, s.status_at, s.cod_minor, s.currency, "
            "o.source_id AS order_ref, sh.name AS shop "
            "FROM shipments s JOIN orders o ON o.id = s.order_id JOIN shops sh ON sh.id = o.shop_id "
            f"WHERE s.cod_minor > 0 AND s.courier IN ({marks}) ORDER BY s.id", part).fetchall()
    return rows


def all_lines(session: Session) -> list[Row]:
    """Every remittance line with its remittance, in the order payments happened."""
    return session.execute(
        "SELECT l.id, l.remittance_id, l.courier, l.line, l.tracking_number, l.order_ref, l.cod_minor, l.fee_minor, "
        "l.deductions_minor, l.net_minor, l.currency, l.remittance_date, r.bank_reference, f.file_name "
        "FROM remit_lines l JOIN remittances r ON r.id = l.remittance_id JOIN remit_files f ON f.id = r.file_id "
        "ORDER BY l.remittance_date, r.file_id, l.line, l.id").fetchall()


def all_remittances(session: Session) -> list[Row]:
    return session.execute(
        "SELECT r.id, r.courier, r.bank_reference, r.remittance_date, r.total_net_minor, r.currency, r.lines, "
        "f.file_name FROM remittances r JOIN remit_files f ON f.id = r.file_id ORDER BY r.remittance_date, r.id"
    ).fetchall()


def all_bank_lines(session: Session) -> list[Row]:
    return session.execute(
        "SELECT b.id, b.line, b.booking_date, b.value_date, b.amount_minor, b.currency, b.description, b.causale, "
        "s.file_name FROM bank_lines b JOIN bank_statements s ON s.id = b.statement_id "
        "ORDER BY b.booking_date, b.id").fetchall()


# --- remittance files ----------------------------------------------------------------------------

def remit_file_known(session: Session, courier: str, sha256: str) -> bool:
    row = session.execute("SELECT 1 FROM remit_files WHERE courier = ? AND sha256 = ?", (courier, sha256)).fetchone()
    return row is not None


def insert_remit_file(session: Session, values: Sequence[Any]) -> int:
    return session.insert_returning_id(
        "INSERT INTO remit_files (courier, file_name, sha256, encoding, delimiter, lines, "
        "imported, rejected, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", values)


def insert_remittance(session: Session, values: Sequence[Any]) -> int:
    return session.insert_returning_id(
        "INSERT INTO remittances (file_id, courier, bank_reference, remittance_date, "
        "total_net_minor, currency, lines) VALUES (?, ?, ?, ?, ?, ?, ?)", values)


def insert_remit_lines(session: Session, rows: Iterable[Sequence[Any]]) -> None:
    session.bulk_insert("remit_lines", ("remittance_id", "courier", "line", "tracking_number", "order_ref",
                                        "cod_minor", "fee_minor", "deductions_minor", "net_minor", "currency",
                                        "remittance_date"), rows)


def insert_remit_rejects(session: Session, rows: Iterable[Sequence[Any]]) -> None:
    session.bulk_insert("remit_rejects", ("file_id", "line", "reason", "raw"), rows)


def remitted_tracking(session: Session, courier: str, numbers: Sequence[str]) -> set[str]:
    """Tracking numbers of this courier that already have a remittance line."""
    found: set[str] = set()
    for part, marks in _parts(list(numbers)):
        found |= {r[0] for r in session.execute(
            f"SELECT tracking_number FROM remit_lines WHERE courier = ? AND tracking_number IN ({marks})",
            [courier, *part])}
    return found


# --- bank statements -----------------------------------------------------------------------------

def statement_known(session: Session, sha256: str) -> bool:
    return session.execute("SELECT 1 FROM bank_statements WHERE sha256 = ?", (sha256,)).fetchone() is not None


def insert_statement(session: Session, values: Sequence[Any]) -> int:
    return session.insert_returning_id(
        "INSERT INTO bank_statements (file_name, sha256, layout, lines, imported, "
        "already_known, rejected, closing_balance_minor, currency, imported_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", values)


def insert_bank_lines(session: Session, rows: Sequence[Sequence[Any]]) -> int:
    """Rows whose content key is already stored (an overlapping export) are skipped; returns how many were new."""
    return session.bulk_insert("bank_lines", ("statement_id", "line", "booking_date", "value_date", "amount_minor",
                                              "currency", "description", "causale", "line_key"), rows,
                               conflict="line_key")


def insert_bank_rejects(session: Session, rows: Iterable[Sequence[Any]]) -> None:
    session.bulk_insert("bank_rejects", ("statement_id", "line", "reason", "raw"), rows)


def set_statement_counts(session: Session, statement_id: int, imported: int, known: int) -> None:
    """Filled in once, inside the import's own transaction, when the new lines are known."""
    session.execute("UPDATE bank_statements SET imported = ?, already_known = ? WHERE id = ?",
                 (imported, known, statement_id))


# --- discrepancies and decisions -------------------------------------------------------------------

DISCREPANCY_COLUMNS = ("disc_key", "kind", "courier", "subject_type", "subject_id", "tracking_number", "order_ref",
                       "bank_reference", "amount_minor", "currency", "cycle", "detail", "first_seen_at")


def record_discrepancies(session: Session, rows: Sequence[Sequence[Any]]) -> dict[str, int]:
    """Give each discrepancy its id (kept across runs by its key); returns key -> id."""
    session.executemany(
        f"INSERT INTO remit_discrepancies ({', '.join(DISCREPANCY_COLUMNS)}) "
        f"VALUES ({', '.join('?' * len(DISCREPANCY_COLUMNS))}) ON CONFLICT (disc_key) DO NOTHING", rows)
    found: dict[str, int] = {}
    for part, marks in _parts([r[0] for r in rows]):
        found.update({r[0]: r[1] for r in session.execute(
            f"SELECT disc_key, id FROM remit_discrepancies WHERE disc_key IN ({marks})", part)})
    return found


def decided_keys(session: Session) -> dict[str, str]:
    """Discrepancy key -> decision, for every discrepancy somebody resolved."""
    return {r[0]: r[1] for r in session.execute(
        "SELECT d.disc_key, x.decision FROM remit_decisions x JOIN remit_discrepancies d ON d.id = x.discrepancy_id")}


def decided_on_parcels(session: Session) -> list[Row]:
    """Decisions taken on parcel discrepancies: (shipment id, kind, amount) each."""
    return session.execute(
        "SELECT d.subject_id, d.kind, d.amount_minor FROM remit_decisions x "
        "JOIN remit_discrepancies d ON d.id = x.discrepancy_id WHERE d.subject_type = 'shipment' "
        "ORDER BY x.id").fetchall()


def get_discrepancy(session: Session, discrepancy_id: int) -> Row | None:
    return session.execute(
        "SELECT d.*, x.decision, x.decided_by, x.decided_at FROM remit_discrepancies d "
        "LEFT JOIN remit_decisions x ON x.discrepancy_id = d.id WHERE d.id = ?", (discrepancy_id,)).fetchone()


def insert_decision(session: Session, values: Sequence[Any]) -> int:
    return session.insert_returning_id(
        "INSERT INTO remit_decisions (discrepancy_id, decision, note, decided_by, decided_at) "
        "VALUES (?, ?, ?, ?, ?)", values)


def decisions(session: Session) -> list[Row]:
    return session.execute(
        "SELECT x.id, x.discrepancy_id, x.decision, x.note, x.decided_by, x.decided_at, d.kind, d.courier, "
        "d.tracking_number, d.amount_minor, d.currency FROM remit_decisions x "
        "JOIN remit_discrepancies d ON d.id = x.discrepancy_id ORDER BY x.id").fetchall()


def shipment_cod(session: Session, shipment_id: int) -> int:
    return int(session.execute("SELECT cod_minor FROM shipments WHERE id = ?", (shipment_id,)).fetchone()[0])


def record_run(session: Session, as_of: str, open_count: int, now: str) -> int:
    return session.insert_returning_id(
        "INSERT INTO remit_runs (as_of, open_discrepancies, run_at) VALUES (?, ?, ?)",
        (as_of, open_count, now))


# --- invariants (called from codtool.ledger.invariants) ---------------------------------------------

def unbalanced_transactions(session: Session) -> list[tuple]:
    return [tuple(r) for r in session.execute(
        "SELECT p.transaction_id, p.currency, CAST(SUM(p.amount_minor) AS BIGINT) FROM postings p "
        "GROUP BY p.transaction_id, p.currency HAVING SUM(p.amount_minor) != 0 ORDER BY p.transaction_id, p.currency")]


def delivered_without_posting(session: Session) -> list[tuple]:
    """Delivered COD parcels of a reconciled courier, delivered before the last run's as-of day,
    whose COD was never posted to the courier's receivable."""
    last = session.execute("SELECT as_of FROM remit_runs ORDER BY id DESC LIMIT 1").fetchone()
    if last is None:
        return []
    return [tuple(r) for r in session.execute(
        "SELECT s.id, s.courier, s.tracking_number FROM shipments s "
        "WHERE s.status = 'delivered' AND s.cod_minor > 0 AND s.status_at < ? "
        "AND EXISTS (SELECT 1 FROM accounts a WHERE a.code = 'receivable:' || s.courier) "
        "AND NOT EXISTS (SELECT 1 FROM money_transactions t WHERE t.cause_type = 'delivery' AND t.cause_id = s.id) "
        "ORDER BY s.id",
        (last[0],))]


def receivable_mismatches(session: Session) -> list[tuple]:
    """Couriers whose receivable balance differs from the sum of its open items (per-parcel balances),
    or that hold receivable money not attached to a parcel."""
    return [tuple(r) for r in session.execute(
        "SELECT a.code, p.currency, CAST(SUM(p.amount_minor) AS BIGINT) AS balance, "
        "CAST(SUM(CASE WHEN p.shipment_id IS NULL THEN 0 ELSE p.amount_minor END) AS BIGINT) AS open_items "
        "FROM postings p JOIN accounts a ON a.id = p.account_id WHERE a.kind = 'receivable' "
        "GROUP BY a.code, p.currency "
        "HAVING SUM(CASE WHEN p.shipment_id IS NULL THEN 1 ELSE 0 END) > 0 ORDER BY a.code, p.currency")]


def delivery_postings_off(session: Session) -> list[tuple]:
    """Parcels whose delivery postings on the receivable do not add up to the parcel's COD."""
    return [tuple(r) for r in session.execute(
        "SELECT s.id, s.cod_minor, CAST(SUM(p.amount_minor) AS BIGINT) FROM postings p "
        "JOIN money_transactions t ON t.id = p.transaction_id JOIN accounts a ON a.id = p.account_id "
        "JOIN shipments s ON s.id = p.shipment_id "
        "WHERE t.cause_type = 'delivery' AND a.kind = 'receivable' GROUP BY s.id, s.cod_minor "
        "HAVING SUM(p.amount_minor) != s.cod_minor ORDER BY s.id")]
