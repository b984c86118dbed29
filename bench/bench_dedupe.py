"""Benchmark for `codtool dedupe`: a labelled synthetic set, precision/recall/F1 and time.

Builds N orders in a temporary ledger: clean orders, injected duplicates of each kind the
detector should catch (double click, re-export to another shop, name typo, swapped names,
missing middle name, reformatted phone/address, accents) and look-alikes that are NOT
duplicates (family members at one address, the same name in another city, the same customer
re-ordering other products). Then runs the real `run_dedupe` on the ledger and scores the
clusters pairwise against the labels.

    .venv/bin/python bench/bench_dedupe.py --orders 100000
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from collections import Counter, deque
from datetime import datetime, timedelta
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from codtool.dedupe.run import Options, run_dedupe  # noqa: E402
from codtool.ledger import open_ledger  # noqa: E402
from codtool.ledger import orders as store  # noqa: E402

FIRST = ("Giulia", "Francesca", "Chiara", "Sara", "Martina", "Valentina", "Alessia", "Elena", "Federica",
         "Silvia", "Laura", "Paola", "Anna", "Roberta", "Simona", "Daniela", "Giovanna", "Antonia", "Carla",
         "Michela", "Lucia", "Beatrice", "Ilaria", "Serena", "Veronica", "Marco", "Alessandro", "Luca",
         "Giuseppe", "Francesco", "Andrea", "Matteo", "Lorenzo", "Davide", "Stefano", "Paolo", "Roberto",
         "Simone", "Daniele", "Giovanni", "Antonio", "Carlo", "Michele", "Fabio", "Massimo", "Riccardo",
         "Niccolò", "Emanuele", "Pietro")
MIDDLE = ("Maria", "Grazia", "Luigi", "Angelo", "Rosa", "Paolo")
LAST = ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco",
        "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi",
        "Moretti", "Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi", "Caruso", "Ferrara", "Galli",
        "Martini", "Leone", "Longo", "Gentile", "Martinelli", "Vitale", "Lombardo", "Serra", "Coppola",
        "De Santis", "D'Angelo", "Marchetti", "Parisi", "Villa", "Conte", "Ferraro", "Ferri", "Fabbri",
        "Bianco", "Marini", "Grasso", "Valentini", "Messina", "Sala", "De Angelis", "Gatti",
        "Pellegrini", "Palumbo", "Sanna", "Farina", "Rizzi", "Monti", "Cattaneo", "Morelli", "Amato",
        "Silvestri", "Mazza", "Testa", "Grassi", "Pellegrino", "Carbone", "Giuliani", "Benedetti", "Barone",
        "Rossetti", "Caputo", "Montanari", "Guerra", "Palmieri", "Bernardi", "Martino", "Fiore",
        "De Rosa", "Ferretti", "Bellini", "Basile", "Riva", "Donati", "Piras", "Vitali", "Battaglia",
        "Sartori", "Neri", "Costantini", "Milani", "Pagano", "Ruggiero", "Sorrentino", "D'Amico", "Orlando",
        "Damico", "Negri")
STREETS = (("Via", "Roma"), ("Via", "Garibaldi"), ("Via", "Mazzini"), ("Via", "Cavour"), ("Corso", "Italia"),
           ("Piazza", "Duomo"), ("Viale", "Europa"), ("Via", "Dante Alighieri"), ("Corso", "Vittorio Emanuele II"),
           ("Via", "XX Settembre"), ("Piazza", "della Repubblica"), ("Via", "Verdi"), ("Viale", "dei Mille"),
           ("Via", "San Francesco"), ("Via", "Marconi"), ("Via", "Matteotti"), ("Via", "Nazionale"))
ABBREVIATIONS = {"Via": "V.", "Corso": "C.so", "Piazza": "P.zza", "Viale": "V.le"}
CITIES = (("Roma", "00184", "RM"), ("Milano", "20121", "MI"), ("Napoli", "80134", "NA"), ("Torino", "10121", "TO"),
          ("Palermo", "90139", "PA"), ("Genova", "16121", "GE"), ("Bologna", "40121", "BO"),
          ("Firenze", "50122", "FI"), ("Bari", "70121", "BA"), ("Catania", "95131", "CT"),
          ("Cantù", "22063", "CO"), ("Forlì", "47121", "FC"), ("Verona", "37121", "VR"), ("Padova", "35121", "PD"))
PRODUCTS = [(f"SKU-{i:03d}", 990 + 500 * (i % 17)) for i in range(120)]
DUPLICATE_KINDS = ("double_click", "re_export", "name_typo", "swapped_name", "middle_name", "reformatted")
LOOKALIKE_KINDS = ("family", "namesake", "reorder")


class Synth:
    """Streams labelled orders in time order; `labels[i]` is the real purchase of order i+1."""

    def __init__(self, orders: int, seed: int, dup_rate: float, lookalike_rate: float, step: float = 0.0) -> None:
        self.rng = random.Random(seed)
        self.n, self.dup_rate, self.lookalike_rate = orders, dup_rate, lookalike_rate
        self.start = datetime(2026, 1, 1)
        self.step = step or max(60.0, 180 * 86_400 / orders)  # at least 180 days of orders
        self.recent: deque[dict] = deque(maxlen=max(10, int(2 * 86_400 / self.step)))  # the last ~2 days
        self.labels: list[int] = []
        self.kinds: Counter[str] = Counter()
        self.next_source = Counter()
        self.phones: set[str] = set()
        self.reexported: set[str] = set()

    def orders(self):
        for i in range(self.n):
            when = self.start + timedelta(seconds=i * self.step + self.rng.uniform(0, self.step))
            roll = self.rng.random()
            if self.recent and roll < self.dup_rate:
                kind = self.rng.choice(DUPLICATE_KINDS)
                original = self.rng.choice(self.recent)
                order, label = self._duplicate(kind, original), original["label"]
            elif self.recent and roll < self.dup_rate + self.lookalike_rate:
                kind = self.rng.choice(LOOKALIKE_KINDS)
                order, label = self._lookalike(kind, self.rng.choice(self.recent)), i
            else:
                kind, order, label = "clean", self._clean(), i
            order["created_at"] = when.isoformat(timespec="seconds")
            order["label"] = label
            if kind in ("clean", "family", "namesake", "reorder"):
                self.recent.append(order)
            self.kinds[kind] += 1
            self.labels.append(label)
            yield order

    def _source(self, shop: int) -> str:
        self.next_source[shop] += 1
        return f"#{1000 + self.next_source[shop]}"

    def _phone(self) -> str:
        while True:
            digits = f"3{self.rng.randint(20, 99)}{self.rng.randint(1_000_000, 9_999_999)}"
            if digits not in self.phones:
                self.phones.add(digits)
                return digits

    def _items(self) -> list[dict]:
        chosen = self.rng.sample(PRODUCTS, self.rng.choice((1, 1, 1, 2, 2, 3)))
        return [{"sku": sku, "name": sku, "qty": self.rng.choice((1, 1, 2)), "price_minor": p} for sku, p in chosen]

    def _clean(self) -> dict:
        first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
        middle = self.rng.choice(MIDDLE) if self.rng.random() < 0.1 else ""
        name = " ".join(x for x in (first, middle, last) if x)
        city, cap, _ = self.rng.choice(CITIES)
        kind, street = self.rng.choice(STREETS)
        phone = self._phone()
        shop = self.rng.randint(1, 3)
        email = f"{first}.{last}{self.rng.randint(1, 9999)}@example.it".lower().replace(" ", "").replace("'", "")
        return {"shop": shop, "source_id": self._source(shop), "customer_name": name,
                "phone": f"+39 {phone[:3]} {phone[3:]}", "email": email,
                "address1": f"{kind} {street} {self.rng.randint(1, 200)}", "city": city, "postcode": cap,
                "items": self._items()}

    def _duplicate(self, kind: str, original: dict) -> dict:
        order = dict(original)
        shop = order["shop"]
        order["source_id"] = self._source(shop)
        digits = original["phone"].replace("+39", "").replace(" ", "")
        if kind == "re_export" and original["source_id"] not in self.reexported:  # once: (shop, id) is unique
            self.reexported.add(original["source_id"])
            order["shop"] = shop % 3 + 1
            order["source_id"] = original["source_id"].lstrip("#")
        elif kind == "name_typo":
            order["customer_name"] = self._typo(original["customer_name"])
            order["email"] = ""
        elif kind == "swapped_name":
            parts = original["customer_name"].split(" ", 1)
            order["customer_name"] = f"{parts[1]} {parts[0]}".upper() if len(parts) == 2 else parts[0]
            order["phone"] = digits
        elif kind == "middle_name":
            words = original["customer_name"].split()
            order["customer_name"] = " ".join(words[:1] + words[2:]) if len(words) > 2 else \
                f"{words[0]} {self.rng.choice(MIDDLE)} {' '.join(words[1:])}"
            order["items"] = original["items"][:1]
        elif kind == "reformatted":
            street_kind, rest = original["address1"].split(" ", 1)
            order["address1"] = f"{ABBREVIATIONS[street_kind]} {rest.rsplit(' ', 1)[0]}, {rest.rsplit(' ', 1)[1]}"
            order["customer_name"] = _strip_accents(original["customer_name"]).lower()
            order["phone"] = f"0039 {digits[:3]} {digits[3:6]} {digits[6:]}"
            order["email"] = original["email"].upper()
        return order

    def _typo(self, name: str) -> str:
        words = name.split()
        i = self.rng.randrange(len(words))
        w = words[i]
        if len(w) >= 4:
            p = self.rng.randrange(1, len(w) - 2)
            op = self.rng.choice(("drop", "swap", "double"))
            w = {"drop": w[:p] + w[p + 1:], "swap": w[:p] + w[p + 1] + w[p] + w[p + 2:],
                 "double": w[:p] + w[p] + w[p:]}[op]
        words[i] = w
        return " ".join(words)

    def _lookalike(self, kind: str, other: dict) -> dict:
        order = self._clean()
        if kind == "family":  # another person at the same address, often the same landline or email
            last = other["customer_name"].split()[-1]
            first = self.rng.choice([f for f in FIRST if f not in other["customer_name"]])
            order["customer_name"] = f"{first} {last}"
            order.update({k: other[k] for k in ("address1", "city", "postcode")})
            if self.rng.random() < 0.5:
                order["phone"] = other["phone"]
            if self.rng.random() < 0.3:
                order["items"] = other["items"]
        elif kind == "namesake":  # same name and products, different person elsewhere
            order["customer_name"] = other["customer_name"]
            order["items"] = other["items"]
        else:  # the same customer ordering other products: a new purchase
            order.update({k: other[k] for k in ("customer_name", "phone", "email", "address1", "city", "postcode")})
            skus = {i["sku"] for i in other["items"]}
            order["items"] = [i for i in order["items"] if i["sku"] not in skus] or \
                [{"sku": "SKU-999", "name": "Gift card", "qty": 1, "price_minor": 2500}]
        return order


def _strip_accents(text: str) -> str:
    return text.translate(str.maketrans("àèéìòùÀÈÉÌÒÙ", "aeeiouAEEIOU"))


def load(ledger, synth: Synth, chunk: int = 20_000) -> None:
    conn = ledger.session
    with ledger.transaction():
        shops = {s: store.shop_id(conn, f"shop{s}") for s in (1, 2, 3)}
        batches = {s: store.create_batch(conn, shops[s], f"bench{s}.csv", f"bench-{s}", "generic", "utf-8", ",")
                   for s in shops}
    rows = []
    for line, o in enumerate(synth.orders(), start=2):
        total = sum(i["qty"] * i["price_minor"] for i in o["items"])
        rows.append((shops[o["shop"]], batches[o["shop"]], o["source_id"], line, o["created_at"],
                     o["customer_name"], o["phone"], o["email"], o["address1"], "", o["city"], o["postcode"], "",
                     "IT", "cod", 1, total, total, "EUR", json.dumps(o["items"]), "", "new"))
        if len(rows) >= chunk:
            with ledger.transaction() as conn:
                store.insert_orders(conn, rows)
            rows = []
    with ledger.transaction() as conn:
        store.insert_orders(conn, rows)


def score(clusters, labels: list[int]) -> tuple[float, float, float]:
    """Pairwise precision and recall: a pair is right when both orders are one purchase."""
    predicted = {pair for c in clusters for pair in combinations(c.members, 2)}
    by_label: dict[int, list[int]] = {}
    for order_id, label in enumerate(labels, start=1):
        by_label.setdefault(label, []).append(order_id)
    truth = {pair for ids in by_label.values() if len(ids) > 1 for pair in combinations(ids, 2)}
    hits = len(predicted & truth)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--duplicates", type=float, default=0.08, help="share of injected duplicates")
    parser.add_argument("--lookalikes", type=float, default=0.06, help="share of look-alikes")
    parser.add_argument("--window-days", type=int, default=7)
    parser.add_argument("--threshold", type=float, default=85.0)
    parser.add_argument("--seconds-apart", type=float, default=0.0,
                        help="mean seconds between orders (default: 180 days in all, at least 60 s, as at 1M orders)")
    parser.add_argument("--show-errors", type=int, default=0, help="print this many wrong and missed pairs")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        ledger = open_ledger(Path(tmp) / "bench.db")
        synth = Synth(args.orders, args.seed, args.duplicates, args.lookalikes, args.seconds_apart)
        started = time.perf_counter()
        load(ledger, synth)
        built = time.perf_counter() - started
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started, cpu = time.perf_counter(), time.process_time()
        result = run_dedupe(ledger, Options(args.window_days, args.threshold))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        precision, recall, f1 = score(result.clusters, synth.labels)
        print(f"orders            {args.orders:>12,}")
        print("kinds             " + ", ".join(f"{k} {v:,}" for k, v in sorted(synth.kinds.items())))
        print(f"build ledger      {built:>11.1f}s")
        print(f"dedupe            {elapsed:>11.1f}s  ({args.orders / elapsed:,.0f} orders/s, "
              f"{result.compared:,} pairs compared, {len(result.clusters):,} clusters, {cpu:.1f}s CPU)")
        print(f"peak RSS          {rss_after / 1024:>10.0f}MB  (before dedupe {rss_before / 1024:.0f}MB)")
        print(f"precision         {precision:>12.4f}")
        print(f"recall            {recall:>12.4f}")
        print(f"F1                {f1:>12.4f}")
        if args.show_errors:
            _show_errors(ledger, result.clusters, synth.labels, args.show_errors)
        ledger.close()


def _show_errors(ledger, clusters, labels: list[int], limit: int) -> None:
    conn = ledger.session
    wrong = [(a, b) for c in clusters for a, b in combinations(c.members, 2) if labels[a - 1] != labels[b - 1]]
    in_cluster = {m for c in clusters for m in c.members}
    by_label: dict[int, list[int]] = {}
    for order_id, label in enumerate(labels, start=1):
        by_label.setdefault(label, []).append(order_id)
    missed = [tuple(ids[:2]) for ids in by_label.values() if len(ids) > 1 and not set(ids) <= in_cluster]
    for title, pairs in (("false positives", wrong), ("missed", missed)):
        print(f"-- {title}: {len(pairs)}")
        for a, b in pairs[:limit]:
            for oid in (a, b):
                r = conn.execute("SELECT id, shop_id, source_id, created_at, customer_name, phone, email, "
                                 "address1, city, items FROM orders WHERE id = ?", (oid,)).fetchone()
                print("   ", labels[oid - 1], tuple(r))


if __name__ == "__main__":
    main()
