"""Typer commands, one module per stage of the COD day; each registers itself here."""

from __future__ import annotations

import typer


def register_all(app: typer.Typer) -> None:
    from codtool.commands import dedupe, imports, orders

    for module in (imports, orders, dedupe):
        module.register(app)
