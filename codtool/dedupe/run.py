"""One dedupe run over the ledger: read candidates, find clusters, store them atomically.

Reading happens outside the write lock (imports can go on meanwhile); the clusters are then
written in one transaction. Re-running on unchanged data stores nothing new, and an open
proposal that no longer holds (a member was cancelled or changed) is withdrawn.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from codtool.crashpoints import crash_point
from codtool.dedupe.candidates import Candidate, candidate
from codtool.dedupe.clusters import Cluster, build_clusters
from codtool.dedupe.finder import DAY, find_matches
from codtool.dedupe.scoring import DEFAULT_WEIGHTS, Weights
from codtool.errors import NotFound
from codtool.ledger import Ledger, Session
from codtool.ledger import dedupe as store
from codtool.ledger.orders import get_batch
from codtool.statuses import OPEN

DEFAULT_WINDOW_DAYS = 7
DEFAULT_THRESHOLD = 85.0


@dataclass(frozen=True)
class Options:
    window_days: int = DEFAULT_WINDOW_DAYS
    threshold: float = DEFAULT_THRESHOLD
    batch: int | None = None
    weights: Weights = DEFAULT_WEIGHTS


@dataclass(frozen=True)
class RunResult:
    checked: int
    compared: int
    capped: dict[str, int]
    clusters: list[Cluster]
    cluster_ids: dict[str, int]
    new: int
    withdrawn: int


def run_dedupe(ledger: Ledger, options: Options, tick: Callable[[int], None] | None = None) -> RunResult:
    conn = ledger.session
    if options.batch is not None and get_batch(conn, options.batch) is None:
        raise NotFound(f"no batch {options.batch}; see codtool batches list")
    checked, first, last = store.target_span(conn, options.batch)
    clusters, compared, capped = [], 0, {}
    if checked:
        low, high = _reach(options, first, last)
        found = find_matches(_candidates(ledger, options, first, last), options.window_days,
                             options.threshold, store.declared_distinct(conn, low, high), tick, options.weights)
        clusters, compared = build_clusters(found.matches, found.orders, found.conflicts), found.compared
        capped = found.capped_by_rule()
    with ledger.transaction() as tx:
        withdrawn = _withdraw_stale(tx, options.batch, clusters)
        new = store.insert_clusters(tx, [_row(c) for c in clusters])
        ids = store.cluster_ids(tx, [c.key for c in clusters])
        crash_point("dedupe.after_clusters")
    return RunResult(checked, compared, capped, clusters, ids, new, withdrawn)


def _reach(options: Options, first: str, last: str) -> tuple[str, str]:
    """The creation times a run reads: the checked orders' span, widened by the window and a day."""
    margin = timedelta(seconds=options.window_days * DAY + DAY)
    return (datetime.fromisoformat(first) - margin).isoformat(), (datetime.fromisoformat(last) + margin).isoformat()


def _candidates(ledger: Ledger, options: Options, first: str, last: str) -> Iterator[Candidate]:
    low, high = _reach(options, first, last)
    for row in store.candidate_rows(ledger.session, low, high):
        target = row.status in OPEN and (options.batch is None or row.batch_id == options.batch)
        yield candidate(row, target=target, settled=row.status not in OPEN)


def _withdraw_stale(conn: Session, batch: int | None, clusters: list[Cluster]) -> int:
    """Drop open proposals among the checked orders, or overlapping a new cluster, that this run did not find."""
    keys = {c.key for c in clusters}
    touched = sorted({m for c in clusters for m in c.members})
    stale = store.open_clusters_in_scope(conn, batch) | store.open_clusters_with_members(conn, touched)
    ids = [cid for key, cid in stale.items() if key not in keys]
    store.delete_clusters(conn, ids)
    return len(ids)


def _row(cluster: Cluster) -> store.ClusterRow:
    roles = [(m, "keep" if m == cluster.keep else "duplicate") for m in cluster.members]
    pairs = [(p.order_a, p.order_b, p.score, p.reasons, p.kind) for p in cluster.pairs]
    return cluster.key, cluster.keep, cluster.score, cluster.kind, roles, pairs
