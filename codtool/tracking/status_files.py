"""`track`: importing a courier's status file as append-only events, then re-deriving statuses.

Every line is stored as an event with its file and line, or reported as an issue (unknown
status, unreadable time, unknown tracking number) with its line; nothing is guessed. Event keys
are content hashes, so replaying a file, or a courier resending yesterday's events, adds nothing.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from codtool.crashpoints import crash_point
from codtool.errors import InputFileError
from codtool.findings import WARNING, Finding
from codtool.ledger import Ledger, Session
from codtool.ledger import tracking as store
from codtool.ledger.db import utc_now
from codtool.ledger.orders import StatusMove, set_statuses
from codtool.progress import Progress
from codtool.tracking.couriers import Courier
from codtool.tracking.events import ORDER_OUTCOME, Event, derive
from codtool.tracking.sources import Table, parse_when


@dataclass
class TrackResult:
    """What one status file did to the ledger."""

    file: str
    courier: str
    lines: int = 0
    new_events: int = 0
    known_events: int = 0
    shipments_updated: int = 0
    orders_updated: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    issues: list[Finding] = field(default_factory=list)  # stored in tracking_issues

    def to_json(self) -> dict:
        return asdict(self) | {"issues": [f.to_json() for f in self.issues]}


def key_of(*parts: str) -> str:
    """128 bits of SHA-256: collision-free at any realistic volume, and half the index size."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def import_status_file(ledger: Ledger, path: Path, courier: Courier, progress: Progress | None = None) -> TrackResult:
    """Store the file's events and re-derive the touched parcels, all in one transaction."""
    columns = courier.columns
    table = Table(path, columns, ("tracking_number", "status"))
    if table.columns.get("event_at") is None and table.columns.get("date") is None:
        names = columns.get("event_at", ()) + columns.get("date", ())
        raise InputFileError(path, f"missing column(s) event_at: one of {', '.join(repr(n) for n in names)}", 1)
    result = TrackResult(str(path), courier.name)
    store.widen_cache(ledger.session)
    with ledger.transaction() as conn:
        reader = _FileReader(conn, table, courier, result)
        touched: set[int] = set()
        for chunk in table.chunks():
            touched |= reader.write(_frame(table, chunk.lines, chunk.rows))
            if progress:
                progress(chunk.bytes_read, table.source.size)
        crash_point("track.after_events")
        _rederive(conn, sorted(touched), result, path.name)
    return result


def _frame(table: Table, lines: list[int], rows: list[list[str]]) -> pd.DataFrame:
    def column(name: str) -> list[str]:
        i = table.columns.get(name)
        return [r[i].strip() if i is not None and i < len(r) else "" for r in rows]

    when = column("event_at") if table.columns.get("event_at") is not None else column("date")
    if table.columns.get("event_at") is None and table.columns.get("time") is not None:
        when = [f"{d} {t}".strip() for d, t in zip(when, column("time"), strict=True)]
    return pd.DataFrame({"line": lines, "tracking": column("tracking_number"), "when": when,
                         "raw_status": column("status"), "raw_reason": column("reason")})


class _FileReader:
    """Turns chunks of a status file into events and issues, caching look-ups per distinct value."""

    def __init__(self, conn: Session, table: Table, courier: Courier, result: TrackResult) -> None:
        self.conn, self.table, self.courier, self.result = conn, table, courier, result
        self.file = table.path.name
        self.sha = table.source.sha256

    def write(self, frame: pd.DataFrame) -> set[int]:
        self.result.lines += len(frame)
        rules = {raw: self.courier.rule_for(raw) for raw in frame["raw_status"].unique()}
        formats = self.courier.date_formats
        times = {raw: parse_when(raw, formats) for raw in frame["when"].unique()}
        found = store.shipments_by_tracking(self.conn, self.courier.name,
                                            [t for t in frame["tracking"].unique() if t])
        frame["rule"] = frame["raw_status"].map(rules)
        frame["event_at"] = frame["when"].map(times)
        frame["shipment"] = frame["tracking"].map({t: rows[0]["id"] for t, rows in found.items()})
        code = np.select(
            [frame["tracking"] == "", frame["raw_status"] == "", frame["rule"].isna(),
             frame["event_at"].isna(), frame["shipment"].isna()],
            ["tracking.missing_tracking", "tracking.missing_status", "tracking.unknown_status",
             "tracking.bad_time", "tracking.unknown_parcel"], "")
        self._issues(frame[code != ""], code[code != ""])
        good = frame[code == ""]
        new = store.insert_events(self.conn, self._events(good))
        self.result.new_events += new
        self.result.known_events += len(good) - new
        return {int(s) for s in good["shipment"].unique()} if new else set()

    def _message(self, code: str, row) -> str:
        name = self.courier.name
        return {
            "tracking.missing_tracking": "missing tracking number",
            "tracking.missing_status": "missing status",
            "tracking.unknown_status": f"unknown {name} status {row.raw_status!r}: add it to the courier mapping",
            "tracking.bad_time": f"cannot read event time {row.when!r}",
            "tracking.unknown_parcel": f"no {name} shipment with tracking number {row.tracking}",
        }[code]

    def _issues(self, bad: pd.DataFrame, codes: np.ndarray) -> None:
        now, rows = utc_now(), []
        for row, code in zip(bad.itertuples(index=False), codes, strict=True):
            issue = Finding(self.file, int(row.line), str(code), self._message(str(code), row), WARNING,
                            parcel=row.tracking)
            self.result.issues.append(issue)
            rows.append((None, issue.code, issue.message, self.file, issue.line,
                         key_of(issue.code, self.sha, str(issue.line)), now))
        store.insert_issues(self.conn, rows)

    def _events(self, good: pd.DataFrame):
        now, courier = utc_now(), self.courier
        columns = ("line", "tracking", "shipment", "event_at", "rule", "raw_status", "raw_reason")
        for line, tracking, shipment, event_at, rule, raw_status, raw_reason in zip(
                *(good[c].tolist() for c in columns), strict=True):
            key = key_of(courier.name, tracking, event_at, raw_status, raw_reason)
            yield (int(shipment), event_at, rule.status, courier.reason_for(rule, raw_reason), raw_status,
                   raw_reason, self.file, self.sha, int(line), key, now)


def _rederive(conn: Session, ids: list[int], result: TrackResult, file: str) -> None:
    """Recompute touched parcels from all their events; move orders to their outcome."""
    heads = store.get_shipments(conn, ids)
    by_shipment: dict[int, list[Event]] = {}
    for r in store.events_of(conn, ids):
        by_shipment.setdefault(r["shipment_id"], []).append(
            Event(r["id"], r["event_at"], r["status"], r["source_file"], r["source_line"], r["event_key"]))
    updates, issues, moves, now = [], [], [], utc_now()
    counts: Counter[str] = Counter()
    for sid, events in by_shipment.items():
        head = heads[sid]
        state = derive(events, head["ship_date"])
        counts[state.status] += 1
        if (state.status, state.status_at) != (head["status"], head["status_at"]):
            updates.append((state.status, state.status_at, sid))
        for event, before in state.impossible:
            message = (f"impossible transition for {head['courier']} {head['tracking_number']}: "
                       f"{event.status} at {event.event_at} after {before}")
            issues.append((sid, "tracking.impossible_transition", message, event.source_file, event.source_line,
                           key_of("tracking.impossible_transition", event.event_key), now))
        outcome = ORDER_OUTCOME.get(state.status)
        if outcome:
            moves.append(StatusMove(head["order_id"], outcome, f"{head['courier']} {head['tracking_number']} "
                                    f"{state.status} at {state.status_at}", f"track {file}"))
    result.orders_updated += len(set_statuses(conn, moves))
    store.set_shipment_status(conn, updates)
    result.shipments_updated = len(updates)
    result.statuses = dict(sorted(counts.items()))
    store.insert_issues(conn, issues)
    numbers = {sid: heads[sid]["tracking_number"] for sid in by_shipment}
    orders = {sid: heads[sid]["order_id"] for sid in by_shipment}
    result.issues += [Finding(i[3], int(i[4]), i[1], i[2], WARNING, parcel=numbers[i[0]], order_id=orders[i[0]])
                      for i in issues]
