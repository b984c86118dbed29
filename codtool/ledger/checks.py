"""SQL for order checks: which orders to check, normalised contact data and findings."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from codtool.ledger.db import dicts
from codtool.ledger.session import Row, Session

NORMALISED_COLUMNS = ("order_id", "phone_e164", "phone_national", "phone_type", "address_line", "house_number",
                      "postcode", "city", "province", "country", "checked_at")
FINDING_COLUMNS = ("order_id", "check_name", "code", "severity", "message", "suggestion", "created_at")
CHECK_INPUT = ("id", "customer_name", "phone", "address1", "address2", "city", "postcode", "province", "country")


def _scope(batch: int | None, recheck: bool) -> tuple[str, list[Any]]:
    where, args = [], []
    if not recheck:
        where.append("NOT EXISTS (SELECT 1 FROM order_normalised n WHERE n.order_id = o.id)")
    if batch is not None:
        where.append("o.batch_id = ?")
        args.append(batch)
    return " AND ".join(where) or "1 = 1", args


# The one index over order_normalised that a run's inserts scatter (phone numbers arrive in any order):
# a run that writes more rows than the table keeps drops it and builds it once at the end, a sort
# instead of a random insert per row (see runner._rebuild_phone_index).
PHONE_INDEX = "order_normalised_phone"


def sizes(conn: Session, batch: int | None) -> tuple[int, int]:
    """(orders in scope, rows in order_normalised): what a run may write beside what the table holds."""
    where, args = _scope(batch, recheck=True)
    in_scope = conn.execute(f"SELECT COUNT(*) FROM orders o WHERE {where}", args).fetchone()[0]
    return in_scope, conn.execute("SELECT COUNT(*) FROM order_normalised").fetchone()[0]


def drop_phone_index(conn: Session) -> None:
    """Inside a run's first slice: its inserts then touch no index page but their own rows'."""
    conn.execute(f"DROP INDEX IF EXISTS {PHONE_INDEX}")


def ensure_phone_index(conn: Session) -> None:
    """(Re)build the phone index if a run dropped it; nothing when it is there."""
    conn.execute(f"CREATE INDEX IF NOT EXISTS {PHONE_INDEX} ON order_normalised(phone_e164)")


def count_to_check(conn: Session, batch: int | None, recheck: bool) -> int:
    where, args = _scope(batch, recheck)
    return conn.execute(f"SELECT COUNT(*) FROM orders o WHERE {where}", args).fetchone()[0]


def orders_to_check(conn: Session, batch: int | None, recheck: bool,
                    after_id: int, limit: int) -> list[Row]:
    """The next slice of orders by id (keyset paging, so writes between slices are safe)."""
    where, args = _scope(batch, recheck)
    cols = ", ".join(f"o.{c}" for c in CHECK_INPUT)
    return conn.execute(f"SELECT {cols} FROM orders o WHERE {where} AND o.id > ? ORDER BY o.id LIMIT ?",
                        (*args, after_id, limit)).fetchall()


def checked_between(conn: Session, first: int, last: int) -> set[int]:
    rows = conn.execute("SELECT order_id FROM order_normalised WHERE order_id BETWEEN ? AND ?", (first, last))
    return {r[0] for r in rows}


def clear(conn: Session, order_ids: Iterable[int]) -> None:
    """Forget earlier results for these orders (a recheck replaces them in the same transaction)."""
    ids = [(i,) for i in order_ids]
    conn.executemany("DELETE FROM order_findings WHERE order_id = ?", ids)
    conn.executemany("DELETE FROM order_normalised WHERE order_id = ?", ids)


def insert_normalised(conn: Session, rows: Iterable[Sequence[Any]]) -> None:
    conn.bulk_insert("order_normalised", NORMALISED_COLUMNS, rows, conflict="order_id")


def insert_findings(conn: Session, rows: Iterable[Sequence[Any]]) -> None:
    conn.bulk_insert("order_findings", FINDING_COLUMNS, rows, conflict="order_id, code")


def orders_with_code(conn: Session, code: str) -> set[int]:
    return {r[0] for r in conn.execute("SELECT order_id FROM order_findings WHERE code = ?", (code,))}


def shared_phones(conn: Session) -> Iterator[Row]:
    """Checked orders whose E.164 number appears on more than one order, grouped by number; streamed,
    as they grow with the ledger (a number's orders come together, so a reader holds one at a time).
    Ordered by the index's own order (number, then order id): no sort of its own."""
    return conn.stream(
        "SELECT n.phone_e164, o.id, o.source_id, o.customer_name FROM order_normalised n "
        "JOIN orders o ON o.id = n.order_id WHERE n.phone_e164 IN ("
        "SELECT phone_e164 FROM order_normalised WHERE phone_e164 <> '' "
        "GROUP BY phone_e164 HAVING COUNT(*) > 1) ORDER BY n.phone_e164, n.order_id"
    )


def findings_of(conn: Session, order_id: int) -> list[dict]:
    return dicts(
        conn,
        "SELECT severity, code, message, suggestion FROM order_findings WHERE order_id = ? "
        "ORDER BY CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, code",
        (order_id,),
    )


def normalised_of(conn: Session, order_id: int) -> list[dict]:
    cols = ", ".join(NORMALISED_COLUMNS[1:])
    return dicts(conn, f"SELECT {cols} FROM order_normalised WHERE order_id = ?", (order_id,))


def flagged(conn: Session, batch: int | None, statuses: Sequence[str],
            severities: Sequence[str]) -> Iterator[Row]:
    """Findings of the given severities on orders in the given statuses, one row per finding, streamed.

    Orders come by their worst finding (in the order `severities` lists them), then by id;
    an order's findings are consecutive, so a work list is written as it is read.
    """
    where = [f"o.status IN ({', '.join('?' * len(statuses))})",
             f"f.severity IN ({', '.join('?' * len(severities))})"]
    args: list[Any] = [*statuses, *severities]
    if batch is not None:
        where.append("o.batch_id = ?")
        args.append(batch)
    rank = "CASE f.severity " + " ".join(f"WHEN ? THEN {i}" for i in range(len(severities))) + " END"
    return conn.stream(
        "SELECT * FROM (SELECT o.id, s.name AS shop, o.source_id, o.status, o.customer_name, o.phone, "
        "n.phone_e164, o.address1, o.address2, o.postcode, o.city, o.province, o.country, "
        "f.severity, f.code, f.message, f.suggestion, f.id AS finding_id, "
        f"MIN({rank}) OVER (PARTITION BY o.id) AS worst "
        "FROM order_findings f JOIN orders o ON o.id = f.order_id JOIN shops s ON s.id = o.shop_id "
        "LEFT JOIN order_normalised n ON n.order_id = o.id "
        f"WHERE {' AND '.join(where)}) flagged ORDER BY worst, id, finding_id",
        [*severities, *args],
    )
