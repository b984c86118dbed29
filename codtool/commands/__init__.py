"""Typer commands, one module per stage of the COD day; each registers itself here."""

from __future__ import annotations

from collections.abc import Callable

import typer


def add_group(app: typer.Typer, name: str, help: str, commands: dict[str, Callable]) -> typer.Typer:
    """A sub-command group (`codtool NAME COMMAND`) whose bare name prints its help."""
    group = typer.Typer(help=help, no_args_is_help=True)
    for command, function in commands.items():
        group.command(command)(function)
    app.add_typer(group, name=name)
    return group


def register_all(app: typer.Typer) -> None:
    from codtool.commands import calls, checks, dedupe, doctor, imports, orders, payout, remit, shipping

    for module in (imports, orders, checks, dedupe, calls, shipping, remit, payout, doctor):
        module.register(app)
