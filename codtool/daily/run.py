"""One daily run: under the ledger's run lock, every step in the COD day's order.

A step whose dependency failed (or was skipped) is skipped and says why; every other step
runs, so a broken bank export does not stop the call list.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

from codtool.config import Config
from codtool.crashpoints import crash_point
from codtool.daily import steps
from codtool.daily.layout import discover
from codtool.daily.log import ActionLog
from codtool.daily.summary import BAD, FAILED, FILE_FAILED, SKIPPED, DailySummary, FileReport, StepReport
from codtool.errors import CodtoolError
from codtool.ledger import Ledger
from codtool.ledger.locks import run_lock
from codtool.notify.policy import load_policy


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[steps.Day], dict[str, int]]
    needs: tuple[str, ...] = ()


def _files(kind: str, handler: steps.FileHandler) -> Callable[[steps.Day], dict[str, int]]:
    return partial(steps.run_files, step=kind, handler=handler)


STEPS = (
    Step("orders", _files("orders", steps.import_orders)),
    Step("check", steps.check, ("orders",)),
    Step("dedupe", steps.dedupe, ("orders",)),
    Step("calls", _files("calls", steps.record_calls), ("orders",)),
    Step("confirm", steps.confirm, ("check", "dedupe", "calls")),
    Step("call_list", steps.call_sheet, ("confirm",)),
    Step("flagged", steps.flagged, ("check",)),
    Step("manifests", _files("manifests", steps.ship), ("confirm",)),
    Step("tracking", _files("tracking", steps.track), ("manifests",)),
    Step("ndr", steps.ndr, ("tracking",)),
    Step("remittances", _files("remittances", steps.remittance)),
    Step("bank", _files("bank", steps.bank)),
    Step("reconcile", steps.reconcile, ("tracking", "remittances", "bank")),
    Step("report", steps.report, ("reconcile",)),
    Step("chase", steps.chase, ("reconcile",)),
    Step("payouts", steps.payouts, ("reconcile",)),
)


@dataclass(frozen=True)
class DailyRequest:
    in_dir: Path
    out_root: Path
    as_of: date
    wait: float = 0.0


def run_daily(ledger: Ledger, config: Config, request: DailyRequest, log: ActionLog) -> DailySummary:
    """Take the run lock (or raise LockHeld after `wait`), then run every step; never raises for a step."""
    out = request.out_root / request.as_of.isoformat()
    summary = DailySummary(request.as_of, request.in_dir, out)
    with run_lock(ledger, "daily", request.wait) as holder:
        summary.holder = holder.to_json()
        log.action("daily", "start", as_of=request.as_of.isoformat(), pid=holder.pid)
        started = time.monotonic()
        found = discover(request.in_dir)
        summary.ignored = found.ignored
        for name, reason in found.misplaced:
            summary.files.append(FileReport(name.split("/")[0], "", name, BAD, reason=reason))
            log.problem("daily", "misplaced", reason, file=name)
        day = steps.Day(ledger, config, request.as_of, out, found, log, summary,
                        load_policy(config.file(config.call_policy)))
        for step in STEPS:
            summary.steps.append(_run_step(day, step))
            crash_point(f"daily.after_step.{step.name}")
        _attention_for_lines(summary)
        log.action("daily", "finish", time.monotonic() - started, exit_code=summary.exit_code,
                   bad_files=len(summary.bad_files))
    return summary


def _run_step(day: steps.Day, step: Step) -> StepReport:
    report = StepReport(step.name)
    blocked = [n for n in step.needs if (s := day.summary.step(n)) is None or s.status in (FAILED, SKIPPED)]
    if blocked:
        report.status, report.skipped_because = SKIPPED, blocked
        day.log.problem(step.name, "skipped", f"depends on {', '.join(blocked)}")
        return report
    start = time.monotonic()
    try:
        report.counts = step.run(day)
    except Exception as exc:  # noqa: BLE001 - one step's failure is reported; the others still run
        report.status = FAILED
        report.error = str(exc) if isinstance(exc, CodtoolError) else f"unexpected {type(exc).__name__}: {exc}"
        day.log.problem(step.name, "failed", report.error)
    report.seconds = round(time.monotonic() - start, 3)
    failed_files = [f.file for f in day.summary.files if f.kind == step.name and f.status == FILE_FAILED]
    if failed_files and report.status != FAILED:
        report.status, report.error = FAILED, f"{len(failed_files)} file(s) failed: {', '.join(failed_files)}"
    if report.status != FAILED:
        day.log.action(step.name, "done", report.seconds, **report.counts)
    return report


def _attention_for_lines(summary: DailySummary) -> None:
    lines = sum(f.rejected_lines for f in summary.files)
    if lines:
        summary.attention.insert(0, f"{lines} input line(s) rejected or reported: see the files table "
                                    "(codtool batches show, or the findings of each stage)")
