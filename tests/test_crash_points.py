"""Kill -9 inside every write phase (named crash points), then re-run: the ledger ends as if never killed.

A baseline runs the COD day once, in process, keeping a copy of the ledger after each step. For
each crash point, the step that holds it runs as a real `python -m codtool` process on the ledger
from before that step, with CODTOOL_CRASH_AT naming the point; it must die by SIGKILL, leave the
ledger as it was (or, between two transactions, with only the first committed), and a plain re-run
of the same step must reach the baseline's ledger exactly, timestamps of the run aside.

SQLite only: about the ledger file itself (snapshots are file copies, and a killed process must
leave the file as SQLite's journal restores it). The content is compared through the ledger API.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from contextlib import chdir
from pathlib import Path

import helpers
import pytest
from helpers import ORDER_FIXTURES, REPO, run

from codtool.crashpoints import ENV, POINTS

SHIP = REPO / "fixtures" / "shipping"
REMIT = REPO / "fixtures" / "remit"
MONEY = ["--config", str(REMIT / "codtool.toml")]
STEPS = (  # the COD day; each crash point belongs to the first step that reaches it
    ("import", ["import", *map(str, ORDER_FIXTURES), "--shop", "demo"]),
    ("check", ["check"]),
    ("dedupe", ["dedupe"]),
    ("dedupe resolve", ["dedupe", "resolve", "1", "--keep", "12"]),
    ("calls record", ["calls", "record", str(REPO / "fixtures" / "calls" / "outcomes_2026-11-23.csv")]),
    ("calls confirm", ["calls", "confirm", "--date", "2026-11-23"]),
    ("notify export", ["notify", "export", "--kind", "confirm", "--out", "notices.csv", "--force"]),  # in the run's folder
    ("notify mark-sent", ["notify", "mark-sent", "notices.csv"]),
    ("ship", ["ship", str(SHIP / "manifest_brt.csv"), "--courier", "brt", "--shop", "demo", "--force"]),
    ("track", ["track", str(SHIP / "brt_status_2026-11-25.csv"), "--courier", "brt"]),
    ("track again", ["track", str(SHIP / "brt_status_2026-11-27.csv"), "--courier", "brt"]),
    ("ndr record", ["ndr", "record", str(SHIP / "ndr_decisions.csv")]),
    ("remit import", [*MONEY, "remit", "import", str(REMIT / "remittance_brt_2026-11-28.csv"), "--courier", "brt"]),
    ("remit bank", [*MONEY, "remit", "bank", str(REMIT / "bank_2026-11-30.csv")]),
    ("remit reconcile", [*MONEY, "remit", "reconcile", "--as-of", "2026-12-10"]),
    ("remit resolve", [*MONEY, "remit", "resolve", "1", "--write-off", "--note", "short by 4.40", "--by", "test",
                       "--as-of", "2026-12-10"]),
    ("payout run", [*MONEY, "payout", "run", "--as-of", "2026-12-10"]),
    ("payout record", [*MONEY, "payout", "record", "1", "--bank-ref", "TRN9", "--amount", "120,70", "--date",
                       "2026-12-11"]),
    # a COD parcel delivered after the last reconcile and never remitted: what the chase step chases
    ("track late", ["track", str(REMIT / "brt_status_2026-12-12.csv"), "--courier", "brt"]),
    ("remit chase", [*MONEY, "remit", "chase", "--as-of", "2026-12-28", "--out", "."]),  # reminders in the run's folder
)
STEP_OF = {"import": 0, "check": 1, "dedupe": 2, "dedupe.after_decision": 3, "calls.after_outcomes": 4,
           "calls.after_confirm": 5, "notify": 7, "ship": 8, "track": 9, "ndr": 11, "remit.import": 12,
           "remit.bank": 13, "remit.reconcile": 14, "remit.resolve": 15, "payout.after_items": 16,
           "payout.after_close": 16, "payout.after_payment": 17, "remit.chase": 19}
BETWEEN_TRANSACTIONS = {"check.between_passes"}
_NOW = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")  # utc_now(): when a row was written, not what it says


def step_of(point: str) -> int:
    parts = point.split(".")
    return STEP_OF.get(point, STEP_OF.get(".".join(parts[:2]), STEP_OF.get(parts[0])))


def dump(db: Path) -> dict[str, list]:
    """Every table's rows, with run timestamps masked: the content two runs must agree on."""
    return helpers.dump(db, lambda v: "<now>" if isinstance(v, str) and _NOW.match(v) else v)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> list[Path]:
    """The ledger after each step of an uninterrupted day (index i: after STEPS[i])."""
    folder = tmp_path_factory.mktemp("baseline")
    db, snapshots = folder / "ledger.db", []
    assert run(db, "-q", "init").exit_code == 0
    for i, (name, args) in enumerate(STEPS):
        with chdir(folder):  # files a step writes (notify export) land beside its ledger
            result = run(db, "-q", *args)
        assert result.exit_code == 0, f"{name}: {result.output}"
        snapshots.append(folder / f"after_{i}.db")
        shutil.copy(db, snapshots[-1])
    return snapshots


@pytest.fixture(scope="module")
def crashed(baseline, tmp_path_factory) -> dict[str, tuple[Path, dict, int]]:
    """Each point's crashed ledger, its content before the step, and the exit status; run in parallel."""
    folder = tmp_path_factory.mktemp("crashed")
    shutil.copy(baseline[0].parent / "notices.csv", folder)  # the file `notify mark-sent` reads back
    runs = {}
    for point in POINTS:
        step = step_of(point)
        db = folder / f"{point}.db"
        if step == 0:
            run(db, "-q", "init")
        else:
            shutil.copy(baseline[step - 1], db)
        before = dump(db)
        env = os.environ | {ENV: point}
        process = subprocess.Popen([sys.executable, "-m", "codtool", "--db", str(db), "-q", *STEPS[step][1]],
                                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=folder)
        runs[point] = (db, before, process)
    return {point: (db, before, process.wait(timeout=120)) for point, (db, before, process) in runs.items()}


def test_every_crash_point_is_placed_in_the_code():
    source = "\n".join(p.read_text() for p in (REPO / "codtool").rglob("*.py"))
    for point in POINTS:
        assert source.count(f'crash_point("{point}")') == 1, point
        assert step_of(point) is not None, point


@pytest.mark.parametrize("point", POINTS)
def test_a_rerun_after_a_kill_ends_in_the_uninterrupted_ledger(baseline, crashed, point):
    db, before, status = crashed[point]
    assert status == -signal.SIGKILL, f"{point}: the process was not killed there (exit {status})"
    after_kill = dump(db)
    if point in BETWEEN_TRANSACTIONS:
        assert after_kill != before, "the first transaction should have committed"
    else:
        assert after_kill == before, "a killed transaction left rows behind"
    step = step_of(point)
    with chdir(db.parent):
        result = run(db, "-q", *STEPS[step][1])
    assert result.exit_code == 0, result.output
    assert dump(db) == dump(baseline[step])


def test_the_chase_step_has_a_reminder_to_write(baseline):
    """Else its crash point would guard an empty transaction."""
    assert len(dump(baseline[-1])["chase_reminders"]) >= 1
