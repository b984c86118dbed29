"""Customer notices for an event (order confirmed, out for delivery, delivery failed).

Exporting is not sending: `export_notices` writes what is due and records nothing, so an
export lost or never sent can be written again with the same messages. What was sent is
recorded by `mark_sent`, which reads an exported file back (or, later, by a provider sender
that knows each delivery). Each message is recorded once per order and event, so the next
export leaves out what was sent; `again` includes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from codtool.config import Config
from codtool.ledger import Ledger, Row, Session
from codtool.ledger import calls as store
from codtool.money import Money
from codtool.notify.calls import one_line_address
from codtool.notify.messages import sms_length, whatsapp_link
from codtool.notify.phones import phone_of
from codtool.notify.sender import Message, Sender
from codtool.notify.templates import KINDS, MessageFields, Templates, language_for

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


@dataclass(frozen=True)
class Wording:
    """What a message says beyond the order: the texts, and the names customers know."""

    templates: Templates
    config: Config

    def fields(self, row: Row, kind: str, address: str) -> MessageFields:
        courier = self.config.courier_name(row["courier"]) if kind != "confirm" else ""
        return MessageFields(row["customer_name"], row["source_id"], Money(row["cod_minor"], row["currency"]),
                             address, courier, self.config.shop_name(row["shop"]))


def export_notices(ledger: Ledger, kind: str, sender: Sender, wording: Wording, again: bool = False) -> NoticeResult:
    """Build the messages due and hand them to the sender; nothing is recorded as sent."""
    if kind not in KINDS:
        raise ValueError(f"unknown notice kind {kind!r}")
    result = NoticeResult(kind, sender.name)
    with ledger.transaction() as conn:  # one consistent read
        sent = set() if again else store.sent_refs(conn, kind)
        targets = _targets(conn, kind)
        corrections = store.corrections_of(conn, [r["id"] for r in targets])
    for row in targets:
        _add(result, row, kind, sent, corrections.get(row["id"]), wording)
    sender.send(result.messages)
    return result


def pending(conn: Session, kind: str) -> dict[tuple[int, str], Row]:
    """Every order this kind of notice is due for now, sent or not, by (order id, event)."""
    return {(row["id"], event_ref(kind, row)): row for row in _targets(conn, kind)}


def event_ref(kind: str, row: Row) -> str:
    """Which event a notice is about: '' for the order's confirmation, else the shipment status."""
    return "" if kind == "confirm" else f"shipment {row['shipment_id']} at {row['status_at']}"


def _targets(conn: Session, kind: str) -> list[Row]:
    if kind == "confirm":
        return store.confirmed_orders(conn)
    return store.orders_with_shipment_status(conn, _SHIPMENT_STATUS[kind])


def _add(result: NoticeResult, row: Row, kind: str, sent: set, correction: dict | None, wording: Wording) -> None:
    ref = event_ref(kind, row)
    if (row["id"], ref) in sent:
        result.already_sent += 1
        return
    phone = phone_of(row)
    if not phone.can_message:
        why = "landline: cannot receive SMS or WhatsApp" if phone.kind == "landline" else "no valid phone number"
        result.skipped.append({"id": row["id"], "order": row["source_id"], "phone": row["phone"], "reason": why})
        return
    language = language_for(row["country"])
    text = wording.templates.render(kind, language, wording.fields(row, kind, one_line_address(correction or row)))
    result.messages.append(Message(row["id"], row["source_id"], kind, ref, row["customer_name"], row["country"],
                                   language, phone.e164, phone.national, text, whatsapp_link(phone.e164, text),
                                   sms_length(text)))
