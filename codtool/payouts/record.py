"""`payout record`: a bank payment to a shop against one statement, and its balanced posting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from codtool.crashpoints import crash_point
from codtool.errors import CodtoolError
from codtool.ledger import Ledger
from codtool.ledger import payouts as store
from codtool.ledger.db import utc_now
from codtool.money import format_minor
from codtool.payouts.statements import load_statement
from codtool.remit.postings import Leg, Txn, post


class PaymentRefused(CodtoolError):
    """The payment does not fit the statement (not due, another amount without --partial, too much)."""


@dataclass(frozen=True)
class Payment:
    statement_id: int
    bank_reference: str
    amount: int
    day: date
    partial: bool = False


def record_payment(ledger: Ledger, payment: Payment) -> dict:
    """Refuse anything but the amount due (or less, with partial); post shop due against bank."""
    with ledger.transaction() as session:
        statement = load_statement(session, payment.statement_id)
        cur = statement.currency
        if statement.status != "due":
            raise PaymentRefused(f"statement {statement.id} is {statement.status}: nothing to pay"
                                 + (" until its cycle is closed (payout run)" if statement.status == "open" else ""))
        if payment.amount <= 0 or payment.amount > statement.due:
            raise PaymentRefused(f"statement {statement.id}: {format_minor(payment.amount, cur)} {cur} is not "
                                 f"what is due ({format_minor(statement.due, cur)} {cur})")
        if payment.amount != statement.due and not payment.partial:
            raise PaymentRefused(f"statement {statement.id}: {format_minor(payment.amount, cur)} {cur} differs "
                                 f"from the {format_minor(statement.due, cur)} {cur} due; give --partial to "
                                 "record it and leave the rest due")
        pid = store.insert_payment(session, statement.id, payment.bank_reference, payment.amount,
                                   payment.day.isoformat(), utc_now())
        post(session, [Txn(f"payout_payment:{pid}", "payout_payment", pid, payment.day.isoformat(),
                           f"payout to {statement.shop}, statement {statement.id}, {payment.bank_reference}",
                           (Leg(f"shop_due:{statement.shop}", payment.amount, cur),
                            Leg("bank", -payment.amount, cur)))])
        crash_point("payout.after_payment")
        return load_statement(session, statement.id).summary_json() | {"payment_id": pid}
