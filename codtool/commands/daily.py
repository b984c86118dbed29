"""`codtool daily`: the whole COD day over a folder of input files, for cron (exit codes in the README)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import click
import typer
from rich.console import Console

from codtool.commands import choices, day_option
from codtool.daily import exits
from codtool.daily.log import ActionLog
from codtool.daily.run import DailyRequest, run_daily
from codtool.daily.summary import DailySummary
from codtool.ledger.locks import LockHeld
from codtool.render import table
from codtool.state import state_of

LogLevel = choices("LogLevel", ("info", "debug"))
_SHOWN = 30


def register(app: typer.Typer) -> None:
    app.command("daily")(daily)


def daily(
    ctx: typer.Context,
    in_dir: Annotated[Path, typer.Option("--in", metavar="DIR", exists=True, file_okay=False, dir_okay=True,
                                         help="Input folder (layout: docs/daily.md).")],
    out: Annotated[Path, typer.Option("--out", metavar="DIR", file_okay=False,
                                      help="Output folder; the day's files go to DIR/<date>/.")],
    as_of: Annotated[str | None, typer.Option("--as-of", metavar="DATE",
                                              help="The day to run as (YYYY-MM-DD); default today.")] = None,
    wait: Annotated[float, typer.Option("--wait", min=0, max=86_400, metavar="SECONDS",
                                        help="Wait this long for another run's lock, then exit 75.")] = 0,
    log: Annotated[Path | None, typer.Option("--log", metavar="FILE",
                                             help="Append one line per action here (default: log_file in the config).")
                   ] = None,
    log_level: Annotated[LogLevel | None, typer.Option("--log-level", help="debug adds order ids (never phones).")
                         ] = None,
) -> None:
    """Import every new file under --in, run every stage of the COD day and write the day's outputs.

    Exit 0 done, 3 done but needs attention, 65 bad input files (the rest processed), 75 another run holds
    the lock, 1 a step failed.

    Example: codtool --config codtool.toml daily --in /srv/cod/in --out /srv/cod/out --wait 600
    """
    day = day_option(as_of)
    state = state_of(ctx)
    config = state.config()
    ledger = state.ledger()
    action_log = ActionLog(log or config.file(config.log_file), log_level.value if log_level else config.log_level)
    try:
        summary = run_daily(ledger, config, DailyRequest(in_dir, out, day, wait), action_log)
    except LockHeld as exc:
        action_log.problem("daily", "locked", str(exc))
        click.echo(f"Error: {exc}", err=True)
        raise typer.Exit(exits.LOCKED) from None
    finally:
        action_log.close()
    _write_summary(summary)
    state.output.emit(summary.to_json(), lambda c: _show(c, summary))
    raise typer.Exit(summary.exit_code)


def _write_summary(summary: DailySummary) -> None:
    """The morning's first file to open: the same JSON as --json, beside the day's outputs."""
    import json

    summary.out_dir.mkdir(parents=True, exist_ok=True)
    path = summary.out_dir / "summary.json"
    summary.outputs.append(path)
    path.write_text(json.dumps(summary.to_json(), ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")


def _show(console: Console, summary: DailySummary) -> None:
    console.print(table(f"Daily {summary.as_of} ({summary.in_dir})", ("step", "status", "seconds", "counts"),
                        [(s.step, s.status, f"{s.seconds:.2f}",
                          s.error or ("needs " + ", ".join(s.skipped_because) if s.skipped_because else
                                      ", ".join(f"{k} {v}" for k, v in s.counts.items())))
                         for s in summary.steps], numeric=("seconds",)))
    problems = [f for f in summary.files if f.status in ("bad", "failed")]
    if problems:
        console.print(table("Files not processed", ("file", "status", "reason"),
                            [(f.file, f.status, f.reason) for f in problems[:_SHOWN]]))
    for item in summary.attention:
        console.print(f"Needs attention: {item}")
    console.print(f"Outputs in {summary.out_dir}. Exit {summary.exit_code} ({exits.MEANING[summary.exit_code]}).")
