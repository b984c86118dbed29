"""Typer commands, one module per stage of the COD day; each registers itself here."""

from __future__ import annotations

import typer


def register_all(app: typer.Typer) -> None:
    from codtool.commands import calls, checks, dedupe, doctor, imports, orders, shipping

    for module in (imports, orders, checks, dedupe, calls, shipping, doctor):
        module.register(app)
