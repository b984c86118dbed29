"""The work list for staff: one CSV row per flagged open order, with what to fix and how."""

from __future__ import annotations

import os
from collections.abc import Iterator
from itertools import groupby

from codtool.checks.findings import ACTIONABLE, SEVERITIES
from codtool.exports import ID, INT, TEXT, schema, write_table
from codtool.ledger import Ledger
from codtool.ledger import checks as store
from codtool.statuses import OPEN

_IDENTIFIERS = ("source_id", "phone", "phone_e164", "postcode")
EXPORT_COLUMNS = (
    "order_id", "shop", "source_id", "status", "severity", "codes", "customer_name", "phone", "phone_e164",
    "address1", "address2", "postcode", "city", "province", "country", "problems", "suggested_fix",
)
EXPORT_SCHEMA = schema(*((c, ID if c in _IDENTIFIERS else INT if c == "order_id" else TEXT) for c in EXPORT_COLUMNS))
_ORDER_FIELDS = ("id", "shop", "source_id", "status")
_CONTACT_FIELDS = ("customer_name", "phone", "phone_e164", "address1", "address2", "postcode", "city",
                   "province", "country")


def flagged_rows(ledger: Ledger, batch: int | None) -> Iterator[list[str]]:
    """Orders still to act on (new, confirmed, unreachable) with an error or warning, errors first.

    Streamed in the ledger's order (worst finding, then id): the file is written as it is read."""
    rows = store.flagged(ledger.session, batch, OPEN, ACTIONABLE)
    for _, group in groupby(rows, key=lambda r: r["id"]):
        findings = list(group)
        first = findings[0]
        severity = min((f["severity"] for f in findings), key=SEVERITIES.index)
        yield [
            *(first[k] for k in _ORDER_FIELDS), severity, " ".join(f["code"] for f in findings),
            *((first[k] or "") for k in _CONTACT_FIELDS),
            " | ".join(f["message"] for f in findings),
            " | ".join(f["suggestion"] for f in findings if f["suggestion"]),
        ]


def export_flagged(ledger: Ledger, path: str | os.PathLike[str], batch: int | None, replace: bool = False,
                   dialect: str = "machine") -> int:
    """Write the work list; returns how many orders it holds."""
    return write_table(path, EXPORT_SCHEMA, flagged_rows(ledger, batch), sheet="flagged", replace=replace,
                       dialect=dialect)
