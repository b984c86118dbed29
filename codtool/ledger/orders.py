"""SQL for shops, import batches, orders and rejected rows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from codtool.ledger.db import dicts, utc_now
from codtool.ledger.invariants import assert_holds
from codtool.ledger.session import Row, Session

ORDER_COLUMNS = (
    "shop_id", "batch_id", "source_id", "source_line", "created_at", "customer_name", "phone",
    "email", "address1", "address2", "city", "postcode", "province", "country",
    "payment_method", "is_cod", "cod_minor", "total_minor", "currency", "items", "notes",
    "status",
)
BATCH_COUNTS = ("rows", "orders", "imported", "rejected", "skipped_duplicates")
_IN_LIMIT = 500


def shop_id(conn: Session, name: str) -> int:
    """The shop's id, creating the shop on first use."""
    conn.execute(
        "INSERT INTO shops (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
        (name, utc_now()),
    )
    return conn.execute("SELECT id FROM shops WHERE name = ?", (name,)).fetchone()[0]


def batch_by_sha(conn: Session, sha256: str) -> Row | None:
    return conn.execute(
        "SELECT b.*, s.name AS shop FROM import_batches b JOIN shops s ON s.id = b.shop_id "
        "WHERE b.sha256 = ?",
        (sha256,),
    ).fetchone()


def create_batch(conn: Session, shop: int, file_name: str, sha256: str,
                 profile: str, encoding: str, delimiter: str) -> int:
    return conn.insert_returning_id(
        "INSERT INTO import_batches (shop_id, file_name, sha256, profile, encoding, delimiter, "
        "rows, orders, imported, rejected, skipped_duplicates, imported_at) "
        "VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0, 0, 0, ?)",
        (shop, file_name, sha256, profile, encoding, delimiter, utc_now()),
    )


def finish_batch(conn: Session, batch: int, counts: dict[str, int]) -> None:
    sets = ", ".join(f"{c} = ?" for c in BATCH_COUNTS)
    conn.execute(f"UPDATE import_batches SET {sets} WHERE id = ?",
                 [counts[c] for c in BATCH_COUNTS] + [batch])
    assert_holds(conn, batches=[batch])


def existing_sources(conn: Session, shop: int, source_ids: Sequence[str]) -> dict[str, tuple[int, int]]:
    """Which of these source order ids the shop already has: id -> (batch id, line)."""
    found: dict[str, tuple[int, int]] = {}
    for start in range(0, len(source_ids), _IN_LIMIT):
        part = source_ids[start:start + _IN_LIMIT]
        marks = ", ".join("?" * len(part))
        rows = conn.execute(
            f"SELECT source_id, batch_id, source_line FROM orders "
            f"WHERE shop_id = ? AND source_id IN ({marks})",
            (shop, *part),
        )
        found.update({r[0]: (r[1], r[2]) for r in rows})
    return found


def insert_orders(conn: Session, rows: Iterable[Sequence[Any]]) -> int:
    """Bulk insert in the caller's transaction; returns how many rows were new."""
    return conn.bulk_insert("orders", ORDER_COLUMNS, rows, conflict="shop_id, source_id")


def insert_rejects(conn: Session, rows: Iterable[tuple[int, int, str, str, str, str]]) -> None:
    """(batch, line, kind, reason, raw cells as JSON, finding code) per rejected or duplicate row."""
    conn.bulk_insert("rejected_rows", ("batch_id", "line", "kind", "reason", "raw", "code"), rows)


def shop_summaries(conn: Session) -> list[Row]:
    """Each shop with its order count and when it last imported (None before any import)."""
    return conn.execute(
        "SELECT s.id, s.name AS shop, "
        "(SELECT COUNT(*) FROM orders o WHERE o.shop_id = s.id) AS orders, "
        "(SELECT MAX(b.imported_at) FROM import_batches b WHERE b.shop_id = s.id AND b.undone_at IS NULL) "
        "AS last_import "
        "FROM shops s ORDER BY s.name").fetchall()


def open_cod_by_shop(conn: Session, statuses: Sequence[str]) -> list[tuple[int, str, int]]:
    """(shop id, currency, COD minor units) not yet collected: orders in `statuses`."""
    marks = ", ".join("?" for _ in statuses)
    rows = conn.execute(
        "SELECT shop_id, currency, SUM(cod_minor) FROM orders "
        f"WHERE is_cod = 1 AND status IN ({marks}) GROUP BY shop_id, currency ORDER BY shop_id, currency",
        tuple(statuses)).fetchall()
    return [(r[0], r[1], int(r[2])) for r in rows]


def list_orders(conn: Session, batch: int | None, status: str | None,
                shop: str | None, limit: int, offset: int = 0) -> list[Row]:
    where, args = ["1 = 1"], []
    for clause, value in (("o.batch_id = ?", batch), ("o.status = ?", status), ("s.name = ?", shop)):
        if value is not None:
            where.append(clause)
            args.append(value)
    return conn.execute(
        "SELECT o.*, s.name AS shop FROM orders o JOIN shops s ON s.id = o.shop_id "
        f"WHERE {' AND '.join(where)} ORDER BY o.id LIMIT ? OFFSET ?",
        (*args, limit, offset),
    ).fetchall()


def find_order(conn: Session, ref: str) -> list[Row]:
    """An order by ledger id or by the shop's own order id (which may repeat across shops)."""
    query = "SELECT o.*, s.name AS shop FROM orders o JOIN shops s ON s.id = o.shop_id WHERE "
    if ref.isascii() and ref.isdigit() and len(ref) < 19:  # ASCII, within SQLite's 64-bit INTEGER
        rows = conn.execute(query + "o.id = ?", (int(ref),)).fetchall()
        if rows:
            return rows
    return conn.execute(query + "o.source_id = ? OR o.source_id = ?", (ref, f"#{ref}")).fetchall()


def get_batch(conn: Session, batch: int) -> Row | None:
    return conn.execute(
        "SELECT b.*, s.name AS shop FROM import_batches b JOIN shops s ON s.id = b.shop_id "
        "WHERE b.id = ?",
        (batch,),
    ).fetchone()


def list_batches(conn: Session, limit: int) -> list[Row]:
    return conn.execute(
        "SELECT b.*, s.name AS shop FROM import_batches b JOIN shops s ON s.id = b.shop_id "
        "ORDER BY b.id DESC LIMIT ?",
        (limit,),
    ).fetchall()


@dataclass(frozen=True)
class StatusMove:
    """One requested status change, with why and what asked for it (file:line or command)."""

    order_id: int
    new: str
    reason: str
    source: str


def set_statuses(conn: Session, moves: Sequence[StatusMove]) -> set[int]:
    """Apply the moves the lifecycle allows, logging each; returns the ids that changed.

    Batched (one read per 500 orders, two executemany writes) because tracking files and
    auto-confirmation move thousands of orders at once. A later move of the same order sees
    the status an earlier one set.
    """
    from codtool.statuses import can_move

    current = _statuses(conn, sorted({m.order_id for m in moves}))
    updates, log, now = {}, [], utc_now()
    for m in moves:
        old = current.get(m.order_id)
        if old is None or old == m.new or not can_move(old, m.new):
            continue
        current[m.order_id] = updates[m.order_id] = m.new
        log.append((m.order_id, old, m.new, m.reason, m.source, now))
    conn.executemany("UPDATE orders SET status = ? WHERE id = ?", [(new, oid) for oid, new in updates.items()])
    conn.executemany(
        "INSERT INTO order_status_log (order_id, old_status, new_status, reason, source, changed_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        log,
    )
    assert_holds(conn, orders=list(updates))
    return set(updates)


def set_status(conn: Session, order_id: int, new: str, reason: str, source: str) -> bool:
    """Move one order; False (and nothing changed) when the move is not allowed or a no-op."""
    return bool(set_statuses(conn, [StatusMove(order_id, new, reason, source)]))


def _statuses(conn: Session, ids: Sequence[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for start in range(0, len(ids), _IN_LIMIT):
        part = ids[start:start + _IN_LIMIT]
        rows = conn.execute(f"SELECT id, status FROM orders WHERE id IN ({', '.join('?' * len(part))})", part)
        found.update({r[0]: r[1] for r in rows})
    return found


def status_log(conn: Session, order_id: int) -> list[dict]:
    return dicts(
        conn,
        "SELECT changed_at, old_status, new_status, reason, source FROM order_status_log "
        "WHERE order_id = ? ORDER BY id",
        (order_id,),
    )


def export_orders(conn: Session, statuses: Sequence[str], shop: str | None, day_from: str | None,
                  day_to: str | None) -> Iterator[Row]:
    """Every order matching the filters with its normalised phone and address, streamed in id order."""
    where, args = ["1 = 1"], []
    if statuses:
        where.append(f"o.status IN ({', '.join('?' * len(statuses))})")
        args.extend(statuses)
    for clause, value in (("s.name = ?", shop), ("substr(o.created_at, 1, 10) >= ?", day_from),
                          ("substr(o.created_at, 1, 10) <= ?", day_to)):
        if value is not None:
            where.append(clause)
            args.append(value)
    return conn.stream(
        "SELECT o.id, s.name AS shop, o.source_id, o.created_at, o.status, o.customer_name, o.phone, o.email, "
        "o.address1, o.address2, o.postcode, o.city, o.province, o.country, o.payment_method, o.is_cod, "
        "o.cod_minor, o.total_minor, o.currency, o.items, n.phone_e164, n.phone_national, n.address_line, "
        "n.house_number, n.postcode AS n_postcode, n.city AS n_city, n.province AS n_province "
        "FROM orders o JOIN shops s ON s.id = o.shop_id LEFT JOIN order_normalised n ON n.order_id = o.id "
        f"WHERE {' AND '.join(where)} ORDER BY o.id",
        args,
    )


def findings_of(conn: Session, order_ids: Sequence[int]) -> list[Row]:
    """The stored findings of these orders, in order id then finding order."""
    if not order_ids:
        return []
    return conn.query(
        "SELECT order_id, severity, code, message FROM order_findings "
        f"WHERE order_id IN ({', '.join('?' * len(order_ids))}) ORDER BY order_id, id",
        list(order_ids),
    )
