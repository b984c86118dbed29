"""Turning a chunk of raw records into ledger-ready orders and line-numbered rejects.

Work is done column-wise with pandas; per-value parsing (amounts, dates) runs once per
distinct value through cached functions, because exports repeat prices and dates.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from codtool.errors import AmountError
from codtool.exports import unguard
from codtool.importing.source import Chunk
from codtool.importing.values import country_code, is_cancelled, is_cod, is_country_code, iso_datetime
from codtool.input_policy import MAX_QUANTITY, ascii_int, shorten
from codtool.money import is_currency_code, read_amount

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


def _read_back(text: str) -> str:
    """A cell as its writer meant it: the apostrophe codtool's formula guard added comes off, so an
    orders export imported again holds the same names (the row readers do the same: `Chunk.rows`)."""
    return unguard(text) if text[:1] == "'" else text


def _cleaned(values: list[str]) -> list[str]:
    """Cells stripped and read back; `str.strip` runs through `map` (C speed) and only cells that start
    with an apostrophe, which the joined text finds without a Python loop, go through `_read_back`."""
    stripped = list(map(str.strip, values))
    joined = "\n".join(stripped)
    if joined[:1] != "'" and "\n'" not in joined:
        return stripped
    return [_read_back(v) if v[:1] == "'" else v for v in stripped]


def build_frame(chunk: Chunk, columns: dict[str, list[int]], chunk_no: int) -> pd.DataFrame:
    """One stripped text column per codtool field; the first non-empty candidate wins.

    Columns stay `object` dtype: without pyarrow, pandas' `str` dtype iterates slowly.
    `chunk`/`pos` point back at the raw record, which is only needed for rejects.
    """
    cells: dict[int, list[str]] = {}

    def cell(i: int) -> list[str]:
        if i not in cells:
            cells[i] = chunk.frame[i].tolist()
        return cells[i]

    data: dict[str, list[str]] = {}
    for field, indexes in columns.items():
        values = cell(indexes[0])
        for i in indexes[1:]:
            values = [a or b for a, b in zip(values, cell(i), strict=True)]
        data[field] = _cleaned(values)
    frame = pd.DataFrame(data, dtype=object, columns=list(data))
    for field in _TEXT_FIELDS:
        if field not in frame:
            frame[field] = pd.Series("", index=frame.index, dtype=object)
    frame["line"] = chunk.lines
    frame["width"] = chunk.widths
    frame["chunk"] = chunk_no
    frame["pos"] = np.arange(len(frame))
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


def _factorize(*columns: pd.Series) -> tuple[np.ndarray, list[tuple]]:
    """Codes per row and the distinct value tuples, so per-value work runs once per tuple.

    Each column's part of the keys is picked by array indexing, not tuple by tuple: order
    totals are nearly all distinct, so a chunk has as many keys as orders."""
    codes, uniques = pd.factorize(columns[0])
    parts = [np.asarray(uniques, dtype=object)]
    for column in columns[1:]:
        more, values = pd.factorize(column)
        combined, firsts = pd.factorize(codes.astype("int64") * len(values) + more)
        parts = [p[firsts // len(values)] for p in parts] + [np.asarray(values)[firsts % len(values)]]
        codes = combined
    return codes, list(zip(*(p.tolist() for p in parts), strict=True))


def _amounts(text: pd.Series, currency: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Minor units and an error message per row, parsing each distinct (text, currency) once."""
    codes, keys = _factorize(text, currency)
    minor = np.zeros(len(keys), dtype="int64")
    errors = np.full(len(keys), "", dtype=object)
    for i, (value, cur) in enumerate(keys):
        if not value or not is_currency_code(cur):  # an unknown currency is rejected on its own
            continue
        try:
            minor[i] = read_amount(value, cur).minor
        except AmountError as exc:
            errors[i] = str(exc)
    return pd.Series(minor[codes], index=text.index), pd.Series(errors[codes], index=text.index)


def _item_json(sku: str, name: str, qty: str, price_minor: int) -> str:
    if not (sku or name):
        return ""
    number = ascii_int(qty, MAX_QUANTITY)
    number = 1 if number is None else number  # blank means one; a bad quantity is rejected by _items
    return json.dumps({"sku": sku, "name": name, "qty": number, "price_minor": int(price_minor)},
                      ensure_ascii=False)


def _items(frame: pd.DataFrame, runs: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Items JSON per order, and per-row item errors (bad quantity or price)."""
    empty = pd.Series("", index=frame.index, dtype=object)
    qty_text = frame.get("quantity", empty)
    qty_ok = map_distinct(qty_text, lambda q: q == "" or ascii_int(q, MAX_QUANTITY) is not None).astype(bool)
    price, price_err = _amounts(frame.get("item_price", empty), frame["currency"])
    errors = empty.copy()
    if not qty_ok.all():
        bad = ~qty_ok
        errors[bad] = ("quantity " + qty_text[bad].map(lambda q: repr(shorten(q)))
                       + f" is not a whole number from 0 to {MAX_QUANTITY:,}")
    errors = errors.where(price_err == "", "item price: " + price_err)
    codes, keys = _factorize(frame["sku"], frame["item_name"], qty_text, price)
    fragments = np.array([_item_json(*key) for key in keys], dtype=object)[codes].tolist()
    starts = np.flatnonzero(np.r_[True, runs.to_numpy()[1:] != runs.to_numpy()[:-1]]).tolist() if len(runs) else []
    ends = starts[1:] + [len(runs)]
    joined = ["[" + ",".join(filter(None, fragments[a:b])) + "]" for a, b in zip(starts, ends, strict=True)]
    return pd.Series(joined, index=runs.iloc[starts].to_numpy() if len(runs) else [], dtype=object), errors


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


def map_distinct(values: pd.Series, fn: Callable[[str], object]) -> pd.Series:
    """Apply `fn` once per distinct value: exports repeat methods, countries and dates."""
    codes, uniques = pd.factorize(values)
    mapped = np.array([fn(u) for u in uniques] or [None], dtype=object)
    return pd.Series(mapped[codes] if len(codes) else [], index=values.index, dtype=object)


@dataclass
class _Derived:
    """Per-order values computed from the text cells, shared by the checks and the output."""

    amount_col: str
    amount: pd.Series
    amount_err: pd.Series
    total: pd.Series
    total_err: pd.Series
    cod: pd.Series
    implicit_cod: bool
    iso: pd.Series
    dates: pd.Series
    cancelled: pd.Series


def _derive(orders: pd.DataFrame, defaults: Defaults) -> _Derived:
    amount_col = defaults.amount_field if defaults.amount_field in orders else "total"
    amount, amount_err = _amounts(orders[amount_col], orders["currency"])
    if amount_col == "total" or "total" not in orders:
        total, total_err = amount, amount_err
    else:
        total, total_err = _amounts(orders["total"], orders["currency"])
    method = orders["payment_method"]
    implicit_cod = amount_col == "cod_amount"  # a COD sheet: an empty payment method means COD
    cod = map_distinct(method, is_cod).astype(bool) | ((method == "") & implicit_cod)
    empty = pd.Series("", index=orders.index, dtype=object)
    dates = orders.get("created_at", empty)
    iso = map_distinct(dates, lambda d: iso_datetime(d) if d else defaults.now)
    cancelled = map_distinct(orders.get("status", empty), is_cancelled).astype(bool) | (
        orders.get("cancelled_at", "") != "")
    return _Derived(amount_col, amount, amount_err, total, total_err, cod, implicit_cod, iso, dates, cancelled)


def _rejections(orders: pd.DataFrame, d: _Derived) -> list[tuple[pd.Series, str | Callable[[pd.Series], pd.Series]]]:
    """(mask, reason) in order of precedence; a reason may be built from the offending cells."""
    method, currency = orders["payment_method"], orders["currency"]

    def quoted(prefix: str, column: pd.Series) -> Callable[[pd.Series], pd.Series]:
        return lambda mask: prefix + column[mask].map(repr)

    return [
        (orders["order_id"] == "", "missing order id"),
        (orders["customer_name"] == "", "missing customer name"),
        (orders["address1"] == "", "missing shipping address"),
        (orders["city"] == "", "missing city"),
        (orders["country"] == "", "missing country (give --country CC for files without one)"),
        (~map_distinct(orders["country"], is_country_code).astype(bool),
         lambda mask: "country " + orders["country"][mask].map(repr) + " is not an ISO 3166 code such as IT"),
        (~map_distinct(currency, is_currency_code).astype(bool),
         lambda mask: "currency " + currency[mask].map(repr) + " is not an ISO 4217 code"),
        (d.amount_err != "", lambda mask: "amount: " + d.amount_err[mask]),
        (d.total_err != "", lambda mask: "total: " + d.total_err[mask]),
        (d.amount < 0, quoted("negative amount ", orders[d.amount_col])),
        ((method == "") & ~d.implicit_cod, "missing payment method: cannot tell COD from prepaid"),
        (d.cod & (d.amount == 0) & ~d.cancelled, "COD order with no amount to collect"),
        (~d.cod & (method != "") & d.implicit_cod & (d.amount > 0), "prepaid order with a COD amount to collect"),
        (d.iso.isna(), quoted("unreadable order date ", d.dates)),
    ]


def _order_fields(orders: pd.DataFrame, defaults: Defaults) -> None:
    """Fill derived order columns and the first reason to reject each order, in place."""
    country = orders["country"].where(orders["country"] != "", defaults.country or "")
    orders["country"] = map_distinct(country, country_code)
    d = _derive(orders, defaults)
    reason = orders["reason"].copy()
    for mask, text in _rejections(orders, d):  # the first failing check names the order's reason
        todo = mask & (reason == "")
        if todo.any():
            reason.loc[todo] = text(todo) if callable(text) else text
    orders["reason"] = reason
    orders["is_cod"] = d.cod.astype(int)
    orders["cod_minor"] = d.amount.where(d.cod, 0)
    orders["total_minor"] = d.total
    orders["created_at"] = d.iso
    orders["status"] = pd.Series("new", index=orders.index).where(~d.cancelled, "cancelled")
