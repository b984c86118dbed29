"""Matching pairs grouped into clusters, each with the order to keep."""

from __future__ import annotations

from dataclasses import dataclass

from codtool.dedupe.candidates import Brief, Candidate
from codtool.dedupe.similarity import EXACT, LIKELY, Match


@dataclass(frozen=True)
class Cluster:
    """Orders that look like one purchase; `key` (sorted member ids) is stable across runs."""

    key: str
    members: tuple[int, ...]
    keep: int
    score: float
    kind: str
    pairs: tuple[Match, ...]

    @property
    def duplicates(self) -> tuple[int, ...]:
        return tuple(m for m in self.members if m != self.keep)


def cluster_key(members: tuple[int, ...]) -> str:
    return ",".join(str(m) for m in sorted(members))


def build_clusters(matches: list[Match], orders: dict[int, Brief] | dict[int, Candidate],
                   conflicts: set[tuple[int, int]] | frozenset[tuple[int, int]] = frozenset()) -> list[Cluster]:
    """Connected groups of matching pairs, strongest pairs first, oldest cluster first.

    Two groups are not joined when one order of each is a `conflict` (alike but for a clearly
    different given name): "G. Rossi" may match both Giulia and Giulio at one address, and
    must not make the two one cluster. The weaker pair is then left out: lower score, then less
    summed evidence (scores are capped at 99.9), then further apart in time (a re-submission
    follows its own order closely).
    """
    parent: dict[int, int] = {}
    members: dict[int, list[int]] = {}

    def root(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    kept = []
    def strength(m: Match) -> tuple[float, float, float, int, int]:
        gap = abs(orders[m.order_a].time - orders[m.order_b].time) if orders else 0.0
        return -m.score, -m.weight, gap, m.order_a, m.order_b

    for m in sorted(matches, key=strength):
        ra, rb = root(m.order_a), root(m.order_b)
        if ra != rb:
            group_a, group_b = members.pop(ra, [ra]), members.pop(rb, [rb])
            if conflicts and any((min(x, y), max(x, y)) in conflicts for x in group_a for y in group_b):
                members[ra], members[rb] = group_a, group_b
                continue
            parent[ra] = rb
            members[rb] = group_a + group_b
        kept.append(m)
    groups: dict[int, list[Match]] = {}
    for m in kept:
        groups.setdefault(root(m.order_a), []).append(m)
    clusters = [_cluster(pairs, orders) for pairs in groups.values()]
    return sorted(clusters, key=lambda c: c.members)


def _cluster(pairs: list[Match], orders: dict[int, Brief] | dict[int, Candidate]) -> Cluster:
    members = tuple(sorted({m.order_a for m in pairs} | {m.order_b for m in pairs}))
    kind = EXACT if all(m.kind == EXACT for m in pairs) else LIKELY
    return Cluster(cluster_key(members), members, keep_choice([orders[m] for m in members]),
                   max(m.score for m in pairs), kind, tuple(pairs))


def keep_choice(members: list[Brief] | list[Candidate]) -> int:
    """An order already shipped must stay; otherwise the oldest complete one, then the oldest."""
    best = min(members, key=lambda c: (not c.settled, not c.complete, c.time, c.id))
    return best.id
