"""Benchmark: `codtool check` against a naive row-by-row pandas `apply` of the same checks.

    .venv/bin/python bench/bench_check.py [--orders 200000] [--customers 60000] [--seed 7]

Generates realistic orders (about 70% Italy, 15% US, 15% other EU; repeat customers, so
phones and addresses repeat as in real exports, with the usual share of typos) into a temp
ledger through the library, then times:
  * codtool: `run_checks` end to end (read, check, store findings, ledger-wide shared-phone pass);
  * naive:   `pandas.read_sql` + `DataFrame.apply(axis=1)` calling `check_phone` and
             `check_address` per row, storing nothing (so the ratio is conservative).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import pandas as pd
import zipcodes

from codtool.checks import italy_data
from codtool.checks.address import check_address
from codtool.checks.address_model import Address
from codtool.checks.phone import check_phone
from codtool.checks.runner import CheckRequest, run_checks
from codtool.ledger import open_ledger
from codtool.ledger import orders as store

FIRST = ["Giulia", "Marco", "Anna", "Luca", "Sara", "Francesco", "Elena", "Davide", "Martina", "Giuseppe",
         "Maria", "Alessandro", "Chiara", "Matteo", "Federica", "John", "Mary", "Pierre", "Lena", "Pedro"]
LAST = ["Rossi", "Bianchi", "Esposito", "Russo", "Ferrari", "Romano", "Colombo", "Ricci", "Marino", "Greco",
        "Conti", "De Luca", "Gallo", "Costa", "Mancini", "Smith", "Johnson", "Dubois", "Müller", "García"]
IT_STREETS = ["Via Roma", "Via Garibaldi", "C.so Italia", "P.zza Duomo", "V.le Europa", "Via XX Settembre",
              "Via Mazzini", "Via Dante", "Loc. Case Sparse", "Fraz. San Pietro", "Via G. Verdi", "Via Cavour"]
US_STREETS = ["Main St", "Oak Ave", "Maple Dr", "2nd St", "Park Ave", "Elm St", "Washington Blvd", "Lake Rd"]
EU = [("FR", "rue de la Paix {n}", "Paris", "750{d:02d}", "+33 6 {a:02d} {b:02d} {c:02d} {d:02d}"),
      ("DE", "Hauptstraße {n}", "Berlin", "101{d:02d}", "0151 {a:02d}{b:02d}{c:02d}{d:02d}"),
      ("ES", "Calle Mayor {n}", "Madrid", "280{d:02d}", "+34 6{a:02d} {b:02d}{c:02d} {d:02d}"),
      ("NL", "Damrak {n}", "Amsterdam", "1012 L{L}", "06 {a:02d}{b:02d}{c:02d}{d:02d}")]


def it_customer(rnd: random.Random, comuni) -> tuple:
    comune = rnd.choice(comuni)
    cap = rnd.choice(comune.caps)
    if rnd.random() < 0.04:
        cap = rnd.choice(["00100", "20100", cap[:-1] + "9", cap.lstrip("0")])
    number = "snc" if "Loc." in (street := rnd.choice(IT_STREETS)) else str(rnd.randint(1, 180))
    line = f"{street}{',' if rnd.random() < 0.2 else ''} {number}" if rnd.random() > 0.03 else street
    mobile = f"3{rnd.randint(20, 49)}{rnd.randint(1000000, 9999999)}"
    phone = rnd.choice([mobile, f"+39 {mobile[:3]} {mobile[3:]}", f"0039{mobile}", f"{mobile[:3]}-{mobile[3:]}",
                        f"0{rnd.randint(2, 99)} {rnd.randint(100000, 9999999)}"])
    province = rnd.choice([comune.sigla, comune.sigla, f"({comune.sigla})", comune.provincia])
    return line, "", comune.name, cap, province, "IT", phone


def us_customer(rnd: random.Random, zips) -> tuple:
    z = rnd.choice(zips)
    line = rnd.choice([f"{rnd.randint(1, 9999)} {rnd.choice(US_STREETS)}", f"PO Box {rnd.randint(1, 999)}"]
                      if rnd.random() < 0.05 else [f"{rnd.randint(1, 9999)} {rnd.choice(US_STREETS)}"])
    state = z["state"] if rnd.random() > 0.03 else "NY"
    phone = f"({rnd.randint(201, 989)}) {rnd.randint(200, 999)}-{rnd.randint(0, 9999):04d}"
    return line, rnd.choice(["", "", "Apt 4B", "Suite 200"]), z["city"], z["zip_code"], state, "US", phone


def eu_customer(rnd: random.Random) -> tuple:
    country, street, city, postcode, phone = rnd.choice(EU)
    parts = {k: rnd.randint(10, 99) for k in "abcd"}
    return (street.format(n=rnd.randint(1, 200)), "", city, postcode.format(d=rnd.randint(1, 20), L="G"), "",
            country, phone.format(**parts))


def generate(path: Path, orders: int, customers: int, seed: int) -> None:
    rnd = random.Random(seed)
    comuni = [c for c in italy_data._table() if c.caps]
    zips = [z for z in zipcodes.list_all() if z["zip_code_type"] == "STANDARD"]
    pool = []
    for _ in range(customers):
        roll = rnd.random()
        contact = it_customer(rnd, comuni) if roll < 0.7 else us_customer(rnd, zips) if roll < 0.85 \
            else eu_customer(rnd)
        pool.append((f"{rnd.choice(FIRST)} {rnd.choice(LAST)}", *contact))
    ledger = open_ledger(path)
    with ledger.transaction() as conn:
        shop = store.shop_id(conn, "bench")
        batch = store.create_batch(conn, shop, "bench.csv", f"bench-{seed}-{orders}", "generic", "utf-8", ",")
        rows = []
        for i in range(orders):
            name, a1, a2, city, cap, prov, country, phone = pool[min(int(rnd.paretovariate(1.2)) - 1, customers - 1)
                                                                 if rnd.random() < 0.5 else rnd.randrange(customers)]
            rows.append((shop, batch, f"B-{i}", i + 2, "2026-11-20T10:00:00", name, phone, "", a1, a2, city, cap,
                         prov, country, "cod", 1, 2990, 2990, "EUR", "[]", "", "new"))
        store.insert_orders(conn, rows)
    ledger.close()


def naive(path: Path) -> dict[str, float]:
    seconds = {}
    start = time.perf_counter()
    ledger = open_ledger(path)
    frame = pd.DataFrame(ledger.session.dicts(
        "SELECT id, customer_name, phone, address1, address2, city, postcode, province, country "
        "FROM orders ORDER BY id"))
    seconds["read"] = time.perf_counter() - start
    start = time.perf_counter()
    frame.apply(lambda r: check_phone(r["phone"], r["country"]), axis=1)
    seconds["phone"] = time.perf_counter() - start
    start = time.perf_counter()
    frame.apply(lambda r: check_address(Address(r["address1"], r["address2"], r["city"], r["postcode"],
                                                r["province"], r["country"])), axis=1)
    seconds["address"] = time.perf_counter() - start
    ledger.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--customers", type=int, default=60_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        start = time.perf_counter()
        generate(path, args.orders, args.customers, args.seed)
        print(f"generated {args.orders:,} orders from {args.customers:,} customers "
              f"in {time.perf_counter() - start:.1f}s")
        slow = naive(path)
        ledger = open_ledger(path)
        start = time.perf_counter()
        summary = run_checks(ledger, CheckRequest())
        fast_total = time.perf_counter() - start
        ledger.close()
    slow_total = sum(slow.values())
    n = args.orders
    print(f"codtool check: {fast_total:6.1f}s  ({n / fast_total:8,.0f} orders/s)  "
          f"{summary.flagged:,} of {summary.checked:,} flagged")
    print(f"naive apply:   {slow_total:6.1f}s  ({n / slow_total:8,.0f} orders/s)  (checks only, nothing stored)")
    print(f"ratio: {slow_total / fast_total:.1f}x faster (target >= 2x)")
    print("per check (orders/s):      codtool      naive")
    for step in ("phone", "address"):  # codtool evaluates both in one pass over each slice
        print(f"  {step:<22} {'-':>10} {n / slow[step]:10,.0f}")
    for step in ("evaluate", "store", "shared_phone"):
        print(f"  {step:<22} {n / summary.seconds[step]:10,.0f}          -")


if __name__ == "__main__":
    main()
