"""`codtool orders export`: the whole picture in one sheet, one row per order.

For people who want every order in a spreadsheet: as imported, with the phone and address
the checks normalised, the findings still on it, its status and the COD to collect. Rows are
streamed from the ledger in id order and written through the one export writer, so a shop's
year of orders does not have to fit in memory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice

from codtool.checks.findings import SEVERITIES
from codtool.exports import DATETIME, ID, INT, MONEY, TEXT, schema, write_table
from codtool.ledger import Ledger
from codtool.ledger import orders as store
from codtool.ledger.session import Row
from codtool.money import Money
from codtool.notify.calls import items_text

SCHEMA = schema(
    ("id", INT), ("shop", TEXT), ("order", ID), ("created_at", DATETIME), ("status", TEXT),
    ("customer_name", TEXT), ("phone", ID), ("phone_e164", ID), ("phone_national", ID), ("email", TEXT),
    ("address1", TEXT), ("address2", TEXT), ("postcode", ID), ("city", TEXT), ("province", TEXT),
    ("country", TEXT), ("normalised_address", TEXT), ("house_number", ID), ("normalised_postcode", ID),
    ("normalised_city", TEXT), ("normalised_province", TEXT), ("payment_method", TEXT), ("cod", TEXT),
    ("cod_amount", MONEY), ("total", MONEY), ("currency", TEXT), ("items", TEXT), ("severity", TEXT),
    ("finding_codes", TEXT), ("findings", TEXT),
)
_CHUNK = 1000  # orders whose findings are fetched in one query


@dataclass(frozen=True)
class OrderFilter:
    """Which orders: any of these statuses (all when empty), one shop, created between two days."""

    statuses: Sequence[str] = field(default_factory=tuple)
    shop: str | None = None
    day_from: str | None = None
    day_to: str | None = None


def export_orders(ledger: Ledger, path: str | os.PathLike[str], which: OrderFilter, replace: bool = False,
                  dialect: str = "machine") -> int:
    """Write the orders to FILE.xlsx or FILE.csv; returns how many."""
    return write_table(path, SCHEMA, order_rows(ledger, which), sheet="orders", replace=replace, dialect=dialect)


def order_rows(ledger: Ledger, which: OrderFilter) -> Iterator[list]:
    """One row per order in SCHEMA's order, findings gathered a chunk of orders at a time."""
    conn = ledger.session
    orders = store.export_orders(conn, tuple(which.statuses), which.shop, which.day_from, which.day_to)
    while chunk := list(islice(orders, _CHUNK)):
        found: dict[int, list[Row]] = {}
        for f in store.findings_of(conn, [o["id"] for o in chunk]):
            found.setdefault(f["order_id"], []).append(f)
        for order in chunk:
            yield _row(order, found.get(order["id"], []))


def _row(o: Row, findings: list[Row]) -> list:
    severity = min((f["severity"] for f in findings), key=SEVERITIES.index, default="")
    return [
        o["id"], o["shop"], o["source_id"], o["created_at"], o["status"], o["customer_name"], o["phone"],
        o["phone_e164"] or "", o["phone_national"] or "", o["email"], o["address1"], o["address2"], o["postcode"],
        o["city"], o["province"], o["country"], o["address_line"] or "", o["house_number"] or "",
        o["n_postcode"] or "", o["n_city"] or "", o["n_province"] or "", o["payment_method"],
        "yes" if o["is_cod"] else "no", Money(o["cod_minor"], o["currency"]), Money(o["total_minor"], o["currency"]),
        o["currency"], items_text(o["items"]), severity, " ".join(f["code"] for f in findings),
        " | ".join(f["message"] for f in findings),
    ]
