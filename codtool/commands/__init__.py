"""Typer commands, one module per stage of the COD day; each registers itself here."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from codtool.input_policy import MAX_ID, ascii_int, shop_name


def add_group(app: typer.Typer, name: str, help: str, commands: dict[str, Callable]) -> typer.Typer:
    """A sub-command group (`codtool NAME COMMAND`) whose bare name prints its help."""
    group = typer.Typer(help=help, no_args_is_help=True)
    for command, function in commands.items():
        group.command(command)(function)
    app.add_typer(group, name=name)
    return group


def choices(name: str, values: Iterable[str]) -> type[Enum]:
    """An option's closed set of values as the Enum Typer checks: a bogus value is exit 2 listing the choices.

    Every enum-like option uses this (`--status`, `--profile`, `--by`, `--kind`), so help shows
    `[new|confirmed|...]` and the command receives `.value`, the plain string the library expects.
    """
    return Enum(name, {value: value for value in values}, type=str)


ForceOption = Annotated[bool, typer.Option("--force", help="Replace the output file if it already exists.")]
CsvDialectOption = Annotated[str, typer.Option(
    "--csv-dialect", metavar="DIALECT",
    help="CSV spelling: machine (UTF-8, ',' and '.') or excel-it (BOM, ';' and decimal comma).")]
SheetOption = Annotated[str | None, typer.Option("--sheet", metavar="NAME",
                                                 help="Sheet to read from an .xlsx workbook (default: the first).")]


def output_file(path: Path, force: bool, dialect: str = "machine") -> Path:
    """An export's --out and --csv-dialect, checked before any work: a bad choice fails first, not last."""
    from codtool.exports import CSV_DIALECTS, export_format

    if dialect not in CSV_DIALECTS:
        raise typer.BadParameter(f"choose one of {', '.join(CSV_DIALECTS)}", param_hint="--csv-dialect")
    export_format(path, force)
    return path


def ledger_id(value: str | int) -> int:
    """An id option or argument: ASCII digits within SQLite's INTEGER (click's int takes '٣' and 10**30)."""
    if isinstance(value, int):
        return value
    number = ascii_int(value)
    if number is None:
        raise typer.BadParameter(f"{value[:40]!r} is not an id (a whole number from 0 to {MAX_ID})")
    return number


def order_ref(value: str) -> str:
    """An ORDER argument or option: a ledger id or the shop's order id (#1001), as `orders show` reads it.

    Digits must be ASCII and within an id's bounds ('٣', '²' and 10**30 are usage errors)."""
    text = value.strip()
    if not text or not text.isprintable() or len(text) > 200:
        raise typer.BadParameter(f"{value[:40]!r} is not an order (a ledger id or the shop's order id)")
    if text.isdigit() and ascii_int(text) is None:
        raise typer.BadParameter(f"{value[:40]!r} is not an id (a whole number from 0 to {MAX_ID})")
    return text


def checked_shop(value: str | None) -> str | None:
    """--shop: not blank, one line, bounded; a blank name would make a shop nobody can select."""
    if value is None:
        return None
    try:
        return shop_name(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def day_option(text: str | None, option: str = "--as-of") -> date:
    """A day given on the command line (YYYY-MM-DD), or today; a bad one is a usage error naming the option."""
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"{text!r} is not a date (YYYY-MM-DD)", param_hint=option) from exc


def register_all(app: typer.Typer) -> None:
    from codtool.commands import browse, calls, checks, daily, dedupe, doctor, imports, orders, payout, remit, shipping

    for module in (imports, orders, checks, dedupe, calls, shipping, remit, payout, daily, doctor, browse):
        module.register(app)
