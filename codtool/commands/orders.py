"""`codtool orders list|show|export`: the orders in the ledger, for people and scripts."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from codtool import statuses
from codtool.commands import CsvDialectOption, ForceOption, add_group, choices, ledger_id, output_file
from codtool.errors import CodtoolError, NotFound
from codtool.input_policy import MAX_ID, shorten
from codtool.ledger import orders as store
from codtool.money import Money
from codtool.order_view import order_detail, order_summary
from codtool.render import table
from codtool.state import state_of

_LIST_COLUMNS = ("id", "shop", "source_id", "created_at", "customer_name", "city", "country",
                 "cod_amount", "currency", "status")

Status = choices("Status", statuses.ALL)
# COD not collected yet: the order may still ship, or its parcel is on the road.
_COD_OPEN = (*statuses.OPEN, statuses.SHIPPED)


def register(app: typer.Typer) -> None:
    add_group(app, "orders", "Orders in the ledger.", {"list": list_orders, "show": show_order,
                                                    "export": export})
    add_group(app, "shops", "Client shops in the ledger.", {"list": list_shops})


def list_orders(
    ctx: typer.Context,
    batch: Annotated[int | None, typer.Option(metavar="ID", parser=ledger_id, help="Only this import batch.")] = None,
    status: Annotated[Status | None, typer.Option(help="Only orders in this status.")] = None,
    shop: Annotated[str | None, typer.Option(metavar="NAME", help="Only this shop.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=MAX_ID, help="At most this many.")] = 50,
    offset: Annotated[int, typer.Option(min=0, max=MAX_ID, help="Skip this many first (page with --limit).")] = 0,
) -> None:
    """List orders, oldest import first.

    Example: codtool orders list --status new --shop bella-shop
    """
    state = state_of(ctx)
    found = store.list_orders(state.ledger().session, batch, status and status.value, shop, limit, offset)
    rows = [order_summary(r) for r in found]
    state.output.emit(rows, lambda c: c.print(table(
        f"Orders ({len(rows)})", _LIST_COLUMNS, ([r[k] for k in _LIST_COLUMNS] for r in rows),
        numeric=("cod_amount",), drop_first=("created_at", "country", "city", "shop"))))


def list_shops(ctx: typer.Context) -> None:
    """Each shop: its orders, the COD not collected yet (per currency) and its last import.

    Example: codtool shops list
    """
    state = state_of(ctx)
    conn = state.ledger().session
    cod: dict[int, list[Money]] = {}
    for shop_id, currency, minor in store.open_cod_by_shop(conn, _COD_OPEN):
        cod.setdefault(shop_id, []).append(Money(minor, currency))
    shops = [(r, cod.get(r["id"], [])) for r in store.shop_summaries(conn)]
    rows = [{"shop": r["shop"], "orders": r["orders"], "last_import": r["last_import"],
             "cod_open": [{"currency": m.currency, "minor": m.minor, "amount": m.plain} for m in money]}
            for r, money in shops]
    state.output.emit(rows, lambda c: c.print(table(
        f"Shops ({len(rows)})", ("shop", "orders", "COD open", "last import"),
        ([r["shop"], r["orders"], "\n".join(m.display() for m in money) or "0", r["last_import"]]
         for r, money in shops), numeric=("orders", "COD open"))))


def export(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option(metavar="FILE.xlsx|FILE.csv", help="Where to write the orders.")],
    status: Annotated[list[Status] | None, typer.Option(
        help="Only orders in this status (repeat for several).")] = None,
    shop: Annotated[str | None, typer.Option(metavar="NAME", help="Only this shop.")] = None,
    date_from: Annotated[str | None, typer.Option("--from", metavar="DAY",
                                                  help="First order day (YYYY-MM-DD).")] = None,
    date_to: Annotated[str | None, typer.Option("--to", metavar="DAY", help="Last order day (YYYY-MM-DD).")] = None,
    csv_dialect: CsvDialectOption = "machine",
    force: ForceOption = False,
) -> None:
    """Every order with its normalised phone and address, findings, status and COD, in one sheet.

    Example: codtool orders export --out orders.xlsx --status new --from 2026-11-01
    """
    output_file(out, force, csv_dialect)
    from codtool.orders_export import OrderFilter, export_orders  # phone formats for the sheet: phonenumbers

    which = OrderFilter(tuple(s.value for s in status or ()), shop, _day(date_from, "--from"), _day(date_to, "--to"))
    state = state_of(ctx)
    count = export_orders(state.ledger(), out, which, force, csv_dialect)
    data = {"file": str(out), "orders": count}
    state.output.emit(data, lambda c: c.print(f"Wrote {count} orders to {out}."))


def _day(value: str | None, option: str) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date like 2026-11-23", param_hint=option) from None


def show_order(ctx: typer.Context,
               order: Annotated[str, typer.Argument(help="Ledger id or the shop's order id (#1001).")]) -> None:
    """Show one order with its items and everything later stages recorded about it.

    Example: codtool orders show '#1001'
    """
    state = state_of(ctx)
    conn = state.ledger().session
    rows = store.find_order(conn, order)
    if not rows:
        raise NotFound(f"no order {shorten(order)!r}; see codtool orders list")
    if len(rows) > 1:
        ids = ", ".join(f"{r['id']} ({r['shop']})" for r in rows)
        raise CodtoolError(f"order {shorten(order)!r} exists in several shops: use the ledger id, one of {ids}")
    data = order_detail(conn, rows[0])
    state.output.emit(data, lambda c: _show(c, data))


def _show(console: Console, data: dict) -> None:
    skip = {"items", "cod_minor", "total_minor"}
    fields = [(k, readable(k, v)) for k, v in data.items() if not isinstance(v, list) and k not in skip]
    console.print(table(f"Order {data['source_id']} (id {data['id']})", ("field", "value"), fields))
    console.print(table("Items", ("sku", "name", "qty", "price"),
                        ([i["sku"], i["name"], i["qty"], i["price"]] for i in data["items"]), numeric=("qty", "price")))
    for name, records in data.items():
        if isinstance(records, list) and name != "items" and records:
            cols = _FINDING_COLUMNS if name == "findings" else list(records[0])
            console.print(table(name.replace("_", " ").capitalize(), cols,
                                ([readable(c, r[c]) for c in cols] for r in records)))


_FINDING_COLUMNS = ("source", "line", "code", "severity", "message", "parcel", "suggestion")


def readable(key: str, value: object) -> object:
    """For people only: yes/no for flags, policy reasons as 'first-time customer +10' (JSON keeps the raw)."""
    if isinstance(value, bool) or (key.startswith("is_") and value in (0, 1)):
        return "yes" if value else "no"
    if isinstance(value, str) and value.startswith("[["):
        try:
            pairs = json.loads(value)
            return "; ".join(f"{reason} +{points}" for points, reason in pairs)
        except (ValueError, TypeError):
            return value
    if isinstance(value, list) and value and all(isinstance(r, dict) and "reason" in r for r in value):
        return "; ".join(f"{r['reason']} +{r.get('points', 0)}" for r in value)
    return value
