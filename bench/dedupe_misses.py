"""Why dedupe misses true pairs: each false negative by cause, with a sample of field levels.

Causes: `blocking` (the two orders share no blocking key: never compared; split by whether they
would have matched, or were kept apart by the family rule or a low score too), `new purchase`
(other products two hours or more apart), `family rule` (a given name read as another person's,
without which the pair would match), `below threshold` (compared and scored too low; the
negative fields are counted), `cluster` (the pair matched but was left out of a cluster, or its
orders sit in two clusters kept apart by a conflict). False positives are listed the same way.

    .venv/bin/python bench/dedupe_misses.py [--sets febrl2] [--phones yes|no|both] [--sample 15] [--two-people]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_dedupe_quality import load, true_pairs  # noqa: E402
from labelled_orders import febrl_orders, italian_orders  # noqa: E402

from codtool.dedupe.clusters import build_clusters  # noqa: E402
from codtool.dedupe.finder import find_matches  # noqa: E402
from codtool.dedupe.run import Options, _candidates  # noqa: E402
from codtool.dedupe.scoring import DEFAULT_WEIGHTS, Frequencies, load_weights, probability  # noqa: E402
from codtool.dedupe.similarity import _new_purchase, pair_evidence  # noqa: E402
from codtool.ledger import open_ledger  # noqa: E402
from codtool.ledger.dedupe import target_span  # noqa: E402


def analyse(orders: list[dict], labels: list[str], weights, threshold: float, sample: int,
            kinds: dict[str, str] | None, two_people: bool = False) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ledger = open_ledger(Path(tmp) / "m.db")
        load(ledger, orders)
        _, first, last = target_span(ledger.session, None)
        cands = list(_candidates(ledger, Options(7, threshold, None, weights), first, last))
        ledger.close()
    by_id = {c.id: c for c in cands}
    found = find_matches(iter(cands), 7, threshold, set(), None, weights)
    clusters = build_clusters(found.matches, found.orders, found.conflicts)
    predicted = {p for c in clusters for p in combinations(c.members, 2)}
    matched = {(m.order_a, m.order_b) for m in found.matches}
    freq = Frequencies()
    for c in cands:
        freq.add(c.tokens, c.street)
    truth = true_pairs(labels)
    causes: Counter[str] = Counter()
    negatives: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    for a, b in sorted(truth - predicted):
        x, y = by_id[a], by_id[b]
        cause, text = _cause(x, y, matched, weights, freq, threshold, negatives)
        causes[cause] += 1
        examples.setdefault(cause, []).append(text)
    if two_people:
        family = _family_pairs(labels, kinds) if kinds else set()
        pairs = family if kinds else truth - predicted
        _two_people(pairs, by_id, weights, freq, threshold, "family pairs" if kinds else "missed true pairs")
    p = len(predicted & truth) / len(predicted) if predicted else 1
    r = len(predicted & truth) / len(truth)
    print(f"  true {len(truth)} predicted {len(predicted)} P {p:.4f} R {r:.4f}; missed {sum(causes.values())}: "
          + ", ".join(f"{k} {v}" for k, v in causes.most_common()))
    print("  negative fields among below-threshold misses: "
          + ", ".join(f"{k} {v}" for k, v in negatives.most_common(14)))
    for cause, texts in examples.items():
        print(f"  -- {cause}")
        for t in texts[:sample]:
            print("    " + t)
    wrong = sorted(predicted - truth)
    if wrong:
        print(f"  -- false pairs {len(wrong)}")
        for a, b in wrong[:sample]:
            x, y = by_id[a], by_id[b]
            ev = pair_evidence(x, y, weights, freq) or []
            kind = ""
            if kinds:
                ka, kb = kinds[labels[a - 1]], kinds[labels[b - 1]]
                kind = ka if ka != "original" else kb
            print(f"    [{kind}] {_show(x)} || {_show(y)}\n       " + ", ".join(map(str, ev)))


def _cause(x, y, matched, weights, freq, threshold, negatives) -> tuple[str, str]:
    pair = (min(x.id, y.id), max(x.id, y.id))
    head = f"{_show(x)} || {_show(y)}"
    if _new_purchase(x, y, weights):
        return "new purchase", head
    if pair in matched:
        return "cluster", head
    ev = pair_evidence(x, y, weights, freq) or []
    total = sum(e.weight for e in ev)
    text = f"{head}\n       sum {total - weights.offset:+.1f}: " + ", ".join(map(str, ev))
    penalty = sum(e.weight for e in ev if e.field == "given name" and e.level in ("different", "same gender"))
    if not set(x.keys) & set(y.keys):  # never compared: would the pair have matched?
        would = probability(total, weights) >= threshold
        return f"blocking ({'would match' if would else 'family rule too' if penalty else 'too low too'})", text
    if penalty:
        return "family rule", text
    for e in ev:
        if e.weight < 0:
            negatives[f"{e.field} {e.level}"] += 1
    return "below threshold", text


def _family_pairs(labels: list[str], kinds: dict[str, str]) -> set[tuple[int, int]]:
    """Every pair of an Italian customer's order and an order of a family member at their address."""
    ids: dict[str, list[int]] = {}
    for oid, label in enumerate(labels, start=1):
        ids.setdefault(label, []).append(oid)
    return {(min(a, b), max(a, b)) for label, kind in kinds.items() if kind == "family"
            for a in ids.get(label[:-2], ()) for b in ids.get(label, ())}


_AGREE = {"phone": ("exact",), "street": ("exact",), "number": ("exact",), "postcode": ("exact",),
          "items": ("same", "overlap")}


def _two_people(pairs, by_id, weights, freq, threshold: float, what: str) -> None:
    """Of the pairs whose given names read as two people, how many show each pattern that might tell a
    re-submission from a family: all else agreeing within a day, a score above the bar without the
    given name, the time apart, exact addresses, the same surname, the same products."""
    counted: Counter[str] = Counter()
    for a, b in pairs:
        x, y = by_id[a], by_id[b]
        ev = pair_evidence(x, y, weights, freq) or []
        two = [e for e in ev if e.field in ("given name", "surname") and e.level in ("different", "same gender")]
        if not two:
            continue
        levels = {e.field: e.level for e in ev}
        day = abs(x.time - y.time) < 86_400
        counted["read as two people"] += 1
        counted["all else agrees within 24 h"] += day and all(levels.get(f) in ok for f, ok in _AGREE.items())
        counted["above the bar without the given name"] += \
            probability(sum(e.weight for e in ev if e not in two), weights) >= threshold
        counted["within 24 h"] += day
        counted["street, number, postcode exact"] += all(levels.get(f) == "exact" for f in ("street", "number",
                                                                                            "postcode"))
        counted["other name part exact"] += any(e.level == "exact" for e in ev if e.field in ("given name",
                                                                                                "surname"))
        counted["the same products"] += levels.get("items") == "same"
    print(f"  {what}: " + ", ".join(f"{k} {v}" for k, v in counted.items()))


def _show(c) -> str:
    return f"#{c.id} {' '.join(c.tokens)} | {c.street} {c.number} | {c.extra} | {c.postcode} {c.city} | {c.phone}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sets", default="febrl1,febrl2,febrl4,italian")
    parser.add_argument("--phones", default="both")
    parser.add_argument("--sample", type=int, default=12)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--customers", type=int, default=3000)
    parser.add_argument("--threshold", type=float, default=85.0)
    parser.add_argument("--weights", type=Path)
    parser.add_argument("--two-people", action="store_true",
                        help="also count the patterns of the pairs read as two people (Febrl: missed true pairs; "
                             "Italian: family pairs)")
    args = parser.parse_args()
    weights = load_weights(args.weights) if args.weights else DEFAULT_WEIGHTS
    modes = {"both": (True, False), "yes": (True,), "no": (False,)}[args.phones]
    for name in args.sets.split(","):
        for phones in modes:
            kinds = None
            if name.startswith("italian"):  # "italian-noemail": no order with an email
                orders, labels, kinds = italian_orders(args.customers, args.seed, phones, name == "italian")
            else:
                orders, labels = febrl_orders(name, phones)
            print(f"== {name} phones={phones}")
            analyse(orders, labels, weights, args.threshold, args.sample, kinds, args.two_people)


if __name__ == "__main__":
    main()
