"""`codtool payout run|list|statement|record`: five-day statements that pay each client shop."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from codtool.commands import ForceOption, add_group, choices, day_option
from codtool.money import format_minor, read_amount
from codtool.payouts.record import Payment, record_payment
from codtool.payouts.run import run_payouts
from codtool.payouts.statements import STATUSES, list_statements, load_statement
from codtool.render import table
from codtool.state import state_of

StatementStatus = choices("StatementStatus", STATUSES)


def register(app: typer.Typer) -> None:
    add_group(app, "payout", "Shop payouts: statements per shop cycle, exact to the cent.", {
        "run": payout_run, "list": payout_list, "statement": payout_statement, "record": payout_record})


def payout_run(
    ctx: typer.Context,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Run as of this day (YYYY-MM-DD); default today.")
                     ] = None,
) -> None:
    """Reconcile, put what became payable on the shops' statements and close every cycle ended before as-of.

    Example: codtool payout run --as-of 2026-11-30
    """
    state = state_of(ctx)
    state.on_interrupt("the payout run was rolled back (its reconciliation, statement items, closings and "
                       "postings): nothing of it recorded.")
    with state.output.progress("Reconciling and paying out", unit="items") as tick:
        result = run_payouts(state.ledger(), state.config(), day_option(as_of, "--as-of"), tick)
    data = result.to_json()

    def show(console: Console) -> None:
        added = ", ".join(f"{k} {v}" for k, v in data["new_items"].items()) or "nothing"
        console.print(f"As of {data['as_of']}: added {added}; closed {len(data['closed_statements'])} "
                      f"statement(s); {data['new_transactions']} new transaction(s).")
        if data["shops_without_contract"]:
            console.print(f"No [shops.NAME] contract, not paid out: {', '.join(data['shops_without_contract'])}")

    state.output.emit(data, show)


def payout_list(
    ctx: typer.Context,
    shop: Annotated[str | None, typer.Option("--shop", metavar="NAME", help="Only this shop.")] = None,
    status: Annotated[StatementStatus | None, typer.Option("--status", help="Only statements in this status.")
                      ] = None,
) -> None:
    """List statements with their totals and status.

    Example: codtool payout list --shop bella-shop --status open
    """
    state = state_of(ctx)
    found = list_statements(state.ledger().session, shop.lower() if shop else None, status and status.value)
    data = {"statements": [s.summary_json() for s in found]}
    state.output.emit(data, lambda c: c.print(table(
        "Payout statements", ("id", "shop", "first day", "last day", "status", "parcels", "COD", "fees", "net", "due"),
        [(s.id, s.shop, s.cycle_start, s.cycle_end, s.status, s.parcels, format_minor(s.cod, s.currency),
          format_minor(s.fees, s.currency), format_minor(s.net, s.currency), format_minor(s.due, s.currency))
         for s in found], numeric=("parcels", "COD", "fees", "net", "due"))))


def payout_statement(
    ctx: typer.Context,
    statement_id: Annotated[int, typer.Argument(metavar="ID", help="Statement id, as listed by payout list.")],
    out: Annotated[Path | None, typer.Option(help="Also write it to FILE.xlsx, FILE.csv or FILE.pdf.")] = None,
    force: ForceOption = False,
) -> None:
    """Show one statement line by line, each deduction with its reason; optionally write it as a file.

    Example: codtool payout statement 3 --out statement_3.pdf
    """
    state = state_of(ctx)
    if out is not None:
        from codtool.payouts.documents import statement_format, write_statement  # openpyxl, reportlab

        statement_format(out, force)  # before the work: a bad or existing --out fails first
    statement = load_statement(state.ledger().session, statement_id)
    if out is not None:
        write_statement(statement, out, state.config().operator or "codtool", force)
    data = statement.to_json()

    def show(console: Console) -> None:
        cur = statement.currency
        console.print(table(f"Statement {statement.id}: {statement.shop}, {statement.cycle_start} to "
                            f"{statement.cycle_end} ({statement.status})",
                            ("order", "tracking", "courier", "delivered", "COD", "fee", "net", "note"),
                            [(ln["order_id"], ln["tracking_number"], ln["courier"], ln["delivered_at"],
                              format_minor(ln["cod_minor"], cur), format_minor(ln["fee_minor"], cur),
                              format_minor(ln["net_minor"], cur), "" if ln["kind"] == "parcel" else ln["reason"])
                             for ln in statement.lines], numeric=("COD", "fee", "net")))
        for a in statement.adjustments:
            console.print(f"Adjustment {format_minor(a['amount_minor'], cur)}: {a['reason']}")
        console.print(f"Total: COD {format_minor(statement.cod, cur)}, fees {format_minor(statement.fees, cur)}, "
                      f"net {format_minor(statement.net, cur)} {cur}; paid {format_minor(statement.paid, cur)}.")
        if out is not None:
            console.print(f"Written to {out}.")

    state.output.emit(data, show)


def payout_record(
    ctx: typer.Context,
    statement_id: Annotated[int, typer.Argument(metavar="ID", help="Statement id, as listed by payout list.")],
    bank_ref: Annotated[str, typer.Option("--bank-ref", help="The bank transfer's reference (CRO/TRN).")],
    amount: Annotated[str, typer.Option("--amount", help="Amount paid, e.g. 1.234,50 or 1234.50.")],
    day: Annotated[str | None, typer.Option("--date", help="Day of the transfer (YYYY-MM-DD); default today.")
                   ] = None,
    partial: Annotated[bool, typer.Option("--partial", help="Accept less than due; the rest stays due.")] = False,
) -> None:
    """Mark a statement paid (or partly paid) and post the bank transaction.

    Example: codtool payout record 3 --bank-ref CRO123456789 --amount 1234.50
    """
    state = state_of(ctx)
    config = state.config()
    paid = read_amount(amount, config.currency).minor
    payment = Payment(statement_id, bank_ref.strip(), paid, day_option(day, "--date"), partial)
    data = record_payment(state.ledger(), payment)
    state.output.emit(data, lambda c: c.print(
        f"Statement {data['id']} ({data['shop']}): paid {format_minor(data['paid_minor'], config.currency)} of "
        f"{format_minor(data['net_minor'], config.currency)} {config.currency}; status {data['status']}."))
