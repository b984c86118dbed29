"""Shipping-stage SQL: shipments, tracking events and issues, NDR decisions, delivery facts.

Also the customer history the call-list risk score reads (refusals and returns per phone).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from codtool.ledger.db import dicts
from codtool.ledger.invariants import assert_holds
from codtool.ledger.session import Row, Session

_IN_LIMIT = 500
SHIPMENT_COLUMNS = ("order_id", "courier", "tracking_number", "ship_date", "cod_minor", "currency",
                    "status", "status_at", "source_file", "source_line", "created_at")
EVENT_COLUMNS = ("shipment_id", "event_at", "status", "reason", "raw_status", "raw_reason", "source_file",
                 "source_sha256", "source_line", "event_key", "imported_at")
ISSUE_COLUMNS = ("shipment_id", "code", "message", "source_file", "source_line", "issue_key", "created_at")
DECISION_COLUMNS = ("shipment_id", "action", "new_address", "new_phone", "new_date", "note", "decided_by",
                    "decided_at", "source_file", "source_line", "decision_key", "imported_at")
_REFUSED = "(e.status = 'refused' OR e.reason = 'refused')"


def _parts(values: Sequence[Any]) -> Iterator[tuple[Sequence[Any], str]]:
    """Slices small enough for an IN list, with their placeholders."""
    for start in range(0, len(values), _IN_LIMIT):
        part = values[start:start + _IN_LIMIT]
        yield part, ", ".join("?" * len(part))


def _insert(conn: Session, table: str, columns: Sequence[str], key: str,
            rows: Iterable[Sequence[Any]]) -> int:
    """Bulk insert that skips rows whose content key is already stored; returns how many were new."""
    return conn.bulk_insert(table, columns, rows, conflict=key)


# --- shipments -------------------------------------------------------------------------------

def ledger_couriers(conn: Session) -> set[str]:
    return {r[0] for r in conn.execute("SELECT DISTINCT courier FROM shipments")}


def orders_by_source(conn: Session, shop: str | None, refs: Sequence[str]) -> dict[str, list[Row]]:
    """Orders by the shop's own id (with or without a leading '#'), in one shop or in all."""
    wanted = sorted({r for ref in refs for r in (ref, ref.lstrip("#"), "#" + ref.lstrip("#"))})
    found: dict[str, list[Row]] = {}
    for part, marks in _parts(wanted):
        query = ("SELECT o.id, o.source_id, o.status, o.is_cod, o.cod_minor, o.currency, s.name AS shop "
                 f"FROM orders o JOIN shops s ON s.id = o.shop_id WHERE o.source_id IN ({marks})")
        args: list[Any] = list(part)
        if shop is not None:
            query += " AND s.name = ?"
            args.append(shop)
        for row in conn.execute(query, args):
            found.setdefault(row["source_id"].lstrip("#"), []).append(row)
    return found


def shipments_of_orders(conn: Session, order_ids: Sequence[int]) -> dict[int, Row]:
    found = {}
    for part, marks in _parts(order_ids):
        rows = conn.execute(
            f"SELECT * FROM shipments WHERE order_id IN ({marks}) ORDER BY id", part)
        found.update({r["order_id"]: r for r in rows})
    return found


def shipments_by_tracking(conn: Session, courier: str | None,
                          numbers: Sequence[str]) -> dict[str, list[Row]]:
    """Shipments by tracking number, for one courier or any (a number may repeat across couriers)."""
    found: dict[str, list[Row]] = {}
    for part, marks in _parts(list(numbers)):
        query = f"SELECT * FROM shipments WHERE tracking_number IN ({marks})"
        args: list[Any] = list(part)
        if courier is not None:
            query += " AND courier = ?"
            args.append(courier)
        for row in conn.execute(query, args):
            found.setdefault(row["tracking_number"], []).append(row)
    return found


def insert_shipments(conn: Session, rows: Iterable[Sequence[Any]]) -> int:
    """New shipments: (order id, courier, tracking number, ship date, COD as Money, status, status at,
    source file, line, created at). Their COD must equal their orders' or nothing is written."""
    flat = [(*r[:4], r[4].minor, r[4].currency, *r[5:]) for r in rows]
    added = _insert(conn, "shipments", SHIPMENT_COLUMNS, "courier, tracking_number", flat)
    assert_holds(conn, orders=[r[0] for r in flat])
    return added


def get_shipments(conn: Session, ids: Sequence[int]) -> dict[int, Row]:
    found = {}
    for part, marks in _parts(list(ids)):
        found.update({r["id"]: r for r in conn.execute(f"SELECT * FROM shipments WHERE id IN ({marks})", part)})
    return found


def set_shipment_status(conn: Session, rows: Iterable[tuple[str, str, int]]) -> None:
    """(status, status_at, shipment id): the cached current status, derived from events."""
    conn.executemany("UPDATE shipments SET status = ?, status_at = ? WHERE id = ?", rows)


# --- events and issues ------------------------------------------------------------------------

def widen_cache(conn: Session) -> None:
    """A bigger page cache for this connection: event keys are hashes, so index inserts are random."""
    if conn.dialect.name == "sqlite":  # a server sizes its own cache
        from codtool.ledger.sqlite import widen_cache as widen

        widen(conn)


def insert_events(conn: Session, rows: Iterable[Sequence[Any]]) -> int:
    return _insert(conn, "tracking_events", EVENT_COLUMNS, "event_key", rows)


def insert_issues(conn: Session, rows: Iterable[Sequence[Any]]) -> int:
    return _insert(conn, "tracking_issues", ISSUE_COLUMNS, "issue_key", rows)


def events_of(conn: Session, shipment_ids: Sequence[int]) -> Iterator[Row]:
    for part, marks in _parts(list(shipment_ids)):
        yield from conn.execute(
            "SELECT id, shipment_id, event_at, status, reason, source_file, source_line, event_key "
            f"FROM tracking_events WHERE shipment_id IN ({marks})", part)


# --- NDR ---------------------------------------------------------------------------------------

def ndr_candidates(conn: Session) -> list[Row]:
    """Parcels whose current status is a failed attempt, with their order and contact details:
    the checked E.164 phone and the address last corrected on a call, beside what was typed."""
    return conn.execute(
        "SELECT s.id, s.courier, s.tracking_number, s.ship_date, s.status_at, s.cod_minor, s.currency, "
        "o.id AS order_id, o.source_id, sh.name AS shop, o.customer_name, o.phone, o.address1, o.city, "
        "o.postcode, o.province, COALESCE(n.phone_e164, '') AS phone_e164, c.address1 AS new_address1, "
        "c.postcode AS new_postcode, c.city AS new_city, c.province AS new_province "
        "FROM shipments s JOIN orders o ON o.id = s.order_id JOIN shops sh ON sh.id = o.shop_id "
        "LEFT JOIN order_normalised n ON n.order_id = o.id "
        "LEFT JOIN order_address_corrections c ON c.attempt_key = (SELECT c2.attempt_key "
        "FROM order_address_corrections c2 WHERE c2.order_id = o.id "
        "ORDER BY c2.corrected_at DESC, c2.attempt_key DESC LIMIT 1) "
        "WHERE s.status = 'failed_attempt' ORDER BY s.status_at, s.id"
    ).fetchall()


def failed_attempts(conn: Session, shipment_ids: Sequence[int]) -> list[Row]:
    rows: list[Row] = []
    for part, marks in _parts(list(shipment_ids)):
        rows += conn.execute(
            "SELECT shipment_id, event_at, reason, raw_status, raw_reason FROM tracking_events "
            f"WHERE status = 'failed_attempt' AND shipment_id IN ({marks}) ORDER BY event_at, id", part)
    return rows


def latest_decisions(conn: Session, shipment_ids: Sequence[int]) -> dict[int, Row]:
    found: dict[int, Row] = {}
    for part, marks in _parts(list(shipment_ids)):
        for row in conn.execute(
                f"SELECT * FROM ndr_decisions WHERE shipment_id IN ({marks}) ORDER BY decided_at, id", part):
            found[row["shipment_id"]] = row
    return found


def insert_decisions(conn: Session, rows: Iterable[Sequence[Any]]) -> int:
    return _insert(conn, "ndr_decisions", DECISION_COLUMNS, "decision_key", rows)


# --- reports and history -----------------------------------------------------------------------

def delivery_facts(conn: Session, date_from: str | None, date_to: str | None,
                   shop: str | None) -> list[Row]:
    """One row per shipment with what delivery reports group and count."""
    where, args = ["1 = 1"], []
    for clause, value in (("s.ship_date >= ?", date_from), ("s.ship_date <= ?", date_to), ("sh.name = ?", shop)):
        if value is not None:
            where.append(clause)
            args.append(value)
    return conn.execute(
        "SELECT s.id, s.courier, s.tracking_number, s.ship_date, s.status, s.status_at, s.cod_minor, s.currency, "
        "sh.name AS shop, o.province, o.items, o.batch_id AS batch, "
        f"EXISTS (SELECT 1 FROM tracking_events e WHERE e.shipment_id = s.id AND {_REFUSED}) AS refused "
        "FROM shipments s JOIN orders o ON o.id = s.order_id JOIN shops sh ON sh.id = o.shop_id "
        f"WHERE {' AND '.join(where)} ORDER BY s.id",
        args,
    ).fetchall()


@dataclass(frozen=True)
class CustomerHistory:
    """What a customer (one phone) did with earlier parcels; the call-list risk score reads it."""

    delivered: int = 0
    refusals: int = 0   # parcels with a refused event or NDR reason
    returns: int = 0    # parcels sent back to the sender (rto_in_transit or rto_delivered)
    lost_sales: int = 0  # parcels refused or returned, each counted once


def phone_key(e164: str, raw: str) -> str:
    """One key per customer phone: the checked E.164 where checks ran, else the typed digits."""
    return e164 or "".join(ch for ch in raw if ch.isdigit())


# What an order that reached a courier or an outcome (_PAST_ONLY) tells of its customer, a row per shipment.
_PAST = (
    "(o.status = 'delivered' OR s.status = 'delivered') AS delivered, "
    f"(s.status = 'refused' OR EXISTS (SELECT 1 FROM tracking_events e WHERE e.shipment_id = s.id AND {_REFUSED})) "
    "AS refused, (o.status = 'returned' OR s.status IN ('rto_in_transit', 'rto_delivered')) AS returned "
)
_PAST_ONLY = "(o.status IN ('delivered', 'returned') OR s.id IS NOT NULL)"
_ORDERS_SHIPPED = "orders o LEFT JOIN shipments s ON s.order_id = o.id"  # each order with its shipments, if any


def has_history(conn: Session) -> bool:
    """Whether any order has reached a courier or an outcome: a new ledger's call list needs no lookups."""
    return bool(conn.scalar(f"SELECT EXISTS (SELECT 1 FROM {_ORDERS_SHIPPED} WHERE {_PAST_ONLY})"))


def customer_history(conn: Session, e164s: Sequence[str]) -> dict[str, CustomerHistory]:
    """What the customers with these checked phones did with earlier parcels, by phone: a call list asks
    for a chunk of its orders' phones at a time, so it holds a chunk's customers, not every past one."""
    history: dict[str, CustomerHistory] = {}
    for part, marks in _parts(e164s):
        rows = conn.execute(  # from the phones in (the phone index), not through every order
            f"SELECT n.phone_e164, o.phone, {_PAST}FROM order_normalised n JOIN orders o ON o.id = n.order_id "
            f"LEFT JOIN shipments s ON s.order_id = o.id WHERE n.phone_e164 IN ({marks}) AND {_PAST_ONLY}", part)
        _tally(history, rows)
    return history


def unchecked_history(conn: Session) -> dict[str, CustomerHistory]:
    """The same for past orders without a checked phone, by the digits typed: checks run before the
    call list, so these are few (phones that could not be read, orders never checked)."""
    history: dict[str, CustomerHistory] = {}
    _tally(history, conn.execute(
        f"SELECT '' AS e164, o.phone, {_PAST}FROM {_ORDERS_SHIPPED} LEFT JOIN order_normalised n ON n.order_id = o.id "
        f"WHERE {_PAST_ONLY} AND COALESCE(n.phone_e164, '') = ''"))
    return history


def _tally(history: dict[str, CustomerHistory], rows: Iterable[Row]) -> None:
    for e164, phone, delivered, refused, returned in rows:
        key = phone_key(e164, phone)
        if key:
            h = history.get(key, CustomerHistory())
            history[key] = CustomerHistory(h.delivered + bool(delivered), h.refusals + bool(refused),
                                           h.returns + bool(returned), h.lost_sales + bool(refused or returned))


def order_shipments(conn: Session, order_id: int) -> list[dict]:
    return dicts(
        conn,
        "SELECT s.courier, s.tracking_number, s.ship_date, s.status, s.status_at, "
        "(SELECT COUNT(*) FROM tracking_events e WHERE e.shipment_id = s.id) AS events "
        "FROM shipments s WHERE s.order_id = ? ORDER BY s.id", (order_id,))


def order_tracking(conn: Session, order_id: int) -> list[dict]:
    return dicts(
        conn,
        "SELECT e.event_at, e.status, e.reason, e.raw_status, e.raw_reason, "
        "e.source_file || ':' || e.source_line AS source "
        "FROM tracking_events e JOIN shipments s ON s.id = e.shipment_id "
        "WHERE s.order_id = ? ORDER BY e.event_at, e.id", (order_id,))


def order_ndr_decisions(conn: Session, order_id: int) -> list[dict]:
    return dicts(
        conn,
        "SELECT d.decided_at, d.decided_by, d.action, d.new_address, d.new_phone, d.new_date, d.note "
        "FROM ndr_decisions d JOIN shipments s ON s.id = d.shipment_id "
        "WHERE s.order_id = ? ORDER BY d.decided_at, d.id", (order_id,))
