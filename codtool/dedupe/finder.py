"""Candidate pairs by blocking in a sliding time window: near-linear, bounded memory.

Orders arrive sorted by creation time. Each order is compared only with the recent orders
(within the window) that share a key of one of the blocking rules (`blocking`), and at most
`BLOCK_CAP` of them per key, so a placeholder phone shared by thousands of orders cannot make
the run quadratic: such blocks are counted in `Found.capped` and reported.

Memory follows the window, not the batch: an order leaves every block when it falls out of
the window. Blocks are keyed by the hash of the key's parts (`blocking.block_hashes`: 32 bytes
an int against some 75 for the text, and an order has about 14 keys), and an order matched
leaves only its `Brief` for the clusters, not the whole Candidate. A block of one order is the
order itself and a longer one a plain list (a deque costs some 600 bytes even when it holds two
orders, and most shared keys hold two or three).
The cyclic garbage collector is paused while the window is built: the finder makes no
reference cycles, and each full collection would walk every order in the window again.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from codtool import collector
from codtool.dedupe.blocking import key_with_hash, rule_of
from codtool.dedupe.candidates import Brief, Candidate
from codtool.dedupe.scoring import DEFAULT_WEIGHTS, Frequencies, Weights
from codtool.dedupe.similarity import DISTINCT, Match, judge

DAY = 86_400
BLOCK_CAP = 50
_SLACK = DAY  # creation times are sorted as text, which a timezone offset can disorder


@dataclass
class Found:
    """The matching pairs and the orders they involve (for choosing which one to keep)."""

    matches: list[Match] = field(default_factory=list)
    orders: dict[int, Brief] = field(default_factory=dict)
    compared: int = 0
    seen: int = 0
    capped: set[str] = field(default_factory=set)   # block keys that reached BLOCK_CAP
    conflicts: set[tuple[int, int]] = field(default_factory=set)  # two people alike but for the given name

    def capped_by_rule(self) -> dict[str, int]:
        """How many blocks of each rule were cut to BLOCK_CAP orders."""
        counts: dict[str, int] = {}
        for key in self.capped:
            counts[rule_of(key)] = counts.get(rule_of(key), 0) + 1
        return dict(sorted(counts.items()))


def find_matches(candidates: Iterable[Candidate], window_days: int, threshold: float,
                 distinct: set[tuple[int, int]], tick: Callable[[int], None] | None = None,
                 weights: Weights = DEFAULT_WEIGHTS) -> Found:
    """Pairs with at least one target order, created within the window, not declared distinct."""
    found = Found()
    with collector.paused():
        _scan(found, candidates, window_days * DAY, threshold, distinct, tick, weights)
    return found


def _scan(found: Found, candidates: Iterable[Candidate], span: float, threshold: float,
          distinct: set[tuple[int, int]], tick: Callable[[int], None] | None, weights: Weights) -> None:
    blocks: dict[int, Candidate | list[Candidate]] = {}  # one order alone, as most keys are, needs no list
    recent: deque[Candidate] = deque()
    freq = Frequencies()
    new_purchase = weights.new_purchase_hours * 3_600
    for cand in candidates:
        if recent and recent[0].time < cand.time - span - _SLACK:
            _evict(blocks, recent, cand.time - span - _SLACK)
        freq.add(cand.tokens, cand.street)
        seen = {cand.id}
        for key in cand.blocks:
            block = blocks.setdefault(key, cand)  # one dict operation for a new key, the usual case
            if block is cand:
                continue
            if type(block) is not list:
                block = blocks[key] = [block]
            others, in_window = _worth_comparing(block, cand, seen, span, new_purchase)
            found.compared += in_window
            for other in others:
                _try_pair(found, other, cand, threshold, distinct, weights, freq)
            if len(block) == BLOCK_CAP:
                found.capped.add(key_with_hash(cand, key))
                del block[0]  # the oldest order makes room: a block holds its last BLOCK_CAP orders
            block.append(cand)
        recent.append(cand)
        found.seen += 1
        if tick is not None and found.seen % 10_000 == 0:
            tick(found.seen)



def _worth_comparing(block: list[Candidate], cand: Candidate, seen: set[int], span: float,
                     new_purchase: float) -> tuple[list[Candidate], int]:
    """The block's orders not seen yet, in the window, with a target among the two, and not other
    products bought later (a new purchase: the first test of `compare`, done here because it
    rules out most pairs); also how many were in the window, for `Found.compared`."""
    low, high = cand.time - span, cand.time + span
    late, early = cand.time - new_purchase, cand.time + new_purchase
    products, target = cand.products, cand.target
    others, in_window = [], 0
    mark = seen.add
    for other in block:  # the hottest loop of a dense batch: cheapest tests first, no calls
        oid = other.id
        if oid in seen:
            continue
        mark(oid)
        t = other.time
        if t < low or t > high or not (target or other.target):
            continue
        in_window += 1
        if products and (t <= late or t >= early) and other.products and products.isdisjoint(other.products):
            continue
        others.append(other)
    return others, in_window


def _try_pair(found: Found, a: Candidate, b: Candidate, threshold: float, distinct: set[tuple[int, int]],
              weights: Weights, freq: Frequencies) -> None:
    pair = (a.id, b.id) if a.id < b.id else (b.id, a.id)
    if pair in distinct:
        return
    match = judge(a, b, threshold, weights, freq)
    if match is not None and match.kind == DISTINCT:
        found.conflicts.add((match.order_a, match.order_b))
    elif match is not None:
        found.matches.append(match)
        found.orders[a.id] = a.brief()
        found.orders[b.id] = b.brief()


def _evict(blocks: dict[int, Candidate | list[Candidate]], recent: deque[Candidate], before: float) -> None:
    """Forget orders older than the window; blocks hold orders in arrival order, like `recent`."""
    while recent and recent[0].time < before:
        old = recent.popleft()
        for key in old.blocks:
            block = blocks.get(key)
            if block is old:
                del blocks[key]
            elif type(block) is list and block[0] is old:
                del block[0]
                if not block:
                    del blocks[key]
