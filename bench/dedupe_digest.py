"""A digest of what `codtool dedupe` would find on a ledger, without writing to it: for speed work.

Prints the counts, a SHA-256 of every pair (ids, score, kind, reasons, weight), conflict, capped
rule and cluster (key, kept order, score, kind, pairs), CPU and wall time and peak memory. Run it
on the same ledger with the code before and after a change (for the code before, a `git archive`
copy put first on PYTHONPATH): the digests must be equal.

    PYTHONPATH=/tmp/before .venv/bin/python bench/dedupe_digest.py LEDGER.db

`--denser N` squeezes the orders' creation times N times towards the first one, so that the
window holds as many orders as on a ledger N times larger with the same span (bench_day.py packs
every size into six weeks): a 200,000-row day with `--denser 5` stands in for the window of the
million-row day without building it. (Caches and the batch-sized results still follow the
ledger's real size.)
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import time
from datetime import datetime
from pathlib import Path

from codtool.dedupe.clusters import build_clusters
from codtool.dedupe.finder import find_matches
from codtool.dedupe.run import Options, _candidates, _reach
from codtool.ledger import dedupe as store
from codtool.ledger import open_ledger


def main(path: str, denser: float) -> None:
    ledger = open_ledger(Path(path))
    options = Options()
    _, first, last = store.target_span(ledger.session, None)
    if denser != 1:
        _squeeze(first, denser)
    wall, cpu = time.perf_counter(), time.process_time()
    found = find_matches(_candidates(ledger, options, first, last), options.window_days, options.threshold,
                         store.declared_distinct(ledger.session, *_reach(options, first, last)), None, options.weights)
    clusters = build_clusters(found.matches, found.orders, found.conflicts)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    digest = hashlib.sha256()
    for m in sorted(found.matches, key=lambda m: (m.order_a, m.order_b)):
        digest.update(repr((m.order_a, m.order_b, m.score, m.kind, m.reasons, m.weight)).encode())
    digest.update(repr(sorted(found.conflicts)).encode())
    digest.update(repr((found.compared, found.seen, found.capped_by_rule())).encode())
    for c in clusters:
        digest.update(repr((c.key, c.keep, c.score, c.kind, [(p.order_a, p.order_b) for p in c.pairs])).encode())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{path}{f' (denser {denser:g}x)' if denser != 1 else ''}: {found.seen:,} orders, "
          f"{found.compared:,} pairs compared, {len(found.matches):,} matching, "
          f"{len(found.conflicts):,} conflicts, {len(clusters):,} clusters, capped {found.capped_by_rule()}; "
          f"digest {digest.hexdigest()[:16]}; {wall:.2f} s wall, {cpu:.2f} s CPU, peak {peak:.0f} MiB")
    ledger.close()


def _squeeze(first: str, denser: float) -> None:
    """Make `store.candidate_rows` give every creation time `denser` times nearer to `first`, in the
    same text form, so the code before and after a change reads the same squeezed orders."""
    start, rows = datetime.fromisoformat(first), store.candidate_rows

    def squeezed(conn, low, high):
        for row in rows(conn, low, high):
            moment = datetime.fromisoformat(row.created_at)
            yield row._replace(created_at=(start + (moment - start) / denser).isoformat())

    store.candidate_rows = squeezed


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ledger", help="a SQLite ledger file (no clusters are stored)")
    parser.add_argument("--denser", type=float, default=1.0,
                        help="squeeze creation times this many times (default 1: as stored)")
    args = parser.parse_args()
    main(args.ledger, args.denser)
