"""Peak memory and time of one streaming XLSX export (the writer every export uses).

Rows are generated lazily, 30 typed columns like `orders export` (money, date cells, text identifiers),
so the figure is the writer's own: peak RSS should not grow with the number of rows.

    python bench/bench_export.py [--rows N] [--csv]      (default 200,000 rows, XLSX)

Not a test: run by hand when changing codtool/exports.py.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from codtool.exports import write_table
from codtool.money import Money
from codtool.orders_export import SCHEMA


def rows(n: int):
    for i in range(n):
        cod = Money(1000 + i % 50_000, "EUR")
        yield [i + 1, "demo", f"#{100000 + i}", "2026-11-23T08:30:00", "new", f"Mario Rossi {i}", f"333 {i:07d}",
               f"+39333{i:07d}", f"333 {i:07d}", f"m{i}@example.it", f"Via Roma {i % 300}", "", f"{i % 100000:05d}",
               "Milano", "MI", "IT", f"via roma {i % 300}", str(i % 300), f"{i % 100000:05d}", "Milano", "MI",
               "cod", "yes", cod, cod, "EUR", "1 x Scarpe da corsa", "warning" if i % 7 == 0 else "",
               "phone.landline" if i % 7 == 0 else "", "=check" if i % 1000 == 0 else ""]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--csv", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / ("export.csv" if args.csv else "export.xlsx")
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        count = write_table(out, SCHEMA, rows(args.rows))
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"{count:,} rows, {len(SCHEMA)} columns -> {out.suffix}: {seconds:.1f} s, "
              f"{out.stat().st_size / 1e6:.1f} MB file, peak RSS {peak / 1024:.0f} MB "
              f"(before writing {before / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
