"""SQL for confirmation calls, risk signals from other stages' tables, and customer notices.

Dedupe (0003) and delivery history (0004) are read through their contract tables only, so
this stage works whether or not those stages have filled them yet.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from codtool.ledger.db import dicts
from codtool.ledger.session import Row, Session

_IN_LIMIT = 500

# Orders awaiting a confirmation decision: COD, still 'new', created before the given day ends.
_AWAITING_CONDITION = "o.status = 'new' AND o.is_cod = 1 AND o.created_at < ?"
_AWAITING = f"SELECT o.id FROM orders o WHERE {_AWAITING_CONDITION}"

# An order's shop and the phone as checks stored it, after the order's own columns.
_CONTACT = (
    "s.name AS shop, n.order_id IS NOT NULL AS checked, "
    "COALESCE(n.phone_e164, '') AS phone_e164, COALESCE(n.phone_national, '') AS phone_national, "
    "COALESCE(n.phone_type, '') AS phone_type "
    "FROM orders o JOIN shops s ON s.id = o.shop_id LEFT JOIN order_normalised n ON n.order_id = o.id "
)
_ORDER_WITH_CONTACT = "SELECT o.*, " + _CONTACT

# What the call list reads of each awaiting order: the columns of _ORDER_WITH_CONTACT it uses, no more
# (a day's list reads every open order; email, notes and the rest would only be carried along).
_CALL_COLUMNS = (
    "SELECT o.id, o.source_id, o.created_at, o.customer_name, o.phone, o.address1, o.address2, "
    "o.postcode, o.city, o.province, o.country, o.cod_minor, o.currency, o.items, " + _CONTACT
)


def awaiting_orders(conn: Session, before: str) -> Iterator[dict[str, Any]]:
    """COD orders still 'new' and created before `before` (ISO date of the next day), streamed in chunks:
    a day's call list reads every awaiting order once and keeps only the ones to call.

    As dicts: the list reads some twenty columns of each order by name, and a driver row finds a
    name by walking its columns (up to seven times slower than a dict for the last ones)."""
    # _AWAITING's condition on the scan itself, not as an IN list
    rows = conn.stream(f"{_CALL_COLUMNS}WHERE {_AWAITING_CONDITION} ORDER BY o.id", (before,))
    names: list[str] = []
    for row in rows:
        names = names or row.keys()
        yield dict(zip(names, row, strict=True))


def count_awaiting(conn: Session, before: str) -> int:
    """How many orders `awaiting_orders` will stream: the total of `calls list`'s progress bar."""
    return conn.scalar(f"SELECT COUNT(*) FROM ({_AWAITING}) AS awaiting", (before,))


def awaiting_findings(conn: Session, before: str) -> Iterator[Row]:
    """Error and warning findings from checks on the awaiting orders, streamed in order id order:
    the call list walks them beside `awaiting_orders` (same order), holding one order's at a time."""
    return conn.stream(
        "SELECT order_id, severity, code, message FROM order_findings "
        f"WHERE severity IN ('error', 'warning') AND order_id IN ({_AWAITING}) ORDER BY order_id, id",
        (before,),
    )


def awaiting_attempts(conn: Session, before: str) -> Iterator[Row]:
    """Calls made so far to the awaiting orders, streamed by order id then call time (as findings)."""
    return conn.stream(
        "SELECT order_id, outcome, called_at, call_back_at FROM call_attempts "
        f"WHERE order_id IN ({_AWAITING}) ORDER BY order_id, called_at, id",
        (before,),
    )


def orders_by_ids(conn: Session, ids: Sequence[int]) -> list[Row]:
    return _in_chunks(conn, _ORDER_WITH_CONTACT + "WHERE o.id IN ({marks})", ids)


def orders_by_source_ids(conn: Session, source_ids: Sequence[str]) -> list[Row]:
    return _in_chunks(conn, _ORDER_WITH_CONTACT + "WHERE o.source_id IN ({marks})", source_ids)


def attempt_counts(conn: Session, ids: Sequence[int]) -> dict[int, int]:
    """Unanswered calls so far per order."""
    rows = _in_chunks(conn, "SELECT order_id, COUNT(*) FROM call_attempts "
                            "WHERE outcome = 'no_answer' AND order_id IN ({marks}) GROUP BY order_id", ids)
    return {r[0]: r[1] for r in rows}


def existing_attempt_keys(conn: Session, keys: Sequence[str]) -> set[str]:
    rows = _in_chunks(conn, "SELECT attempt_key FROM call_attempts WHERE attempt_key IN ({marks})", keys)
    return {r[0] for r in rows}


ATTEMPT_COLUMNS = ("order_id", "outcome", "called_at", "call_back_at", "agent", "note", "source_file",
                   "source_line", "attempt_key", "recorded_at")
CORRECTION_COLUMNS = ("attempt_key", "order_id", "address1", "address2", "postcode", "city", "province",
                      "corrected_at")


def insert_attempts(conn: Session, rows: Iterable[Sequence[Any]]) -> int:
    return _insert(conn, "call_attempts", ATTEMPT_COLUMNS, "attempt_key", rows)


def insert_corrections(conn: Session, rows: Iterable[Sequence[Any]]) -> int:
    return _insert(conn, "order_address_corrections", CORRECTION_COLUMNS, "attempt_key", rows)


def insert_decisions(conn: Session, rows: Iterable[tuple[int, str, int, str, str]]) -> int:
    return _insert(conn, "call_policy_decisions", ("order_id", "action", "score", "reasons", "decided_at"),
                   "order_id, action", rows)


def _insert(conn: Session, table: str, columns: Sequence[str], key: str,
            rows: Iterable[Sequence[Any]]) -> int:
    return conn.bulk_insert(table, columns, rows, conflict=key)


def attempts_of(conn: Session, order_id: int) -> list[dict]:
    return dicts(
        conn,
        "SELECT called_at, outcome, call_back_at, agent, note, source_file, source_line FROM call_attempts "
        "WHERE order_id = ? ORDER BY called_at, id",
        (order_id,),
    )


def corrections_of(conn: Session, order_ids: Sequence[int]) -> dict[int, dict]:
    """The latest corrected address per order (later call wins, then later recording)."""
    rows = _in_chunks(
        conn,
        "SELECT c.order_id, c.address1, c.address2, c.postcode, c.city, c.province, c.corrected_at "
        "FROM order_address_corrections c JOIN call_attempts a ON a.attempt_key = c.attempt_key "
        "WHERE c.order_id IN ({marks}) ORDER BY a.called_at, a.id",
        order_ids,
    )
    out = {}
    for r in rows:
        data = dict(r)
        out[data.pop("order_id")] = data
    return out


def decisions_of(conn: Session, order_id: int) -> list[dict]:
    return dicts(
        conn,
        "SELECT decided_at, action, score, reasons FROM call_policy_decisions WHERE order_id = ? ORDER BY id",
        (order_id,),
    )


def confirmed_orders(conn: Session) -> list[Row]:
    """Confirmed COD orders: they get the written order confirmation."""
    return conn.execute(_ORDER_WITH_CONTACT + "WHERE o.status = 'confirmed' AND o.is_cod = 1 ORDER BY o.id").fetchall()


def orders_with_shipment_status(conn: Session, status: str) -> list[Row]:
    """Orders whose shipment is currently in `status`, with the shipment's courier and tracking."""
    return conn.execute(
        "SELECT q.*, sh.id AS shipment_id, sh.courier, sh.tracking_number, sh.status_at "
        f"FROM ({_ORDER_WITH_CONTACT}) q JOIN shipments sh ON sh.order_id = q.id "
        "WHERE sh.status = ? ORDER BY q.id, sh.id",
        (status,),
    ).fetchall()


def sent_refs(conn: Session, kind: str) -> set[tuple[int, str]]:
    rows = conn.execute("SELECT order_id, event_ref FROM notify_messages WHERE kind = ?", (kind,))
    return {(r[0], r[1]) for r in rows}


MESSAGE_COLUMNS = ("order_id", "kind", "event_ref", "phone_e164", "language", "text", "sender", "sent_at")


def insert_messages(conn: Session, rows: Iterable[Sequence[Any]]) -> int:
    return _insert(conn, "notify_messages", MESSAGE_COLUMNS, "order_id, kind, event_ref", rows)


def _in_chunks(conn: Session, query: str, values: Sequence[Any]) -> list[Row]:
    found: list[Row] = []
    values = list(values)
    for start in range(0, len(values), _IN_LIMIT):
        part = values[start:start + _IN_LIMIT]
        found.extend(conn.execute(query.format(marks=", ".join("?" * len(part))), part))
    return found


def status_of(conn: Session, order_id: int) -> str | None:
    row = conn.execute("SELECT status FROM orders WHERE id = ?", (order_id,)).fetchone()
    return row[0] if row else None


_SHEET_LINES = "call_sheet_lines"


def spill_call_lines(conn: Session, lines: Iterable[tuple[int, str, int, bytes]]) -> int:
    """Put (negated score, created at, order id, line) aside in a temporary table, on disk, for sorting.

    A day's call list is sorted riskiest first over every awaiting order; sorting in the
    database keeps the process's memory flat whatever the day's size. The line is opaque bytes
    the caller packed (and only this connection reads back). Returns the count.
    """
    conn.script([f"CREATE TEMP TABLE IF NOT EXISTS {_SHEET_LINES} "
                 "(neg_score INTEGER, created_at TEXT, order_id INTEGER, line BLOB)"])
    conn.execute(f"DELETE FROM {_SHEET_LINES}")
    return conn.executemany(f"INSERT INTO {_SHEET_LINES} VALUES (?, ?, ?, ?)", lines)


def spilled_call_lines(conn: Session, limit: int | None) -> Iterator[Row]:
    """The lines in sheet order, streamed; at most `limit`."""
    sql = f"SELECT line FROM {_SHEET_LINES} ORDER BY neg_score, created_at, order_id"
    return conn.stream(sql + (" LIMIT ?" if limit else ""), (limit,) if limit else ())
