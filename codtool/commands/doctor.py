"""`codtool doctor`: check the ledger's pages and its invariants (exit 1 if either is broken)."""

from __future__ import annotations

from typing import Annotated

import typer

from codtool.errors import CodtoolError
from codtool.ledger.db import schema_version
from codtool.ledger.integrity import physical_check
from codtool.ledger.invariants import MONEY_CHECKS, all_invariants, check_invariants
from codtool.ledger.permissions import make_private
from codtool.state import state_of


class LedgerInconsistent(CodtoolError):
    """The ledger breaks one of its invariants."""


class LedgerCorrupt(CodtoolError):
    """The storage engine finds damaged pages or indexes in the ledger (SQLite pages, PostgreSQL amcheck)."""


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)


def doctor(
    ctx: typer.Context,
    full: Annotated[bool, typer.Option("--full", help="Also check every index against its table (slower).")] = False,
) -> None:
    """Check the ledger file's pages, then its invariants; exit 1 and name what is broken.

    Example: codtool doctor --full
    """
    state = state_of(ctx)
    tightened = make_private(state.db)  # first: SQLite gives the -wal and -shm it creates the file's mode
    ledger = state.ledger()
    physical = physical_check(ledger, full)
    check, damage, note = physical.name, physical.damage, physical.note
    violations = [] if damage else check_invariants(ledger.session)
    data = {"schema_version": schema_version(ledger.session), "physical_check": check, "damage": damage,
            "physical_note": note,
            "checked": [*all_invariants(), *MONEY_CHECKS] if not damage else [], "tightened": tightened,
            "violations": [v.to_json() for v in violations]}

    def show(console) -> None:
        for item in tightened:
            console.print(f"Tightened permissions: {item}")
        if note:
            console.print(note)
        if damage:
            console.print(f"Ledger {ledger.url}: {check} found damage; invariants not checked.")
        else:
            done = f"{check} ok; " if check != "none" else ""
            console.print(f"Ledger {ledger.url}: {done}{len(all_invariants()) + len(MONEY_CHECKS)} invariants checked, "
                          f"{len(violations)} broken.")

    state.output.emit(data, show)
    if damage:
        what = "the file is damaged" if ledger.backend == "sqlite" else "the database's indexes are damaged"
        salvage = "sqlite3 .recover can salvage rows" if ledger.backend == "sqlite" else "REINDEX may repair an index"
        raise LedgerCorrupt(f"{ledger.url}: {what} ({check}): {'; '.join(damage)}; restore it from a backup "
                            f"({salvage})")
    if violations:
        raise LedgerInconsistent("; ".join(map(str, violations)))
