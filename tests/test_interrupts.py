"""Ctrl-C on a long command: exit 130 and one line saying what was rolled back, and it is true."""

from __future__ import annotations

import pytest
from helpers import ORDER_FIXTURES, REPO, dump
from remit_world import build

import codtool.ledger.remit

SHIP = REPO / "fixtures" / "shipping"
REMIT = REPO / "fixtures" / "remit"
CONFIG = ("--config", REMIT / "codtool.toml")
GENERIC = ("the batch in progress was rolled back, nothing of it recorded (with --strict, nothing of this run); "
           "earlier batches stay.")
RECONCILE = "the reconciliation was rolled back: no posting or discrepancy of this run recorded."

CASES = [
    ("codtool.importing.importer.import_file", ("import", ORDER_FIXTURES[0]), GENERIC),
    ("codtool.checks.runner.run_checks", ("check",),
     "the slice of orders being checked was rolled back; orders checked before it keep their findings, "
     "and a re-run carries on from there."),
    ("codtool.commands.dedupe.run_dedupe", ("dedupe",),
     "nothing recorded: a run stores its clusters in one transaction at its end."),
    ("codtool.notify.calls.call_list", ("calls", "list"),
     "nothing recorded (calls list only reads the ledger) and no call sheet written."),
    ("codtool.tracking.shipments.ship_manifest", ("ship", SHIP / "manifest_brt.csv", "--courier", "brt"),
     "the manifest manifest_brt.csv was rolled back: no shipment, status or refusal of it recorded."),
    ("codtool.tracking.status_files.import_status_file", ("track", SHIP / "brt_status_2026-11-25.csv", "--courier", "brt"),
     GENERIC),
    ("codtool.remit.files.import_remittance",
     (*CONFIG, "remit", "import", REMIT / "remittance_brt_2026-11-28.csv", "--courier", "brt"), GENERIC),
    ("codtool.remit.bank.import_statement", (*CONFIG, "remit", "bank", REMIT / "bank_2026-11-30.csv"), GENERIC),
    ("codtool.commands.remit.reconcile", (*CONFIG, "remit", "reconcile"), RECONCILE),
    ("codtool.commands.remit.reconcile", (*CONFIG, "remit", "report"), RECONCILE),
    ("codtool.commands.payout.run_payouts", (*CONFIG, "payout", "run"),
     "the payout run was rolled back (its reconciliation, statement items, closings and postings): "
     "nothing of it recorded."),
]


def _interrupt(*args, **kwargs):
    raise KeyboardInterrupt


@pytest.mark.parametrize("target, args, said", CASES, ids=[" ".join(map(str, c[1][-3:])) for c in CASES])
def test_each_long_command_says_what_ctrl_c_rolled_back(cli, monkeypatch, target, args, said):
    """`target` is where the command finds the function when it runs (commands import stages lazily)."""
    monkeypatch.setattr(target, _interrupt)
    result = cli(*args)
    assert result.exit_code == 130, result.output
    assert result.stderr == f"Interrupted: {said}\n"


@pytest.mark.parametrize("command", [("remit", "reconcile"), ("payout", "run")])
def test_an_interrupted_reconciliation_leaves_the_ledger_as_it_was(cli, tmp_path, monkeypatch, command):
    config = build(cli, tmp_path)
    before = dump(cli.db)
    # Interrupted late: after the postings, while the discrepancies are being stored.
    monkeypatch.setattr(codtool.ledger.remit, "record_discrepancies", _interrupt)
    result = cli("--config", config, *command, "--as-of", "2026-10-11")
    assert result.exit_code == 130, result.output
    assert result.stderr.startswith("Interrupted: the ")
    assert dump(cli.db) == before
    monkeypatch.undo()
    posted = cli.sql("SELECT COUNT(*) FROM money_transactions")
    cli.json("--config", config, *command, "--as-of", "2026-10-11")
    assert cli.sql("SELECT COUNT(*) FROM money_transactions") > posted  # what the interrupted run rolled back
