"""Benchmark: `codtool daily` over days of N orders each, as cron runs it (a real process per day).

Run: python bench/bench_daily.py [--orders 50000] [--days 5] [--db URL]   (scratch folder in /tmp)

The folders are scripts/daily_month.py's: each day brings N new orders, the call sheet and the
manifests of yesterday's N orders, the couriers' events of the days before and NDR decisions; with
the default start (2026-11-02) the fifth day is a payout day that also brings three remittance files.
Every day is timed (wall clock of `python -m codtool daily`, and the steps' own seconds from its
summary); the last day is the full day the README reports. A re-run of the last day's folder is
timed too (every file already processed: hashing and the ledger-wide steps only).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

from daily_month import build  # noqa: E402


def run_day(db: str, month, day, out: Path) -> tuple[float, dict]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "codtool", "--db", db, "--json", "--config", str(month.config),
                           "daily", "--in", str(month.folder(day)), "--out", str(out), "--as-of", day.isoformat()],
                          capture_output=True, text=True, env=os.environ | {"PYTHONPATH": str(REPO)})
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 3):
        raise SystemExit(f"daily {day} exited {done.returncode}: {done.stderr.strip()}")
    return elapsed, json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=50_000, help="orders per day")
    parser.add_argument("--days", type=int, default=5, help="days to run; the last is the one reported")
    parser.add_argument("--db", help="a postgresql:// URL of an empty database (default: a SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_daily_") as scratch:
        root = Path(scratch)
        started = time.perf_counter()
        month = build(root, args.orders, args.days)
        print(f"generated {args.days} days of {args.orders} orders in {time.perf_counter() - started:.1f} s")
        db = args.db or str(root / "ledger.db")
        subprocess.run([sys.executable, "-m", "codtool", "--db", db, "-q", "init"], check=True,
                       env=os.environ | {"PYTHONPATH": str(REPO)})
        for day in month.days:
            elapsed, summary = run_day(db, month, day, root / "out")
            files = sum(1 for f in summary["files"] if f["status"] == "processed")
            print(f"{day}  {elapsed:7.2f} s  exit {summary['exit_code']}  files {files:3d}  "
                  + " ".join(f"{s['step']} {s['seconds']:.1f}" for s in summary["steps"] if s["seconds"] >= 0.05))
        again, _ = run_day(db, month, month.days[-1], root / "out")
        print(f"re-run of {month.days[-1]} (nothing new): {again:.2f} s")
        print(json.dumps({"orders_per_day": args.orders, "last_day_seconds": round(elapsed, 2),
                          "rerun_seconds": round(again, 2), "backend": "postgresql" if args.db else "sqlite"}))


if __name__ == "__main__":
    main()
