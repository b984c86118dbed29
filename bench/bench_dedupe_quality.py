"""Dedupe quality on labelled data: Febrl 1, 2 and 4 turned into COD orders, and a hard Italian set.

For each set, with and without phones, the orders are imported into a temporary ledger, the real
`run_dedupe` runs on it, and the pairs inside its clusters are scored against the labels:
precision, recall and F1. Beside each line, the same orders are linked by recordlinkage (an
anchor: blocking on postcode, phone and sorted surname; Jaro-Winkler and exact comparisons; its
unsupervised ECM classifier) when it is installed (`pip install 'codtool[bench]'`).

    .venv/bin/python bench/bench_dedupe_quality.py [--sets febrl1,febrl2,febrl4,italian] [--customers 3000]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from labelled_orders import febrl_orders, italian_orders  # noqa: E402

from codtool.dedupe.run import Options, run_dedupe  # noqa: E402
from codtool.dedupe.scoring import DEFAULT_WEIGHTS, Weights, load_weights  # noqa: E402
from codtool.ledger import open_ledger  # noqa: E402
from codtool.ledger import orders as store  # noqa: E402


def load(ledger, orders: list[dict]) -> None:
    """One shop, one batch; ledger id i+1 is orders[i]."""
    conn = ledger.conn
    with ledger.transaction():
        shop = store.shop_id(conn, "quality")
        batch = store.create_batch(conn, shop, "quality.csv", "quality", "generic", "utf-8", ",")
        rows = []
        for line, o in enumerate(orders, start=2):
            total = sum(i["qty"] * i["price_minor"] for i in o["items"])
            rows.append((shop, batch, f"Q{line}", line, o["created_at"], o["customer_name"], o["phone"], o["email"],
                         o["address1"], o["address2"], o["city"], o["postcode"], o["province"], o["country"], "cod",
                         1, total, total, "EUR", json.dumps(o["items"]), "", "new"))
        store.insert_orders(conn, rows)


def true_pairs(labels: list[str]) -> set[tuple[int, int]]:
    by_label: dict[str, list[int]] = {}
    for order_id, label in enumerate(labels, start=1):
        by_label.setdefault(label, []).append(order_id)
    return {pair for ids in by_label.values() for pair in combinations(ids, 2)}


def prf(predicted: set[tuple[int, int]], truth: set[tuple[int, int]]) -> tuple[float, float, float]:
    hits = len(predicted & truth)
    p = hits / len(predicted) if predicted else 1.0
    r = hits / len(truth) if truth else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def codtool_pairs(orders: list[dict], threshold: float, window: int,
                  weights: Weights = DEFAULT_WEIGHTS) -> tuple[set[tuple[int, int]], float]:
    with tempfile.TemporaryDirectory() as tmp:
        ledger = open_ledger(Path(tmp) / "quality.db")
        load(ledger, orders)
        started = time.perf_counter()
        result = run_dedupe(ledger, Options(window, threshold, None, weights))
        elapsed = time.perf_counter() - started
        ledger.close()
    return {pair for c in result.clusters for pair in combinations(c.members, 2)}, elapsed


def recordlinkage_pairs(orders: list[dict]) -> set[tuple[int, int]] | None:
    """The anchor on the same orders; None when recordlinkage is not installed."""
    try:
        import pandas as pd
        import recordlinkage as rl
    except ImportError:
        return None
    frame = pd.DataFrame([_anchor_fields(o) for o in orders], index=range(1, len(orders) + 1))
    # a missing phone must not put every order without one in one block
    frame["phone_block"] = [p or f"none{i}" for i, p in zip(frame.index, frame["phone"], strict=True)]
    frame = frame.replace("", None)
    index = rl.Index()
    index.block("postcode")
    index.block("phone_block")
    index.sortedneighbourhood("surname", window=9)
    index.block(["given", "city"])
    pairs = index.index(frame)
    compare = rl.Compare()
    for column in ("given", "surname", "street", "city", "extra"):
        compare.string(column, column, method="jarowinkler", threshold=0.85, label=column)
    for column in ("number", "postcode", "phone", "email"):
        compare.exact(column, column, label=column, missing_value=0)
    features = compare.compute(pairs, frame)
    found = rl.ECMClassifier(binarize=0.5).fit_predict(features)
    return {(min(a, b), max(a, b)) for a, b in found}


def _anchor_fields(o: dict) -> dict:
    words = o["customer_name"].lower().split()
    address = o["address1"].lower().replace(",", " ").split()
    number = next((w for w in address if w[:1].isdigit()), "")
    digits = "".join(ch for ch in o["phone"] if ch.isdigit())[-9:]
    return {"given": words[0] if words else "", "surname": words[-1] if len(words) > 1 else "",
            "street": " ".join(w for w in address if w != number), "number": number, "city": o["city"].lower(),
            "postcode": o["postcode"], "phone": digits, "email": o["email"].lower(), "extra": o["address2"].lower()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="febrl1,febrl2,febrl4,italian")
    parser.add_argument("--customers", type=int, default=3000, help="customers in the Italian set")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--threshold", type=float, default=85.0)
    parser.add_argument("--window-days", type=int, default=7)
    parser.add_argument("--no-anchor", action="store_true", help="skip recordlinkage")
    parser.add_argument("--weights", type=Path, help="a weights file for codtool (default: the shipped weights)")
    args = parser.parse_args()
    weights = load_weights(args.weights) if args.weights else DEFAULT_WEIGHTS
    print(f"{'set':<10} {'phones':<7} {'orders':>7} {'pairs':>6} | {'codtool P':>9} {'R':>6} {'F1':>6} {'s':>5} "
          f"| {'recordlinkage P':>15} {'R':>6} {'F1':>6}")
    for name in args.sets.split(","):
        for phones in (True, False):
            kinds = None
            if name == "italian":
                orders, labels, kinds = italian_orders(args.customers, args.seed, phones)
            else:
                orders, labels = febrl_orders(name, phones)
            truth = true_pairs(labels)
            found, elapsed = codtool_pairs(orders, args.threshold, args.window_days, weights)
            p, r, f = prf(found, truth)
            line = (f"{name:<10} {'yes' if phones else 'no':<7} {len(orders):>7} {len(truth):>6} | {p:>9.4f} "
                    f"{r:>6.4f} {f:>6.4f} {elapsed:>5.1f}")
            anchor = None if args.no_anchor else recordlinkage_pairs(orders)
            if anchor is not None:
                ap, ar, af = prf(anchor, truth)
                line += f" | {ap:>15.4f} {ar:>6.4f} {af:>6.4f}"
            print(line, flush=True)
            if kinds is not None:
                _false_by_kind(found - truth, labels, kinds)


def _false_by_kind(wrong: set[tuple[int, int]], labels: list[str], kinds: dict[str, str]) -> None:
    """Which look-alikes were merged wrongly: family members, namesakes, re-orders."""
    counted = Counter()
    for a, b in wrong:
        ka, kb = kinds[labels[a - 1]], kinds[labels[b - 1]]
        counted[ka if ka != "original" else kb] += 1
    print("           false pairs by look-alike kind: " + (", ".join(f"{k} {v}" for k, v in sorted(counted.items()))
                                                           or "none"))


if __name__ == "__main__":
    main()
