"""Recording as sent the messages of an exported file: `codtool notify mark-sent FILE`.

Staff send the messages of an export (WhatsApp links, an SMS upload), then give the file
back. Each line names its message by order id, kind and event, the columns the export
wrote; a line is recorded when that message is still due and not yet recorded, counted as
already sent when it was, and rejected (file, line, reason) otherwise, so the same file
twice records nothing new. The text recorded is the file's: what the customer received.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from codtool.crashpoints import crash_point
from codtool.errors import InputFileError
from codtool.findings import Finding
from codtool.importing.source import inspect_file, read_chunks, read_header
from codtool.input_policy import ascii_int, shorten
from codtool.ledger import Ledger, Row, Session
from codtool.ledger import calls as store
from codtool.ledger import findings as found_store
from codtool.ledger.db import utc_now
from codtool.notify.notices import pending
from codtool.notify.phones import phone_of
from codtool.notify.templates import KINDS, language_for

NEEDED = ("id", "kind", "event", "phone_e164", "sms_text")


@dataclass(frozen=True)
class SentLine:
    """One line of an exported file, read but not yet matched to a message."""

    line: int
    order_id: int
    kind: str
    event: str
    phone: str
    text: str


@dataclass
class MarkResult:
    file: str
    lines: int = 0
    recorded: int = 0
    already_sent: int = 0
    rejects: list[Finding] = field(default_factory=list)

    def to_json(self) -> dict:
        return dict(self.__dict__) | {"rejects": [f.to_json() for f in self.rejects]}

    def reject(self, line: int, code: str, message: str, order_id: int | None = None) -> None:
        self.rejects.append(Finding(Path(self.file).name, line, code, message, order_id=order_id))


def mark_sent(ledger: Ledger, path: Path, sheet: str | None = None) -> MarkResult:
    """Read the whole file, then record every message it sends for the first time, in one transaction."""
    result = MarkResult(str(path))
    lines = _read(path, result, sheet)
    with ledger.transaction() as conn:
        fresh = _match(conn, lines, result)
        now, sender = utc_now(), f"file:{path.name}"
        result.recorded = store.insert_messages(conn, (
            (s.order_id, s.kind, s.event, s.phone, language, s.text, sender, now) for s, language in fresh))
        result.rejects.sort(key=lambda r: r.line or 0)
        found_store.store_findings(conn, "notify", result.rejects)
        crash_point("notify.after_messages")
    return result


def _read(path: Path, result: MarkResult, sheet: str | None) -> list[SentLine]:
    source = inspect_file(path, sheet)
    header = read_header(source)
    columns = _columns(path, header.cells)
    out = []
    for chunk in read_chunks(source, header):
        for line, cells in zip(chunk.lines, chunk.rows, strict=True):
            result.lines += 1
            values = {name: cells[i].strip() if i < len(cells) else "" for name, i in columns.items()}
            order_id = ascii_int(values["id"])
            if order_id is None:
                result.reject(line, "notify.bad_line", f"id {shorten(values['id'])!r} is not an order id")
            elif values["kind"] not in KINDS:
                result.reject(line, "notify.bad_line", f"unknown kind {shorten(values['kind'])!r} "
                                                       f"(one of {', '.join(KINDS)})", order_id)
            elif not values["sms_text"]:
                result.reject(line, "notify.bad_line", "sms_text is empty: nothing was sent", order_id)
            else:
                out.append(SentLine(line, order_id, values["kind"], values["event"], values["phone_e164"],
                                    values["sms_text"]))
    return out


def _columns(path: Path, header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, name in enumerate(header):
        key = re.sub(r"[\s\-]+", "_", name.strip().lower())
        if key in NEEDED and key not in found:
            found[key] = i
    missing = [c for c in NEEDED if c not in found]
    if missing:
        raise InputFileError(path, f"missing column {', '.join(missing)}: give back a file written by "
                                   f"codtool notify export (found: {shorten(', '.join(header), 400)})", 1)
    return found


def _match(conn: Session, lines: list[SentLine], result: MarkResult) -> list[tuple[SentLine, str]]:
    """Lines whose message is due and not yet recorded, with the language to record."""
    kinds = sorted({s.kind for s in lines})
    due = {kind: pending(conn, kind) for kind in kinds}
    sent = {kind: store.sent_refs(conn, kind) for kind in kinds}
    first: dict[tuple[int, str, str], int] = {}
    fresh = []
    for s in lines:
        key = (s.order_id, s.kind, s.event)
        if (s.order_id, s.event) in sent[s.kind]:
            result.already_sent += 1
        elif key in first:
            result.reject(s.line, "notify.repeated_line", f"the same message as line {first[key]}", s.order_id)
        elif (row := due[s.kind].get((s.order_id, s.event))) is None:
            result.reject(s.line, "notify.not_pending", _not_due(s), s.order_id)
        elif s.phone != _phone(row):
            result.reject(s.line, "notify.phone_changed", f"phone {shorten(s.phone)} is not the order's "
                                                          f"{_phone(row) or 'number'} any more", s.order_id)
        else:
            first[key] = s.line
            fresh.append((s, language_for(row["country"])))
    return fresh


def _not_due(s: SentLine) -> str:
    event = f" ({shorten(s.event)})" if s.event else ""
    return (f"no {s.kind} message is due for order id {s.order_id}{event}: the order or its shipment "
            "moved on, or the line was not written by codtool notify export")


def _phone(row: Row) -> str:
    return phone_of(row).e164
