"""Shop payout SQL: statements, their append-only items, payments, and the shops' closing watermarks.

Statement totals are summed here (cast to BIGINT: PostgreSQL would return Decimal) so that a
statement's figures always come from its items; nothing stores a total that could drift.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from codtool.ledger.session import Row, Session

ITEM_COLUMNS = ("statement_id", "item_key", "kind", "shipment_id", "courier", "tracking_number", "order_ref",
                "delivered_at", "cod_minor", "fee_minor", "net_minor", "reason", "created_at")
LINE_KINDS = ("parcel", "rto")  # a statement's lines; 'adjustment' and 'carried' items are its adjustments
_LINES = "WHERE i.statement_id = s.id AND i.kind IN ('parcel', 'rto')"
_TOTALS = (
    "SELECT s.id, s.shop, s.cycle_start, s.cycle_end, s.currency, s.closed_at, "
    "(SELECT COUNT(*) FROM payout_items i WHERE i.statement_id = s.id AND i.kind = 'parcel') AS parcels, "
    f"(SELECT CAST(COALESCE(SUM(i.cod_minor), 0) AS BIGINT) FROM payout_items i {_LINES}) AS cod, "
    f"(SELECT CAST(COALESCE(SUM(i.fee_minor), 0) AS BIGINT) FROM payout_items i {_LINES}) AS fees, "
    "(SELECT CAST(COALESCE(SUM(i.net_minor), 0) AS BIGINT) FROM payout_items i WHERE i.statement_id = s.id) AS net, "
    "(SELECT CAST(COALESCE(SUM(p.amount_minor), 0) AS BIGINT) FROM payout_payments p WHERE p.statement_id = s.id) "
    "AS paid FROM payout_statements s"
)


def returned_parcels(session: Session, couriers: Sequence[str]) -> list[Row]:
    """COD parcels back at the sender (RTO delivered), with their shop: what an RTO fee is charged on."""
    if not couriers:
        return []
    marks = ", ".join("?" * len(couriers))
    return session.query(
        "SELECT s.id, s.courier, s.tracking_number, s.status_at, s.currency, o.source_id AS order_ref, "
        "sh.name AS shop FROM shipments s JOIN orders o ON o.id = s.order_id JOIN shops sh ON sh.id = o.shop_id "
        f"WHERE s.status = 'rto_delivered' AND s.cod_minor > 0 AND s.courier IN ({marks}) ORDER BY s.id",
        list(couriers))


def watermarks(session: Session) -> dict[str, str]:
    """Shop -> the last day of its last closed cycle."""
    return {r[0]: r[1] for r in session.query("SELECT shop, closed_through FROM payout_watermarks ORDER BY shop")}


def set_watermark(session: Session, shop: str, day: str) -> None:
    session.execute("INSERT INTO payout_watermarks (shop, closed_through) VALUES (?, ?) "
                    "ON CONFLICT (shop) DO UPDATE SET closed_through = excluded.closed_through", (shop, day))


def statement_ids(session: Session) -> dict[tuple[str, str], int]:
    """(shop, cycle start) -> statement id."""
    return {(r[0], r[1]): r[2] for r in session.query("SELECT shop, cycle_start, id FROM payout_statements")}


def create_statement(session: Session, shop: str, start: str, end: str, currency: str, now: str) -> int:
    return session.insert_returning_id(
        "INSERT INTO payout_statements (shop, cycle_start, cycle_end, currency, closed_at, created_at) "
        "VALUES (?, ?, ?, ?, NULL, ?)", (shop, start, end, currency, now))


def close_statement(session: Session, statement_id: int, now: str) -> None:
    """Closing is the one change a statement row sees: from open to closed, once."""
    session.execute("UPDATE payout_statements SET closed_at = ? WHERE id = ? AND closed_at IS NULL",
                    (now, statement_id))


def statements(session: Session, shop: str | None = None) -> list[Row]:
    """Every statement with totals summed from its items and payments, oldest cycle first."""
    return session.query(
        f"{_TOTALS} WHERE CAST(? AS TEXT) IS NULL OR s.shop = ? ORDER BY s.shop, s.cycle_start", (shop, shop))


def statement(session: Session, statement_id: int) -> Row | None:
    return session.one(f"{_TOTALS} WHERE s.id = ?", (statement_id,))


def items(session: Session, statement_id: int) -> list[Row]:
    return session.query(
        f"SELECT id, {', '.join(ITEM_COLUMNS)} FROM payout_items WHERE statement_id = ? ORDER BY id", (statement_id,))


def shipment_items(session: Session) -> list[Row]:
    """Parcel and adjustment items naming a parcel: what each parcel has put on statements so far."""
    return session.query(
        "SELECT shipment_id, kind, net_minor, cod_minor, fee_minor FROM payout_items "
        "WHERE shipment_id IS NOT NULL ORDER BY id")


def insert_items(session: Session, rows: Sequence[Sequence[Any]]) -> dict[str, int]:
    """Store items (keys already stored are skipped); returns item key -> id for the given keys."""
    session.bulk_insert("payout_items", ITEM_COLUMNS, rows, conflict="item_key")
    keys = [r[1] for r in rows]
    found: dict[str, int] = {}
    for start in range(0, len(keys), 500):
        part = keys[start:start + 500]
        found.update({r[0]: r[1] for r in session.query(
            f"SELECT item_key, id FROM payout_items WHERE item_key IN ({', '.join('?' * len(part))})", part)})
    return found


def insert_payment(session: Session, statement_id: int, reference: str, amount: int, day: str, now: str) -> int:
    return session.insert_returning_id(
        "INSERT INTO payout_payments (statement_id, bank_reference, amount_minor, paid_on, recorded_at) "
        "VALUES (?, ?, ?, ?, ?)", (statement_id, reference, amount, day, now))


def payments(session: Session, statement_id: int) -> list[Row]:
    return session.query("SELECT id, bank_reference, amount_minor, paid_on FROM payout_payments "
                         "WHERE statement_id = ? ORDER BY id", (statement_id,))


# --- invariant (called from codtool.ledger.invariants) -------------------------------------------

def shop_due_mismatches(session: Session) -> list[tuple]:
    """Shops whose due account differs from their statement items (carried balances excluded: they move
    money between statements, not accounts) less the payments recorded."""
    expected: dict[str, int] = {}
    for shop, amount in session.query(
            "SELECT s.shop, CAST(SUM(i.net_minor) AS BIGINT) FROM payout_items i "
            "JOIN payout_statements s ON s.id = i.statement_id WHERE i.kind != 'carried' GROUP BY s.shop "
            "UNION ALL SELECT s.shop, CAST(-SUM(p.amount_minor) AS BIGINT) FROM payout_payments p "
            "JOIN payout_statements s ON s.id = p.statement_id GROUP BY s.shop"):
        expected[shop] = expected.get(shop, 0) + int(amount)
    actual = {r[0]: int(r[1]) for r in session.query(
        "SELECT a.party, CAST(SUM(p.amount_minor) AS BIGINT) FROM postings p JOIN accounts a ON a.id = p.account_id "
        "WHERE a.kind = 'shop_due' GROUP BY a.party")}
    return [(shop, -expected.get(shop, 0), actual.get(shop, 0)) for shop in sorted(set(expected) | set(actual))
            if -expected.get(shop, 0) != actual.get(shop, 0)]
