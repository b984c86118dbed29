"""Named crash points: a test-only hook that kills codtool with SIGKILL at a chosen place.

`CODTOOL_CRASH_AT=track.after_events codtool track ...` dies there as a power cut would: no
`finally`, no rollback, no flush. Each write phase calls `crash_point(NAME)` inside its transaction
(after its writes, before the commit), and at the seams between two transactions, so a test can
prove a re-run converges on the ledger an uninterrupted run leaves. Random kills miss short write
phases; named points do not. Unset, the hook costs one dictionary look-up.
"""

from __future__ import annotations

import os
import signal

ENV = "CODTOOL_CRASH_AT"
POINTS = (
    "import.after_orders",      # rows and rejects written, batch not finished, not committed
    "check.after_findings",     # findings written, not committed
    "check.between_passes",     # findings committed, shared-phone pass not run
    "dedupe.after_clusters",    # clusters written, not committed
    "dedupe.after_decision",    # a reviewer's decision and its status moves written, not committed
    "track.after_events",       # events written, statuses not re-derived, not committed
    "ship.after_shipments",     # shipments and status moves written, not committed
    "calls.after_outcomes",     # attempts and status moves written, not committed
    "calls.after_confirm",      # auto-confirmations written, not committed
    "ndr.after_decisions",      # decisions written, not committed
    "notify.after_messages",    # mark-sent: messages and rejects recorded, not committed
    "remit.import.after_lines",         # remittance file, remittances, lines and rejects written, not committed
    "remit.bank.after_lines",           # bank statement, lines and rejects written, not committed
    "remit.reconcile.after_postings",   # postings, discrepancies and the run written, not committed
    "remit.resolve.after_decision",     # decision and its balancing transaction written, not committed
    "remit.chase.after_reminders",      # reminders recorded and their files written, not committed
    "payout.after_items",               # statements, items and their postings written, cycles not closed
    "payout.after_close",               # cycles closed, balances carried, not committed
    "payout.after_payment",             # payment and its bank posting written, not committed
)

# `codtool daily` (tests/test_daily_faults.py): after a file's data and its record are written, not
# committed; and between two steps, after the named step committed everything it does.
DAILY_POINTS = ("daily.after_record", "daily.after_step.orders", "daily.after_step.check",
                "daily.after_step.manifests", "daily.after_step.bank", "daily.after_step.reconcile")


def crash_point(name: str) -> None:
    """Die here, at once, when the environment names this point."""
    if os.environ.get(ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
