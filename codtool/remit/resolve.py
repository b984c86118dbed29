"""`remit resolve`: a person's decision on a discrepancy, with who and when, and its balancing transaction.

The open amount sits on one account (the courier's receivable for a parcel, the courier's
remittances in transit, or suspense for money nobody can place); the decision moves it to
write-offs, to the courier's disputed claims, or, when the other side's figure is accepted, to
the courier's fees (parcel kinds) or to adjustments. Nothing is edited: the discrepancy leaves
the open list because a decision names it, and both stay in the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from codtool.config import Config
from codtool.crashpoints import crash_point
from codtool.errors import CodtoolError, NotFound
from codtool.ledger import Ledger
from codtool.ledger import remit as store
from codtool.ledger.db import utc_now
from codtool.remit.postings import Leg, Txn, post
from codtool.remit.reconcile import reconcile_in

DECISIONS = ("write_off", "dispute", "accept")
_PARCEL = ("short_paid", "over_paid", "fee_differs", "overdue")
_SUSPENSE = ("duplicate_line", "remitted_not_delivered", "unknown_parcel", "unmatched_credit")


class NotOpen(CodtoolError):
    """The discrepancy is already resolved, or no longer open at the latest reconcile."""


@dataclass(frozen=True)
class Decision:
    discrepancy_id: int
    decision: str
    note: str
    decided_by: str


def resolve(ledger: Ledger, config: Config, request: Decision, as_of: date) -> dict:
    """Reconcile first (so the decision meets today's facts), then record it and post its transaction."""
    if request.decision not in DECISIONS:
        raise CodtoolError(f"decision must be one of {', '.join(DECISIONS)}")
    if not request.note.strip():
        raise CodtoolError("say why with --note: the decision stays in the audit trail")
    row = store.get_discrepancy(ledger.session, request.discrepancy_id)
    if row is None:
        raise NotFound(f"no discrepancy {request.discrepancy_id}; `codtool remit reconcile` lists the open ones")
    if row["decision"] is not None:
        raise NotOpen(f"discrepancy {request.discrepancy_id} was already resolved ({row['decision']} by "
                      f"{row['decided_by']} at {row['decided_at']})")
    with ledger.transaction() as session:  # one unit: the decision meets the facts it was checked against
        open_ids = {i for i, _ in reconcile_in(session, config, as_of).open}
        if request.discrepancy_id not in open_ids:
            raise NotOpen(f"discrepancy {request.discrepancy_id} ({row['kind']}) is no longer open as of {as_of}: "
                          "the facts changed since it was reported")
        now = utc_now()
        decision_id = store.insert_decision(session, (request.discrepancy_id, request.decision, request.note,
                                                   request.decided_by, now))
        legs = decision_legs(dict(row), request.decision, session)
        post(session, [Txn(f"decision:{decision_id}", "decision", decision_id, as_of.isoformat(),
                        f"{request.decision} {row['kind']} #{row['id']}: {request.note}", legs)])
        crash_point("remit.resolve.after_decision")
    return {"id": request.discrepancy_id, "decision_id": decision_id, "kind": row["kind"],
            "decision": request.decision, "amount_minor": row["amount_minor"], "currency": row["currency"],
            "decided_by": request.decided_by, "decided_at": now, "note": request.note}


def target_account(kind: str, decision: str, courier: str) -> str:
    if decision == "write_off":
        return "write_offs"
    if decision == "dispute":
        return f"disputed:{courier or 'bank'}"
    return f"fees:{courier}" if kind in _PARCEL else "adjustments"


def decision_legs(row: dict, decision: str, session) -> tuple[Leg, ...]:
    """Move the discrepancy's open amount off the account that holds it, onto the decision's account."""
    kind, amount, currency, courier = row["kind"], row["amount_minor"], row["currency"], row["courier"]
    target = target_account(kind, decision, courier)
    receivable = f"receivable:{courier}"
    ship = row["subject_id"] if row["subject_type"] == "shipment" else None
    if kind in ("short_paid", "fee_differs"):
        return Leg(receivable, -amount, currency, ship), Leg(target, amount, currency)
    if kind == "over_paid":
        return Leg(receivable, amount, currency, ship), Leg(target, -amount, currency)
    if kind == "overdue":
        cod = store.shipment_cod(session, ship)
        legs = [Leg(receivable, -cod, currency, ship), Leg(f"fees:{courier}", cod - amount, currency),
                Leg(target, amount, currency)]
        return tuple(g for g in legs if g.amount)
    if kind in _SUSPENSE:
        return Leg("suspense", amount, currency), Leg(target, -amount, currency)
    # not_credited, credit_differs: the remittance is still in transit to the bank
    return Leg(f"in_transit:{courier}", -amount, currency), Leg(target, amount, currency)
