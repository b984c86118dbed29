"""`codtool ship`, `track`, `ndr list|record` and `report delivery`: parcels and their outcomes."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from codtool.commands import CsvDialectOption, ForceOption, SheetOption, add_group, checked_shop, choices, output_file
from codtool.errors import CodtoolError
from codtool.exports import write_table
from codtool.ledger import tracking as store
from codtool.render import table
from codtool.state import State, state_of
from codtool.tracking.couriers import builtin_couriers, check_name, load_courier
from codtool.tracking.report import COLUMNS as REPORT_COLUMNS
from codtool.tracking.report import GROUPS, delivery_report
from codtool.tracking.report import SCHEMA as REPORT_SCHEMA

if TYPE_CHECKING:  # the file readers (pandas) load when a command reads a file, not on --help
    from rich.console import Console

    from codtool.tracking.ndr import RecordResult as DecisionResult
    from codtool.tracking.shipments import ShipResult

_SHOWN = 20
GroupBy = choices("GroupBy", GROUPS)
CourierOption = Annotated[str, typer.Option("--courier", "-c", metavar="NAME",
                                           help="Courier: generic, brt, gls, sda or your own.")]
MappingOption = Annotated[Path | None, typer.Option(help="TOML status mapping adding to the courier's default.")]


def register(app: typer.Typer) -> None:
    app.command("ship")(ship)
    app.command("track")(track)
    add_group(app, "ndr", "Failed deliveries (NDR) that need a decision.", {"list": ndr_list, "record": ndr_record})
    add_group(app, "report", "Reports on outcomes.", {"delivery": report_delivery})


def _courier_name(ctx: typer.Context, name: str, mapping: Path | None) -> str:
    """A courier the ledger can track: built-in, already used, or described by --mapping."""
    value = check_name(name)
    if value in builtin_couriers() or value in store.ledger_couriers(state_of(ctx).ledger().session):
        return value
    if mapping is not None:
        return load_courier(value, mapping).name
    raise CodtoolError(f"unknown courier {name!r}; built-in: {', '.join(builtin_couriers())} "
                       "(for another courier give its status mapping with --mapping FILE.toml)")


def ship(
    ctx: typer.Context,
    manifest: Annotated[Path, typer.Argument(help="Manifest CSV: order id, tracking number, ship date, COD amount.")],
    courier: CourierOption,
    shop: Annotated[str | None, typer.Option(metavar="NAME", help="Shop whose order ids the manifest uses.",
                                                  callback=checked_shop)] = None,
    force: Annotated[bool, typer.Option("--force", help="Also ship orders not confirmed yet.")] = False,
    mapping: MappingOption = None,
    sheet: SheetOption = None,
) -> None:
    """Record which orders left in which parcel; refuse, line by line, orders that must not ship.

    Example: codtool ship manifest_brt.csv --courier brt --shop bella-shop
    """
    state = state_of(ctx)
    name = _courier_name(ctx, courier, mapping)
    state.on_interrupt(f"the manifest {manifest.name} was rolled back: no shipment, status or refusal of it recorded.")
    with state.all_or_nothing():
        from codtool.tracking.shipments import ShipRequest, ship_manifest

        with state.output.progress(f"Shipping {manifest.name}", unit="lines") as tick:
            result = ship_manifest(state.ledger(), ShipRequest(manifest, name, shop, force, sheet), tick)
        _report_ship(state, manifest, name, result)


def _report_ship(state: State, manifest: Path, name: str, result: ShipResult) -> None:
    def show(console: Console) -> None:
        cash = ", ".join(f"{v} {c}" for c, v in result.to_json()["cod_to_collect"].items()) or "0"
        console.print(table(f"Manifest {manifest.name} ({name})",
                            ("lines", "shipped", "already recorded", "refused", "COD to collect"),
                            [(result.lines, result.shipped, result.already_recorded, len(result.refused), cash)]))
        if result.refused:
            console.print(table("Refused", ("line", "order", "reason"),
                                ((r.line, r.order, r.message) for r in result.refused)))

    state.output.emit(result.to_json(), show)
    state.finish(len(result.refused), str(manifest))


def track(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(metavar="FILE", help="Courier status files (CSV), in any order.")],
    courier: CourierOption,
    mapping: MappingOption = None,
) -> None:
    """Import courier status files; report unknown statuses, unknown parcels and impossible moves by line.

    Example: codtool track brt_status_*.csv --courier brt
    """
    state = state_of(ctx)
    mapped = load_courier(courier, mapping)
    results = []
    with state.all_or_nothing():
        for path in files:
            with state.output.progress(f"Tracking {path.name}", unit="bytes") as tick:
                from codtool.tracking.status_files import import_status_file

                results.append(import_status_file(state.ledger(), path, mapped, tick))
        data = [r.to_json() for r in results]
        state.output.emit(data, lambda c: _show_tracks(c, results))
        state.finish(sum(len(r.issues) for r in results), ", ".join(map(str, files)))


def _show_tracks(console: Console, results: list) -> None:
    console.print(table("Tracking", ("file", "courier", "lines", "new events", "known events", "parcels updated",
                                     "orders updated", "issues"),
                        [(r.file, r.courier, r.lines, r.new_events, r.known_events, r.shipments_updated,
                          r.orders_updated, len(r.issues)) for r in results]))
    for r in results:
        if r.issues:
            shown = r.issues[:_SHOWN]
            console.print(table(f"{r.file}: issues", ("file", "line", "code", "message"),
                                ((i.source, i.line, i.code, i.message) for i in shown)))
            if len(r.issues) > len(shown):
                console.print(f"... and {len(r.issues) - len(shown)} more (use --json for all)")


_NDR_COLUMNS = ("tracking_number", "courier", "order", "customer_name", "phone_e164", "phone", "address",
                "attempts", "days_waiting", "reason", "raw_reason", "cod_amount", "action")


def ndr_list(
    ctx: typer.Context,
    out: Annotated[Path | None, typer.Option(help="Also write the list to FILE.xlsx or FILE.csv.")] = None,
    csv_dialect: CsvDialectOption = "machine",
    force: ForceOption = False,
) -> None:
    """Parcels with an open failed delivery: who to call and what to tell the courier today.

    Example: codtool ndr list --out ndr.xlsx
    """
    if out is not None:
        output_file(out, force, csv_dialect)
    state = state_of(ctx)
    from codtool.tracking.ndr import SCHEMA as NDR_SCHEMA
    from codtool.tracking.ndr import open_ndrs

    rows = [n.to_json() for n in open_ndrs(state.ledger())]
    if out is not None:
        write_table(out, NDR_SCHEMA, ([r[c.name] for c in NDR_SCHEMA] for r in rows), replace=force,
                    dialect=csv_dialect)
        state.output.note(f"Wrote {len(rows)} open NDRs to {out}")
    state.output.emit(rows, lambda c: c.print(table(
        f"Open failed deliveries ({len(rows)})", _NDR_COLUMNS, ([r[k] for k in _NDR_COLUMNS] for r in rows),
        numeric=("attempts", "days_waiting", "cod_amount"),
        drop_first=("raw_reason", "courier", "days_waiting", "attempts", "phone"))))


def ndr_record(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Decisions CSV: tracking_number, action, decided_by, decided_at, ...")],
    courier: Annotated[str | None, typer.Option("--courier", "-c", metavar="NAME",
                                                help="Only this courier's parcels.")] = None,
    sheet: SheetOption = None,
) -> None:
    """Record NDR decisions (re-attempt with new address/phone/date, hold, return) with who and when.

    Example: codtool ndr record decisions.csv --courier brt
    """
    state = state_of(ctx)
    with state.all_or_nothing():
        from codtool.tracking.ndr import record_decisions

        result = record_decisions(state.ledger(), file, check_name(courier) if courier else None, sheet)
        _report_decisions(state, file, result)


def _report_decisions(state: State, file: Path, result: DecisionResult) -> None:
    def show(console: Console) -> None:
        console.print(table(f"Decisions {file.name}", ("lines", "recorded", "already recorded", "rejected"),
                            [(result.lines, result.recorded, result.already_recorded, len(result.rejected))]))
        if result.rejected:
            console.print(table("Rejected", ("line", "reason"), ((r.line, r.message) for r in result.rejected)))

    state.output.emit(result.to_json(), show)
    state.finish(len(result.rejected), str(file))


def _day(value: str | None, option: str) -> str | None:
    if value is None:
        return None
    from codtool.tracking.sources import parse_day

    day = parse_day(value)
    if day is None:
        raise typer.BadParameter(f"cannot read {value!r} as a date (use YYYY-MM-DD)", param_hint=option)
    return day


def report_delivery(
    ctx: typer.Context,
    date_from: Annotated[str | None, typer.Option("--from", metavar="DATE",
                                                  help="First ship date (YYYY-MM-DD).")] = None,
    date_to: Annotated[str | None, typer.Option("--to", metavar="DATE", help="Last ship date (YYYY-MM-DD).")] = None,
    shop: Annotated[str | None, typer.Option(metavar="NAME", help="Only this shop.")] = None,
    by: Annotated[GroupBy, typer.Option(help="What each row of the report is.")] = GroupBy.courier,
    out: Annotated[Path | None, typer.Option(help="Also write the report to FILE.xlsx (or .csv).")] = None,
    csv_dialect: CsvDialectOption = "machine",
    force: ForceOption = False,
) -> None:
    """Delivery, refusal and RTO rates, days to deliver, open NDRs and cash collected by couriers.

    Example: codtool report delivery --by shop --from 2026-11-01 --out report.xlsx
    """
    by = by.value
    if out is not None:
        output_file(out, force, csv_dialect)
    state = state_of(ctx)
    start, end = _day(date_from, "--from"), _day(date_to, "--to")
    rows = delivery_report(state.ledger(), start, end, shop, by)
    if out is not None:
        write_table(out, REPORT_SCHEMA, ([r[c] for c in REPORT_COLUMNS] for r in rows), replace=force,
                    dialect=csv_dialect)
        state.output.note(f"Wrote {len(rows)} rows to {out}")
    span = f"{start or 'any date'} to {end or date.today().isoformat()}"
    state.output.emit(rows, lambda c: c.print(table(
        f"Delivery by {by}, shipped {span}", REPORT_COLUMNS,
        ([_cell(r, k) for k in REPORT_COLUMNS] for r in rows),
        numeric=REPORT_COLUMNS[2:],
        drop_first=("mean_days_to_deliver", "open_ndr", "in_flight", "lost", "rto_rate", "refusal_rate", "rto",
                    "refused"))))


def _cell(row: dict, key: str) -> object:
    value = row[key]
    if key.endswith("_rate"):
        return f"{value * 100:.1f}%"
    return "" if value is None else value
