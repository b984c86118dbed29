"""SQL for duplicate-order clusters, their pairs and reviewers' decisions.

Contract for other stages: an order is a suspected duplicate while it is a member with role
'duplicate' of a cluster whose status is 'open' (see `suspected_duplicates`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from codtool.ledger.db import utc_now
from codtool.ledger.session import Row, Session
from codtool.statuses import NEVER_SHIP, OPEN

_IN_LIMIT = 500
_FETCH = 1_000  # rows a fetch holds (some 2.8 KB each as Python objects: 5,000 held 14 MiB)
_OPEN = ", ".join(f"'{s}'" for s in OPEN)
_NEVER_SHIP = ", ".join(f"'{s}'" for s in NEVER_SHIP)
_TARGET = f"o.status IN ({_OPEN}) AND (CAST(? AS BIGINT) IS NULL OR o.batch_id = ?)"

ClusterRow = tuple[str, int, float, str, Sequence[tuple[int, str]], Sequence[tuple[int, int, float, str, str]]]


def target_span(conn: Session, batch: int | None) -> tuple[int, str | None, str | None]:
    """How many open orders a run checks, and their first and last creation times."""
    row = conn.execute(
        f"SELECT COUNT(*), MIN(o.created_at), MAX(o.created_at) FROM orders o WHERE {_TARGET}", (batch, batch)
    ).fetchone()
    return int(row[0]), row[1], row[2]


def count_candidates(conn: Session, first: str, last: str) -> int:
    """How many rows `candidate_rows` streams for this span: the progress bar's total."""
    return int(conn.scalar(f"SELECT COUNT(*) FROM orders o WHERE o.status NOT IN ({_NEVER_SHIP}) "
                           "AND o.created_at >= ? AND o.created_at <= ?", (first, last)))


class CandidateRow(NamedTuple):
    """One order as dedupe reads it, with the checks stage's normal forms (n_*: None when unchecked).
    Built from the row's positions, which is several times faster than reading columns by name."""

    id: int
    batch_id: int
    source_id: str
    created_at: str
    customer_name: str
    phone: str
    email: str
    address1: str
    address2: str
    postcode: str
    city: str
    country: str
    total_minor: int
    currency: str
    items: str
    status: str
    n_checked: int
    n_phone: str | None
    n_address: str | None
    n_house_number: str | None
    n_postcode: str | None
    n_city: str | None


def candidate_rows(conn: Session, first: str, last: str) -> Iterator[CandidateRow]:
    """Orders that could still ship, created in [first, last], oldest first, with checks' normal forms;
    streamed `_FETCH` rows at a time, so memory does not grow with the ledger."""
    rows = conn.stream(
        "SELECT o.id, o.batch_id, o.source_id, o.created_at, o.customer_name, o.phone, o.email, "
        "o.address1, o.address2, o.postcode, o.city, o.country, o.total_minor, o.currency, o.items, o.status, "
        "n.order_id IS NOT NULL AS n_checked, n.phone_e164 AS n_phone, n.address_line AS n_address, "
        "n.house_number AS n_house_number, n.postcode AS n_postcode, n.city AS n_city "
        "FROM orders o LEFT JOIN order_normalised n ON n.order_id = o.id "
        f"WHERE o.status NOT IN ({_NEVER_SHIP}) AND o.created_at >= ? AND o.created_at <= ? "
        "ORDER BY o.created_at, o.id",
        (first, last),
        _FETCH,
    )
    yield from map(CandidateRow._make, rows)


def declared_distinct(conn: Session, first: str, last: str) -> set[tuple[int, int]]:
    """Pairs reviewers declared two purchases whose lower order was created in [first, last] (the span
    `candidate_rows` reads), so the set follows the run, not every decision the ledger has ever recorded."""
    rows = conn.execute("SELECT d.order_a, d.order_b FROM dedupe_not_duplicate d JOIN orders o ON o.id = d.order_a "
                        "WHERE o.created_at >= ? AND o.created_at <= ?", (first, last))
    return {(r[0], r[1]) for r in rows}


def add_distinct(conn: Session, pairs: Iterable[tuple[int, int]]) -> None:
    now = utc_now()
    conn.executemany(
        "INSERT INTO dedupe_not_duplicate (order_a, order_b, decided_at) VALUES (?, ?, ?) "
        "ON CONFLICT (order_a, order_b) DO NOTHING",
        ((min(a, b), max(a, b), now) for a, b in pairs),
    )


def open_clusters_in_scope(conn: Session, batch: int | None) -> dict[str, int]:
    """Open clusters with a member among the orders a run checks: key -> id."""
    rows = conn.execute(
        "SELECT DISTINCT c.cluster_key, c.id FROM dedupe_clusters c "
        "JOIN dedupe_members m ON m.cluster_id = c.id JOIN orders o ON o.id = m.order_id "
        f"WHERE c.status = 'open' AND {_TARGET}",
        (batch, batch),
    )
    return {r[0]: r[1] for r in rows}


def open_clusters_with_members(conn: Session, order_ids: Sequence[int]) -> dict[str, int]:
    found: dict[str, int] = {}
    for part in _chunks(order_ids):
        rows = conn.execute(
            "SELECT DISTINCT c.cluster_key, c.id FROM dedupe_clusters c JOIN dedupe_members m ON m.cluster_id = c.id "
            f"WHERE c.status = 'open' AND m.order_id IN ({_marks(part)})",
            part,
        )
        found.update({r[0]: r[1] for r in rows})
    return found


def cluster_ids(conn: Session, keys: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for part in _chunks(keys):
        rows = conn.execute(f"SELECT cluster_key, id FROM dedupe_clusters WHERE cluster_key IN ({_marks(part)})", part)
        found.update({r[0]: r[1] for r in rows})
    return found


def delete_clusters(conn: Session, ids: Iterable[int]) -> None:
    """Withdraw undecided proposals; decided clusters are history and never deleted here."""
    params = [(i,) for i in ids]
    conn.executemany("DELETE FROM dedupe_pairs WHERE cluster_id = ?", params)
    conn.executemany("DELETE FROM dedupe_members WHERE cluster_id = ?", params)
    conn.executemany("DELETE FROM dedupe_clusters WHERE id = ? AND status = 'open'", params)


def insert_clusters(conn: Session, clusters: Sequence[ClusterRow]) -> int:
    """Insert clusters whose key is new, with members and pairs; returns how many were new."""
    known = cluster_ids(conn, [c[0] for c in clusters])
    new = [c for c in clusters if c[0] not in known]
    now = utc_now()
    conn.executemany(
        "INSERT INTO dedupe_clusters (cluster_key, status, keep_order_id, score, kind, created_at) "
        "VALUES (?, 'open', ?, ?, ?, ?) ON CONFLICT (cluster_key) DO NOTHING",
        ((key, keep, score, kind, now) for key, keep, score, kind, _, _ in new),
    )
    ids = cluster_ids(conn, [c[0] for c in new])
    conn.executemany(
        "INSERT INTO dedupe_members (cluster_id, order_id, role) VALUES (?, ?, ?)",
        ((ids[c[0]], order, role) for c in new for order, role in c[4]),
    )
    conn.executemany(
        "INSERT INTO dedupe_pairs (cluster_id, order_a, order_b, score, reasons, kind) VALUES (?, ?, ?, ?, ?, ?)",
        ((ids[c[0]], *pair) for c in new for pair in c[5]),
    )
    return len(new)


def open_cluster_ids(conn: Session, batch: int | None) -> list[int]:
    if batch is None:
        return [r[0] for r in conn.execute("SELECT id FROM dedupe_clusters WHERE status = 'open' ORDER BY id")]
    return [r[0] for r in conn.execute(
        "SELECT DISTINCT c.id FROM dedupe_clusters c JOIN dedupe_members m ON m.cluster_id = c.id "
        "JOIN orders o ON o.id = m.order_id WHERE c.status = 'open' AND o.batch_id = ? ORDER BY c.id",
        (batch,),
    )]


def get_cluster(conn: Session, cluster_id: int) -> Row | None:
    return conn.execute("SELECT * FROM dedupe_clusters WHERE id = ?", (cluster_id,)).fetchone()


def cluster_members(conn: Session, cluster_id: int) -> list[Row]:
    return conn.execute(
        "SELECT m.order_id, m.role, o.status, o.source_id, s.name AS shop, o.created_at, o.customer_name, "
        "o.phone, o.email, o.address1, o.city, o.total_minor, o.currency "
        "FROM dedupe_members m JOIN orders o ON o.id = m.order_id JOIN shops s ON s.id = o.shop_id "
        "WHERE m.cluster_id = ? ORDER BY m.order_id",
        (cluster_id,),
    ).fetchall()


def cluster_pairs(conn: Session, cluster_id: int) -> list[Row]:
    return conn.execute(
        "SELECT order_a, order_b, kind, score, reasons FROM dedupe_pairs WHERE cluster_id = ? "
        "ORDER BY score DESC, kind, order_a, order_b",
        (cluster_id,),
    ).fetchall()


def decide(conn: Session, cluster_id: int, status: str, keep: int, roles: dict[int, str],
           decided_by: str) -> None:
    conn.execute(
        "UPDATE dedupe_clusters SET status = ?, keep_order_id = ?, decided_at = ?, decided_by = ? WHERE id = ?",
        (status, keep, utc_now(), decided_by, cluster_id),
    )
    conn.executemany(
        "UPDATE dedupe_members SET role = ? WHERE cluster_id = ? AND order_id = ?",
        ((role, cluster_id, order) for order, role in roles.items()),
    )


@dataclass(frozen=True)
class Suspect:
    """An order held as 'duplicate' in an open cluster: not to be shipped or called yet."""

    cluster: int
    keep_order_id: int
    keep_source_id: str
    reasons: str

    def __str__(self) -> str:
        why = f": {self.reasons}" if self.reasons else " is open"
        return f"suspected duplicate of order {self.keep_source_id} (dedupe cluster {self.cluster}{why})"


_SUSPECTS = (
    "SELECT m.order_id, c.id, c.keep_order_id, k.source_id, COALESCE(p.reasons, ''), p.score "
    "FROM dedupe_members m JOIN dedupe_clusters c ON c.id = m.cluster_id "
    "JOIN orders k ON k.id = c.keep_order_id "
    "LEFT JOIN dedupe_pairs p ON p.cluster_id = c.id AND (p.order_a = m.order_id OR p.order_b = m.order_id) "
    "WHERE c.status = 'open' AND m.role = 'duplicate' {only} ORDER BY m.order_id, p.score DESC"
)


def suspected_duplicates(conn: Session, order_ids: Sequence[int] | None = None) -> dict[int, Suspect]:
    """The one definition of a suspected duplicate, for shipping, call lists and reports."""
    if order_ids is None:
        rows = conn.execute(_SUSPECTS.format(only="")).fetchall()
    else:
        rows = []
        for start in range(0, len(order_ids), 500):
            part = list(order_ids[start:start + 500])
            rows += conn.execute(_SUSPECTS.format(only=f"AND m.order_id IN ({_marks(part)})"), part).fetchall()
    return dict(_first_per_order(rows))


def stream_suspected_duplicates(conn: Session) -> Iterator[tuple[int, Suspect]]:
    """`suspected_duplicates` of the whole ledger as (order id, suspect), ascending by order id, streamed:
    a day's call list walks them beside its orders and holds none it has passed."""
    return _first_per_order(conn.stream(_SUSPECTS.format(only="")))


def _first_per_order(rows: Iterable[Row]) -> Iterator[tuple[int, Suspect]]:
    """Each order's first row (its best-scored pair): rows come grouped by order id."""
    last = None
    for order, cluster, keep, keep_source, reasons, _ in rows:
        if order != last:
            last = order
            yield order, Suspect(cluster, keep, keep_source, reasons)


def order_clusters(conn: Session, order_id: int) -> list[dict[str, Any]]:
    """Every cluster an order belongs to, for `codtool orders show`."""
    rows = conn.execute(
        "SELECT c.id AS cluster, c.status, m.role, c.kind, c.score, c.keep_order_id AS keep, "
        "(SELECT p.reasons FROM dedupe_pairs p WHERE p.cluster_id = c.id "
        " AND (p.order_a = m.order_id OR p.order_b = m.order_id) ORDER BY p.score DESC LIMIT 1) AS reasons "
        "FROM dedupe_members m JOIN dedupe_clusters c ON c.id = m.cluster_id WHERE m.order_id = ? ORDER BY c.id",
        (order_id,),
    ).fetchall()
    found = []
    for row in rows:
        others = [m["order_id"] for m in cluster_members(conn, row["cluster"]) if m["order_id"] != order_id]
        found.append(dict(row) | {"other_orders": " ".join(map(str, others))})
    return found


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), _IN_LIMIT):
        yield values[start:start + _IN_LIMIT]


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" * len(values))
