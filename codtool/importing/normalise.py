"""Turning a chunk of raw records into ledger-ready orders and line-numbered rejects.

Work is done column-wise with pandas; per-value parsing (amounts, dates) runs once per
distinct value through cached functions, because exports repeat prices and dates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd

from codtool.errors import AmountError
from codtool.importing.values import country_code, is_cancelled, is_cod, iso_datetime
from codtool.money import parse_minor

_TEXT_FIELDS = (
    "order_id", "customer_name", "email", "phone", "address1", "address2", "city",
    "postcode", "province", "country", "payment_method", "currency", "notes",
    "sku", "item_name",
)


@dataclass(frozen=True)
class Defaults:
    """Values for cells a file leaves empty, from the command line."""

    country: str | None
    currency: str
    now: str
    amount_field: str


def build_frame(rows: list[list[str]], lines: list[int], width: int,
                columns: dict[str, list[int]]) -> pd.DataFrame:
    """One stripped text column per codtool field; the first non-empty candidate wins."""
    raw = pd.DataFrame(rows, dtype=object) if rows else pd.DataFrame(columns=range(width))
    stripped: dict[int, pd.Series] = {}

    def col(i: int) -> pd.Series:
        if i not in stripped:
            stripped[i] = raw[i].fillna("").str.strip() if i in raw else pd.Series([""] * len(raw))
        return stripped[i]

    frame = pd.DataFrame(index=range(len(rows)))
    for field, indexes in columns.items():
        series = col(indexes[0])
        for i in indexes[1:]:
            series = series.where(series != "", col(i))
        frame[field] = series.to_numpy()
    for field in _TEXT_FIELDS:
        if field not in frame:
            frame[field] = ""
    frame["line"] = lines
    frame["width"] = [len(r) for r in rows]
    frame["raw"] = pd.Series(rows, dtype=object).to_numpy() if rows else []
    for field in ("phone", "postcode"):
        frame[field] = frame[field].str.lstrip("'")  # Shopify's keep-as-text apostrophe
    if "first_name" in frame or "last_name" in frame:
        joined = (frame.get("first_name", "") + " " + frame.get("last_name", "")).str.strip()
        frame["customer_name"] = frame["customer_name"].where(frame["customer_name"] != "", joined)
    return frame


def order_runs(frame: pd.DataFrame) -> pd.Series:
    """Consecutive rows with one order id form one order (Shopify: one row per line item)."""
    ids = frame["order_id"]
    return (ids != ids.shift()).cumsum()


def _amounts(text: pd.Series, currency: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Minor units and an error message per row, parsing each distinct (text, currency) once."""
    keys = pd.Series(list(zip(text, currency, strict=True)), index=text.index, dtype=object)
    cache: dict[tuple[str, str], tuple[int, str]] = {}
    for value, cur in keys.unique():
        if not value:
            cache[(value, cur)] = (0, "")
            continue
        try:
            cache[(value, cur)] = (parse_minor(value, cur), "")
        except AmountError as exc:
            cache[(value, cur)] = (0, str(exc))
    parsed = keys.map(cache)
    return parsed.str[0].astype("int64"), parsed.str[1]


def _items(frame: pd.DataFrame, runs: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Items JSON per order, and per-row item errors (bad quantity or price)."""
    qty_text = frame.get("quantity", pd.Series([""] * len(frame), index=frame.index))
    has_item = (frame["sku"] != "") | (frame["item_name"] != "")
    qty_ok = qty_text.str.fullmatch(r"\d+") | (qty_text == "")
    qty = pd.to_numeric(qty_text.where(qty_text.str.fullmatch(r"\d+"), "1"))
    price_text = frame.get("item_price", pd.Series([""] * len(frame), index=frame.index))
    price, price_err = _amounts(price_text, frame["currency"])
    errors = pd.Series("", index=frame.index)
    errors = errors.where(qty_ok, "quantity " + qty_text.map(repr) + " is not a whole number")
    errors = errors.where(price_err == "", "item price: " + price_err)
    fragments = [
        json.dumps({"sku": s, "name": n, "qty": int(q), "price_minor": int(p)}, ensure_ascii=False)
        if item else ""
        for s, n, q, p, item in zip(frame["sku"], frame["item_name"], qty, price, has_item, strict=True)
    ]
    joined = pd.Series(fragments, index=frame.index).groupby(runs, sort=False).agg(
        lambda parts: "[" + ",".join(p for p in parts if p) + "]"
    )
    return joined, errors


def normalise(frame: pd.DataFrame, defaults: Defaults, header_width: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Orders (one row each, with a `reason` that is empty when the order is good) and all rows.

    Returns (orders, rows): `rows` keeps each physical line with its run number, so the
    caller can reject every line of a bad order, not just the first.
    """
    runs = order_runs(frame)
    frame = frame.assign(run=runs)
    frame["currency"] = frame["currency"].str.upper().where(frame["currency"] != "", defaults.currency)
    items, item_errors = _items(frame, runs)
    row_errors = pd.Series("", index=frame.index)
    too_wide = f" fields, the header has {header_width}: check the delimiter and quotes"
    row_errors = row_errors.where(frame["width"] <= header_width,
                                  "line has " + frame["width"].astype(str) + too_wide)
    row_errors = row_errors.where(row_errors != "", item_errors)
    first_error = row_errors.where(row_errors != "").groupby(runs, sort=False).first().fillna("")
    orders = frame.drop_duplicates("run").set_index("run")
    orders["items"] = items
    orders["reason"] = first_error.reindex(orders.index).fillna("")
    orders["first_line"] = orders["line"]
    _order_fields(orders, defaults)
    return orders.reset_index(), frame


def _order_fields(orders: pd.DataFrame, defaults: Defaults) -> None:
    """Fill derived order columns and the first reason to reject each order, in place."""
    amount_col = defaults.amount_field if defaults.amount_field in orders else "total"
    amount, amount_err = _amounts(orders[amount_col], orders["currency"])
    total_text = orders["total"] if "total" in orders else orders[amount_col]
    total, total_err = _amounts(total_text, orders["currency"])
    method = orders["payment_method"]
    implicit_cod = amount_col == "cod_amount"
    cod = method.map(is_cod) | ((method == "") & implicit_cod)
    country = orders["country"].where(orders["country"] != "", defaults.country or "")
    orders["country"] = country.map(country_code)
    dates = orders.get("created_at", pd.Series("", index=orders.index))
    iso = dates.map(lambda d: iso_datetime(d) if d else defaults.now)
    state = orders.get("status", pd.Series("", index=orders.index))
    cancelled = state.map(is_cancelled) | (orders.get("cancelled_at", "") != "")

    checks = [
        (orders["order_id"] == "", "missing order id"),
        (orders["customer_name"] == "", "missing customer name"),
        (orders["address1"] == "", "missing shipping address"),
        (orders["city"] == "", "missing city"),
        (orders["country"] == "", "missing country (give --country CC for files without one)"),
        (amount_err != "", "amount: " + amount_err),
        (total_err != "", "total: " + total_err),
        (amount < 0, "negative amount " + orders[amount_col].map(repr)),
        ((method == "") & ~implicit_cod, "missing payment method: cannot tell COD from prepaid"),
        (cod & (amount == 0) & ~cancelled, "COD order with no amount to collect"),
        (~cod & (method != "") & implicit_cod & (amount > 0), "prepaid order with a COD amount to collect"),
        (iso.isna(), "unreadable order date " + dates.map(repr)),
    ]
    reason = orders["reason"]
    for mask, text in reversed(checks):
        reason = reason.where(~mask | (orders["reason"] != ""), text)
    orders["reason"] = reason
    orders["is_cod"] = cod.astype(int)
    orders["cod_minor"] = amount.where(cod, 0)
    orders["total_minor"] = total
    orders["created_at"] = iso
    orders["status"] = pd.Series("new", index=orders.index).where(~cancelled, "cancelled")
