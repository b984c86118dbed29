"""The call sheet's layout: what `calls list` and `codtool daily` write, and `calls record` reads back.

One definition for both directions, so the fill-in columns a caller types into are the ones the
outcome reader looks for. Light on purpose (no pandas, no sheet reader): the CLI imports it to
build `calls list --help`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from codtool.exports import DATETIME, ID, INT, MONEY, TEXT, schema

ADDRESS_FIELDS = ("new_address1", "new_address2", "new_postcode", "new_city", "new_province")
FILL_IN = ("outcome", "called_at", "call_back_at", *ADDRESS_FIELDS, "agent", "note")
COLUMNS = ("id", "order", "shop", "customer", "phone_e164", "phone_national", "address", "amount", "currency",
           "items", "score", "reasons", "attempt", "last_outcome", "due_at")
SCHEMA = schema(("id", INT), ("order", ID), ("shop", TEXT), ("customer", TEXT), ("phone_e164", ID),
                ("phone_national", ID), ("address", TEXT), ("amount", MONEY, "currency"), ("currency", TEXT),
                ("items", TEXT), ("score", INT), ("reasons", TEXT), ("attempt", INT), ("last_outcome", TEXT),
                ("due_at", DATETIME), *((name, TEXT) for name in FILL_IN))

if TYPE_CHECKING:
    from codtool.notify.calls import SheetLines


def reasons_text(reasons: Iterable[tuple[int, str, str]]) -> str:
    """"high COD 120.00 EUR (>= 100.00) +30; first-time customer +10": no leading sign for spreadsheets.

    `reasons` are (points, reason, code) signals; a line's JSON reasons give them as
    `(r["points"], r["reason"], r["code"]) for r in line["reasons"]`."""
    return "; ".join(f"{reason} +{points}" for points, reason, _ in reasons)


def json_reasons_text(reasons: list[dict]) -> str:
    """reasons_text of a line as --json gives it."""
    return reasons_text((r["points"], r["reason"], r["code"]) for r in reasons)


def write_call_sheet(path: Path, calls: SheetLines, replace: bool, dialect: str | None = None) -> None:
    from codtool.exports import write_table

    rows = calls.sheet_rows()
    if dialect is None:
        write_table(path, SCHEMA, rows, sheet="calls", replace=replace)
    else:
        write_table(path, SCHEMA, rows, sheet="calls", replace=replace, dialect=dialect)
