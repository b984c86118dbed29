"""The steps of a daily run, each one call into the library the single command also calls.

A file step hands each new file to the stage's own import function and records the file as
processed inside the same unit (`Ledger.held`), so the data and the record commit together.
Step functions return their counts; they raise only when the step itself cannot go on.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from codtool.config import Config
from codtool.crashpoints import crash_point
from codtool.daily import registry
from codtool.daily.layout import Found, InputFile
from codtool.daily.log import ActionLog
from codtool.daily.summary import BAD, FILE_FAILED, KNOWN, PROCESSED, DailySummary, FileReport
from codtool.errors import CodtoolError, LedgerError
from codtool.findings import Finding
from codtool.ledger import Ledger
from codtool.notify.policy import Policy

FileResult = tuple[dict[str, int], list[str]]  # (counts, "line N: reason" of each line rejected or reported)
FileHandler = Callable[["Day", InputFile], FileResult]


@dataclass
class Day:
    """What every step reads: the ledger, the configuration, the day and where its outputs go."""

    ledger: Ledger
    config: Config
    as_of: date
    out: Path
    found: Found
    log: ActionLog
    summary: DailySummary
    policy: Policy
    results: dict[str, Any] = field(default_factory=dict)  # a step's result another step reads

    def output(self, name: str) -> Path:
        path = self.out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        self.summary.outputs.append(path)
        return path


def run_files(day: Day, step: str, handler: FileHandler) -> dict[str, int]:
    """Each new file of the step's kind through `handler`, each in its own unit with its record."""
    candidates = [registry.candidate(f) for f in day.found.of(step)]
    new, old = registry.split_new(day.ledger.session, candidates)
    totals: Counter = Counter(files=len(candidates), already_processed=len(old))
    for c in old:
        day.summary.files.append(FileReport(c.file.kind, c.file.scope, c.file.name, KNOWN))
        day.log.action(step, "skip_known", file=c.file.name)
    for c in new:
        report = _one_file(day, step, handler, c)
        day.summary.files.append(report)
        totals[report.status] += 1
        totals.update(report.counts)
    return dict(totals)


def _one_file(day: Day, step: str, handler: FileHandler, c: registry.Candidate) -> FileReport:
    report = FileReport(c.file.kind, c.file.scope, c.file.name, PROCESSED)
    start = time.monotonic()
    try:
        with day.ledger.held():
            report.counts, reasons = handler(day, c.file)
            report.rejected_lines, report.reason = len(reasons), _first(reasons, report.counts)
            with day.ledger.transaction() as session:
                registry.record(session, c, report.rejected_lines)
                crash_point("daily.after_record")
    except LedgerError as exc:
        report.status, report.reason = FILE_FAILED, str(exc)
    except CodtoolError as exc:
        report.status, report.reason = BAD, _without_path(str(exc), c.file.path)
    except Exception as exc:  # noqa: BLE001 - a reader's bug must not stop the other files; reported, exit 1
        report.status, report.reason = FILE_FAILED, f"unexpected {type(exc).__name__}: {exc}"
    seconds = time.monotonic() - start
    if report.status == PROCESSED:
        day.log.action(step, "import", seconds, file=c.file.name, **report.counts, rejected=report.rejected_lines)
    else:
        day.log.problem(step, report.status, report.reason, file=c.file.name)
    return report


def _first(reasons: list[str], counts: dict[str, int]) -> str:
    """What the summary says of a processed file: its first rejected line, or that it held no data."""
    if reasons:
        more = f" (and {len(reasons) - 1} more)" if len(reasons) > 1 else ""
        return reasons[0] + more
    return "" if counts.get("lines", counts.get("rows", 1)) else "no data lines (header only)"


def _without_path(message: str, path: Path) -> str:
    """Stage errors start with the file's full path (and line); the summary names the file once, relative."""
    rest = message.removeprefix(f"{path}:").removeprefix(f"{path}").lstrip(": ") or message
    line = re.match(r"(\d+): ", rest)
    return f"line {line.group(1)}: {rest[line.end():]}" if line else rest


# --- file handlers: one per folder kind ----------------------------------------------------------

def _said(findings: list[Finding]) -> list[str]:
    return [f"line {f.line}: {f.message}" if f.line else f.message for f in findings]


class _Reject(Protocol):
    line: int
    reason: str


def _rejected(rejects: list[_Reject]) -> list[str]:
    """Import, remittance and bank rejects each carry `line` and `reason`; findings use `_said`."""
    return [f"line {r.line}: {r.reason}" for r in rejects]


def import_orders(day: Day, file: InputFile) -> FileResult:
    from codtool.importing.importer import ImportRequest, import_file
    from codtool.input_policy import shop_name

    terms = day.config.shops.get(file.scope)
    mapping = day.config.file(terms.orders_mapping) if terms is not None else None
    result = import_file(day.ledger, ImportRequest(file.path, shop_name(file.scope), "auto", mapping, None,
                                                   day.config.currency))
    return ({"rows": result.rows, "orders": result.orders, "imported": result.imported,
             "duplicates": result.skipped_duplicates}, _rejected(result.rejects))


def record_calls(day: Day, file: InputFile) -> FileResult:
    from codtool.notify.outcomes import record_outcomes

    result = record_outcomes(day.ledger, file.path, day.policy)
    day.log.orders("calls", "status_changed", [c["order"] for c in result.status_changes])
    return ({"lines": result.lines, "recorded": result.recorded, "already_recorded": result.already_recorded},
            _said(result.rejects))


def _courier(day: Day, name: str):
    """The courier's status vocabulary: built-in, extended by `tracking_mapping` in its config section."""
    from codtool.tracking.couriers import load_courier

    terms = day.config.couriers.get(name)
    return load_courier(name, day.config.file(terms.tracking_mapping) if terms is not None else None)


def ship(day: Day, file: InputFile) -> FileResult:
    from codtool.tracking.shipments import ShipRequest, ship_manifest

    courier = _courier(day, file.scope)
    result = ship_manifest(day.ledger, ShipRequest(file.path, courier.name))
    return ({"lines": result.lines, "shipped": result.shipped, "already_recorded": result.already_recorded},
            _said(result.refused))


def track(day: Day, file: InputFile) -> FileResult:
    from codtool.tracking.status_files import import_status_file

    result = import_status_file(day.ledger, file.path, _courier(day, file.scope))
    return ({"lines": result.lines, "new_events": result.new_events, "parcels_updated": result.shipments_updated},
            _said(result.issues))


def ndr_decisions(day: Day, file: InputFile) -> FileResult:
    from codtool.tracking.ndr import record_decisions

    result = record_decisions(day.ledger, file.path)
    return {"lines": result.lines, "recorded": result.recorded}, _said(result.rejected)


def remittance(day: Day, file: InputFile) -> FileResult:
    from codtool.remit.files import import_remittance, load_mapping
    from codtool.tracking.couriers import check_name

    name = check_name(file.scope)
    mapping = load_mapping(day.config.file(day.config.courier(name).remittance_mapping))
    result = import_remittance(day.ledger, file.path, name, day.config.currency, mapping)
    return {"lines": result.lines, "imported": result.imported}, _rejected(result.rejected)


def bank(day: Day, file: InputFile) -> FileResult:
    from codtool.remit.bank import import_statement

    result = import_statement(day.ledger, file.path, day.config.currency)
    return ({"lines": result.lines, "imported": result.imported, "credits": result.credits},
            _rejected(result.rejected))


# --- steps over the ledger ----------------------------------------------------------------------

def check(day: Day) -> dict[str, int]:
    from codtool.checks.runner import CheckRequest, run_checks

    summary = run_checks(day.ledger, CheckRequest())
    return {"checked": summary.checked, "ok": summary.ok, "flagged": summary.flagged}


def dedupe(day: Day) -> dict[str, int]:
    from codtool.dedupe.run import Options, run_dedupe

    result = run_dedupe(day.ledger, Options())
    return {"orders_checked": result.checked, "clusters": len(result.clusters), "new_clusters": result.new}


def confirm(day: Day) -> dict[str, int]:
    from codtool.notify.calls import auto_confirm

    result = auto_confirm(day.ledger, day.as_of, day.policy)
    day.log.orders("confirm", "confirmed", [c["order"] for c in result.confirmed])
    return {"confirmed": len(result.confirmed), "need_call": result.need_call}


def call_sheet(day: Day) -> dict[str, int]:
    from codtool.notify.call_sheet import write_call_sheet
    from codtool.notify.calls import call_list

    result = call_list(day.ledger, day.as_of, day.policy)
    write_call_sheet(day.output("calls.xlsx"), result.calls, replace=True)
    day.log.orders("call_list", "to_call", [c["order"] for c in result.calls])
    return {"to_call": len(result.calls), "needs_no_call": result.needs_no_call, "not_due_yet": result.not_due_yet}


def flagged(day: Day) -> dict[str, int]:
    from codtool.checks.export import export_flagged

    return {"flagged_orders": export_flagged(day.ledger, day.output("flagged.xlsx"), None, replace=True)}


def ndr(day: Day) -> dict[str, int]:
    from codtool.exports import write_table
    from codtool.tracking.ndr import SCHEMA, open_ndrs

    counts = run_files(day, "ndr", ndr_decisions)
    rows = [n.to_json() for n in open_ndrs(day.ledger, day.as_of)]
    write_table(day.output("ndr_open.xlsx"), SCHEMA, ([r[c.name] for c in SCHEMA] for r in rows), replace=True)
    return counts | {"open_ndr": len(rows)}


def reconcile(day: Day) -> dict[str, int]:
    from codtool.remit.reconcile import reconcile as run

    result = run(day.ledger, day.config, day.as_of)
    day.results["reconcile"] = result
    if result.open:
        day.summary.attention.append(f"{len(result.open)} open discrepancy(ies): see remittance_report.xlsx "
                                     "or codtool remit report")
    return {"open_discrepancies": len(result.open), "new_transactions": result.new_transactions}


def report(day: Day) -> dict[str, int]:
    from codtool.ledger import remit as store
    from codtool.remit.report import Report, write_report

    result = day.results["reconcile"]
    write_report(Report(result, [dict(r) for r in store.decisions(day.ledger.session)]),
                 day.output("remittance_report.xlsx"), replace=True)
    return {"cycles": len(result.cycles())}


def chase(day: Day) -> dict[str, int]:
    from codtool.money import format_minor
    from codtool.remit.chase import run_chase

    folder = day.out / "reminders"
    folder.mkdir(parents=True, exist_ok=True)
    result = run_chase(day.ledger, day.config, day.as_of, folder)
    day.summary.outputs.extend(result.files)
    if result.overdue_parcels:
        owed = format_minor(result.overdue_cents, day.config.currency)
        day.summary.attention.append(f"{result.overdue_parcels} overdue parcel(s) chased from couriers "
                                     f"({owed} {day.config.currency})")
    return {"reminders": len(result.reminders), "overdue_parcels": result.overdue_parcels}


def payouts(day: Day) -> dict[str, int]:
    from codtool.output_paths import file_name_part
    from codtool.payouts.documents import write_statement
    from codtool.payouts.run import run_payouts
    from codtool.payouts.statements import load_statement

    result = run_payouts(day.ledger, day.config, day.as_of)
    for ident in result.closed:
        statement = load_statement(day.ledger.session, ident)
        shop = file_name_part(statement.shop, "shop")
        write_statement(statement, day.output(f"statements/statement_{ident}_{shop}.pdf"),
                        day.config.operator or "codtool", replace=True)
    return {"new_items": sum(result.items.values()), "closed_statements": len(result.closed)}

