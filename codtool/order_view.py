"""What `codtool orders show` tells about one order, assembled from every stage.

Stages (checks, dedupe, calls, shipping) register a section provider here instead of
editing the command, so the order view grows with the pipeline.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

from codtool.money import format_minor

Section = Callable[[sqlite3.Connection, int], list[dict]]
_SECTIONS: dict[str, Section] = {}


def register_section(name: str, provider: Section) -> None:
    """Add a titled list of records (findings, calls, events...) to the order view."""
    _SECTIONS[name] = provider


def order_summary(row: sqlite3.Row) -> dict:
    """An order as JSON-ready data, with money shown exactly beside its minor units."""
    data = dict(row)
    data["items"] = [item | {"price": format_minor(item["price_minor"], data["currency"])}
                     for item in json.loads(data["items"])]
    data["cod_amount"] = format_minor(data["cod_minor"], data["currency"])
    data["total"] = format_minor(data["total_minor"], data["currency"])
    data["is_cod"] = bool(data["is_cod"])
    return data


def order_detail(conn: sqlite3.Connection, row: sqlite3.Row) -> dict:
    data = order_summary(row)
    for name, provider in _SECTIONS.items():
        data[name] = provider(conn, row["id"])
    return data


def _status_history(conn: sqlite3.Connection, order_id: int) -> list[dict]:
    from codtool.ledger.orders import status_log

    return status_log(conn, order_id)


register_section("status_history", _status_history)
