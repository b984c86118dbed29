"""`codtool config show` and `codtool remit import|bank|reconcile|report|resolve|chase|balances`: the money side."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from codtool.commands import ForceOption, add_group, day_option
from codtool.config import effective_values
from codtool.errors import CodtoolError
from codtool.exports import export_format
from codtool.ledger import remit as store
from codtool.money import format_minor
from codtool.output_paths import OutputRefused
from codtool.remit.reconcile import reconcile
from codtool.remit.resolve import Decision, resolve
from codtool.render import table
from codtool.state import State, state_of
from codtool.tracking.couriers import check_name

DISCREPANCY_EXIT = 3  # `remit reconcile --fail-on-discrepancy`: done, but money needs attention
_SHOWN = 30
RECONCILE_INTERRUPTED = "the reconciliation was rolled back: no posting or discrepancy of this run recorded."


class DiscrepanciesOpen(CodtoolError):
    """Reconcile found open discrepancies and --fail-on-discrepancy asks for a non-zero exit."""


AsOf = Annotated[str | None, typer.Option("--as-of", help="Reconcile as of this day (YYYY-MM-DD); default today.")]
CourierFilter = Annotated[str | None, typer.Option("--courier", "-c", help="Only this courier.")]


def register(app: typer.Typer) -> None:
    add_group(app, "config", "The configuration file (TOML).", {"show": config_show})
    add_group(app, "remit", "Courier COD remittances, bank statements and reconciliation.", {
        "import": remit_import, "bank": remit_bank, "reconcile": remit_reconcile, "report": remit_report,
        "resolve": remit_resolve, "chase": remit_chase, "balances": remit_balances})


def config_show(ctx: typer.Context) -> None:
    """Print every effective configuration value and where it came from (file or default).

    Example: codtool --config codtool.toml config show
    """
    state = state_of(ctx)
    config = state.config()
    rows = effective_values(config)
    data = {"file": str(config.path) if config.path else None,
            "values": [{"key": k, "value": v, "source": s} for k, v, s in rows]}
    state.output.emit(data, lambda c: c.print(table(f"Configuration ({config.path or 'no file: defaults'})",
                                                    ("key", "value", "source"), rows)))


def remit_import(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(metavar="FILE", help="Remittance files (CSV), one per payout.")],
    courier: Annotated[str, typer.Option("--courier", "-c", help="The courier that sent the files.")],
    mapping: Annotated[Path | None, typer.Option(help="TOML mapping: [columns] and deductions.")] = None,
) -> None:
    """Import courier remittance files: each atomic and idempotent by content; every line imported or rejected.

    Example: codtool remit import brt_remittance_2026-11-28.csv --courier brt
    """
    state = state_of(ctx)
    config = state.config()
    name = check_name(courier)
    terms = config.courier(name)
    from codtool.remit.files import import_remittance, load_mapping  # the sheet readers: pandas, openpyxl

    mapped = load_mapping(mapping or config.file(terms.remittance_mapping))
    with state.all_or_nothing():
        results = [import_remittance(state.ledger(), path, name, config.currency, mapped) for path in files]
        _report_files(state, results, files, lambda c: _show_remittances(c, results))


def _report_files(state: State, results: list, files: list[Path], show: Callable[[Console], None]) -> None:
    """Print what the files did, then (inside `all_or_nothing`) let --strict roll all of it back."""
    state.output.emit([r.to_json() for r in results], show)
    state.finish(sum(len(r.rejected) for r in results), ", ".join(map(str, files)))


def _show_remittances(console: Console, results: list) -> None:
    console.print(table("Remittance files", ("file", "courier", "lines", "imported", "repeats a parcel",
                                             "rejected", "remittances", "note"),
                        [(r.file, r.courier, r.lines, r.imported, r.repeats_known_parcel, len(r.rejected),
                          ", ".join(f"{x['bank_reference'] or '-'} {x['remittance_date']} {x['total']}"
                                    for x in r.remittances),
                          "already imported: nothing changed" if r.already_imported else "") for r in results]))
    _show_rejected(console, results)


def _show_rejected(console: Console, results: list) -> None:
    """Each file's rejected lines (the first few), for remittance and bank imports alike."""
    for r in results:
        if r.rejected:
            console.print(table(f"{r.file}: rejected", ("line", "reason"),
                                ((x.line, x.reason) for x in r.rejected[:_SHOWN])))


def remit_bank(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(metavar="FILE", help="Bank statement exports (CSV).")],
) -> None:
    """Import bank statements (Italian layouts or plain date, amount, description); movements are kept, not guessed.

    Example: codtool remit bank statement_2026-11.csv
    """
    state = state_of(ctx)
    config = state.config()
    from codtool.remit.bank import import_statement

    with state.all_or_nothing():
        results = [import_statement(state.ledger(), path, config.currency) for path in files]
        _report_files(state, results, files, lambda c: _show_statements(c, results, config.currency))


def _show_statements(console: Console, results: list, currency: str) -> None:
    console.print(table("Bank statements", ("file", "layout", "lines", "new", "already known", "credits",
                                            "debits", "rejected", "closing balance", "note"),
                        [(r.file, r.layout, r.lines, r.imported, r.already_known, r.credits, r.debits,
                          len(r.rejected), "" if r.closing_balance_minor is None
                          else format_minor(r.closing_balance_minor, currency),
                          "already imported: nothing changed" if r.already_imported else "")
                         for r in results]))
    _show_rejected(console, results)


def remit_reconcile(
    ctx: typer.Context,
    courier: CourierFilter = None,
    as_of: AsOf = None,
    fail: Annotated[bool, typer.Option(
        "--fail-on-discrepancy", help=f"Exit {DISCREPANCY_EXIT} when any discrepancy is open (for cron).")] = False,
) -> None:
    """Post deliveries, remittances and bank credits to the ledger; list every open discrepancy and each cycle.

    Example: codtool remit reconcile --courier brt --fail-on-discrepancy
    """
    state = state_of(ctx)
    state.on_interrupt(RECONCILE_INTERRUPTED)
    with state.output.progress("Reconciling", unit="items") as tick:
        result = reconcile(state.ledger(), state.config(), day_option(as_of), check_name(courier) if courier else None,
                           tick)
    data = result.to_json()

    def show(console: Console) -> None:
        _show_cycles(console, data)
        _show_discrepancies(console, data["discrepancies"])
        counts = ", ".join(f"{k} {v}" for k, v in data["counts"].items())
        console.print(f"As of {data['as_of']}: {counts}; {result.new_transactions} new transaction(s).")

    state.output.emit(data, show)
    if fail and result.open:
        state.output.note(f"{len(result.open)} open discrepancy(ies)")
        raise typer.Exit(DISCREPANCY_EXIT)


def _show_cycles(console: Console, data: dict) -> None:
    cur = data["currency"]
    console.print(table("Cycles", ("courier", "first day", "last day", "payout due", "parcels", "expected",
                                   "remitted", "fees", "difference", "status"),
                        [(c["courier"], c["cycle_start"], c["cycle_end"], c["payout_due"], c["parcels"],
                          format_minor(c["expected_minor"], cur), format_minor(c["remitted_minor"], cur),
                          format_minor(c["fees_minor"], cur), format_minor(c["difference_minor"], cur), c["status"])
                         for c in data["cycles"]],
                        numeric=("parcels", "expected", "remitted", "fees", "difference")))


def _show_discrepancies(console: Console, items: list[dict]) -> None:
    console.print(table(f"Open discrepancies ({len(items)})", ("id", "kind", "courier", "tracking", "order",
                                                               "bank ref", "amount", "cycle", "detail"),
                        [(d["id"], d["kind"], d["courier"], d["tracking_number"], d["order_id"], d["bank_reference"],
                          d["amount"], d["cycle"], d["detail"]) for d in items[:_SHOWN]], numeric=("amount",)))
    if len(items) > _SHOWN:
        console.print(f"... and {len(items) - _SHOWN} more (use --json or remit report --out FILE.xlsx)")


def remit_report(
    ctx: typer.Context,
    courier: CourierFilter = None,
    as_of: AsOf = None,
    out: Annotated[Path | None, typer.Option(help="Also write the report to FILE.xlsx or FILE.csv.")] = None,
    force: ForceOption = False,
) -> None:
    """Per courier and cycle the totals, the aging of what each courier owes, and every open discrepancy.

    Example: codtool remit report --as-of 2026-11-30 --out remit.xlsx
    """
    state = state_of(ctx)
    if out is not None:
        export_format(out, force)  # before the work: a bad or existing --out fails first
    state.on_interrupt(RECONCILE_INTERRUPTED)
    with state.output.progress("Reconciling", unit="items") as tick:
        result = reconcile(state.ledger(), state.config(), day_option(as_of), check_name(courier) if courier else None,
                           tick)
    from codtool.remit.report import Report, write_report

    report = Report(result, [dict(r) for r in store.decisions(state.ledger().session)])
    if out is not None:
        write_report(report, out, force)
    data = report.to_json()

    def show(console: Console) -> None:
        _show_cycles(console, data)
        cur = data["currency"]
        console.print(table("Aging: owed by days past the payout date", ("courier", "not due", "0-5", "6-10",
                                                                          "11-30", "over 30", "total"),
                            [(a["courier"], *(format_minor(a[f"{b}_minor"], cur) for b in
                                              ("not_due", "0-5", "6-10", "11-30", "over_30")),
                              format_minor(a["total_minor"], cur)) for a in data["aging"]],
                            numeric=("not due", "0-5", "6-10", "11-30", "over 30", "total")))
        _show_discrepancies(console, data["discrepancies"])
        if out is not None:
            console.print(f"Written to {out}.")

    state.output.emit(data, show)


def remit_resolve(
    ctx: typer.Context,
    discrepancy: Annotated[int, typer.Argument(help="Discrepancy id, as listed by remit reconcile.")],
    write_off: Annotated[bool, typer.Option("--write-off", help="Write the amount off as a loss.")] = False,
    dispute: Annotated[bool, typer.Option("--dispute", help="Claim it from the courier (disputed claims).")] = False,
    accept: Annotated[bool, typer.Option("--accept", help="Accept the other side's figure.")] = False,
    note: Annotated[str, typer.Option("--note", help="Why: kept in the audit trail.")] = "",
    by: Annotated[str | None, typer.Option("--by", help="Who decides (default: your user name).")] = None,
    as_of: AsOf = None,
) -> None:
    """Record a decision on an open discrepancy, with who and when, and post its balancing transaction.

    Example: codtool remit resolve 7 --write-off --note 'parcel lost, courier refused claim'
    """
    chosen = [name for name, flag in (("write_off", write_off), ("dispute", dispute), ("accept", accept)) if flag]
    if len(chosen) != 1:
        raise typer.BadParameter("give exactly one of --write-off, --dispute, --accept")
    state = state_of(ctx)
    who = by or getpass.getuser()
    data = resolve(state.ledger(), state.config(), Decision(discrepancy, chosen[0], note, who), day_option(as_of))
    state.output.emit(data, lambda c: c.print(
        f"Discrepancy {data['id']} ({data['kind']}, {format_minor(data['amount_minor'], data['currency'] or 'EUR')} "
        f"{data['currency']}): {data['decision']} by {data['decided_by']} at {data['decided_at']}."))


def remit_chase(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", metavar="DIR",
                                      help="Folder for the reminders (PDF, XLSX, TXT); must exist.")],
    courier: CourierFilter = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Reconcile and chase as of this day (YYYY-MM-DD); default today.")] = None,
) -> None:
    """Write reminders to couriers with overdue COD money: friendly, then formal, then final; each step once.

    Example: codtool remit chase --as-of 2026-11-30 --out reminders/
    """
    if not out.is_dir():
        raise OutputRefused(f"{out}: no such folder; create it first (reminders are written there)")
    from codtool.remit.chase import run_chase  # the PDF and sheet writers load when a chase runs

    state = state_of(ctx)
    result = run_chase(state.ledger(), state.config(), day_option(as_of), out, check_name(courier) if courier else None)
    data = result.to_json()

    def show(console: Console) -> None:
        cur = data["currency"]
        console.print(table(f"Reminders written ({len(data['reminders'])})",
                            ("courier", "step", "parcels", "total", "pay by", "files"),
                            [(r["courier"], r["step"], r["parcels"], format_minor(r["total_minor"], cur), r["pay_by"],
                              " ".join(Path(f).name for f in r["files"])) for r in data["reminders"]],
                            numeric=("parcels", "total")))
        if data["waiting"]:
            console.print(table("Waiting for the next step", ("courier", "parcels", "total", "last step",
                                                             "last sent", "next step", "not before"),
                                [(w["courier"], w["parcels"], format_minor(w["total_minor"], cur), w["last_step"] or "",
                                  w["last_sent"] or "", w["next_step"], w["next_on"]) for w in data["waiting"]],
                                numeric=("parcels", "total")))
        console.print(f"As of {data['as_of']}: {data['overdue_parcels']} overdue parcel(s) chased, "
                      f"{data['overdue']} {cur}.")

    state.output.emit(data, show)


def remit_balances(ctx: typer.Context) -> None:
    """Every money account's balance (debit positive): receivables, payables, bank, fees, suspense.

    Example: codtool remit balances
    """
    state = state_of(ctx)
    rows = [dict(r) for r in store.balances(state.ledger().session)]
    state.output.emit({"accounts": rows}, lambda c: c.print(table(
        "Balances", ("account", "currency", "balance", "postings"),
        [(r["code"], r["currency"], format_minor(r["balance"], r["currency"]), r["postings"]) for r in rows],
        numeric=("balance", "postings"))))
