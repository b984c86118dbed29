"""The ledger's invariants as code: run by `codtool doctor`, by the tests, after imports.

Each check is one SQL query returning offending rows; an empty result means it holds.
Later stages add their own (e.g. every money transaction sums to zero) to INVARIANTS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from codtool.ledger import payouts, remit
from codtool.ledger.session import Session

INVARIANTS: dict[str, str] = {
    "batch counts add up": (
        "SELECT b.id, b.imported, (SELECT COUNT(*) FROM orders o WHERE o.batch_id = b.id) "
        "FROM import_batches b "
        "WHERE b.imported != (SELECT COUNT(*) FROM orders o WHERE o.batch_id = b.id) "
        "OR b.orders != b.imported + b.rejected + b.skipped_duplicates"
    ),
    "prepaid orders collect nothing": "SELECT id FROM orders WHERE is_cod = 0 AND cod_minor != 0",
    "open COD orders have an amount": (
        "SELECT id FROM orders WHERE is_cod = 1 AND cod_minor <= 0 AND status NOT IN ('cancelled', 'duplicate')"
    ),
    "status log follows the orders": (
        "SELECT o.id FROM orders o JOIN order_status_log l ON l.id = "
        "(SELECT MAX(id) FROM order_status_log WHERE order_id = o.id) WHERE l.new_status != o.status"
    ),
    "no orphan rows": (
        "SELECT 'order', id FROM orders WHERE batch_id NOT IN (SELECT id FROM import_batches) "
        "UNION ALL SELECT 'reject', id FROM rejected_rows WHERE batch_id NOT IN (SELECT id FROM import_batches)"
    ),
}


# Money-side invariants, one function each (their SQL lives in codtool/ledger/remit.py).
MONEY_CHECKS: dict[str, Callable[[Session], list[tuple]]] = {
    "every money transaction balances per currency": remit.unbalanced_transactions,
    "every delivered COD parcel has its receivable posting": remit.delivered_without_posting,
    "each courier's receivable equals the sum of its open parcel items": remit.receivable_mismatches,
    "delivery postings carry the parcel's COD": remit.delivery_postings_off,
    "each shop's due account equals its statement items less its payments": payouts.shop_due_mismatches,
}


@dataclass(frozen=True)
class Violation:
    invariant: str
    rows: list[tuple]

    def __str__(self) -> str:
        shown = ", ".join(map(str, self.rows[:5]))
        more = f" (+{len(self.rows) - 5} more)" if len(self.rows) > 5 else ""
        return f"{self.invariant}: violated by {shown}{more}"


def check_invariants(session: Session) -> list[Violation]:
    """Every invariant that does not hold, with the rows that break it."""
    found = []
    for name, query in INVARIANTS.items():
        rows = [tuple(r) for r in session.execute(query).fetchall()]
        if rows:
            found.append(Violation(name, rows))
    for name, check in MONEY_CHECKS.items():
        rows = check(session)
        if rows:
            found.append(Violation(name, rows))
    return found
