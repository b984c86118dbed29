"""`ship`: recording which orders left in which parcel, refusing line by line what must not ship.

An order is refused (with the reason, by manifest line) when it is cancelled or a duplicate,
a suspected duplicate still under review, prepaid but carrying a COD amount, already shipped,
or not confirmed yet (unless forced). Re-running the same manifest records nothing new.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import NamedTuple

from codtool import statuses
from codtool.crashpoints import crash_point
from codtool.errors import AmountError
from codtool.findings import Finding
from codtool.ledger import Ledger, Row, Session
from codtool.ledger import findings as found_store
from codtool.ledger import tracking as store
from codtool.ledger.db import utc_now
from codtool.ledger.dedupe import suspected_duplicates
from codtool.ledger.orders import StatusMove, set_statuses
from codtool.money import Money, read_amount
from codtool.progress import Progress, no_progress
from codtool.tracking.sources import Table, parse_day, today

MANIFEST_COLUMNS = {
    "order_id": ("order_id", "order", "order id", "ordine", "riferimento", "rif. mittente", "riferimento mittente"),
    "tracking_number": ("tracking_number", "tracking", "tracking number", "awb", "waybill", "spedizione",
                        "numero spedizione", "lettera di vettura", "ldv"),
    "ship_date": ("ship_date", "shipped_at", "ship date", "data spedizione", "data"),
    "cod_amount": ("cod_amount", "cod", "contrassegno", "importo contrassegno"),
    "currency": ("currency", "valuta"),
}
_ALREADY_SHIPPED = (statuses.SHIPPED, statuses.DELIVERED, statuses.RETURNED, statuses.LOST)


@dataclass(frozen=True)
class ShipRequest:
    path: Path
    courier: str
    shop: str | None = None
    force: bool = False
    sheet: str | None = None


class Refused(NamedTuple):
    """Why a manifest line does not ship: a code from docs/findings.md and the words for people."""

    code: str
    message: str


@dataclass
class ShipResult:
    """What a manifest did: shown to people and, as JSON, to cron jobs."""

    file: str
    courier: str
    lines: int = 0
    shipped: int = 0
    already_recorded: int = 0
    cod: dict[str, Money] = field(default_factory=dict)  # to collect, per currency
    refused: list[Finding] = field(default_factory=list)

    def to_json(self) -> dict:
        data = asdict(self)
        del data["cod"]
        data["refused"] = [f.to_json() for f in self.refused]
        data["cod_minor"] = {c: m.minor for c, m in self.cod.items()}
        data["cod_to_collect"] = {c: m.plain for c, m in self.cod.items()}
        return {k: data[k] for k in ("file", "courier", "lines", "shipped", "already_recorded", "cod_minor",
                                     "refused", "cod_to_collect")}


@dataclass
class _Line:
    line: int
    cells: dict[str, str]


def ship_manifest(ledger: Ledger, request: ShipRequest, progress: Progress | None = None) -> ShipResult:
    """Check every manifest line against the ledger and record the good ones in one transaction."""
    table = Table(request.path, MANIFEST_COLUMNS, ("order_id", "tracking_number"), request.sheet)
    lines = [_Line(n, cells) for n, cells in table.records()]
    result = ShipResult(str(request.path), request.courier, lines=len(lines))
    with ledger.transaction() as conn:
        _Checker(conn, request, result).run(lines, progress or no_progress)
        crash_point("ship.after_shipments")
    return result


class _Checker:
    """Holds the look-ups for one manifest so each line is judged with a few dict reads."""

    def __init__(self, conn: Session, request: ShipRequest, result: ShipResult) -> None:
        self.conn, self.request, self.result = conn, request, result
        self.seen_tracking: dict[str, tuple[int, str]] = {}
        self.seen_orders: dict[int, int] = {}

    def run(self, lines: list[_Line], progress: Progress) -> None:
        refs = [ln.cells["order_id"] for ln in lines if ln.cells["order_id"]]
        self.orders = store.orders_by_source(self.conn, self.request.shop, refs)
        ids = [o["id"] for found in self.orders.values() for o in found]
        self.suspects = suspected_duplicates(self.conn, ids)
        self.shipped = store.shipments_of_orders(self.conn, ids)
        numbers = [ln.cells["tracking_number"] for ln in lines if ln.cells["tracking_number"]]
        self.tracked = store.shipments_by_tracking(self.conn, self.request.courier, numbers)
        rows, moves = [], []
        for done, ln in enumerate(lines, 1):
            if done % 1_000 == 0:
                progress(done, len(lines))
            verdict = self.judge(ln)
            if isinstance(verdict, Refused):
                self.result.refused.append(self.finding(ln, verdict))
            elif verdict is not None:
                rows.append(verdict)
                moves.append((verdict[0], ln))
        self.result.shipped = store.insert_shipments(self.conn, rows)
        found_store.store_findings(self.conn, "ship", self.result.refused)
        source = f"ship {self.request.path.name}"
        set_statuses(self.conn, [
            StatusMove(order_id, statuses.SHIPPED, f"shipped with {self.request.courier} {ln.cells['tracking_number']}",
                       f"{source}:{ln.line}")
            for order_id, ln in moves])

    def finding(self, ln: _Line, refused: Refused) -> Finding:
        found = self.orders.get(ln.cells["order_id"].lstrip("#"), [])
        order_id = found[0]["id"] if len(found) == 1 else None
        return Finding(self.request.path.name, ln.line, refused.code, refused.message, order=ln.cells["order_id"],
                       parcel=ln.cells["tracking_number"], order_id=order_id)

    def judge(self, ln: _Line) -> tuple | Refused | None:
        """A shipment row to insert, None for a line already recorded, or why it is refused."""
        ref, number = ln.cells["order_id"], ln.cells["tracking_number"]
        if not ref:
            return Refused("ship.missing_order", "missing order id")
        if not number:
            return Refused("ship.missing_tracking", "missing tracking number")
        order = self.order(ref)
        if isinstance(order, Refused):
            return order
        known = self.tracked.get(number)
        if known:
            if known[0]["order_id"] == order["id"]:
                self.result.already_recorded += 1
                return None
            return Refused("ship.tracking_in_use",
                           f"tracking number {number} is already used by another order (shipment {known[0]['id']})")
        problem = self.repeated(ln, number, order["id"]) or self.order_problem(order)
        if problem:
            return problem
        day = parse_day(ln.cells["ship_date"]) if ln.cells["ship_date"] else today()
        if day is None:
            return Refused("ship.bad_date", f"cannot read ship date {ln.cells['ship_date']!r}")
        cod = self.cod_amount(ln, order)
        if isinstance(cod, Refused):
            return cod
        self.result.cod[cod.currency] = self.result.cod.get(cod.currency, Money.zero(cod.currency)) + cod
        return (order["id"], self.request.courier, number, day, cod, "shipped", day,
                self.request.path.name, ln.line, utc_now())

    def order(self, ref: str) -> Row | Refused:
        found = self.orders.get(ref.lstrip("#"), [])
        where = f" in shop {self.request.shop}" if self.request.shop else ""
        if not found:
            return Refused("ship.unknown_order", f"no order {ref}{where}")
        if len(found) > 1:
            shops = ", ".join(sorted({o["shop"] for o in found}))
            return Refused("ship.ambiguous_order", f"order {ref} exists in several shops ({shops}): use --shop")
        return found[0]

    def repeated(self, ln: _Line, number: str, order_id: int) -> Refused | None:
        if number in self.seen_tracking:
            first, _ = self.seen_tracking[number]
            return Refused("ship.repeated_line", f"tracking number {number} appears again (first at line {first})")
        if order_id in self.seen_orders:
            return Refused("ship.repeated_line", f"order appears again (first at line {self.seen_orders[order_id]})")
        self.seen_tracking[number] = (ln.line, str(order_id))
        self.seen_orders[order_id] = ln.line
        return None

    def order_problem(self, order: Row) -> Refused | None:
        status = order["status"]
        if status == statuses.CANCELLED:
            return Refused("ship.order_cancelled", "order is cancelled")
        if status == statuses.DUPLICATE:
            return Refused("ship.order_duplicate", "order was marked as a duplicate")
        if order["id"] in self.suspects:
            return Refused("ship.suspected_duplicate", str(self.suspects[order["id"]]))
        earlier = self.shipped.get(order["id"])
        if earlier is not None:
            return Refused("ship.already_shipped", f"already shipped with {earlier['courier']} "
                           f"{earlier['tracking_number']} on {earlier['ship_date']}")
        if status in _ALREADY_SHIPPED:
            return Refused("ship.already_shipped", f"already {status}")
        if status != statuses.CONFIRMED and not self.request.force:
            return Refused("ship.not_confirmed",
                           f"order is not confirmed (status {status}); confirm it first or use --force")
        return None

    def cod_amount(self, ln: _Line, order: Row) -> Money | Refused:
        """The amount the courier must collect: the order's own, unless the manifest disagrees."""
        currency = order["currency"]
        given = ln.cells["currency"].upper()
        if given and given != currency:
            return Refused("ship.currency_mismatch", f"currency {given} differs from the order's {currency}")
        text = ln.cells["cod_amount"]
        expected = Money(order["cod_minor"], currency)
        if not text:
            return expected
        try:
            amount = read_amount(text, currency)
        except AmountError as exc:
            return Refused("ship.bad_amount", f"COD amount: {exc}")
        if amount.minor < 0:
            return Refused("ship.bad_amount", f"negative COD amount {text!r}")
        if not order["is_cod"] and amount.minor:
            return Refused("ship.prepaid_with_cod", f"prepaid order with a COD amount to collect ({amount})")
        if order["is_cod"] and amount != expected:
            return Refused("ship.cod_mismatch", f"COD amount {amount.plain} differs from the order's {expected}")
        return amount
