"""Reading statements back: their status, lines, adjustments and totals, for `payout list` and `statement`.

Status: `open` while the cycle has not been closed; once closed, `due` while something is left
to pay, `paid` when payments cover it (a statement of zero is paid), `carried` when its total
was negative and went to the next statement as what the shop owes. Totals are summed from the
items: `cod` and `fees` over the lines (parcels and RTO charges), `net` over lines and
adjustments (late parcels, reversals, carried balances), so they add up to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from codtool.errors import CodtoolError
from codtool.ledger import Session
from codtool.ledger import payouts as store

STATUSES = ("open", "due", "paid", "carried")


class UnknownStatement(CodtoolError):
    """No payout statement has this id."""


def status_of(row) -> str:
    if row["closed_at"] is None:
        return "open"
    if row["net"] < 0:
        return "carried"
    return "paid" if row["paid"] >= row["net"] else "due"


@dataclass
class Statement:
    id: int
    shop: str
    cycle_start: str
    cycle_end: str
    currency: str
    status: str
    parcels: int
    cod: int
    fees: int
    net: int
    paid: int
    lines: list[dict] = field(default_factory=list)
    adjustments: list[dict] = field(default_factory=list)
    payments: list[dict] = field(default_factory=list)

    @property
    def due(self) -> int:
        """What is left to pay: nothing on an open or carried statement."""
        return max(self.net - self.paid, 0) if self.status in ("due", "paid") else 0

    def summary_json(self) -> dict:
        return {"id": self.id, "shop": self.shop, "cycle_start": self.cycle_start, "cycle_end": self.cycle_end,
                "status": self.status, "parcels": self.parcels, "cod_minor": self.cod, "fees_minor": self.fees,
                "net_minor": self.net, "paid_minor": self.paid, "due_minor": self.due, "currency": self.currency}

    def to_json(self) -> dict:
        return {"id": self.id, "shop": self.shop, "cycle_start": self.cycle_start, "cycle_end": self.cycle_end,
                "status": self.status, "currency": self.currency, "lines": self.lines,
                "adjustments": self.adjustments, "payments": self.payments,
                "totals": {"cod_minor": self.cod, "fees_minor": self.fees, "net_minor": self.net,
                           "paid_minor": self.paid, "due_minor": self.due}}


def _summary(row) -> Statement:
    return Statement(row["id"], row["shop"], row["cycle_start"], row["cycle_end"], row["currency"], status_of(row),
                     row["parcels"], row["cod"], row["fees"], row["net"], row["paid"])


def list_statements(session: Session, shop: str | None = None, status: str | None = None) -> list[Statement]:
    found = [_summary(r) for r in store.statements(session, shop)]
    return [s for s in found if status in (None, s.status)]


def load_statement(session: Session, statement_id: int) -> Statement:
    row = store.statement(session, statement_id)
    if row is None:
        raise UnknownStatement(f"no payout statement {statement_id} (see codtool payout list)")
    result = _summary(row)
    for item in store.items(session, statement_id):
        if item["kind"] in store.LINE_KINDS:
            result.lines.append({
                "order_id": item["order_ref"], "tracking_number": item["tracking_number"], "courier": item["courier"],
                "delivered_at": item["delivered_at"], "cod_minor": item["cod_minor"], "fee_minor": item["fee_minor"],
                "net_minor": item["net_minor"], "kind": item["kind"], "reason": item["reason"]})
        else:
            result.adjustments.append({"reason": item["reason"], "amount_minor": item["net_minor"],
                                       "kind": item["kind"], "tracking_number": item["tracking_number"]})
    result.payments = [{"bank_reference": p["bank_reference"], "amount_minor": p["amount_minor"],
                        "paid_on": p["paid_on"]} for p in store.payments(session, statement_id)]
    return result
