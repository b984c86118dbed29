"""`codtool check`: validate phones and shipping addresses, store findings, export a work list."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from codtool.checks.findings import CODES
from codtool.commands import CsvDialectOption, ForceOption, ledger_id, output_file
from codtool.exports import FORMATS
from codtool.ledger.checks import count_to_check
from codtool.output_paths import check_output
from codtool.render import table
from codtool.state import state_of

if TYPE_CHECKING:  # the checkers (phonenumbers, usaddress, the CAP table) load when `check` runs, not on --help
    from rich.console import Console

    from codtool.checks.runner import CheckSummary


def register(app: typer.Typer) -> None:
    app.command("check")(check)


def check(
    ctx: typer.Context,
    batch: Annotated[int | None, typer.Option(metavar="ID", parser=ledger_id,
                                                                  help="Only orders of this import batch.")] = None,
    all_orders: Annotated[bool, typer.Option("--all", help="Every order in the ledger (the default scope).")] = False,
    recheck: Annotated[bool, typer.Option(
        "--recheck", help="Check again orders already checked, replacing their findings (needs --batch or --all).",
    )] = False,
    export: Annotated[Path | None, typer.Option(
        metavar="FILE.csv|FILE.xlsx", help="Write flagged open orders with the suggested fix to this CSV or XLSX file.",
    )] = None,
    csv_dialect: CsvDialectOption = "machine",
    force: ForceOption = False,
) -> None:
    """Check phones and shipping addresses of unchecked orders and store each finding.

    Example: codtool check --batch 3 --export flagged.csv
    """
    if batch is not None and all_orders:
        raise typer.BadParameter("give either --batch or --all, not both", param_hint="--batch")
    if recheck and batch is None and not all_orders:
        raise typer.BadParameter("say which orders to check again: --batch ID or --all", param_hint="--recheck")
    if export is not None:
        check_output(export, FORMATS, force)
        output_file(export, force, csv_dialect)
    from codtool.checks.export import export_flagged
    from codtool.checks.runner import CheckRequest, run_checks

    state = state_of(ctx)
    ledger = state.ledger()
    state.on_interrupt("the slice of orders being checked was rolled back; orders checked before it keep "
                       "their findings, and a re-run carries on from there.")
    total = count_to_check(ledger.session, batch, recheck) if state.output.watched else None
    with state.output.progress("Checking phones and addresses", total) as tick:
        summary = run_checks(ledger, CheckRequest(batch=batch, recheck=recheck), tick)
    data = summary.to_json()
    if export is not None:
        data["exported"] = export_flagged(ledger, export, batch, force, csv_dialect)
        data["export_file"] = str(export)
    state.output.emit(data, lambda c: _show(c, summary, data))


def _show(console: Console, summary: CheckSummary, data: dict) -> None:
    if not summary.checked and not summary.other_orders_flagged:
        console.print("No unchecked orders (use --recheck with --batch ID or --all to check again).")
    elif not summary.by_code:
        console.print(f"Checked {summary.checked} orders: all ok, no findings.")
    else:
        rows = sorted(summary.by_code.items(), key=lambda kv: (("error", "warning", "info").index(CODES[kv[0]][0]),
                                                               -kv[1], kv[0]))
        console.print(table(
            f"Checked {summary.checked} orders: {summary.ok} ok, {summary.flagged} flagged",
            ("code", "severity", "orders", "meaning"),
            ((code, CODES[code][0], count, CODES[code][1]) for code, count in rows),
            numeric=("orders",)))
    if summary.other_orders_flagged:
        console.print(f"{summary.other_orders_flagged} earlier orders now share a phone with a different name.")
    if "exported" in data:
        console.print(f"Wrote {data['exported']} flagged orders to {data['export_file']}.")
