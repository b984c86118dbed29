"""Benchmark: import 1,000,000 courier events (200,000 parcels x 5 events) and print the throughput.

Run: python bench/bench_track.py [--events N]   (a scratch ledger is made in a temporary folder)
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from pathlib import Path

from codtool.ledger import open_ledger
from codtool.ledger.db import utc_now
from codtool.tracking.couriers import load_courier
from codtool.tracking.status_files import import_status_file

STORY = ("PARTITA", "ARRIVATA IN FILIALE", "IN CONSEGNA", "LASCIATO AVVISO", "CONSEGNATA")


def seed(ledger, parcels: int) -> None:
    """Orders and shipments straight into the ledger: the bench measures tracking, not shipping."""
    now = utc_now()
    with ledger.transaction() as conn:
        conn.execute("INSERT INTO shops (id, name, created_at) VALUES (1, 'bench', ?)", (now,))
        conn.execute("INSERT INTO import_batches VALUES (1, 1, 'bench', 'sha', 'generic', 'utf-8', ',', "
                     "0, 0, 0, 0, 0, ?)", (now,))
        conn.executemany(
            "INSERT INTO orders (id, shop_id, batch_id, source_id, source_line, created_at, customer_name, phone, "
            "email, address1, address2, city, postcode, province, country, payment_method, is_cod, cod_minor, "
            "total_minor, currency, items, notes, status) VALUES (?, 1, 1, ?, ?, ?, 'Cliente', '3331234567', '', "
            "'Via Roma 1', '', 'Roma', '00184', 'RM', 'IT', 'cod', 1, 4990, 4990, 'EUR', '[]', '', 'shipped')",
            ((i, f"#{i}", i + 1, now) for i in range(1, parcels + 1)))
        conn.executemany(
            "INSERT INTO shipments (order_id, courier, tracking_number, ship_date, cod_minor, currency, status, "
            "status_at, source_file, source_line, created_at) "
            "VALUES (?, 'brt', ?, '2026-11-24', 4990, 'EUR', 'shipped', '2026-11-24', 'bench.csv', ?, ?)",
            ((i, f"0590{i:08d}", i + 1, now) for i in range(1, parcels + 1)))


def write_events(path: Path, parcels: int) -> int:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(["Spedizione", "Data", "Ora", "Descrizione", "Causale"])
        for i in range(1, parcels + 1):
            for step, status in enumerate(STORY):
                reason = "DESTINATARIO ASSENTE" if status == "LASCIATO AVVISO" else ""
                writer.writerow([f"0590{i:08d}", f"{25 + step // 3}/11/2026", f"{8 + step}:{i % 60:02d}",
                                 status, reason])
    return parcels * len(STORY)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000, help="events to import (5 per parcel)")
    events = parser.parse_args().events
    parcels = events // len(STORY)
    with tempfile.TemporaryDirectory() as tmp:
        ledger = open_ledger(Path(tmp) / "bench.db")
        seed(ledger, parcels)
        path = Path(tmp) / "brt_events.csv"
        total = write_events(path, parcels)
        start = time.perf_counter()
        result = import_status_file(ledger, path, load_courier("brt"))
        first = time.perf_counter() - start
        start = time.perf_counter()
        replay = import_status_file(ledger, path, load_courier("brt"))
        second = time.perf_counter() - start
        ledger.close()
    print(f"import: {total:,} events for {parcels:,} parcels in {first:.1f} s = {total / first:,.0f} events/s "
          f"({result.new_events:,} new, {len(result.issues)} issues, statuses {result.statuses})")
    print(f"replay: {second:.1f} s = {total / second:,.0f} events/s ({replay.new_events} new)")


if __name__ == "__main__":
    main()
