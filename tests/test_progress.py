"""Progress bars: drawn on stderr for a person, never under --json or --quiet, fed by the library's callback."""

from __future__ import annotations

import json

import pytest
from helpers import ORDER_FIXTURES, REPO
from remit_world import build

from codtool.render import Output

SHIP = REPO / "fixtures" / "shipping"
FORCED = {"CODTOOL_PROGRESS": "always"}


def _steps(tmp_path, cli):
    """Each long command with the words its bar starts with, in an order where each has work to do."""
    config = build(cli, tmp_path)
    return [
        (("import", *ORDER_FIXTURES, "--shop", "demo"), "Importing"),
        (("check",), "Checking phones and addresses"),
        (("dedupe",), "Looking for duplicate orders"),
        (("calls", "list", "--date", "2026-11-23"), "Scoring open orders"),
        (("ship", SHIP / "manifest_brt.csv", "--courier", "brt", "--shop", "demo", "--force"), "Shipping"),
        (("track", SHIP / "brt_status_2026-11-27.csv", "--courier", "brt"), "Tracking"),
        (("--config", config, "remit", "reconcile", "--as-of", "2026-10-11"), "Reconciling"),
        (("--config", config, "payout", "run", "--as-of", "2026-10-11"), "Reconciling and paying out"),
    ]


def test_every_long_command_draws_a_bar_when_forced(cli, tmp_path):
    for args, label in _steps(tmp_path, cli):
        result = cli(*args, env=FORCED)
        assert result.exit_code in (0, 1), result.output
        assert label in result.stderr, (args, result.stderr)


@pytest.mark.parametrize("flag", ["--json", "--quiet"])
def test_json_and_quiet_hide_every_bar(cli, tmp_path, flag):
    for args, label in _steps(tmp_path, cli):
        result = cli(flag, *args, env=FORCED)
        assert result.exit_code in (0, 1), result.output
        assert label not in result.stderr and "\x1b[" not in result.stderr, (args, result.stderr)
        if flag == "--json":
            json.loads(result.stdout)  # the bar never lands on stdout either
        else:
            assert result.stdout == ""


def test_no_bar_when_stderr_is_not_a_terminal(cli):
    result = cli("import", ORDER_FIXTURES[0], env={"CODTOOL_PROGRESS": "auto"})
    assert result.exit_code == 0, result.output
    assert "Importing" not in result.stderr and "\x1b[" not in result.stderr


def test_the_bar_counts_items_of_the_total_the_library_reports(monkeypatch, capsys):
    monkeypatch.setenv("CODTOOL_PROGRESS", "always")
    with Output().progress("Counting", 10, "orders") as tick:
        tick(4)
        tick(12, 20)  # a later total replaces the first; done never exceeds it
    err = capsys.readouterr().err
    assert "Counting" in err and "12/20" in err and "orders" in err


def test_nobody_watching_gets_a_callback_that_does_nothing(monkeypatch, capsys):
    monkeypatch.setenv("CODTOOL_PROGRESS", "never")
    with Output().progress("Counting", 10) as tick:
        tick(5)
    assert capsys.readouterr().err == ""


def test_the_call_list_bar_ends_at_the_total_it_announced(cli):
    """`calls list` counts the orders it will read first; the library's last report must reach that count."""
    from datetime import date

    from codtool.ledger import open_ledger
    from codtool.notify.calls import awaiting_count, call_list
    from codtool.notify.policy import load_policy

    assert cli("-q", "import", *ORDER_FIXTURES, "--shop", "demo").exit_code == 0
    assert cli("-q", "check").exit_code == 0
    day, reports = date(2026, 11, 23), []
    ledger = open_ledger(cli.db)
    try:
        total = awaiting_count(ledger, day)
        result = call_list(ledger, day, load_policy(None), progress=lambda done, of=None: reports.append(done))
    finally:
        ledger.close()
    assert total > 0 and reports[-1] == total
    assert total >= len(result.calls) + result.needs_no_call + result.not_due_yet
