"""Double-entry postings: balanced transactions, each linked to its cause, append-only.

Stages describe what a cause (a delivery, a remittance line, a bank line) *should* have posted
in total; `sync` compares that with what the cause already posted and posts only the
difference, as a new transaction. Re-running posts nothing; a fact that changed meaning (a
parcel tracked as delivered after its remittance line arrived) gets a correcting transaction,
never an edit. Every transaction is checked to sum to zero per currency before it is stored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from codtool.errors import CodtoolError
from codtool.ledger import remit as store
from codtool.ledger.db import utc_now
from codtool.ledger.session import Session
from codtool.progress import Progress

SYNCED_CAUSES = ("delivery", "remittance_line", "bank_line")
CAUSES = (*SYNCED_CAUSES, "decision", "payout_item", "payout_payment")  # what may cause a transaction
BATCH = 20_000  # transactions stored per round trip: memory stays flat on a first run over a million parcels


class UnbalancedTransaction(CodtoolError):
    """A transaction's postings do not sum to zero in some currency."""


class UnknownCause(CodtoolError):
    """A transaction names a cause type the ledger does not know."""


@dataclass(frozen=True, slots=True)
class Leg:
    """One posting: an account by code, the parcel it concerns (if any), a signed amount (debit +)."""

    account: str
    amount: int
    currency: str
    shipment_id: int | None = None


@dataclass(frozen=True, slots=True)
class Txn:
    key: str
    cause_type: str
    cause_id: int
    effective_date: str
    memo: str
    legs: tuple[Leg, ...]


def check_balanced(txn: Txn) -> None:
    """Refuse a transaction whose legs do not sum to zero per currency (expected 0, got X)."""
    if txn.cause_type not in CAUSES:
        raise UnknownCause(f"{txn.key}: unknown cause {txn.cause_type!r} (known: {', '.join(CAUSES)})")
    totals: dict[str, int] = defaultdict(int)
    for leg in txn.legs:
        if not isinstance(leg.amount, int) or isinstance(leg.amount, bool):
            raise UnbalancedTransaction(f"{txn.key}: amount {leg.amount!r} is not integer minor units")
        totals[leg.currency] += leg.amount
    off = {c: v for c, v in totals.items() if v}
    if off or not txn.legs:
        detail = ", ".join(f"{c} sums to {v}, expected 0" for c, v in off.items()) or "no legs"
        raise UnbalancedTransaction(f"transaction {txn.key} ({txn.memo}): {detail}")


def post(session: Session, txns: Sequence[Txn]) -> int:
    """Store balanced transactions (keys already stored are skipped); returns how many were new."""
    for txn in txns:
        check_balanced(txn)
    now = utc_now()
    accounts = store.ensure_accounts(session, (leg.account for t in txns for leg in t.legs), now)
    rows = [store.TxnRow(t.key, t.cause_type, t.cause_id, t.effective_date, t.memo,
                         tuple((accounts[g.account], g.shipment_id, g.amount, g.currency) for g in t.legs))
            for t in txns]
    return store.insert_transactions(session, rows, now)


@dataclass(frozen=True, slots=True)
class Target:
    """What one cause should have posted in total, and the date and memo of a correction."""

    cause_type: str
    cause_id: int
    effective_date: str
    memo: str
    legs: tuple[Leg, ...]


LegKey = tuple[str, int | None, str]  # account, shipment, currency


def _sum_legs(legs: Iterable[Leg]) -> dict[LegKey, int]:
    totals: dict[LegKey, int] = defaultdict(int)
    for leg in legs:
        totals[(leg.account, leg.shipment_id, leg.currency)] += leg.amount
    return totals


Posted = tuple[tuple[str, int, str, int], ...]  # (account, shipment or 0, currency, amount): sorted, non-zero


def _canonical(totals: dict[LegKey, int]) -> Posted:
    return tuple(sorted((a, s or 0, c, v) for (a, s, c), v in totals.items() if v))


def _posted(session: Session) -> dict[tuple[str, int], Posted]:
    """What every cause has posted so far, as compact tuples (a million causes fit in little memory)."""
    found: dict[tuple[str, int], dict[tuple[str, int, str], int]] = defaultdict(dict)
    for cause_type, cause_id, account, shipment, currency, amount in store.posted_by_cause(session, SYNCED_CAUSES):
        legs = found[(cause_type, cause_id)]
        key = (account, shipment or 0, currency)
        legs[key] = legs.get(key, 0) + amount
    return {cause: tuple(sorted((*k, v) for k, v in legs.items() if v)) for cause, legs in found.items()}


def sync(session: Session, targets: Iterable[Target], progress: Progress | None = None,
         total: int | None = None) -> int:
    """Post, per cause, the difference between its target and what it already posted (`total`: about how
    many targets there are, for `progress`)."""
    posted = _posted(session)
    counts: dict[tuple[str, int], int] | None = None  # read only when something is to be posted
    txns, stored = [], 0
    for done, target in enumerate(targets, 1):
        if progress and done % 1_000 == 0:
            progress(done, total)
        cause = (target.cause_type, target.cause_id)
        delta = _sum_legs(target.legs)
        before = posted.get(cause, ())
        if _canonical(delta) == before:
            continue  # already posted exactly: the common case on every re-run
        for account, shipment, currency, amount in before:
            key = (account, shipment or None, currency)
            delta[key] = delta.get(key, 0) - amount
        legs = tuple(Leg(a, v, c, s) for (a, s, c), v in sorted(delta.items(), key=_order) if v)
        if legs:
            if counts is None:
                counts = store.transactions_per_cause(session, SYNCED_CAUSES)
            sequence = counts.get(cause, 0) + 1
            memo = target.memo if sequence == 1 else f"correction {sequence - 1}: {target.memo}"
            txns.append(Txn(f"{target.cause_type}:{target.cause_id}:{sequence}", target.cause_type,
                            target.cause_id, target.effective_date, memo, legs))
            if len(txns) >= BATCH:
                stored += post(session, txns)
                txns = []
    return stored + post(session, txns)


def _order(item: tuple[LegKey, int]) -> tuple:
    (account, shipment, currency), _ = item
    return account, shipment or 0, currency
