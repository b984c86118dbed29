"""`codtool init`, `codtool import` and `codtool batches`."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from codtool.commands import SheetOption, add_group, checked_shop, choices, ledger_id
from codtool.errors import NotFound
from codtool.importing.undo import undo_batch
from codtool.input_policy import MAX_ID
from codtool.ledger import findings
from codtool.ledger import orders as store
from codtool.ledger.db import schema_version
from codtool.ledger.permissions import make_private
from codtool.money import is_currency_code
from codtool.render import table
from codtool.state import state_of

if TYPE_CHECKING:  # the importer (pandas, pycountry) loads when `import` runs, not on --help
    from rich.console import Console

    from codtool.findings import Finding
    from codtool.importing.importer import ImportResult

_SHOWN_REJECTS = 20
PROFILE_CHOICES = ("auto", "shopify", "woocommerce", "prestashop", "generic")
Profile = choices("Profile", PROFILE_CHOICES)


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("import")(import_files)
    add_group(app, "batches", "Import batches and their rejected rows.", {"list": batches_list, "show": batches_show,
                                                                         "undo": batches_undo})


def init(ctx: typer.Context) -> None:
    """Create the ledger file (owner-only permissions) or migrate it; safe to repeat.

    Example: codtool --db shop.db init
    """
    state = state_of(ctx)
    state.create = True
    tightened = make_private(state.db)  # first: SQLite gives the -wal and -shm it creates the file's mode
    ledger = state.ledger()
    version = schema_version(ledger.session)

    def show(console: Console) -> None:
        for item in tightened:
            console.print(f"Tightened permissions: {item}")
        console.print(f"Ledger {ledger.url} ready (schema version {version}).")

    state.output.emit({"db": str(ledger.url), "schema_version": version, "tightened": tightened}, show)


def import_files(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(metavar="FILE", help="CSV or XLSX exports to import.")],
    shop: Annotated[str, typer.Option(metavar="NAME", help="Client shop the orders belong to.",
                                      callback=checked_shop)] = "default",
    profile: Annotated[Profile, typer.Option(help="Export format (auto: detected from the header).")] = Profile.auto,
    mapping: Annotated[Path | None, typer.Option(help="TOML file mapping your headers to codtool fields.")] = None,
    country: Annotated[str | None, typer.Option(metavar="CC", help="Country (ISO code) for rows without one.")] = None,
    currency: Annotated[str, typer.Option(metavar="CODE", help="Currency for rows without one.")] = "EUR",
    sheet: SheetOption = None,
) -> None:
    """Import order exports; each file is one batch, committed whole or not at all.

    Example: codtool import orders_export.csv --shop bella-shop --country IT
    """
    from codtool.importing.importer import ImportRequest, import_file
    from codtool.importing.values import is_country_code

    if country is not None and not is_country_code(country.strip().upper()):
        raise typer.BadParameter(f"{country!r} is not an ISO 3166 country code such as IT", param_hint="--country")
    if not is_currency_code(currency.upper()):
        raise typer.BadParameter(f"{currency!r} is not an ISO 4217 code such as EUR", param_hint="--currency")
    state = state_of(ctx)
    ledger = state.ledger()
    results, default_country = [], country.strip().upper() if country else None
    with state.all_or_nothing():
        for path in files:
            request = ImportRequest(path, shop, profile.value, mapping, default_country, currency, sheet)
            with state.output.progress(f"Importing {path.name}", unit="bytes") as tick:
                results.append(import_file(ledger, request, tick))
        data = [r.to_json() for r in results]
        state.output.emit(data, lambda c: _show_results(c, results))
        state.finish(sum(r.rejected for r in results), ", ".join(map(str, files)))


def _show_results(console: Console, results: list[ImportResult]) -> None:
    rows = []
    for r in results:
        note = "already imported" if r.already_imported else ""
        rows.append((r.file, r.batch_id, r.shop, r.profile, r.rows, r.orders, r.imported,
                     r.rejected, r.skipped_duplicates, note))
    console.print(table("Import", ("file", "batch", "shop", "profile", "rows", "orders", "imported",
                                   "rejected", "duplicates", "note"), rows,
                        numeric=("rows", "orders", "imported", "rejected", "duplicates")))
    for r in results:
        if r.rejects:
            shown = r.rejects[:_SHOWN_REJECTS]
            console.print(table(f"{r.file}: rows not imported", ("line", "code", "reason"),
                                ((x.line, x.code, x.reason) for x in shown)))
            if len(r.rejects) > len(shown):
                console.print(f"... and {len(r.rejects) - len(shown)} more: codtool batches show {r.batch_id}")


def batches_list(ctx: typer.Context,
                 limit: Annotated[int, typer.Option(min=1, max=MAX_ID, help="How many, newest first.")] = 20) -> None:
    """List import batches, newest first.

    Example: codtool batches list --limit 5
    """
    state = state_of(ctx)
    rows = [dict(r) for r in store.list_batches(state.ledger().session, limit)]
    cols = ("id", "shop", "file_name", "profile", "rows", "imported", "rejected", "skipped_duplicates", "imported_at",
            "undone_at")
    state.output.emit(rows, lambda c: c.print(table("Batches", cols, ([r[k] for k in cols] for r in rows),
                                                    drop_first=("undone_at",))))


def batches_show(ctx: typer.Context, batch: Annotated[int, typer.Argument(parser=ledger_id, help="Batch id.")]) -> None:
    """Show a batch and every row it did not import, with line and reason.

    Example: codtool batches show 3
    """
    state = state_of(ctx)
    conn = state.ledger().session
    found = store.get_batch(conn, batch)
    if found is None:
        raise NotFound(f"no batch {batch}; see codtool batches list")
    rejects = findings.of_batch(conn, batch)
    data = dict(found) | {"rejects": [_reject_json(f) for f in rejects]}
    state.output.emit(data, lambda c: c.print(table(
        f"Batch {batch}: {data['file_name']} ({data['rejected']} rejected, "
        f"{data['skipped_duplicates']} duplicates)",
        ("line", "code", "reason"), ((f.line, f.code, f.message) for f in rejects))))


def batches_undo(ctx: typer.Context, batch: Annotated[int, typer.Argument(parser=ledger_id, metavar="ID",
                                                                      help="Batch id.")]) -> None:
    """Take back an import batch whose orders are all still new; refused, naming them, if any moved on.

    The batch stays in the history marked undone; the same file can then be imported again.
    Undoing it again changes nothing.

    Example: codtool batches undo 3
    """
    state = state_of(ctx)
    state.on_interrupt(f"the undo was rolled back: batch {batch} is as it was.")
    data = undo_batch(state.ledger(), batch, _who()).to_json()

    def show(console: Console) -> None:
        if data["already_undone"]:
            console.print(f"Batch {batch} ({data['file_name']}) was already undone by {data['undone_by']} at "
                          f"{data['undone_at']}: nothing changed.")
        else:
            console.print(f"Batch {batch} ({data['file_name']}, shop {data['shop']}) undone: "
                          f"{data['orders_removed']} order(s) removed. The file can be imported again.")

    state.output.emit(data, show)


def _who() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _reject_json(f: Finding) -> dict:
    """A finding, with the import's own `kind` (rejected or duplicate) that older scripts read."""
    return f.to_json() | {"kind": "duplicate" if f.code == "import.duplicate" else "rejected"}
