"""`codtool daily`: the same ledger as the single commands, re-runs that change nothing, the lock, the log."""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import helpers
import pytest
from daily_world import AS_OF, CONFIG, LAYOUT, build_folder, daily_args
from helpers import REPO, run

from codtool.ledger import open_ledger
from codtool.ledger.locks import run_lock

_NOW = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")  # utc_now(): when a row was written


def content(db) -> dict[str, list]:
    """The ledger's content, timestamps of the run masked; `daily_files` is daily's own bookkeeping,
    and `remit_runs` logs every reconciliation run (by design), so only its distinct as-of days count."""
    data = helpers.dump(db, lambda v: "<now>" if isinstance(v, str) and _NOW.match(v) else v)
    data.pop("daily_files", None)
    data["remit_runs"] = sorted({re.sub(r"^\(\d+, ", "(", r) for r in data["remit_runs"]})
    return data


def daily(db, in_dir: Path, out: Path, *extra: str):
    return run(db, *daily_args(in_dir, out, *extra))


def daily_json(db, in_dir: Path, out: Path, *extra: str) -> tuple[int, dict]:
    result = run(db, "--json", *daily_args(in_dir, out, *extra))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)


def test_daily_leaves_the_ledger_the_single_commands_leave(ledgers, tmp_path):
    """Every stage through the same library code: a daily equals the commands run by hand, in order."""
    by_hand, by_daily = ledgers.new("by_hand"), ledgers.new("by_daily")
    cfg, files = ["--config", str(CONFIG)], {k: [str(f) for f in v] for k, v in LAYOUT.items()}
    for args in (["import", *files["orders/demo"], "--shop", "demo"], ["check"], ["dedupe"],
                 ["calls", "record", *files["calls"]], ["calls", "confirm", "--date", AS_OF],
                 ["ship", *files["manifests/brt"], "--courier", "brt"], ["track", *files["tracking/brt"], "-c", "brt"],
                 ["ndr", "record", *files["ndr"]], [*cfg, "remit", "import", *files["remittances/brt"], "-c", "brt"],
                 [*cfg, "remit", "bank", *files["bank"]], [*cfg, "remit", "reconcile", "--as-of", AS_OF],
                 [*cfg, "payout", "run", "--as-of", AS_OF]):
        result = run(by_hand, "-q", *args)
        assert result.exit_code == 0, f"{args}: {result.output}"
    code, summary = daily_json(by_daily, build_folder(tmp_path / "in"), tmp_path / "out")
    assert [s["status"] for s in summary["steps"]] == ["ok"] * len(summary["steps"]), summary["steps"]
    assert content(by_daily) == content(by_hand)
    assert code == 3 and summary["status"] == "attention"  # the fixtures hold rejected lines and a short payment
    assert len(summary["files"]) == sum(len(v) for v in LAYOUT.values())
    assert {f["status"] for f in summary["files"]} == {"processed"}


def test_outputs_and_summary_land_in_the_day_folder(cli, tmp_path):
    code, summary = daily_json(cli.db, build_folder(tmp_path / "in"), tmp_path / "out")
    day = tmp_path / "out" / AS_OF
    for name in ("calls.xlsx", "flagged.xlsx", "ndr_open.xlsx", "remittance_report.xlsx", "summary.json"):
        assert (day / name).is_file(), name
    assert list((day / "statements").glob("statement_*_demo.pdf")), "the payout run closed a statement"
    assert json.loads((day / "summary.json").read_text())["steps"] == summary["steps"]
    assert summary["out"] == str(day)
    step = {s["step"]: s for s in summary["steps"]}
    assert step["orders"]["counts"]["processed"] == len(LAYOUT["orders/demo"])
    again = cli.json("--config", str(CONFIG), "remit", "reconcile", "--as-of", AS_OF)
    assert step["reconcile"]["counts"]["open_discrepancies"] == len(again["discrepancies"]) > 0


def test_the_same_folder_twice_changes_nothing(cli, tmp_path):
    in_dir = build_folder(tmp_path / "in")
    daily(cli.db, in_dir, tmp_path / "out")
    before = helpers.dump(cli.db)
    code, summary = daily_json(cli.db, in_dir, tmp_path / "out")
    after = helpers.dump(cli.db)
    runs = after.pop("remit_runs"), before.pop("remit_runs")
    assert after == before
    assert len(runs[0]) > len(runs[1])  # only the reconciliation's own run log grows
    assert {f["status"] for f in summary["files"]} == {"already_processed"}
    assert summary["bad_files"] == [] and code == 3  # the discrepancy is still open: still attention


def test_a_file_is_known_by_its_content_not_its_name(cli, tmp_path):
    in_dir = build_folder(tmp_path / "in")
    daily(cli.db, in_dir, tmp_path / "out")
    bank = in_dir / "bank" / "bank_2026-11-30.csv"
    bank.rename(bank.with_name("renamed.csv"))
    (in_dir / "orders" / "demo" / "again.csv").write_bytes(LAYOUT["orders/demo"][0].read_bytes())
    _, summary = daily_json(cli.db, in_dir, tmp_path / "out")
    assert {f["file"]: f["status"] for f in summary["files"]}["bank/renamed.csv"] == "already_processed"
    assert {f["file"]: f["status"] for f in summary["files"]}["orders/demo/again.csv"] == "already_processed"


def test_an_empty_folder_is_done_with_nothing_to_do(cli, tmp_path):
    (tmp_path / "in").mkdir()
    code, summary = daily_json(cli.db, tmp_path / "in", tmp_path / "out")
    assert code == 0 and summary["status"] == "done" and summary["files"] == []


def test_a_failed_step_skips_only_what_needs_it(cli, tmp_path):
    """A remittance from a courier with no contract terms: its file is bad, reconcile still runs;
    a configuration that cannot be read fails before anything runs."""
    in_dir = build_folder(tmp_path / "in")
    (in_dir / "remittances" / "xyz").mkdir()
    (in_dir / "remittances" / "xyz" / "r.csv").write_text("tracking_number,cod_amount\n1,2.00\n", encoding="utf-8")
    code, summary = daily_json(cli.db, in_dir, tmp_path / "out")
    assert code == 65
    assert summary["bad_files"] == [{"file": "remittances/xyz/r.csv", "reason": summary["bad_files"][0]["reason"]}]
    assert "[couriers.xyz]" in summary["bad_files"][0]["reason"]
    assert {s["step"]: s["status"] for s in summary["steps"]}["reconcile"] == "ok"


def test_a_step_that_fails_is_reported_and_its_dependants_skipped(cli, tmp_path, monkeypatch):
    from codtool.daily import run as daily_run
    from codtool.daily import steps

    def broken(day):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(daily_run, "STEPS", tuple(
        daily_run.Step(s.name, broken if s.name == "tracking" else s.run, s.needs) for s in daily_run.STEPS))
    assert steps  # the real steps everywhere else
    code, summary = daily_json(cli.db, build_folder(tmp_path / "in"), tmp_path / "out")
    status = {s["step"]: s for s in summary["steps"]}
    assert code == 1 and summary["status"] == "failed"
    assert status["tracking"]["status"] == "failed" and "disk on fire" in status["tracking"]["error"]
    assert status["ndr"]["status"] == "skipped" and status["ndr"]["skipped_because"] == ["tracking"]
    assert status["reconcile"]["skipped_because"] == ["tracking"]
    assert {status[n]["status"] for n in ("remittances", "bank", "call_list", "flagged")} == {"ok"}


def test_misplaced_and_ignored_files(cli, tmp_path):
    in_dir = tmp_path / "in"
    (in_dir / "orders").mkdir(parents=True)
    (in_dir / "orders" / "loose.csv").write_bytes(LAYOUT["orders/demo"][0].read_bytes())
    (in_dir / "orders" / "README.txt").write_text("notes", encoding="utf-8")
    (in_dir / "orders" / ".hidden.csv").write_text("x", encoding="utf-8")
    code, summary = daily_json(cli.db, in_dir, tmp_path / "out")
    assert code == 65
    assert [f["file"] for f in summary["bad_files"]] == ["orders/loose.csv"]
    assert "orders/<shop>/" in summary["bad_files"][0]["reason"]
    assert sorted(summary["ignored"]) == ["orders/.hidden.csv", "orders/README.txt"]
    assert cli.sql("SELECT COUNT(*) FROM orders") == [(0,)]


# --- the lock -----------------------------------------------------------------------------------

def test_a_second_run_exits_75_naming_the_holder(cli, tmp_path):
    in_dir = build_folder(tmp_path / "in")
    with open_ledger(str(cli.db)) as other, run_lock(other, "daily") as holder:
        before = helpers.dump(cli.db)
        started = time.monotonic()
        result = daily(cli.db, in_dir, tmp_path / "out", "--wait", "0.5")
        waited = time.monotonic() - started
        assert result.exit_code == 75, result.output
        assert f"pid {holder.pid} on {holder.host}, started {holder.started_at}" in result.stderr
        assert result.stderr.startswith("Error: another `codtool daily` holds the lock")
        assert waited >= 0.5
        assert helpers.dump(cli.db) == before
    assert daily(cli.db, in_dir, tmp_path / "out").exit_code == 3  # released: the next run goes ahead


def test_a_lock_left_by_a_killed_run_is_taken_over(cli, tmp_path):
    script = ("import sys, time\nfrom codtool.ledger import open_ledger\nfrom codtool.ledger.locks import run_lock\n"
              "with open_ledger(sys.argv[1]) as l, run_lock(l, 'daily'):\n    print('held', flush=True)\n"
              "    time.sleep(60)\n")
    holder = subprocess.Popen([sys.executable, "-c", script, str(cli.db)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        assert daily(cli.db, build_folder(tmp_path / "in"), tmp_path / "out").exit_code == 75
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    assert daily(cli.db, tmp_path / "in", tmp_path / "out").exit_code == 3


def test_two_runs_started_together_do_not_double_anything(ledgers, tmp_path):
    """Two processes on one ledger: one runs, the other exits 75 or (with --wait) runs after it."""
    single, shared = ledgers.new("single"), ledgers.new("shared")
    in_dir = build_folder(tmp_path / "in")
    assert daily(single, in_dir, tmp_path / "out1").exit_code == 3
    env = os.environ | {"PYTHONPATH": str(REPO)}
    procs = [subprocess.Popen([sys.executable, "-m", "codtool", "--db", str(shared), "-q",
                               *daily_args(in_dir, tmp_path / f"out{i}", *wait)], env=env,
                              stderr=subprocess.PIPE, text=True)
             for i, wait in enumerate(([], ["--wait", "120"], []))]
    codes = [p.wait(timeout=300) for p in procs]
    errors = [p.stderr.read() for p in procs]
    assert codes[1] == 3, (codes, errors)  # the one that may wait always runs, first or after the holder
    assert set(codes) <= {3, 75} and 75 in codes, (codes, errors)  # three at once: someone found it held
    assert all("holds the lock on this ledger: pid " in e for c, e in zip(codes, errors, strict=True) if c == 75)
    assert content(shared) == content(single)


# --- the log ------------------------------------------------------------------------------------

def _people_in_fixtures() -> set[str]:
    """Every name and phone the input files hold, as written (and phones as digits only)."""
    found: set[str] = set()
    for files in LAYOUT.values():
        for path in files:
            text = path.read_text(encoding="utf-8", errors="replace")
            dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;")
            for row in csv.DictReader(text.splitlines(), dialect=dialect):
                for key, value in row.items():
                    low = (key or "").lower()
                    if value and any(w in low for w in ("name", "phone", "telefono", "customer", "cliente",
                                                         "destinatario", "address", "indirizzo")):
                        found.add(value.strip())
    phones = {re.sub(r"\D", "", v) for v in found if sum(c.isdigit() for c in v) >= 8}
    return {v for v in found | phones if len(v) >= 6}


@pytest.mark.parametrize("level", ["info", "debug"])
def test_the_log_never_holds_a_phone_or_a_name(cli, tmp_path, level):
    log = tmp_path / "daily.log"
    daily(cli.db, build_folder(tmp_path / "in"), tmp_path / "out", "--log", str(log), "--log-level", level)
    text = log.read_text(encoding="utf-8")
    people = _people_in_fixtures()
    assert len(people) > 40  # the check below must have something to look for
    assert [p for p in people if p in text] == []
    lines = text.splitlines()
    assert all(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (INFO|WARNING|DEBUG) step=\S+ action=\S+", ln)
               for ln in lines), lines[:3]
    imports = [ln for ln in lines if "action=import " in ln]
    assert len(imports) == sum(len(v) for v in LAYOUT.values())
    assert all(" file=" in ln and " duration=" in ln for ln in imports)
    assert (" DEBUG " in text) == (level == "debug")
    if level == "debug":
        assert "#1001" in text  # order ids are what debug adds


def test_the_log_file_can_come_from_the_configuration(cli, tmp_path):
    config = tmp_path / "codtool.toml"
    config.write_text(_top_key(CONFIG, 'log_file = "logs/daily.log"'), encoding="utf-8")
    in_dir = build_folder(tmp_path / "in")
    result = run(cli.db, "--config", str(config), "daily", "--in", str(in_dir), "--out", str(tmp_path / "out"),
                 "--as-of", AS_OF)
    assert result.exit_code == 3, result.output
    assert "step=payouts action=done" in (tmp_path / "logs" / "daily.log").read_text(encoding="utf-8")


def _top_key(config: Path, line: str) -> str:
    """The configuration with a top-level key added before its first section."""
    text = config.read_text(encoding="utf-8")
    first = text.index("\n[")
    return text[:first] + "\n" + line + "\n" + text[first:]


def test_a_courier_mapping_named_in_the_configuration(ledgers, tmp_path):
    """`tracking_mapping` under [couriers.NAME]: daily ships and tracks a courier codtool does not know,
    exactly as `ship`/`track --mapping` do."""
    mapping = tmp_path / "acme.toml"
    mapping.write_text((REPO / "codtool" / "data" / "couriers" / "gls.toml").read_text(encoding="utf-8"),
                       encoding="utf-8")
    config = tmp_path / "codtool.toml"
    config.write_text(CONFIG.read_text(encoding="utf-8") + '\n[couriers.acme]\ntracking_mapping = "acme.toml"\n',
                      encoding="utf-8")
    ship, status = REPO / "fixtures" / "shipping" / "manifest_gls.csv", REPO / "fixtures" / "shipping" / "gls_status.csv"
    by_hand, by_daily = ledgers.new("by_hand"), ledgers.new("by_daily")
    for args in (["import", *map(str, LAYOUT["orders/demo"]), "--shop", "demo"], ["check"], ["dedupe"],
                 ["calls", "confirm", "--date", AS_OF], ["ship", str(ship), "-c", "acme", "--mapping", str(mapping)],
                 ["track", str(status), "-c", "acme", "--mapping", str(mapping)]):
        assert run(by_hand, "-q", *args).exit_code == 0, args
    in_dir = tmp_path / "in"
    for folder, files in (("orders/demo", LAYOUT["orders/demo"]), ("manifests/acme", [ship]),
                          ("tracking/acme", [status])):
        (in_dir / folder).mkdir(parents=True)
        for f in files:
            (in_dir / folder / f.name).write_bytes(f.read_bytes())
    result = run(by_daily, "--json", "--config", str(config), "daily", "--in", str(in_dir), "--out",
                 str(tmp_path / "out"), "--as-of", AS_OF)
    summary = json.loads(result.stdout)
    assert {f["file"]: f["status"] for f in summary["files"]}["tracking/acme/gls_status.csv"] == "processed"
    hand, daily_ = content(by_hand), content(by_daily)
    for table in ("shipments", "tracking_events", "orders"):
        assert daily_[table] == hand[table], table
    assert any("'acme'" in row for row in daily_["shipments"])
