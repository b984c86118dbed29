"""The ledger's invariants as code: run by `codtool doctor`, by the tests, and on every write.

Each check is one SQL query returning offending rows as (row, expected, found), so a broken
one reads like beancount's balance errors: "order 7: expected a shipment, found none". An
empty result means it holds. INVARIANTS run over the whole ledger (`doctor`, the tests);
SCOPED ones also run inside the write transaction that could break them, limited to the rows
it touched (`assert_holds`), so a bug aborts the transaction instead of corrupting the ledger.

Hook for the money ledger: add a scope (e.g. `SCOPES["transactions"] = "t.id"`) and a SCOPED
query using `{transactions}` ("every transaction sums to zero per currency"), then call
`assert_holds(session, transactions=ids)` in the posting function before it returns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from codtool.errors import LedgerError
from codtool.ledger import chase, payouts, remit
from codtool.ledger.session import Session

INVARIANTS: dict[str, str] = {
    "prepaid orders collect nothing": (
        "SELECT 'order ' || id, 'cod_minor 0 (prepaid)', 'cod_minor ' || cod_minor "
        "FROM orders WHERE is_cod = 0 AND cod_minor != 0"
    ),
    "open COD orders have an amount": (
        "SELECT 'order ' || id, 'cod_minor above 0 (COD, ' || status || ')', 'cod_minor ' || cod_minor "
        "FROM orders WHERE is_cod = 1 AND cod_minor <= 0 AND status NOT IN ('cancelled', 'duplicate')"
    ),
    "no orphan rows": (
        "SELECT 'order ' || id, 'import batch ' || batch_id, 'no such batch' "
        "FROM orders WHERE batch_id NOT IN (SELECT id FROM import_batches) "
        "UNION ALL SELECT 'rejected row ' || id, 'import batch ' || batch_id, 'no such batch' "
        "FROM rejected_rows WHERE batch_id NOT IN (SELECT id FROM import_batches)"
    ),
}


# Money-side invariants, one function each (their SQL lives in codtool/ledger/remit.py).
MONEY_CHECKS: dict[str, Callable[[Session], list[tuple]]] = {
    "every money transaction balances per currency": remit.unbalanced_transactions,
    "every delivered COD parcel has its receivable posting": remit.delivered_without_posting,
    "each courier's receivable equals the sum of its open parcel items": remit.receivable_mismatches,
    "delivery postings carry the parcel's COD": remit.delivery_postings_off,
    "each shop's due account equals its statement items less its payments": payouts.shop_due_mismatches,
    "each courier reminder's total is the sum of its lines": chase.reminder_total_mismatches,
}


@dataclass(frozen=True)
class Violation:
    invariant: str
    rows: list[tuple]

    def __str__(self) -> str:
        shown = "; ".join(map(_breach, self.rows[:5]))
        more = f" (+{len(self.rows) - 5} more)" if len(self.rows) > 5 else ""
        return f"{self.invariant}: {shown}{more}"

    def to_json(self) -> dict:
        return {"invariant": self.invariant, "rows": [_breach_json(r) for r in self.rows]}


def _breach(row: tuple) -> str:
    if len(row) == 3:
        return f"{row[0]}: expected {row[1]}, found {row[2]}"
    return f"violated by {row}"


def _breach_json(row: tuple) -> dict | list:
    return {"row": row[0], "expected": row[1], "found": row[2]} if len(row) == 3 else list(row)


def check_invariants(session: Session) -> list[Violation]:
    """Every invariant that does not hold, over the whole ledger, with the rows that break it."""
    found = []
    for name, query in all_invariants().items():
        rows = [tuple(r) for r in session.execute(query).fetchall()]
        if rows:
            found.append(Violation(name, rows))
    for name, check in MONEY_CHECKS.items():
        rows = check(session)
        if rows:
            found.append(Violation(name, rows))
    return found


# --- invariants checked on every write, scoped to the rows the write touched -------------------

class InvariantBroken(LedgerError):
    """A write would break a ledger invariant: the transaction is rolled back (a bug, please report it)."""


SCOPES: dict[str, str] = {"orders": "o.id", "batches": "b.id"}  # scope name -> the id column its queries filter on
_LIMIT = 500
_SHIPPED = "('shipped', 'delivered', 'returned', 'lost')"

SCOPED: dict[str, str] = {
    "batch counts add up": (
        "SELECT 'batch ' || b.id, (SELECT COUNT(*) FROM orders o WHERE o.batch_id = b.id) || ' imported, ' "
        "|| (b.imported + b.rejected + b.skipped_duplicates) || ' orders (imported + rejected + duplicates)', "
        "b.imported || ' imported, ' || b.orders || ' orders' FROM import_batches b WHERE {batches} "
        "AND ((b.undone_at IS NULL AND b.imported != (SELECT COUNT(*) FROM orders o WHERE o.batch_id = b.id)) "
        "OR b.orders != b.imported + b.rejected + b.skipped_duplicates)"
    ),
    "an undone batch has no orders and one undo record of all it imported": (
        "SELECT 'batch ' || b.id, 'no orders and an undo record of ' || b.imported || ' orders', "
        "(SELECT COUNT(*) FROM orders o WHERE o.batch_id = b.id) || ' orders, undo record of ' "
        "|| COALESCE((SELECT CAST(u.orders AS TEXT) FROM batch_undos u WHERE u.batch_id = b.id), 'none') "
        "FROM import_batches b WHERE {batches} AND b.undone_at IS NOT NULL "
        "AND (EXISTS (SELECT 1 FROM orders o WHERE o.batch_id = b.id) "
        "OR NOT EXISTS (SELECT 1 FROM batch_undos u WHERE u.batch_id = b.id AND u.orders = b.imported))"
    ),
    "every status change has its history row": (
        "SELECT 'order ' || o.id, 'a status history ending in ' || o.status, 'no status history' "
        "FROM orders o WHERE {orders} AND o.status NOT IN ('new', 'cancelled') "
        "AND NOT EXISTS (SELECT 1 FROM order_status_log l WHERE l.order_id = o.id) "
        "UNION ALL SELECT 'order ' || o.id, 'status ' || l.new_status || ' (its last history row)', "
        "'status ' || o.status FROM orders o JOIN order_status_log l ON l.id = "
        "(SELECT MAX(id) FROM order_status_log WHERE order_id = o.id) WHERE {orders} AND l.new_status != o.status"
    ),
    "every shipped order has a shipment": (
        "SELECT 'order ' || o.id, 'a shipment (order is ' || o.status || ')', 'none' FROM orders o "
        f"WHERE {{orders}} AND o.status IN {_SHIPPED} "
        "AND NOT EXISTS (SELECT 1 FROM shipments s WHERE s.order_id = o.id)"
    ),
    "every shipment's COD equals its order's": (
        "SELECT 'shipment ' || s.id || ' (order ' || o.id || ')', 'cod_minor ' || o.cod_minor || ' ' || o.currency, "
        "'cod_minor ' || s.cod_minor || ' ' || s.currency FROM shipments s JOIN orders o ON o.id = s.order_id "
        "WHERE {orders} AND (s.cod_minor != o.cod_minor OR s.currency != o.currency)"
    ),
}


def all_invariants() -> dict[str, str]:
    """Whole-ledger SQL of every invariant, the scoped ones with their scope opened to every row."""
    everything = {name: "1 = 1" for name in SCOPES}
    return INVARIANTS | {name: query.format(**everything) for name, query in SCOPED.items()}


def scoped_breaches(session: Session, **scopes: Sequence[int]) -> list[Violation]:
    """The scoped invariants broken by these rows (e.g. orders=[3, 7]); other scopes are not read."""
    found = []
    for name, query in SCOPED.items():
        used = [scope for scope in SCOPES if "{" + scope + "}" in query]
        if not used or not all(scope in scopes for scope in used):
            continue
        rows = []
        for scope in used:  # one scope per query today; chunks keep IN lists short
            ids = sorted(set(scopes[scope]))
            for start in range(0, len(ids), _LIMIT):
                part = ids[start:start + _LIMIT]
                where = f"{SCOPES[scope]} IN ({', '.join('?' * len(part))})"
                sql = query.format(**{scope: where})
                rows += [tuple(r) for r in session.query(sql, _params(sql, part))]
        if rows:
            found.append(Violation(name, rows))
    return found


def _params(sql: str, part: Sequence[int]) -> tuple:
    """The ids once for every IN list the query holds (a query may filter in several branches)."""
    return tuple(part) * (sql.count("?") // len(part))


def assert_holds(session: Session, **scopes: Sequence[int]) -> None:
    """Raise (so the caller's transaction rolls back) if the written rows break an invariant."""
    if not any(scopes.values()):
        return
    broken = scoped_breaches(session, **scopes)
    if broken:
        raise InvariantBroken("ledger invariant broken, nothing written: " + "; ".join(map(str, broken)))
