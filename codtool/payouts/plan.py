"""What a payout run adds to statements: a pure function of the facts, no database and no clock.

A parcel is payable once it is delivered and settled by a remittance line the bank credited
(`pay_on = "bank_credit"`, the default) or merely remitted (`pay_on = "remittance"`); a
reversal line counts as soon as the courier declares it. The shop is owed the COD minus its
own contract fee, whatever the courier deducted: courier shortfalls stay in the remittance
reconciliation. Each parcel is on its shop's statements once: `plan` compares what should be
there with what is, and adds only the difference, as new items on the statement of the cycle
holding the credit day, or on the first still-open statement if that cycle is already closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from codtool.payouts import reasons
from codtool.remit.cycles import Cycle, cycle_of
from codtool.remit.fees import contract_fee


@dataclass(frozen=True, slots=True)
class Payable:
    """A delivered parcel of a shop with a contract, and the day its cash counts as arrived (None: not yet)."""

    shipment_id: int
    shop: str
    courier: str
    tracking: str
    order_ref: str
    delivered: date
    cod: int
    paid_day: date | None
    changed: date | None = None  # when it stopped being payable: the reversal line's day (else the run's day)


@dataclass(frozen=True, slots=True)
class Return:
    shipment_id: int
    shop: str
    courier: str
    tracking: str
    order_ref: str
    day: date


@dataclass(frozen=True, slots=True)
class NewItem:
    """One statement item to store: `net = cod - fee` is what it adds to the shop's statement."""

    shop: str
    cycle: Cycle
    kind: str  # parcel, rto, adjustment (carried balances are added when statements close)
    shipment_id: int
    courier: str
    tracking: str
    order_ref: str
    day: str
    cod: int
    fee: int
    reason: str
    sequence: int

    @property
    def net(self) -> int:
        return self.cod - self.fee

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.shipment_id}:{self.sequence}"


def shop_fee(cod: int, terms, currency: str) -> int:
    """The operator's fee on one delivered parcel: percent of the COD (half-up) plus the per-parcel fee,
    at least the per-parcel minimum (the same rule and rounding as the couriers' fees)."""
    return contract_fee(cod, terms.fee_percent, terms.fee_per_parcel, terms.fee_min, currency)


def shop_cycle(day: date, terms) -> Cycle:
    return cycle_of(day, terms.payout_cycle_anchor, terms.payout_cycle_days, 0)


def next_cycle(cycle: Cycle) -> Cycle:
    days = (cycle.end - cycle.start).days + 1
    return Cycle(cycle.start + timedelta(days=days), cycle.end + timedelta(days=days), cycle.end + timedelta(days=days))


@dataclass
class OnStatements:
    """What one parcel has on statements so far: signed COD (positive while it is paid) and its items."""

    cod: int = 0
    fee: int = 0
    items: int = 0
    rto_charged: bool = False


def plan(shops: dict, payables: list[Payable], returns: list[Return], placed: dict[int, OnStatements],
         closed_through: dict[str, date], as_of: date, currency: str) -> list[NewItem]:
    """The items a run adds, in a stable order (by shipment)."""
    found: list[NewItem] = []
    for p in sorted(payables, key=lambda x: x.shipment_id):
        terms, now = shops[p.shop], placed.get(p.shipment_id, OnStatements())
        payable = p.paid_day is not None and p.paid_day <= as_of
        if payable and now.cod <= 0:
            found.append(_pay(p, terms, now, closed_through.get(p.shop), as_of, currency))
        elif not payable and now.cod > 0:
            target = _target(shop_cycle(min(p.changed or as_of, as_of), terms), closed_through.get(p.shop), terms)
            found.append(NewItem(p.shop, target, "adjustment", p.shipment_id, p.courier, p.tracking, p.order_ref,
                                 p.delivered.isoformat(), -now.cod, -now.fee,
                                 reasons.reversal(p.tracking, p.order_ref),
                                 now.items + 1))
    for r in sorted(returns, key=lambda x: x.shipment_id):
        terms = shops[r.shop]
        if terms.rto_fee and not placed.get(r.shipment_id, OnStatements()).rto_charged and r.day <= as_of:
            target = _target(shop_cycle(r.day, terms), closed_through.get(r.shop), terms)
            late = target.start != shop_cycle(r.day, terms).start
            found.append(NewItem(r.shop, target, "rto", r.shipment_id, r.courier, r.tracking, r.order_ref,
                                 r.day.isoformat(), 0, terms.rto_fee,
                                 reasons.rto_fee(r.tracking, r.day, late),
                                 1))
    return found


def _pay(p: Payable, terms, now: OnStatements, closed: date | None, as_of: date, currency: str) -> NewItem:
    natural = shop_cycle(p.paid_day, terms)
    target = _target(natural, closed, terms)
    fee = shop_fee(p.cod, terms, currency)
    if now.items == 0 and target.start == natural.start:
        kind, reason = "parcel", reasons.delivered(p.delivered, p.paid_day)
    elif now.items == 0:
        kind, reason = "adjustment", reasons.late(p.tracking, p.order_ref, p.paid_day, natural.label)
    else:
        kind, reason = "adjustment", reasons.paid_again(p.tracking, p.order_ref)
    return NewItem(p.shop, target, kind, p.shipment_id, p.courier, p.tracking, p.order_ref,
                   p.delivered.isoformat(), p.cod, fee, reason, now.items + 1)


def _target(natural: Cycle, closed: date | None, terms) -> Cycle:
    """The natural cycle, or the first cycle after the last closed one when the natural one is closed."""
    if closed is None or natural.end > closed:
        return natural
    return shop_cycle(closed + timedelta(days=1), terms)
