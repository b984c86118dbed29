"""`remit chase` SQL: the reminders written to couriers and the parcels each one listed.

Only INSERT and SELECT: what was sent stays as it was sent (append-only), and the next step of
a chase is read from the last reminder, never kept as a mutable state.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from codtool.ledger.session import Row, Session

REMINDER_COLUMNS = ("courier", "step", "as_of", "language", "parcels", "total_minor", "currency", "files",
                    "written_at")
LINE_COLUMNS = ("reminder_id", "shipment_id", "tracking_number", "order_ref", "delivered_on", "payout_due",
                "days_overdue", "cod_minor", "amount_minor")


def last_reminders(session: Session) -> dict[str, Row]:
    """Each courier's latest reminder (by day, then id)."""
    latest: dict[str, Row] = {}
    for row in session.query(f"SELECT id, {', '.join(REMINDER_COLUMNS)} FROM chase_reminders ORDER BY as_of, id"):
        latest[row["courier"]] = row
    return latest


def reminder_shipments(session: Session, reminder_ids: Sequence[int]) -> dict[int, set[int]]:
    """The parcels each of these reminders listed."""
    found: dict[int, set[int]] = {i: set() for i in reminder_ids}
    if not reminder_ids:
        return found
    marks = ", ".join("?" * len(reminder_ids))
    for reminder, shipment in session.query(
            f"SELECT reminder_id, shipment_id FROM chase_reminder_lines WHERE reminder_id IN ({marks})",
            list(reminder_ids)):
        found[reminder].add(shipment)
    return found


def decided_shipments(session: Session, decisions: Sequence[str]) -> set[int]:
    """Parcels on which `remit resolve` took one of these decisions (dispute, write-off): not chased."""
    marks = ", ".join("?" * len(decisions))
    return {int(r[0]) for r in session.query(
        "SELECT d.subject_id FROM remit_decisions x JOIN remit_discrepancies d ON d.id = x.discrepancy_id "
        f"WHERE d.subject_type = 'shipment' AND x.decision IN ({marks})", list(decisions))}


def insert_reminder(session: Session, values: Sequence[Any], lines: Sequence[Sequence[Any]]) -> int:
    """Record one reminder and its lines (values in REMINDER_COLUMNS order, lines in LINE_COLUMNS less the id)."""
    reminder_id = session.insert_returning_id(
        f"INSERT INTO chase_reminders ({', '.join(REMINDER_COLUMNS)}) "
        f"VALUES ({', '.join('?' * len(REMINDER_COLUMNS))})", values)
    session.bulk_insert("chase_reminder_lines", LINE_COLUMNS, [(reminder_id, *line) for line in lines])
    return reminder_id


def reminders(session: Session, courier: str | None = None) -> list[Row]:
    """Every reminder written, oldest first (the audit trail of the chase)."""
    where, params = ("WHERE courier = ?", [courier]) if courier else ("", [])
    return session.query(f"SELECT id, {', '.join(REMINDER_COLUMNS)} FROM chase_reminders {where} "
                         "ORDER BY as_of, id", params)


def reminder_total_mismatches(session: Session) -> list[tuple]:
    """Reminders whose recorded total or parcel count is not their lines' (a reminder says what it lists)."""
    return [tuple(r) for r in session.execute(
        "SELECT 'reminder ' || r.id, "
        "'total_minor ' || CAST(COALESCE(SUM(l.amount_minor), 0) AS BIGINT) || ', parcels ' || COUNT(l.shipment_id), "
        "'total_minor ' || r.total_minor || ', parcels ' || r.parcels "
        "FROM chase_reminders r LEFT JOIN chase_reminder_lines l ON l.reminder_id = r.id "
        "GROUP BY r.id, r.total_minor, r.parcels "
        "HAVING r.total_minor != COALESCE(SUM(l.amount_minor), 0) OR r.parcels != COUNT(l.shipment_id) ORDER BY r.id")]
