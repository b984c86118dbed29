"""Benchmark `codtool import` against sqlite3's `.import` and `sqlite-utils insert --csv`.

Generates N synthetic orders as a Shopify-style orders export (one row per line item,
about 1.3 rows per order, every column of a real export) and times each tool on the same
file, printing wall time, ratios and peak memory (max RSS of the child process).

    python bench/bench_import.py                 # 1,000,000 orders, all three tools
    python bench/bench_import.py --orders 200000 --skip sqlite-utils
    python bench/bench_import.py --orders 100000 --db postgresql://localhost/codtool_bench  # an empty database
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = (Path(__file__).resolve().parent.parent / "fixtures/orders/shopify_orders.csv").open(
    encoding="utf-8").readline().strip().split(",")
CITIES = [("Roma", "00184", "RM"), ("Milano", "20121", "MI"), ("Torino", "10121", "TO"),
          ("Napoli", "80142", "NA"), ("Bologna", "40121", "BO"), ("Cagliari", "09121", "CA"),
          ("Aosta", "11100", "AO"), ("Bari", "70121", "BA"), ("Firenze", "50122", "FI")]
NAMES = ["Giulia Rossi", "Marco Bianchi", "Anna Esposito", "Luca Ferrari", "Sara Colombo",
         "Francesca Ricci", "Paolo Greco", "Chiara Romano", "Niccolò Mancini", "Elena Conti"]
SKUS = [(f"SKU-{i:04d}", f"Prodotto {i}", f"{random.Random(i).randint(5, 150)}.{i % 100:02d}") for i in range(500)]


def generate(path: Path, orders: int, seed: int = 7) -> int:
    """Write the export; returns the number of data rows."""
    rng = random.Random(seed)
    col = {name: i for i, name in enumerate(HEADER)}
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for n in range(orders):
            city, cap, prov = rng.choice(CITIES)
            name = rng.choice(NAMES)
            phone = f"'+39 3{rng.randint(10, 99)} {rng.randint(1000000, 9999999)}"
            items = [rng.choice(SKUS) for _ in range(1 if rng.random() < 0.75 else rng.randint(2, 3))]
            cod = rng.random() < 0.8
            for i, (sku, item, price) in enumerate(items):
                row = [""] * len(HEADER)
                row[col["Name"]] = f"#{100000 + n}"
                row[col["Created at"]] = f"2026-11-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:15:00 +0100"
                row[col["Lineitem quantity"]] = str(rng.randint(1, 3))
                row[col["Lineitem name"]], row[col["Lineitem price"]], row[col["Lineitem sku"]] = item, price, sku
                if i == 0:
                    for field, value in {
                        "Email": f"cliente{n}@example.it", "Financial Status": "pending" if cod else "paid",
                        "Currency": "EUR", "Total": f"{rng.randint(10, 400)}.{rng.randint(0, 99):02d}",
                        "Shipping Name": name, "Shipping Address1": f"Via Roma {rng.randint(1, 200)}",
                        "Shipping City": city, "Shipping Zip": f"'{cap}", "Shipping Province": prov,
                        "Shipping Country": "IT", "Shipping Phone": phone, "Billing Name": name,
                        "Payment Method": "Cash on Delivery (COD)" if cod else "Shopify Payments",
                    }.items():
                        row[col[field]] = value
                writer.writerow(row)
                rows += 1
    return rows


def timed(cmd: list[str], stdin: str | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS in MiB of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE if stdin else None,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if stdin:
        proc.stdin.write(stdin)
        proc.stdin.close()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        sys.exit(f"{cmd[0]} failed: {proc.stderr.read()}")
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--skip", action="append", default=[], choices=["sqlite3", "sqlite-utils"])
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--db", help="ledger for codtool (default: a new SQLite file), e.g. postgresql://...")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="codtool-bench-"))
    csv_path = work / "orders.csv"
    start = time.perf_counter()
    rows = generate(csv_path, args.orders)
    size = csv_path.stat().st_size / 2**20
    print(f"generated {args.orders:,} orders, {rows:,} rows, {size:.0f} MiB in {time.perf_counter() - start:.1f} s")
    bindir = Path(sys.executable).parent
    results = {}
    ledger = args.db or str(work / "codtool.db")
    results["codtool import"] = timed([str(bindir / "codtool"), "--db", ledger, "--quiet",
                                       "import", str(csv_path), "--shop", "bench"])
    if "sqlite3" not in args.skip and shutil.which("sqlite3"):
        results["sqlite3 .import"] = timed(["sqlite3", str(work / "plain.db")],
                                           f".mode csv\n.import {csv_path} orders\n")
    if "sqlite-utils" not in args.skip:
        results["sqlite-utils insert --csv"] = timed([str(bindir / "sqlite-utils"), "insert", str(work / "su.db"),
                                                      "orders", str(csv_path), "--csv"])
    base = results.get("sqlite3 .import", (None,))[0]
    print(f"{'tool':28} {'seconds':>9} {'rows/s':>10} {'peak MiB':>9} {'x sqlite3':>10}")
    for name, (secs, peak) in results.items():
        ratio = f"{secs / base:.2f}" if base else "-"
        print(f"{name:28} {secs:9.1f} {rows / secs:10,.0f} {peak:9.0f} {ratio:>10}")
    if args.keep:
        print(f"kept {work}")
    else:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
