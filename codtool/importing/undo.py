"""Undoing an import batch: the wrong file, or the right file for the wrong shop, taken back whole.

Allowed only while nothing has happened to its orders: every one still as imported (`new`, or
`cancelled` in the shop's own export), never called, messaged, decided on, shipped or refused.
Check results and open dedupe proposals are derived (a re-run makes them again), so they go
with the orders. The batch stays in the history marked
undone, with a record of who undid it, when, and which orders went; the same file can then be
imported again. Undoing an undone batch changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from codtool.errors import CodtoolError, NotFound
from codtool.ledger import Ledger
from codtool.ledger import batch_undo as store
from codtool.ledger.orders import get_batch

_NAMED = 10  # orders named in a refusal; the rest are counted


class BatchMovedOn(CodtoolError):
    """Some orders of the batch have moved on since the import: undoing it would lose their history."""


@dataclass(frozen=True)
class Undone:
    batch: int
    file_name: str
    shop: str
    orders_removed: int
    undone_by: str
    undone_at: str
    already_undone: bool

    def to_json(self) -> dict:
        return {"batch": self.batch, "file_name": self.file_name, "shop": self.shop,
                "orders_removed": self.orders_removed, "undone_by": self.undone_by, "undone_at": self.undone_at,
                "already_undone": self.already_undone}


def undo_batch(ledger: Ledger, batch: int, who: str) -> Undone:
    """Remove the batch's orders in one transaction, or refuse naming the orders that moved on."""
    with ledger.transaction() as conn:
        found = get_batch(conn, batch)
        if found is None:
            raise NotFound(f"no batch {batch}; see codtool batches list")
        done = store.undo_of(conn, batch)
        if done is None:
            moved = store.moved_on(conn, batch)
            if moved:
                raise BatchMovedOn(refusal(batch, moved))
            done = store.mark_undone(conn, batch, found["sha256"], _remove(conn, batch), who)
            return _undone(found, done, already=False)
    return _undone(found, done, already=True)


def _remove(conn, batch: int) -> list[tuple[int, str]]:
    removed = store.orders_of(conn, batch)
    store.remove_orders(conn, batch)
    return removed


def _undone(batch, record, already: bool) -> Undone:
    return Undone(batch["id"], batch["file_name"], batch["shop"], int(record["orders"]), record["undone_by"],
                  record["undone_at"], already)


def refusal(batch: int, moved: list[tuple[int, str, str]]) -> str:
    """'batch 3 not undone: 2 orders moved on: order 12 (#1001): status confirmed; ...'."""
    why: dict[tuple[int, str], list[str]] = defaultdict(list)
    for order_id, source_id, reason in moved:
        why[(order_id, source_id)].append(reason)
    named = [f"order {oid} ({src}): {', '.join(reasons)}" for (oid, src), reasons in list(why.items())[:_NAMED]]
    more = f"; and {len(why) - _NAMED} more" if len(why) > _NAMED else ""
    return (f"batch {batch} not undone: {len(why)} order(s) moved on since the import: "
            f"{'; '.join(named)}{more}")
