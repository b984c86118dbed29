"""Customer notices for an event (order confirmed, out for delivery, delivery failed).

Each message is recorded once per order and event, so a daily export sends only what is
new; `again` re-sends everything that currently qualifies.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from codtool.crashpoints import crash_point
from codtool.ledger import Ledger, Row, Session
from codtool.ledger import calls as store
from codtool.ledger.db import utc_now
from codtool.money import Money
from codtool.notify.calls import one_line_address
from codtool.notify.messages import sms_length, whatsapp_link
from codtool.notify.phones import phone_of
from codtool.notify.sender import Message, Sender
from codtool.notify.templates import KINDS, MessageFields, language_for, render

_SHIPMENT_STATUS = {"out_for_delivery": "out_for_delivery", "failed": "failed_attempt"}


@dataclass
class NoticeResult:
    kind: str
    sender: str
    messages: list[Message] = field(default_factory=list)
    already_sent: int = 0
    skipped: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"kind": self.kind, "sender": self.sender, "exported": len(self.messages),
                "long_sms": sum(m.sms.long for m in self.messages), "already_sent": self.already_sent,
                "skipped": self.skipped, "messages": [m.to_json() for m in self.messages]}


def export_notices(ledger: Ledger, kind: str, sender: Sender, again: bool = False) -> NoticeResult:
    """Build, send and record in one transaction: a failed send marks nothing as sent."""
    if kind not in KINDS:
        raise ValueError(f"unknown notice kind {kind!r}")
    result = NoticeResult(kind, sender.name)
    with ledger.transaction() as conn:
        sent = set() if again else store.sent_refs(conn, kind)
        targets = _targets(conn, kind)
        corrections = store.corrections_of(conn, [r["id"] for r in targets])
        for row in targets:
            _add(result, row, kind, sent, corrections.get(row["id"]))
        sender.send(result.messages)
        now = utc_now()
        store.insert_messages(conn, ((m.order_id, kind, m.event_ref, m.phone_e164, m.language, m.text, sender.name,
                                      now) for m in result.messages))
        crash_point("notify.after_messages")
    return result


def _targets(conn: Session, kind: str) -> list[Row]:
    if kind == "confirm":
        return store.confirmed_orders(conn)
    return store.orders_with_shipment_status(conn, _SHIPMENT_STATUS[kind])


def _add(result: NoticeResult, row: Row, kind: str, sent: set, correction: dict | None) -> None:
    ref = "" if kind == "confirm" else f"shipment {row['shipment_id']} at {row['status_at']}"
    if (row["id"], ref) in sent:
        result.already_sent += 1
        return
    phone = phone_of(row)
    if not phone.can_message:
        why = "landline: cannot receive SMS or WhatsApp" if phone.kind == "landline" else "no valid phone number"
        result.skipped.append({"id": row["id"], "order": row["source_id"], "phone": row["phone"], "reason": why})
        return
    language = language_for(row["country"])
    courier = row["courier"] if kind != "confirm" else ""
    fields = MessageFields(row["customer_name"], row["source_id"], Money(row["cod_minor"], row["currency"]),
                           one_line_address(correction or row), courier)
    text = render(kind, language, fields)
    result.messages.append(Message(row["id"], row["source_id"], kind, ref, row["customer_name"], row["country"],
                                   language, phone.e164, phone.national, text, whatsapp_link(phone.e164, text),
                                   sms_length(text)))
