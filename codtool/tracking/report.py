"""Delivery outcomes as rates: how many parcels arrived, were refused, came back, and the cash collected.

Money is summed per currency only (a group never adds euros to dirhams). By SKU, a parcel
counts once under every SKU it carries, so SKU rows do not add up to the total.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from codtool.exports import INT, MONEY, RATE, TEXT, schema
from codtool.ledger import Ledger
from codtool.ledger import tracking as store
from codtool.money import Money
from codtool.tracking.events import DELIVERED, LOST, RTO_DELIVERED, RTO_IN_TRANSIT

if TYPE_CHECKING:  # pandas loads when a report is made: `codtool report delivery --help` needs only GROUPS
    import pandas as pd

GROUPS = ("shop", "courier", "province", "sku", "batch")
COLUMNS = ("group", "currency", "shipments", "delivered", "refused", "rto", "lost", "in_flight", "open_ndr",
           "delivery_rate", "refusal_rate", "rto_rate", "mean_days_to_deliver", "cash_collected")
SCHEMA = schema(("group", TEXT), ("currency", TEXT), *((c, INT) for c in COLUMNS[2:9]),
                *((c, RATE) for c in COLUMNS[9:12]), "mean_days_to_deliver", ("cash_collected", MONEY, "currency"))


def delivery_report(ledger: Ledger, date_from: str | None, date_to: str | None, shop: str | None,
                    by: str) -> list[dict]:
    """One row per group and currency, ordered by group; parcels chosen by ship date."""
    import pandas as pd

    from codtool.tracking.ndr import open_ndrs

    facts = pd.DataFrame([dict(r) for r in store.delivery_facts(ledger.session, date_from, date_to, shop)])
    if facts.empty:
        return []
    pending = {(n.courier, n.tracking_number) for n in open_ndrs(ledger)}
    facts["open_ndr"] = [(c, t) in pending for c, t in zip(facts["courier"], facts["tracking_number"], strict=True)]
    facts["group"] = _group_key(facts, by)
    facts = facts.explode("group")
    facts["delivered"] = facts["status"] == DELIVERED
    facts["rto"] = facts["status"].isin((RTO_IN_TRANSIT, RTO_DELIVERED))
    facts["lost"] = facts["status"] == LOST
    facts["in_flight"] = ~(facts["delivered"] | facts["rto"] | facts["lost"])
    facts["refused"] = facts["refused"].astype(bool)
    facts["days"] = (pd.to_datetime(facts["status_at"].str[:10]) - pd.to_datetime(facts["ship_date"])).dt.days
    facts["days"] = facts["days"].where(facts["delivered"])
    facts["collected"] = facts["cod_minor"].where(facts["delivered"], 0).astype("int64")
    return [_row(key, part) for key, part in facts.groupby(["group", "currency"], sort=True)]


def _group_key(facts: pd.DataFrame, by: str) -> pd.Series:
    if by == "sku":
        return facts["items"].map(lambda text: sorted({i.get("sku") or "(no sku)" for i in json.loads(text)})
                                  or ["(no sku)"])
    return facts[by].astype(str).replace("", "(none)")


def _row(key: tuple, part: pd.DataFrame) -> dict:
    import pandas as pd

    group, currency = key
    total = len(part)
    mean_days = part["days"].mean()
    collected = Money(int(part["collected"].sum()), currency)
    return {
        "group": group, "currency": currency, "shipments": total,
        "delivered": int(part["delivered"].sum()), "refused": int(part["refused"].sum()),
        "rto": int(part["rto"].sum()), "lost": int(part["lost"].sum()), "in_flight": int(part["in_flight"].sum()),
        "open_ndr": int(part["open_ndr"].sum()),
        "delivery_rate": round(part["delivered"].sum() / total, 4),
        "refusal_rate": round(part["refused"].sum() / total, 4),
        "rto_rate": round(part["rto"].sum() / total, 4),
        "mean_days_to_deliver": None if pd.isna(mean_days) else round(float(mean_days), 1),
        "cash_collected_minor": collected.minor, "cash_collected": collected.plain,
    }
