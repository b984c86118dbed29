"""What `codtool orders show` tells about one order, assembled from every stage.

The sections are listed here, in the order of the COD day, so the view does not depend on
which command modules happen to be imported. A new stage adds its line to `SECTIONS`.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from codtool.ledger import Row, Session, calls, checks, dedupe, findings, orders, tracking
from codtool.money import Money

Section = Callable[[Session, int], list[dict]]


def _corrected_address(session: Session, order_id: int) -> list[dict]:
    return list(calls.corrections_of(session, [order_id]).values())


def _findings(session: Session, order_id: int) -> list[dict]:
    """What every stage found about the order (checks, ship refusals, call and NDR rejects, tracking)."""
    return [f.to_json() for f in findings.of_order(session, order_id)]


SECTIONS: dict[str, Section] = {
    "status_history": orders.status_log,
    "normalised": checks.normalised_of,
    "findings": _findings,
    "duplicates": dedupe.order_clusters,
    "calls": calls.attempts_of,
    "corrected_address": _corrected_address,
    "call_policy_decisions": calls.decisions_of,
    "shipments": tracking.order_shipments,
    "tracking_events": tracking.order_tracking,
    "ndr_decisions": tracking.order_ndr_decisions,
}


def order_summary(row: Row) -> dict:
    """An order as JSON-ready data, with money shown exactly beside its minor units."""
    data = dict(row)
    currency = data["currency"]
    data["items"] = [item | {"price": Money(item["price_minor"], currency).plain} for item in json.loads(data["items"])]
    data["cod_amount"] = Money(data["cod_minor"], currency).plain
    data["total"] = Money(data["total_minor"], currency).plain
    data["is_cod"] = bool(data["is_cod"])
    return data


def order_detail(session: Session, row: Row) -> dict:
    data = order_summary(row)
    for name, provider in SECTIONS.items():
        data[name] = provider(session, row["id"])
    return data
