"""`codtool doctor`: check the ledger's pages and its invariants (exit 1 if either is broken)."""

from __future__ import annotations

from typing import Annotated

import typer

from codtool.cli import state_of
from codtool.errors import CodtoolError
from codtool.ledger.db import schema_version
from codtool.ledger.integrity import physical_check
from codtool.ledger.invariants import INVARIANTS, check_invariants
from codtool.ledger.permissions import make_private


class LedgerInconsistent(CodtoolError):
    """The ledger breaks one of its invariants."""


class LedgerCorrupt(CodtoolError):
    """SQLite finds damaged pages or indexes in the ledger file."""


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)


def doctor(
    ctx: typer.Context,
    full: Annotated[bool, typer.Option("--full", help="Also check every index against its table (slower).")] = False,
) -> None:
    """Check the ledger file's pages, then its invariants; exit 1 and name what is broken."""
    state = state_of(ctx)
    tightened = make_private(state.db)  # first: SQLite gives the -wal and -shm it creates the file's mode
    ledger = state.ledger()
    check = "integrity_check" if full else "quick_check"
    damage = physical_check(ledger, full)
    violations = [] if damage else check_invariants(ledger.conn)
    data = {"schema_version": schema_version(ledger.conn), "physical_check": check, "damage": damage,
            "checked": list(INVARIANTS) if not damage else [], "tightened": tightened,
            "violations": [{"invariant": v.invariant, "rows": v.rows} for v in violations]}

    def show(console) -> None:
        for item in tightened:
            console.print(f"Tightened permissions: {item}")
        if damage:
            console.print(f"Ledger {state.db}: {check} found damage; invariants not checked.")
        else:
            console.print(f"Ledger {state.db}: {check} ok; {len(INVARIANTS)} invariants checked, "
                          f"{len(violations)} broken.")

    state.output.emit(data, show)
    if damage:
        raise LedgerCorrupt(f"{state.db}: the file is damaged ({check}): {'; '.join(damage)}; restore it from a "
                            "backup (sqlite3 .recover can salvage rows)")
    if violations:
        raise LedgerInconsistent("; ".join(map(str, violations)))
