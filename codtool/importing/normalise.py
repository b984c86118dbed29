"""Turning a chunk of raw records into ledger-ready orders and line-numbered rejects.

Work is done column-wise with pandas; per-value parsing (amounts, dates) runs once per
distinct value through cached functions, because exports repeat prices and dates.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from codtool.errors import AmountError
from codtool.exports import unguard
from codtool.importing.source import Chunk
from codtool.importing.values import country_code, is_cancelled, is_cod, is_country_code, iso_datetimes
from codtool.input_policy import MAX_QUANTITY, ascii_int, shorten
from codtool.money import exponent, is_currency_code, read_amount, read_plain_column

_TEXT_FIELDS = (
    "order_id", "customer_name", "email", "phone", "address1", "address2", "city",
    "postcode", "province", "country", "payment_method", "currency", "notes",
    "sku", "item_name",
)


_LSTRIP_APOSTROPHES = operator.methodcaller("lstrip", "'")


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
    if "'" not in joined or (joined[:1] != "'" and "\n'" not in joined):  # the first test finds no "'" at C speed
        return stripped
    return [_read_back(v) if v[:1] == "'" else v for v in stripped]


def _first_filled(candidates: list[np.ndarray]) -> np.ndarray:
    """Per row, the first candidate cell that is not empty (`a or b or ...`), filling only the rows
    still empty: most rows have their first candidate."""
    values = candidates[0]
    empty = np.flatnonzero(values == "")
    if len(candidates) > 1 and len(empty):
        values = values.copy()
        for more in candidates[1:]:
            values[empty] = more[empty]
            empty = empty[values[empty] == ""]
    return values


def _kept_as_text(values: list[str]) -> list[str]:
    """Phones and CAPs stripped, without the apostrophes that keep them text (Shopify's `'84010`, and
    codtool's own guard, which only ever adds one), so `_cleaned` has nothing to read back."""
    return list(map(_LSTRIP_APOSTROPHES, map(str.strip, values)))


def build_frame(chunk: Chunk, columns: dict[str, list[int]], chunk_no: int) -> pd.DataFrame:
    """One stripped text column per codtool field; the first non-empty candidate wins.

    Columns stay `object` dtype: without pyarrow, pandas' `str` dtype iterates slowly.
    `chunk`/`pos` point back at the raw record, which is only needed for rejects.
    """
    data: dict[str, list[str]] = {}
    for field, indexes in columns.items():
        values = _first_filled([chunk.frame[i].to_numpy(dtype=object) for i in indexes]).tolist()
        data[field] = _kept_as_text(values) if field in ("phone", "postcode") else _cleaned(values)
    frame = pd.DataFrame(data, dtype=object, columns=list(data))
    for field in _TEXT_FIELDS:
        if field not in frame:
            frame[field] = pd.Series("", index=frame.index, dtype=object)
    frame["line"] = chunk.lines
    frame["width"] = chunk.widths
    frame["chunk"] = chunk_no
    frame["pos"] = np.arange(len(frame))
    if "first_name" in frame or "last_name" in frame:
        joined = (frame.get("first_name", "") + " " + frame.get("last_name", "")).str.strip()
        frame["customer_name"] = frame["customer_name"].where(frame["customer_name"] != "", joined)
    return frame


def order_runs(frame: pd.DataFrame) -> pd.Series:
    """Consecutive rows with one order id form one order (Shopify: one row per line item), numbered from 1."""
    ids = frame["order_id"].to_numpy(dtype=object)
    return pd.Series(np.cumsum(np.r_[True, ids[1:] != ids[:-1]]) if len(ids) else [], index=frame.index,
                     dtype="int64")


def _blank(column: pd.Series) -> np.ndarray:
    """Which cells are empty, compared by numpy (pandas' own comparison of text columns is 3x slower)."""
    return column.to_numpy(dtype=object) == ""


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
    """Minor units and an error message per row: plain cells ("12.50") a column at a time, then each
    distinct other (text, currency) once through the one amount reader."""
    places = map_distinct(currency, lambda c: exponent(c) if is_currency_code(c) else -1)
    read, minor = read_plain_column(text.tolist(), places.tolist())
    errors = np.full(len(text), "", dtype=object)
    rest = np.flatnonzero(~read)
    if len(rest):
        codes, keys = _factorize(text.iloc[rest], currency.iloc[rest])
        key_minor, key_errors = np.zeros(len(keys), dtype="int64"), np.full(len(keys), "", dtype=object)
        for i, (value, cur) in enumerate(keys):
            if not value or not is_currency_code(cur):  # an unknown currency is rejected on its own
                continue
            try:
                key_minor[i] = read_amount(value, cur).minor
            except AmountError as exc:
                key_errors[i] = str(exc)
        minor[rest], errors[rest] = key_minor[codes], key_errors[codes]
    return pd.Series(minor, index=text.index), pd.Series(errors, index=text.index)


@lru_cache(maxsize=32_768)
def _item_json(sku: str, name: str, qty: str, price_minor: int) -> str:
    """One line item as JSON; cached, because a shop's products and quantities repeat from chunk to chunk."""
    if not (sku or name):
        return ""
    number = ascii_int(qty, MAX_QUANTITY)
    number = 1 if number is None else number  # blank means one; a bad quantity is rejected by _items
    return json.dumps({"sku": sku, "name": name, "qty": number, "price_minor": int(price_minor)},
                      ensure_ascii=False)


def _run_starts(runs: pd.Series) -> np.ndarray:
    """Positions where each order's rows begin (runs are consecutive)."""
    values = runs.to_numpy()
    return np.flatnonzero(np.r_[True, values[1:] != values[:-1]]) if len(values) else np.zeros(0, dtype=np.int64)


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
    if not _blank(price_err).all():
        errors = errors.where(price_err == "", "item price: " + price_err)
    codes, keys = _factorize(frame["sku"], frame["item_name"], qty_text, price)
    fragments = np.array([_item_json(*key) for key in keys], dtype=object)[codes]
    starts = _run_starts(runs)
    return pd.Series(_joined_lists(fragments, starts), index=runs.iloc[starts].to_numpy(), dtype=object), errors


_SHORT_ORDER = 16  # line items; numpy adds strings pairwise, so a long order is joined by str.join


def _joined_lists(fragments: np.ndarray, starts: np.ndarray) -> list[str]:
    """Each run's non-empty JSON fragments as one JSON list, concatenated by numpy (object arrays add
    their strings) when no fragment is empty and no order is long, as nearly always."""
    if not len(fragments):
        return []
    items = np.diff(np.r_[starts, len(fragments)])
    if (fragments == "").any() or items.max() > _SHORT_ORDER:  # a row without sku or name adds nothing
        ends = [*starts[1:].tolist(), len(fragments)]
        rows = fragments.tolist()
        return ["[" + ",".join(filter(None, rows[a:b])) + "]" for a, b in zip(starts.tolist(), ends, strict=True)]
    before = np.full(len(fragments), ",", dtype=object)
    before[starts] = "["
    pieces = before + fragments
    last = np.r_[starts[1:] - 1, len(fragments) - 1]
    pieces[last] = pieces[last] + "]"
    return np.add.reduceat(pieces, starts).tolist()


def _first_errors(frame: pd.DataFrame, item_errors: pd.Series, runs: pd.Series, orders: int,
                  header_width: int) -> np.ndarray:
    """Per order, the first of its rows' errors (too many fields, then bad items), or ""."""
    errors = item_errors.to_numpy(dtype=object).copy()
    width = frame["width"].to_numpy()
    wide = width > header_width
    if wide.any():
        errors[wide] = [f"line has {w} fields, the header has {header_width}: check the delimiter and quotes"
                        for w in width[wide].tolist()]
    found = errors != ""
    if not found.any():
        return np.full(orders, "", dtype=object)
    firsts = pd.Series(errors).where(found).groupby(runs.to_numpy(), sort=False).first()
    return firsts.fillna("").to_numpy(dtype=object)


def normalise(frame: pd.DataFrame, defaults: Defaults, header_width: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Orders (one row each, with a `reason` that is empty when the order is good) and all rows.

    Returns (orders, rows): `rows` keeps each physical line with its run number, so the
    caller can reject every line of a bad order, not just the first.
    """
    runs = order_runs(frame)
    frame = frame.assign(run=runs)
    frame["currency"] = map_distinct(frame["currency"], lambda c: c.upper() if c else defaults.currency)
    items, item_errors = _items(frame, runs)
    starts = _run_starts(runs)
    orders = frame.iloc[starts].set_index("run")
    orders["items"] = items
    orders["reason"] = _first_errors(frame, item_errors, runs, len(orders), header_width)
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
    cod = map_distinct(method, is_cod).astype(bool) | (_blank(method) & implicit_cod)
    empty = pd.Series("", index=orders.index, dtype=object)
    dates = orders.get("created_at", empty)
    iso = pd.Series(iso_datetimes(dates.tolist()), index=dates.index, dtype=object).where(~_blank(dates), defaults.now)
    cancelled = map_distinct(orders.get("status", empty), is_cancelled).astype(bool)
    if "cancelled_at" in orders:
        cancelled |= ~_blank(orders["cancelled_at"])
    return _Derived(amount_col, amount, amount_err, total, total_err, cod, implicit_cod, iso, dates, cancelled)


def _rejections(orders: pd.DataFrame, d: _Derived) -> list[tuple[pd.Series | np.ndarray,
                                                                  str | Callable[[np.ndarray], pd.Series]]]:
    """(mask, reason) in order of precedence; a reason may be built from the offending cells."""
    method, currency = orders["payment_method"], orders["currency"]

    def quoted(prefix: str, column: pd.Series) -> Callable[[np.ndarray], pd.Series]:
        return lambda mask: prefix + column[mask].map(repr)

    return [
        (_blank(orders["order_id"]), "missing order id"),
        (_blank(orders["customer_name"]), "missing customer name"),
        (_blank(orders["address1"]), "missing shipping address"),
        (_blank(orders["city"]), "missing city"),
        (_blank(orders["country"]), "missing country (give --country CC for files without one)"),
        (~map_distinct(orders["country"], is_country_code).astype(bool),
         lambda mask: "country " + orders["country"][mask].map(repr) + " is not an ISO 3166 code such as IT"),
        (~map_distinct(currency, is_currency_code).astype(bool),
         lambda mask: "currency " + currency[mask].map(repr) + " is not an ISO 4217 code"),
        (~_blank(d.amount_err), lambda mask: "amount: " + d.amount_err[mask]),
        (~_blank(d.total_err), lambda mask: "total: " + d.total_err[mask]),
        (d.amount < 0, quoted("negative amount ", orders[d.amount_col])),
        (_blank(method) & ~d.implicit_cod, "missing payment method: cannot tell COD from prepaid"),
        (d.cod & (d.amount == 0) & ~d.cancelled, "COD order with no amount to collect"),
        (~d.cod & ~_blank(method) & d.implicit_cod & (d.amount > 0), "prepaid order with a COD amount to collect"),
        (d.iso.isna(), quoted("unreadable order date ", d.dates)),
    ]


def _order_fields(orders: pd.DataFrame, defaults: Defaults) -> None:
    """Fill derived order columns and the first reason to reject each order, in place."""
    orders["country"] = map_distinct(orders["country"], lambda c: country_code(c or defaults.country or ""))
    d = _derive(orders, defaults)
    reason = orders["reason"].to_numpy(dtype=object).copy()
    open_ = reason == ""
    for mask, text in _rejections(orders, d):  # the first failing check names the order's reason
        todo = np.asarray(mask, dtype=bool) & open_
        if todo.any():
            reason[todo] = text(todo) if callable(text) else text
            open_ &= ~todo
    orders["reason"] = reason
    orders["is_cod"] = d.cod.astype(int)
    orders["cod_minor"] = d.amount.where(d.cod, 0)
    orders["total_minor"] = d.total
    orders["created_at"] = d.iso
    orders["status"] = pd.Series(np.where(d.cancelled, "cancelled", "new"), index=orders.index, dtype=object)
