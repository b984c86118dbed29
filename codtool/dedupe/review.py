"""Clusters as JSON-ready records: the members with what a reviewer needs to decide."""

from __future__ import annotations

from collections.abc import Iterable

from codtool.errors import NotFound
from codtool.ledger import Session
from codtool.ledger import dedupe as store
from codtool.money import format_minor

_MEMBER_FIELDS = ("order_id", "role", "status", "shop", "source_id", "created_at", "customer_name",
                  "phone", "email", "address1", "city")


def cluster_view(conn: Session, cluster_id: int) -> dict:
    row = store.get_cluster(conn, cluster_id)
    if row is None:
        raise NotFound(f"no cluster {cluster_id}; see codtool dedupe --review")
    members = []
    for m in store.cluster_members(conn, cluster_id):
        member = {k: m[k] for k in _MEMBER_FIELDS}
        member["total"] = format_minor(m["total_minor"], m["currency"])
        member["currency"] = m["currency"]
        members.append(member)
    return {
        "id": row["id"], "status": row["status"], "kind": row["kind"], "score": row["score"],
        "keep_order_id": row["keep_order_id"],
        "duplicate_orders": [m["order_id"] for m in members if m["role"] == "duplicate"],
        "members": members,
        "pairs": [dict(p) for p in store.cluster_pairs(conn, cluster_id)],
        "created_at": row["created_at"], "decided_at": row["decided_at"], "decided_by": row["decided_by"],
    }


def clusters_view(conn: Session, cluster_ids: Iterable[int], shown: int | None = None) -> dict:
    """The `--json` shape shared by a run and by --review. With `shown`, only the first `shown`
    clusters are kept whole, for a table that shows no more (each is some 4 KB: a million-order
    run's 7,000 clusters held 31 MiB), and "cluster_count" says how many there are."""
    clusters, duplicates, count = [], set(), 0
    for cid in cluster_ids:
        cluster, count = cluster_view(conn, cid), count + 1
        if cluster["status"] == "open":
            duplicates.update(cluster["duplicate_orders"])
        if shown is None or len(clusters) < shown:
            clusters.append(cluster)
    return {"clusters": clusters, "duplicate_orders": sorted(duplicates)} | ({} if shown is None else
                                                                              {"cluster_count": count})


def open_clusters(conn: Session, batch: int | None) -> dict:
    return clusters_view(conn, store.open_cluster_ids(conn, batch))
