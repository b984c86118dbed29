"""SQL for findings: storing the ones of stages without their own table, reading every stage's as one shape.

Four tables hold findings (see migration 0006): `findings` (ship, calls, NDR), `rejected_rows`
(import), `order_findings` (checks) and `tracking_issues` (tracking). The readers here turn
each into `codtool.findings.Finding`, so `batches show`, `orders show` and `--json` see one record.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from codtool.findings import ERROR, Finding
from codtool.ledger.db import utc_now
from codtool.ledger.session import Session

COLUMNS = ("stage", "source", "line", "code", "severity", "message", "order_ref", "parcel", "order_id",
           "finding_key", "created_at")


def finding_key(stage: str, f: Finding) -> str:
    parts = (stage, f.source, str(f.line), f.code, f.message, f.order, f.parcel)
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def store_findings(session: Session, stage: str, found: Iterable[Finding]) -> int:
    """Keep a stage's findings in the caller's transaction; ones already stored are skipped."""
    now = utc_now()
    rows = [(stage, f.source, f.line, f.code, f.severity, f.message, f.order, f.parcel, f.order_id,
             finding_key(stage, f), now) for f in found]
    return session.bulk_insert("findings", COLUMNS, rows, conflict="finding_key")


def of_batch(session: Session, batch: int) -> list[Finding]:
    """An import batch's rejected and duplicate rows as findings, by line."""
    rows = session.query(
        "SELECT b.file_name, r.line, r.code, r.kind, r.reason, r.raw FROM rejected_rows r "
        "JOIN import_batches b ON b.id = r.batch_id WHERE r.batch_id = ? ORDER BY r.line, r.id", (batch,))
    return [Finding(file, line, code, reason, ERROR if kind == "rejected" else "warning")
            for file, line, code, kind, reason, _raw in rows]


def of_order(session: Session, order_id: int) -> list[Finding]:
    """Everything any stage found about one order: checks, tracking issues of its parcels, ship/calls/NDR."""
    found = [Finding("check", None, r[0], r[1], r[2], r[3], "", order_id, r[4]) for r in session.query(
        "SELECT f.code, f.message, f.severity, o.source_id, f.suggestion FROM order_findings f "
        "JOIN orders o ON o.id = f.order_id WHERE f.order_id = ? "
        "ORDER BY CASE f.severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, f.code", (order_id,))]
    found += [Finding(r[0], r[1], r[2], r[3], "warning", r[4], r[5], order_id) for r in session.query(
        "SELECT i.source_file, i.source_line, i.code, i.message, o.source_id, s.tracking_number "
        "FROM tracking_issues i JOIN shipments s ON s.id = i.shipment_id JOIN orders o ON o.id = s.order_id "
        "WHERE s.order_id = ? ORDER BY i.id", (order_id,))]
    found += [_stored(r) for r in session.query(
        "SELECT source, line, code, severity, message, order_ref, parcel, order_id FROM findings "
        "WHERE order_id = ? ORDER BY id", (order_id,))]
    return found


def _stored(r) -> Finding:
    return Finding(r[0], r[1], r[2], r[4], r[3], r[5], r[6], r[7])
