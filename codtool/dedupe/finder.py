"""Candidate pairs by blocking in a sliding time window: near-linear, bounded memory.

Orders arrive sorted by creation time. Each order is compared only with the recent orders
(within the window) that share a key of one of the blocking rules (`blocking`), and at most
`BLOCK_CAP` of them per key, so a placeholder phone shared by thousands of orders cannot make
the run quadratic: such blocks are counted in `Found.capped` and reported.

Memory follows the window, not the run, and little of it: the window (`window.Window`) holds
each order as some 30 bytes of arrays (its blocking keys and packed fields on disk), and takes
orders `BATCH` at a time so that numpy finds the blocks of thousands at once. What must go order by order stays
here: the name and street frequencies, the exact tests and scoring. An order matched leaves only
its `Brief` for the clusters.
The cyclic garbage collector is paused while the window is built: the finder makes no
reference cycles, and each full collection would walk every object in the window again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING

from codtool import collector
from codtool.dedupe.blocking import key_with_hash, rule_of
from codtool.dedupe.candidates import Brief, Candidate
from codtool.dedupe.scoring import DEFAULT_WEIGHTS, Frequencies, Weights
from codtool.dedupe.similarity import DISTINCT, Match, judge

if TYPE_CHECKING:
    from codtool.dedupe.window import Window

DAY = 86_400
BATCH = 8_192  # orders read at once: each batch costs a pass over the window's index (see `window`)


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
                 weights: Weights = DEFAULT_WEIGHTS, batch: int = BATCH) -> Found:
    """Pairs with at least one target order, created within the window, not declared distinct.
    (`batch` changes only how many orders the window takes at once, never what is found.)"""
    found = Found()
    with collector.paused():
        _scan(found, candidates, window_days * DAY, threshold, distinct, tick, weights, batch)
    return found


def _scan(found: Found, candidates: Iterable[Candidate], span: float, threshold: float,
          distinct: set[tuple[int, int]], tick: Callable[[int], None] | None, weights: Weights, batch: int) -> None:
    from codtool.dedupe.window import Window  # numpy: loaded by the run, not by `codtool --help`

    new_purchase = weights.new_purchase_hours * 3_600
    window = Window(span, new_purchase, batch)
    try:
        _pass(found, window, iter(candidates), threshold, distinct, tick, weights, batch)
    finally:
        window.close()   # its files on disk (unlinked already: this frees their space now, not at exit)


def _pass(found: Found, window: Window, source: Iterator[Candidate], threshold: float, distinct: set[tuple[int, int]],
          tick: Callable[[int], None] | None, weights: Weights, batch: int) -> None:
    from codtool.dedupe.window import Batch

    new_purchase, freq = window.new_purchase, Frequencies()
    while (orders := Batch.read(islice(source, batch))).times:
        met = window.meet(orders)
        found.compared += met.compared
        first, read = window.size - len(orders.times), window.order
        for i, key in met.capped:
            found.capped.add(key_with_hash(read(first + i), key))
        for i, (tokens, street) in enumerate(orders.words):
            freq.add(tokens, street)
            if met.starts[i] < met.starts[i + 1]:
                _try_pairs(found, read(first + i), map(read, met.others[met.starts[i]:met.starts[i + 1]]),
                           new_purchase, threshold, distinct, weights, freq)
            found.seen += 1
            if tick is not None and found.seen % 10_000 == 0:
                tick(found.seen)


def _try_pairs(found: Found, cand: Candidate, others: Iterable[Candidate], new_purchase: float, threshold: float,
               distinct: set[tuple[int, int]], weights: Weights, freq: Frequencies) -> None:
    """Score the order with each earlier one the window let through, but other products bought later
    (the window's masks of products share a bit by chance now and then: the sets say for sure)."""
    late, early = cand.time - new_purchase, cand.time + new_purchase
    for other in others:
        t = other.time
        if cand.products and (t <= late or t >= early) and other.products and cand.products.isdisjoint(other.products):
            continue
        _try_pair(found, other, cand, threshold, distinct, weights, freq)


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
