"""`codtool doctor`: check the ledger's invariants (exit 1 if any is broken)."""

from __future__ import annotations

import typer

from codtool.errors import CodtoolError
from codtool.ledger.db import schema_version
from codtool.ledger.invariants import INVARIANTS, MONEY_CHECKS, check_invariants
from codtool.state import state_of


class LedgerInconsistent(CodtoolError):
    """The ledger breaks one of its invariants."""


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)


def doctor(ctx: typer.Context) -> None:
    """Check the ledger's invariants; exit 1 and name the offending rows if one is broken."""
    state = state_of(ctx)
    ledger = state.ledger()
    conn = ledger.session
    violations = check_invariants(conn)
    checked = [*INVARIANTS, *MONEY_CHECKS]
    data = {"schema_version": schema_version(conn), "checked": checked,
            "violations": [{"invariant": v.invariant, "rows": v.rows} for v in violations]}
    state.output.emit(data, lambda c: c.print(
        f"Ledger {ledger.url}: {len(checked)} invariants checked, {len(violations)} broken."))
    if violations:
        raise LedgerInconsistent("; ".join(map(str, violations)))
