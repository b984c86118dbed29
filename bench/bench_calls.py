"""Time the call stage on a synthetic ledger: call list, auto-confirm, recording, notices.

80% of orders carry checked phones (order_normalised); the rest use the phonenumbers fallback.

    python bench/bench_calls.py [--orders N]      (default 50,000 awaiting COD orders)

Not a test: run by hand when changing the queries or the risk signals.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import tempfile
import time
from datetime import date
from pathlib import Path

from codtool.config import Config
from codtool.ledger import open_ledger
from codtool.ledger import orders as store
from codtool.ledger.db import utc_now
from codtool.notify.calls import auto_confirm, call_list
from codtool.notify.notices import Wording, export_notices
from codtool.notify.outcomes import record_outcomes
from codtool.notify.policy import Policy
from codtool.notify.sender import FileSender
from codtool.notify.sent import mark_sent
from codtool.notify.templates import Templates

DAY = date(2026, 11, 23)


def build(path: Path, n: int) -> None:
    rnd = random.Random(5)
    ledger = open_ledger(path)
    with ledger.transaction() as conn:
        shop = store.shop_id(conn, "bench")
        batch = store.create_batch(conn, shop, "bench.csv", "0" * 64, "generic", "utf-8", ",")
        phones = [f"+39 3{rnd.randint(10, 99)} {rnd.randint(1000000, 9999999)}" for _ in range(n // 2)]
        items = json.dumps([{"sku": "A", "name": "Crema", "qty": 1, "price_minor": 2990}])
        rows = [(shop, batch, f"B{i}", i + 2, f"2026-11-{rnd.randint(10, 22)}T10:00:00", f"Cliente {i}",
                 rnd.choice(phones), "", f"Via Roma {i}", "", "Roma", "00184", "RM", "IT", "cod", 1,
                 rnd.choice((2990, 4990, 12900)), 0, "EUR", items, "", "new") for i in range(n)]
        store.insert_orders(conn, rows)
        checked = [(i, "+39" + phone.replace(" ", "")[3:], phone[4:], "mobile", utc_now())
                   for i, phone in ((r[3] - 1, r[6]) for r in rows) if i % 5]  # 80% checked, 20% fallback
        conn.executemany("INSERT INTO order_normalised VALUES (?, ?, ?, ?, '', '', '', '', '', 'IT', ?)", checked)
        conn.executemany("INSERT INTO order_findings (order_id, check_name, code, severity, message, suggestion, "
                         "created_at) VALUES (?, 'address', 'address.it.cap_mismatch', 'warning', 'CAP', '', ?)",
                         [(i, utc_now()) for i in range(1, n + 1, 7)])
        conn.executemany("INSERT INTO shipments (order_id, courier, tracking_number, ship_date, cod_minor, currency, "
                         "status, status_at, source_file, source_line, created_at) VALUES "
                         "(?, 'BRT', ?, '2026-11-01', 2990, 'EUR', ?, '2026-11-05', 'x', 1, 'x')",
                         [(i, f"T{i}", rnd.choice(("refused", "delivered", "out_for_delivery")))
                          for i in range(1, n + 1, 5)])
    ledger.close()


def timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    print(f"{label:<42} {time.perf_counter() - start:7.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=50_000, help="awaiting COD orders in the ledger")
    n = parser.parse_args().orders
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        timed(f"build ledger ({n:,} orders)", lambda: build(db, n))
        ledger = open_ledger(db)
        policy = Policy()
        listed = timed("calls list (all due)", lambda: call_list(ledger, DAY, policy))
        print(f"  {len(listed.calls):,} to call, {listed.needs_no_call:,} need no call")
        sheet = Path(tmp) / "sheet.csv"
        with sheet.open("w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["id", "outcome", "called_at"])
            for c in listed.calls[:10_000]:
                w.writerow([c["id"], random.choice(("confermato", "non risponde", "annullato")), "23/11/2026 10:00"])
        rec = timed("calls record (10,000 lines)", lambda: record_outcomes(ledger, sheet, policy))
        print(f"  {rec.recorded:,} recorded, {len(rec.status_changes):,} status changes")
        timed("calls record again (idempotent)", lambda: record_outcomes(ledger, sheet, policy))
        done = timed("calls confirm", lambda: auto_confirm(ledger, DAY, policy))
        print(f"  {len(done.confirmed):,} auto-confirmed")
        wording = Wording(Templates(), Config(None))
        sent = timed("notify export --kind confirm (csv)",
                     lambda: export_notices(ledger, "confirm", FileSender(Path(tmp) / "c.csv"), wording))
        print(f"  {len(sent.messages):,} messages")
        marked = timed("notify mark-sent (csv)", lambda: mark_sent(ledger, Path(tmp) / "c.csv"))
        print(f"  {marked.recorded:,} recorded as sent")
        timed("notify export --kind out_for_delivery (xlsx)",
              lambda: export_notices(ledger, "out_for_delivery", FileSender(Path(tmp) / "o.xlsx"), wording))
        ledger.close()


if __name__ == "__main__":
    main()
