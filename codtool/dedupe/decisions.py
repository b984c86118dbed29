"""A reviewer's decision on a cluster: keep some orders and drop the rest, or declare them distinct.

Dropped orders move to status 'duplicate' through the ledger's status log, so they never
ship; pairs declared distinct are remembered and never proposed again.
"""

from __future__ import annotations

from itertools import combinations

from codtool.crashpoints import crash_point
from codtool.dedupe.review import cluster_view
from codtool.errors import CodtoolError
from codtool.ledger import Ledger
from codtool.ledger import dedupe as store
from codtool.ledger.orders import set_status
from codtool.statuses import DUPLICATE, can_move

SOURCE = "dedupe"


class DecisionError(CodtoolError):
    """A reviewer's decision cannot be applied to this cluster."""


def resolve(ledger: Ledger, cluster_id: int, keep: list[int], not_duplicate: bool, by: str) -> dict:
    """Apply the decision in one transaction and return the cluster as it now stands."""
    with ledger.transaction() as conn:
        cluster = cluster_view(conn, cluster_id)
        if _same_decision(cluster, keep, not_duplicate):
            return cluster  # a re-run of the same decision (cron, a second reviewer) changes nothing
        if cluster["status"] != "open":
            raise DecisionError(f"cluster {cluster_id} is already decided ({cluster['status']}, "
                                f"by {cluster['decided_by']} at {cluster['decided_at']})")
        members = {m["order_id"]: m for m in cluster["members"]}
        keep = sorted(members) if not_duplicate else list(dict.fromkeys(keep))
        _check_keep(cluster_id, keep, members)
        dropped = [o for o in sorted(members) if o not in keep]
        for order in dropped:
            reason = f"duplicate of order {keep[0]} (dedupe cluster {cluster_id})"
            set_status(conn, order, DUPLICATE, reason, SOURCE)
        store.add_distinct(conn, combinations(sorted(keep), 2))
        status = "resolved" if dropped else "not_duplicate"
        roles = {o: ("keep" if dropped else "not_duplicate") if o in keep else "duplicate" for o in members}
        store.decide(conn, cluster_id, status, keep[0], roles, by)
        crash_point("dedupe.after_decision")
        return cluster_view(conn, cluster_id)


def _same_decision(cluster: dict, keep: list[int], not_duplicate: bool) -> bool:
    """The cluster was already decided exactly so: keep these orders (or all of them, distinct)."""
    if not_duplicate:
        return cluster["status"] == "not_duplicate"
    kept = {m["order_id"] for m in cluster["members"] if m["role"] == "keep"}
    return cluster["status"] == "resolved" and kept == set(keep)


def _check_keep(cluster_id: int, keep: list[int], members: dict[int, dict]) -> None:
    ids = ", ".join(map(str, sorted(members)))
    for order in keep:
        if order not in members:
            raise DecisionError(f"order {order} is not in cluster {cluster_id} (members: {ids})")
    for order, member in members.items():
        if order not in keep and not can_move(member["status"], DUPLICATE):
            raise DecisionError(f"order {order} is {member['status']} and cannot be dropped as a duplicate; "
                                f"keep it too (--keep {order})")
