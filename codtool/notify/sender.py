"""Where messages go. Today a file staff upload or click through; a provider fits the same shape.

A provider sender (an SMS gateway, the WhatsApp Business API) needs only a `name` for the
ledger and a `send` that raises on failure, so nothing is marked sent that was not. A file is
not a delivery: what staff sent from it is recorded by `codtool notify mark-sent FILE`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from codtool.exports import ID, INT, TEXT, export_format, schema, write_table
from codtool.notify.messages import SmsLength


@dataclass(frozen=True)
class Message:
    """One customer message, ready for any channel."""

    order_id: int
    order: str
    kind: str
    event_ref: str
    customer: str
    country: str
    language: str
    phone_e164: str
    phone_national: str
    text: str
    whatsapp_link: str
    sms: SmsLength

    def to_json(self) -> dict:
        return {"id": self.order_id, "order": self.order, "kind": self.kind, "event": self.event_ref,
                "customer": self.customer,
                "country": self.country, "language": self.language, "phone_e164": self.phone_e164,
                "phone_national": self.phone_national, "text": self.text, "whatsapp_link": self.whatsapp_link,
                "sms_encoding": self.sms.encoding, "sms_units": self.sms.units, "sms_segments": self.sms.segments,
                "sms_long": self.sms.long}


class Sender(Protocol):
    name: str

    def send(self, messages: Sequence[Message]) -> None:
        """Deliver every message or raise; partial delivery must raise too."""


COLUMNS = ("id", "order", "kind", "event", "customer", "country", "language", "phone_e164", "phone_national",
           "whatsapp_link", "sms_text", "sms_encoding", "sms_units", "sms_segments", "sms_long")
# id, kind and event name the message, so `notify mark-sent` can read the file back.
SCHEMA = schema(("id", INT), ("order", ID), *((c, TEXT) for c in COLUMNS[2:7]), ("phone_e164", ID),
                ("phone_national", ID), *((c, TEXT) for c in COLUMNS[9:12]), ("sms_units", INT), ("sms_segments", INT),
                ("sms_long", TEXT))


class FileSender:
    """Writes the messages as a CSV or XLSX sheet, one row per customer."""

    def __init__(self, path: Path, replace: bool = False, dialect: str = "machine") -> None:
        export_format(path, replace)
        self.path, self.replace, self.dialect = path, replace, dialect
        self.name = f"file:{path}"

    def send(self, messages: Sequence[Message]) -> None:
        write_table(self.path, SCHEMA, (_row(m) for m in messages), sheet="messages", replace=self.replace,
                    dialect=self.dialect)


def _row(m: Message) -> list:
    return [m.order_id, m.order, m.kind, m.event_ref, m.customer, m.country, m.language, m.phone_e164, m.phone_national,
            m.whatsapp_link, m.text, m.sms.encoding, m.sms.units, m.sms.segments, "yes" if m.sms.long else "no"]
