"""Benchmark: reconcile N delivered COD parcels against their remittance lines, beside a bare pandas merge.

Run: python bench/bench_reconcile.py [--parcels 1000000]   (a scratch world is made in a temporary folder)

The world is scripts/remit_month.py's generated month (three couriers, every discrepancy kind
injected). Timed: the first `reconcile` (classify and post every delivery, line and credit),
a second one (nothing new to post), the classification alone on the loaded facts, and a bare
`pandas.merge` of the same parcels and lines on (courier, tracking number) with the net
difference computed: the floor any reconciliation in Python pays. Memory is the process's maximum
resident set after each step (the first figure is building the world).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from remit_month import AS_OF, build_month  # noqa: E402

from codtool.config import load_config  # noqa: E402
from codtool.ledger import open_ledger  # noqa: E402
from codtool.remit.bank import import_statement  # noqa: E402
from codtool.remit.classify import classify  # noqa: E402
from codtool.remit.fees import courier_fee  # noqa: E402
from codtool.remit.files import import_remittance, load_mapping  # noqa: E402
from codtool.remit.reconcile import load_facts, reconcile  # noqa: E402


def _rss() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label: str, work):
    start = time.perf_counter()
    result = work()
    elapsed = time.perf_counter() - start
    print(f"{label:<46} {elapsed:8.2f} s   max RSS so far {_rss():6.0f} MiB")
    return result, elapsed


def bare_merge(facts, config) -> int:
    """The same join done the plainest way: parcels outer-merged with lines, net difference per parcel."""
    ps, ls = facts.parcels, facts.lines
    parcels = pd.DataFrame({"courier": [p.courier for p in ps], "tracking": [p.tracking for p in ps],
                            "cod": [p.cod for p in ps],
                            "fee": [courier_fee(p.cod, config.couriers[p.courier]) for p in ps]})
    lines = pd.DataFrame({"courier": [ln.courier for ln in ls], "tracking": [ln.tracking for ln in ls],
                          "net": [ln.net for ln in ls]})

    def merge():
        joined = parcels.merge(lines, on=["courier", "tracking"], how="outer", indicator=True)
        joined["difference"] = joined["cod"] - joined["fee"] - joined["net"]
        return int((joined["difference"] != 0).sum())

    return timed("bare pandas merge (same parcels and lines)", merge)[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parcels", type=int, default=1_000_000, help="parcels in the generated month")
    count = parser.parse_args().parcels
    with tempfile.TemporaryDirectory() as tmp:
        world, _ = timed(f"generate a month of {count:,} parcels", lambda: build_month(Path(tmp), count))
        config = load_config(world.config)
        ledger = open_ledger(world.db)

        def load_files():
            for courier, files in world.remittance_files.items():
                terms = config.courier(courier)
                mapping = load_mapping(config.file(terms.remittance_mapping))
                for path in files:
                    import_remittance(ledger, path, courier, config.currency, mapping)
            for path in world.bank_files:
                import_statement(ledger, path, config.currency)

        timed(f"remit import + bank ({world.lines:,} lines)", load_files)
        first, t_first = timed("reconcile, first run (posts everything)", lambda: reconcile(ledger, config, AS_OF))
        delivered, open_, posted = len(first.classified.parcel_cycle), len(first.open), first.new_transactions
        del first  # one result in memory at a time, as in a real run
        _, t_again = timed("reconcile, second run (posts nothing)", lambda: reconcile(ledger, config, AS_OF))
        facts, _ = timed("load facts", lambda: load_facts(ledger.session, config, AS_OF))
        _, t_classify = timed("classify only", lambda: classify(
            facts.parcels, facts.lines, facts.remittances, facts.bank, config.couriers, AS_OF))
        t_merge = bare_merge(facts, config)
        ledger.close()
        print(f"delivered parcels {delivered:,}, lines {len(facts.lines):,}, open discrepancies {open_:,}, "
              f"transactions posted {posted:,}")
        print(f"classify / bare merge: {t_classify / t_merge:.1f}x; second reconcile / bare merge: "
              f"{t_again / t_merge:.1f}x; first reconcile / bare merge: {t_first / t_merge:.1f}x")
        print(f"peak memory (max RSS) {_rss():.0f} MiB")


if __name__ == "__main__":
    main()
