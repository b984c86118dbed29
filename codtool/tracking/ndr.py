"""Failed deliveries (NDR): which parcels need a decision today, and recording the decisions.

A failed attempt is open until someone records what the courier should do (re-attempt, with a
new address, phone or date; hold; or return to sender) after the latest attempt. Couriers
usually try about three times and hold a parcel a few days ("giacenza") before returning it,
so the list shows the attempt count and how long the parcel has been waiting.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from codtool.crashpoints import crash_point
from codtool.exports import DATETIME, ID, INT, MONEY, TEXT, schema
from codtool.findings import Finding
from codtool.ledger import Ledger
from codtool.ledger import findings as found_store
from codtool.ledger import tracking as store
from codtool.ledger.db import utc_now
from codtool.money import Money
from codtool.tracking.events import FINAL
from codtool.tracking.sources import Table, parse_day, parse_when

MAX_ATTEMPTS = 3
STORAGE_DAYS = 5
_ACTIONS = {
    "customer_absent": "call the customer, agree a day, re-attempt",
    "phone_unreachable": "try SMS/e-mail, check the phone number, else return",
    "wrong_address": "get the full address from the customer, re-attempt with it",
    "refused": "call to confirm the order; return if refused again",
    "rescheduled": "re-attempt on the date the customer asked for",
    "cod_not_ready": "call: the customer must have the cash ready, re-attempt",
    "premises_closed": "call for opening hours, re-attempt",
    "out_of_area": "offer a pick-up point or return",
}
DECISION_COLUMNS = {
    "tracking_number": ("tracking_number", "tracking", "awb", "spedizione", "lettera di vettura"),
    "courier": ("courier", "corriere"),
    "action": ("action", "decision", "azione", "decisione"),
    "new_address": ("new_address", "nuovo indirizzo"),
    "new_phone": ("new_phone", "nuovo telefono"),
    "new_date": ("new_date", "reattempt_date", "nuova data"),
    "note": ("note", "notes"),
    "decided_by": ("decided_by", "operator", "operatore", "deciso da"),
    "decided_at": ("decided_at", "decided", "data decisione"),
}
_ACTION_WORDS = {
    "reattempt": "reattempt", "re-attempt": "reattempt", "riconsegna": "reattempt", "ritenta": "reattempt",
    "return": "return", "rto": "return", "reso": "return", "resa al mittente": "return",
    "hold": "hold", "giacenza": "hold", "fermo deposito": "hold",
}


@dataclass
class OpenNdr:
    """One parcel waiting for a decision, with what the call centre needs to act."""

    tracking_number: str
    courier: str
    order: str
    shop: str
    customer_name: str
    phone: str
    address: str
    cod: Money
    attempts: int
    first_attempt_at: str
    last_attempt_at: str
    days_waiting: int
    reason: str
    raw_reason: str
    action: str
    phone_e164: str = ""  # the checked number to dial ('' until `codtool check` read it)
    address_typed: str = ""  # as the customer typed it, when a call corrected `address`

    def to_json(self) -> dict:
        """Flat fields for --json and the xlsx/csv list: the amount as "32.00" text, its currency and minor units."""
        data: dict = {}
        for key, value in asdict(self).items():
            if key == "cod":
                data |= {"cod_amount": self.cod.plain, "currency": self.cod.currency, "cod_minor": self.cod.minor}
            else:
                data[key] = value
        return data


SCHEMA = schema(("tracking_number", ID), ("courier", TEXT), ("order", ID), ("shop", TEXT),
                ("customer_name", TEXT), ("phone", ID), ("address", TEXT), ("cod_amount", MONEY, "currency"),
                ("currency", TEXT), ("attempts", INT), ("first_attempt_at", DATETIME), ("last_attempt_at", DATETIME),
                ("days_waiting", INT), ("reason", TEXT), ("raw_reason", TEXT), ("action", TEXT))


def open_ndrs(ledger: Ledger, on: date | None = None) -> list[OpenNdr]:
    """Parcels whose current status is a failed attempt with no decision since that attempt."""
    conn = ledger.session
    day = on or date.today()
    candidates = store.ndr_candidates(conn)
    ids = [r["id"] for r in candidates]
    attempts: dict[int, list] = {}
    for a in store.failed_attempts(conn, ids):
        attempts.setdefault(a["shipment_id"], []).append(a)
    decisions = store.latest_decisions(conn, ids)
    found = []
    for row in candidates:
        tries = attempts.get(row["id"], [])
        last = tries[-1] if tries else None
        last_at = last["event_at"] if last else row["status_at"]
        decided = decisions.get(row["id"])
        if decided is not None and decided["decided_at"] >= last_at:
            continue
        found.append(_open(row, tries, last_at, day))
    return found


def _open(row, tries: list, last_at: str, day: date) -> OpenNdr:
    first_at = tries[0]["event_at"] if tries else last_at
    reason = tries[-1]["reason"] if tries else "unknown"
    action = _ACTIONS.get(reason, "call the customer to find out what happened")
    if len(tries) >= MAX_ATTEMPTS:
        action = f"attempts used up: decide today or it goes back ({action})"
    waiting = max(0, (day - date.fromisoformat(first_at[:10])).days)
    if waiting >= STORAGE_DAYS:
        action = f"in storage {waiting} days, return is near: {action}"
    typed = ", ".join(p for p in (row["address1"], row["postcode"], row["city"], row["province"]) if p)
    address = typed
    if row["new_address1"]:
        address = ", ".join(p for p in (row["new_address1"], row["new_postcode"], row["new_city"],
                                         row["new_province"]) if p)
    return OpenNdr(row["tracking_number"], row["courier"], row["source_id"], row["shop"], row["customer_name"],
                   row["phone"], address, Money(row["cod_minor"], row["currency"]),
                   len(tries), first_at, last_at, waiting, reason, tries[-1]["raw_reason"] if tries else "",
                   action, row["phone_e164"], typed if address != typed else "")


@dataclass
class RecordResult:
    file: str
    lines: int = 0
    recorded: int = 0
    already_recorded: int = 0
    rejected: list[Finding] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self) | {"rejected": [f.to_json() for f in self.rejected]}


def record_decisions(ledger: Ledger, path: Path, courier: str | None = None,
                     sheet: str | None = None) -> RecordResult:
    """Import decisions with who took them and when; every bad line is named, none guessed."""
    table = Table(path, DECISION_COLUMNS, ("tracking_number", "action", "decided_by", "decided_at"), sheet)
    lines = list(table.records())
    result = RecordResult(str(path), lines=len(lines))
    with ledger.transaction() as conn:
        numbers = sorted({c["tracking_number"] for _, c in lines if c["tracking_number"]})
        known = store.shipments_by_tracking(conn, courier, numbers)
        rows, now = [], utc_now()
        for line, cells in lines:
            verdict = _decision(cells, known, courier)
            if isinstance(verdict, Finding):
                result.rejected.append(_located(verdict, path.name, line, cells["tracking_number"]))
                continue
            key = hashlib.sha256("\x1f".join(map(str, verdict)).encode()).hexdigest()
            rows.append((*verdict, path.name, line, key, now))
        result.recorded = store.insert_decisions(conn, rows)
        result.already_recorded = len(rows) - result.recorded
        found_store.store_findings(conn, "ndr", result.rejected)
        crash_point("ndr.after_decisions")
    return result


def _rejected(code: str, message: str, shipment=None) -> Finding:
    """A rejected decision line; the file, line and parcel are filled in by `_located`."""
    return Finding("", None, code, message, order_id=shipment["order_id"] if shipment is not None else None)


def _located(f: Finding, source: str, line: int, parcel: str) -> Finding:
    return Finding(source, line, f.code, f.message, f.severity, f.order, parcel, f.order_id)


def _decision(cells: dict[str, str], known: dict, courier: str | None) -> tuple | Finding:
    number = cells["tracking_number"]
    if not number:
        return _rejected("ndr.missing_field", "missing tracking number")
    matches = [s for s in known.get(number, []) if not cells["courier"] or s["courier"] == cells["courier"].lower()]
    if not matches:
        return _rejected("ndr.unknown_parcel", f"no shipment with tracking number {number}"
                         + (f" for courier {courier}" if courier else ""))
    if len(matches) > 1:
        return _rejected("ndr.ambiguous_parcel",
                         f"tracking number {number} exists for several couriers: add a courier column or use --courier")
    shipment = matches[0]
    if shipment["status"] in FINAL:
        return _rejected("ndr.parcel_closed", f"parcel {number} is already {shipment['status']}", shipment)
    action = _ACTION_WORDS.get(" ".join(cells["action"].split()).casefold())
    if action is None:
        return _rejected("ndr.unknown_action", f"unknown action {cells['action']!r}; use reattempt, hold or return",
                         shipment)
    decided_at = parse_when(cells["decided_at"])
    if decided_at is None:
        return _rejected("ndr.bad_time", f"cannot read decided_at {cells['decided_at']!r}", shipment)
    if not cells["decided_by"]:
        return _rejected("ndr.missing_field", "missing decided_by: say who took the decision", shipment)
    new_date = ""
    if cells["new_date"]:
        new_date = parse_day(cells["new_date"]) or ""
        if not new_date:
            return _rejected("ndr.bad_time", f"cannot read new_date {cells['new_date']!r}", shipment)
    if action != "reattempt" and (cells["new_address"] or cells["new_phone"] or new_date):
        return _rejected("ndr.detail_without_reattempt",
                         f"a new address, phone or date only goes with a re-attempt, not {action}", shipment)
    return (shipment["id"], action, cells["new_address"], cells["new_phone"], new_date, cells["note"],
            cells["decided_by"], decided_at)
