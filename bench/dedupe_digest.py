"""A digest of what `codtool dedupe` would find on a ledger, without writing to it: for speed work.

Prints the counts, a SHA-256 of every pair (ids, score, kind, reasons, weight), conflict, capped
rule and cluster (key, kept order, score, kind, pairs), CPU and wall time and peak memory. Run it
on the same ledger with the code before and after a change (for the code before, a `git archive`
copy put first on PYTHONPATH): the digests must be equal.

    PYTHONPATH=/tmp/before .venv/bin/python bench/dedupe_digest.py LEDGER.db
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import time
from pathlib import Path

from codtool.dedupe.clusters import build_clusters
from codtool.dedupe.finder import find_matches
from codtool.dedupe.run import Options, _candidates
from codtool.ledger import dedupe as store
from codtool.ledger import open_ledger


def main(path: str) -> None:
    ledger = open_ledger(Path(path))
    options = Options()
    _, first, last = store.target_span(ledger.session, None)
    wall, cpu = time.perf_counter(), time.process_time()
    found = find_matches(_candidates(ledger, options, first, last), options.window_days, options.threshold,
                         store.declared_distinct(ledger.session), None, options.weights)
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
    print(f"{path}: {found.seen:,} orders, {found.compared:,} pairs compared, {len(found.matches):,} matching, "
          f"{len(found.conflicts):,} conflicts, {len(clusters):,} clusters, capped {found.capped_by_rule()}; "
          f"digest {digest.hexdigest()[:16]}; {wall:.2f} s wall, {cpu:.2f} s CPU, peak {peak:.0f} MiB")
    ledger.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ledger", help="a SQLite ledger file (no clusters are stored)")
    main(parser.parse_args().ledger)
