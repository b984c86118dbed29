"""The call sheet's layout: what `calls list` and `codtool daily` write, and `calls record` reads back.

One definition for both directions, so the fill-in columns a caller types into are the ones the
outcome reader looks for. Light on purpose (no pandas, no sheet reader): the CLI imports it to
build `calls list --help`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from codtool.exports import DATETIME, ID, INT, MONEY, TEXT, schema

ADDRESS_FIELDS = ("new_address1", "new_address2", "new_postcode", "new_city", "new_province")
FILL_IN = ("outcome", "called_at", "call_back_at", *ADDRESS_FIELDS, "agent", "note")
COLUMNS = ("id", "order", "shop", "customer", "phone_e164", "phone_national", "address", "amount", "currency",
           "items", "score", "reasons", "attempt", "last_outcome", "due_at")
SCHEMA = schema(("id", INT), ("order", ID), ("shop", TEXT), ("customer", TEXT), ("phone_e164", ID),
                ("phone_national", ID), ("address", TEXT), ("amount", MONEY, "currency"), ("currency", TEXT),
                ("items", TEXT), ("score", INT), ("reasons", TEXT), ("attempt", INT), ("last_outcome", TEXT),
                ("due_at", DATETIME), *((name, TEXT) for name in FILL_IN))


def reasons_text(reasons: list[dict]) -> str:
    """"high COD 120.00 EUR (>= 100.00) +30; first-time customer +10": no leading sign for spreadsheets."""
    return "; ".join(f"{r['reason']} +{r['points']}" for r in reasons)


def sheet_row(call: dict) -> list:
    """One call as a sheet row, the fill-in columns empty."""
    return [reasons_text(call[c]) if c == "reasons" else call[c] for c in COLUMNS] + [""] * len(FILL_IN)


def write_call_sheet(path: Path, calls: Iterable[dict], replace: bool, dialect: str | None = None) -> None:
    from codtool.exports import write_table

    rows = (sheet_row(c) for c in calls)
    if dialect is None:
        write_table(path, SCHEMA, rows, sheet="calls", replace=replace)
    else:
        write_table(path, SCHEMA, rows, sheet="calls", replace=replace, dialect=dialect)
