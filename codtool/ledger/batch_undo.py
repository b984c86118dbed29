"""SQL for undoing an import batch: what holds its orders back, removing them, the undo record."""

from __future__ import annotations

import json
from collections.abc import Sequence

from codtool.ledger.db import utc_now
from codtool.ledger.dedupe import delete_clusters
from codtool.ledger.invariants import assert_holds
from codtool.ledger.session import Row, Session

_OF_BATCH = "FROM orders o WHERE o.batch_id = ?"

# Why an order of the batch has moved on: each query gives (order id, shop's order id, why).
# Anything here is history an undo would lose, so any row refuses the undo. An order still in the
# status it was imported with (new, or cancelled in the shop's own export) has no status change.
MOVED_ON = (
    "SELECT o.id, o.source_id, 'status ' || o.status || ' after ' || COUNT(*) || ' change(s)' FROM orders o "
    "JOIN order_status_log l ON l.order_id = o.id WHERE o.batch_id = ? GROUP BY o.id, o.source_id, o.status",
    "SELECT o.id, o.source_id, COUNT(*) || ' call attempt(s)' FROM orders o "
    "JOIN call_attempts a ON a.order_id = o.id WHERE o.batch_id = ? GROUP BY o.id, o.source_id",
    "SELECT o.id, o.source_id, 'call policy: ' || d.action FROM orders o "
    "JOIN call_policy_decisions d ON d.order_id = o.id WHERE o.batch_id = ?",
    "SELECT o.id, o.source_id, COUNT(*) || ' message(s) sent' FROM orders o "
    "JOIN notify_messages m ON m.order_id = o.id WHERE o.batch_id = ? GROUP BY o.id, o.source_id",
    "SELECT o.id, o.source_id, 'dedupe decision on cluster ' || c.id FROM orders o "
    "JOIN dedupe_members m ON m.order_id = o.id JOIN dedupe_clusters c ON c.id = m.cluster_id "
    "WHERE o.batch_id = ? AND c.status != 'open'",
    "SELECT o.id, o.source_id, 'declared not a duplicate' FROM orders o WHERE o.batch_id = ? AND EXISTS "
    "(SELECT 1 FROM dedupe_not_duplicate d WHERE d.order_a = o.id OR d.order_b = o.id)",
    "SELECT o.id, o.source_id, COUNT(*) || ' shipment(s)' FROM orders o "
    "JOIN shipments s ON s.order_id = o.id WHERE o.batch_id = ? GROUP BY o.id, o.source_id",
    "SELECT o.id, o.source_id, f.stage || ' finding ' || f.code FROM orders o "
    "JOIN findings f ON f.order_id = o.id WHERE o.batch_id = ?",
)


def undo_of(conn: Session, batch: int) -> Row | None:
    """The batch's undo record, None while it stands."""
    return conn.one("SELECT * FROM batch_undos WHERE batch_id = ?", (batch,))


def moved_on(conn: Session, batch: int) -> list[tuple[int, str, str]]:
    """(order id, shop's order id, why) for every order of the batch with history past its import."""
    found = [(int(r[0]), r[1], r[2]) for sql in MOVED_ON for r in conn.query(sql, (batch,))]
    return sorted(found)


def orders_of(conn: Session, batch: int) -> list[tuple[int, str]]:
    return [(int(r[0]), r[1]) for r in conn.query(f"SELECT o.id, o.source_id {_OF_BATCH} ORDER BY o.id", (batch,))]


def remove_orders(conn: Session, batch: int) -> None:
    """Delete the batch's orders and what was derived from them: check results, open dedupe proposals."""
    clusters = [int(r[0]) for r in conn.query(
        "SELECT DISTINCT m.cluster_id FROM dedupe_members m JOIN orders o ON o.id = m.order_id "
        "WHERE o.batch_id = ?", (batch,))]
    delete_clusters(conn, clusters)
    for table in ("order_findings", "order_normalised"):
        conn.execute(f"DELETE FROM {table} WHERE order_id IN (SELECT o.id {_OF_BATCH})", (batch,))
    conn.execute("DELETE FROM orders WHERE batch_id = ?", (batch,))


def mark_undone(conn: Session, batch: int, sha256: str, removed: Sequence[tuple[int, str]], who: str) -> Row:
    """Record the undo and free the batch's content key; the invariants must still hold."""
    now = utc_now()
    conn.execute("INSERT INTO batch_undos (batch_id, sha256, orders, removed, undone_by, undone_at) "
                 "VALUES (?, ?, ?, ?, ?, ?)", (batch, sha256, len(removed), json.dumps(removed), who, now))
    conn.execute("UPDATE import_batches SET undone_at = ?, sha256 = ? WHERE id = ?",
                 (now, f"undone:{batch}:{sha256}", batch))
    assert_holds(conn, batches=[batch])
    record = undo_of(conn, batch)
    assert record is not None
    return record
