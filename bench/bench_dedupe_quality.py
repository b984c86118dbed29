"""Dedupe quality on labelled data: Febrl 1, 2 and 4 turned into COD orders, and a hard Italian set.

For each set, with and without phones, the orders are imported into a temporary ledger, the real
`run_dedupe` runs on it, and the pairs inside its clusters are scored against the labels:
precision, recall and F1. Beside each line, the same orders are linked by two anchors when they
are installed (`pip install 'codtool[bench]'`): recordlinkage (blocking on postcode, phone and
sorted surname; Jaro-Winkler and exact comparisons; its unsupervised ECM classifier) and splink
on DuckDB (a comparison per field, seven blocking rules, EM training on the batch itself).
For Febrl, a second line counts the true pairs whose given names codtool reads as two people
(two listed names, a gender pair: its family rule) and codtool's recall on the others.

    .venv/bin/python bench/bench_dedupe_quality.py [--sets febrl1,febrl2,febrl4,italian,italian-noemail]
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

from codtool.dedupe.keys import name_key, name_tokens  # noqa: E402
from codtool.dedupe.run import Options, run_dedupe  # noqa: E402
from codtool.dedupe.scoring import DEFAULT_WEIGHTS, NO_FREQUENCIES, Weights, load_weights, name_evidence  # noqa: E402
from codtool.ledger import open_ledger  # noqa: E402
from codtool.ledger import orders as store  # noqa: E402


def load(ledger, orders: list[dict]) -> None:
    """One shop, one batch; ledger id i+1 is orders[i]."""
    conn = ledger.session
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
        started = time.process_time()
        result = run_dedupe(ledger, Options(window, threshold, None, weights))
        elapsed = time.process_time() - started
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


def splink_pairs(orders: list[dict]) -> set[tuple[int, int]] | None:
    """Splink (DuckDB) on the same orders, set up as its users do: a comparison per field, blocking
    rules whose union is the candidate set, lambda from deterministic rules, u by random sampling,
    m by EM on the batch itself (no labels); pairs at match probability >= 0.9. None when not installed."""
    try:
        import logging

        import pandas as pd
        import splink.comparison_library as cl
        from splink import DuckDBAPI, Linker, SettingsCreator, block_on
    except ImportError:
        return None
    logging.getLogger("splink").setLevel(logging.ERROR)
    frame = pd.DataFrame([{"unique_id": i, **_anchor_fields(o)} for i, o in enumerate(orders, start=1)])
    frame = frame.replace("", None)
    rules = [block_on("phone"), block_on("email"), block_on("postcode", "surname"), block_on("given", "surname"),
             block_on("street", "number"), block_on("given", "city"), block_on("postcode", "number")]
    comparisons = [cl.NameComparison("given"), cl.NameComparison("surname"),
                   cl.JaroWinklerAtThresholds("street", [0.92, 0.8]), cl.LevenshteinAtThresholds("number", 1),
                   cl.DamerauLevenshteinAtThresholds("postcode", 1), cl.JaroWinklerAtThresholds("city", [0.92])]
    deterministic = [block_on("given", "surname", "postcode")]
    for column, comparison in (("phone", cl.DamerauLevenshteinAtThresholds("phone", [1, 2])),
                               ("email", cl.EmailComparison("email"))):
        if frame[column].notna().any():  # a column with no values at all cannot be trained
            comparisons.append(comparison)
            deterministic.append(block_on(column))
    settings = SettingsCreator(link_type="dedupe_only", blocking_rules_to_generate_predictions=rules,
                               comparisons=comparisons, retain_intermediate_calculation_columns=False,
                               retain_matching_columns=False)
    linker = Linker(DuckDBAPI().register(frame), settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    for rule in (block_on("postcode"), block_on("surname"), block_on("street")):
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    found = linker.inference.predict(threshold_match_probability=0.9).as_pandas_dataframe()
    return {(min(a, b), max(a, b)) for a, b in zip(found["unique_id_l"], found["unique_id_r"], strict=True)}


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
    parser.add_argument("--no-anchor", action="store_true", help="skip recordlinkage and splink")
    parser.add_argument("--weights", type=Path, help="a weights file for codtool (default: the shipped weights)")
    args = parser.parse_args()
    weights = load_weights(args.weights) if args.weights else DEFAULT_WEIGHTS
    print(f"{'set':<8} {'phones':<6} {'orders':>6} {'pairs':>5} | {'codtool P':>9} {'R':>6} {'F1':>6} {'cpu s':>5} "
          f"| {'recordlinkage P':>15} {'R':>6} {'F1':>6} | {'splink P':>8} {'R':>6} {'F1':>6}")
    for name in args.sets.split(","):
        for phones in (True, False):
            kinds = None
            if name.startswith("italian"):  # "italian-noemail": the same orders, none with an email
                orders, labels, kinds = italian_orders(args.customers, args.seed, phones, name == "italian")
            else:
                orders, labels = febrl_orders(name, phones)
            truth = true_pairs(labels)
            found, elapsed = codtool_pairs(orders, args.threshold, args.window_days, weights)
            p, r, f = prf(found, truth)
            line = (f"{name:<8} {'yes' if phones else 'no':<6} {len(orders):>6} {len(truth):>5} | {p:>9.4f} "
                    f"{r:>6.4f} {f:>6.4f} {elapsed:>5.1f}")
            if not args.no_anchor:
                for width, anchor in ((15, recordlinkage_pairs(orders)), (8, splink_pairs(orders))):
                    line += " | " + (" ".join(f"{x:>6.4f}" for x in prf(anchor, truth)).rjust(width + 14)
                                     if anchor is not None else "not installed".rjust(width + 14))
            print(line, flush=True)
            if kinds is not None:
                _false_by_kind(found - truth, labels, kinds)
            else:
                _replaced_names(orders, truth, found)


def _replaced_names(orders: list[dict], truth: set[tuple[int, int]], found: set[tuple[int, int]]) -> None:
    """Febrl replaces a given name wholly in some duplicates (same surname, address, often phone); when
    both are listed names codtool reads another person of the family (a man and a woman: never merged;
    one gender: merged only when the rest of the evidence is strong). How many true pairs that is,
    how many were found, and the recall on the rest."""
    replaced = {(a, b) for a, b in truth if _given_differs(orders[a - 1], orders[b - 1])}
    rest = truth - replaced
    recall = len(found & rest) / len(rest) if rest else 1.0
    print(f"         given names of two people in {len(replaced)} true pairs ({len(replaced) / len(truth):.1%}), "
          f"{len(found & replaced)} found; codtool recall on the other pairs {recall:.4f}")


def _given_differs(a: dict, b: dict) -> bool:
    evidence = name_evidence(name_tokens(name_key(a["customer_name"])), name_tokens(name_key(b["customer_name"])),
                             NO_FREQUENCIES, DEFAULT_WEIGHTS)
    return any(e.field == "given name" and e.level in ("different", "same gender") for e in evidence)


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
