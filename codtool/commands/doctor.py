"""`codtool doctor`: check the ledger's invariants (exit 1 if any is broken)."""

from __future__ import annotations

import typer

from codtool.cli import state_of
from codtool.errors import CodtoolError
from codtool.ledger.db import schema_version
from codtool.ledger.invariants import INVARIANTS, MONEY_CHECKS, check_invariants


class LedgerInconsistent(CodtoolError):
    """The ledger breaks one of its invariants."""


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)


def doctor(ctx: typer.Context) -> None:
    """Check the ledger's invariants; exit 1 and name the offending rows if one is broken."""
    state = state_of(ctx)
    conn = state.ledger().conn
    violations = check_invariants(conn)
    checked = [*INVARIANTS, *MONEY_CHECKS]
    data = {"schema_version": schema_version(conn), "checked": checked,
            "violations": [{"invariant": v.invariant, "rows": v.rows} for v in violations]}
    state.output.emit(data, lambda c: c.print(
        f"Ledger {state.db}: {len(checked)} invariants checked, {len(violations)} broken."))
    if violations:
        raise LedgerInconsistent("; ".join(map(str, violations)))
