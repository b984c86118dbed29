"""`codtool dedupe [--review]` and `codtool dedupe resolve`: duplicate orders and decisions."""

from __future__ import annotations

import getpass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from codtool.commands import ledger_id, order_ref
from codtool.dedupe.decisions import DecisionError, resolve
from codtool.dedupe.review import cluster_view, clusters_view, open_clusters
from codtool.dedupe.run import DEFAULT_THRESHOLD, DEFAULT_WINDOW_DAYS, Options, RunResult, run_dedupe
from codtool.dedupe.scoring import DEFAULT_WEIGHTS, load_weights
from codtool.errors import CodtoolError
from codtool.input_policy import ascii_int, shorten
from codtool.ledger import Session
from codtool.ledger.dedupe import count_candidates, target_span
from codtool.render import table
from codtool.state import State, state_of

_SHOWN = 50


def register(app: typer.Typer) -> None:
    dedupe = typer.Typer(help="Find duplicate orders and record reviewers' decisions.\n\n"
                              "Example: codtool dedupe, then codtool dedupe --review",
                         invoke_without_command=True)
    dedupe.callback()(find)
    dedupe.command("resolve")(resolve_cluster)
    app.add_typer(dedupe, name="dedupe")


def find(
    ctx: typer.Context,
    window_days: Annotated[int, typer.Option(min=0, max=366, help="Compare orders created this many days apart.")]
    = DEFAULT_WINDOW_DAYS,
    threshold: Annotated[float, typer.Option(min=50, max=100, help="Minimum score (0-100) for a likely duplicate.")]
    = DEFAULT_THRESHOLD,
    batch: Annotated[int | None, typer.Option(metavar="ID", parser=ledger_id,
                                                help="Only open orders of this import batch.")]
    = None,
    review: Annotated[bool, typer.Option("--review", help="Show the open clusters; find nothing new.")] = False,
    weights: Annotated[Path | None, typer.Option(help="TOML file overriding the default match weights.")] = None,
) -> None:
    """Find duplicate orders among open orders (exact and likely) and store them as clusters for review.

    Example: codtool dedupe --window-days 7, then codtool dedupe --review
    """
    if ctx.invoked_subcommand is not None:
        return
    state = state_of(ctx)
    ledger = state.ledger()
    if review:
        data = open_clusters(ledger.session, batch)
        state.output.emit(data, lambda c: _show_review(c, data))
        return
    chosen = load_weights(weights) if weights is not None else DEFAULT_WEIGHTS
    state.on_interrupt("nothing recorded: a run stores its clusters in one transaction at its end.")
    options = Options(window_days, threshold, batch, chosen)
    with state.output.progress("Looking for duplicate orders", _candidates(state, options)) as tick:
        result = run_dedupe(ledger, options, tick)
    data = _run_data(ledger.session, result, None if state.output.as_json else _SHOWN)
    state.output.emit(data, lambda c: _show_run(c, data))


def _candidates(state: State, options: Options) -> int | None:
    """About how many orders the run reads (the open ones and their neighbours in time): the bar's total."""
    if not state.output.watched:
        return None
    conn = state.ledger().session
    targets, first, last = target_span(conn, options.batch)
    if not targets:
        return 0
    margin = timedelta(days=options.window_days + 1)
    return count_candidates(conn, (datetime.fromisoformat(first) - margin).isoformat(),
                            (datetime.fromisoformat(last) + margin).isoformat())


def resolve_cluster(
    ctx: typer.Context,
    cluster: Annotated[int, typer.Argument(parser=ledger_id,
                                                         help="Cluster id (see codtool dedupe --review).")],
    keep: Annotated[list[str] | None, typer.Option(
        metavar="ORDER", parser=order_ref,
        help="Order to keep: ledger id or the shop's order id (#1001); repeat to keep several.")]
    = None,
    not_duplicate: Annotated[bool, typer.Option("--not-duplicate", help="The orders are distinct: keep them all.")]
    = False,
) -> None:
    """Record a decision: keep ORDER and mark the other members 'duplicate', or --not-duplicate.

    Example: codtool dedupe resolve 2 --keep '#1001'
    """
    if bool(keep) == not_duplicate:
        raise typer.BadParameter("give either --keep ORDER or --not-duplicate", param_hint="--keep")
    state = state_of(ctx)
    ledger = state.ledger()
    chosen = [_member_id(ledger.session, cluster, value) for value in keep or []]
    data = resolve(ledger, cluster, chosen, not_duplicate, _reviewer())
    state.output.emit(data, lambda c: _show_decision(c, data))


def _member_id(conn: Session, cluster: int, value: str) -> int:
    """--keep as `orders show` reads an order: a ledger id, or the shop's order id of a member."""
    members = cluster_view(conn, cluster)["members"]
    for member in members:
        if str(member["order_id"]) == value.strip():
            return member["order_id"]
    matches = [m["order_id"] for m in members if m["source_id"] in (value.strip(), f"#{value.strip()}")]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise CodtoolError(f"order {shorten(value)!r} names several members of cluster {cluster}: "
                           f"use the ledger id, one of {', '.join(map(str, matches))}")
    number = ascii_int(value.strip())
    return number if number is not None else _not_a_member(cluster, value, members)


def _not_a_member(cluster: int, value: str, members: list[dict]) -> int:
    ids = ", ".join(f"{m['order_id']} ({m['source_id']})" for m in members)
    raise DecisionError(f"order {shorten(value)!r} is not in cluster {cluster} (members: {ids})")


def _reviewer() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _run_data(conn: Session, result: RunResult, shown: int | None) -> dict:
    """The run's JSON; for the table (`shown`), its first clusters only, with every one counted."""
    data = clusters_view(conn, [result.cluster_ids[c.key] for c in result.clusters], shown)
    return {"orders_checked": result.checked, "pairs_compared": result.compared,
            "new_clusters": result.new, "withdrawn_clusters": result.withdrawn,
            "capped_blocks": result.capped} | data


def _show_run(console: Console, data: dict) -> None:
    count = data["cluster_count"]
    console.print(f"Checked {data['orders_checked']} open orders: {count} clusters "
                  f"({data['new_clusters']} new, {data['withdrawn_clusters']} withdrawn), "
                  f"{len(data['duplicate_orders'])} suspected duplicate orders.")
    if data["capped_blocks"]:
        console.print("Blocks cut to their cap (not every pair compared): "
                      + ", ".join(f"{rule} {n}" for rule, n in data["capped_blocks"].items()))
    if data["clusters"]:
        console.print(table("Duplicate clusters", ("cluster", "status", "kind", "score", "keep", "duplicates",
                                                   "reasons"),
                            ([c["id"], c["status"], c["kind"], c["score"], c["keep_order_id"],
                              " ".join(map(str, c["duplicate_orders"])), c["pairs"][0]["reasons"]]
                             for c in data["clusters"]), numeric=("score",)))
        if count > _SHOWN:
            console.print(f"... and {count - _SHOWN} more.")
        console.print("Review with: codtool dedupe --review")


def _show_review(console: Console, data: dict) -> None:
    if not data["clusters"]:
        console.print("No open duplicate clusters.")
    for cluster in data["clusters"]:
        _show_cluster(console, cluster)
        console.print(f"Decide: codtool dedupe resolve {cluster['id']} --keep {cluster['keep_order_id']}"
                      f"  |  codtool dedupe resolve {cluster['id']} --not-duplicate\n")


def _show_cluster(console: Console, cluster: dict) -> None:
    cols = ("order_id", "role", "status", "shop", "source_id", "created_at", "customer_name", "phone",
            "address1", "city", "total", "currency")
    title = f"Cluster {cluster['id']} ({cluster['kind']}, score {cluster['score']}, {cluster['status']})"
    console.print(table(title, cols, ([m[k] for k in cols] for m in cluster["members"]), numeric=("total",)))
    console.print(table(None, ("order_a", "order_b", "score", "reasons"),
                        ([p["order_a"], p["order_b"], p["score"], p["reasons"]] for p in cluster["pairs"]),
                        numeric=("score",)))


def _show_decision(console: Console, cluster: dict) -> None:
    _show_cluster(console, cluster)
    dropped = cluster["duplicate_orders"]
    if dropped:
        console.print(f"Kept order {cluster['keep_order_id']}; marked duplicate: {' '.join(map(str, dropped))}.")
    else:
        console.print("Recorded as not duplicates: these orders will not be proposed together again.")
