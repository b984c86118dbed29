"""Recording the outcomes staff wrote on the call sheet, and moving orders accordingly.

Each call becomes one attempt keyed by its content (order, outcome, times, new address), so
recording a file again, or a corrected copy of it, adds only the lines that are new.
Good lines are recorded even when others are rejected; the rejects come back with line numbers.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from codtool import statuses
from codtool.crashpoints import crash_point
from codtool.dates import local_iso
from codtool.errors import InputFileError
from codtool.findings import Finding
from codtool.importing.source import inspect_file, read_chunks, read_header
from codtool.input_policy import ascii_int, shorten
from codtool.ledger import Ledger
from codtool.ledger import calls as store
from codtool.ledger import findings as found_store
from codtool.ledger.db import utc_now
from codtool.ledger.orders import set_status
from codtool.notify.call_sheet import ADDRESS_FIELDS
from codtool.notify.policy import Policy

OUTCOMES = ("confirmed", "cancelled", "no_answer", "call_back", "address_corrected", "wrong_number")
_SYNONYMS = {
    "canceled": "cancelled", "no_reply": "no_answer", "callback": "call_back", "wrong_phone": "wrong_number",
    "confermato": "confirmed", "confermata": "confirmed", "annullato": "cancelled", "annullata": "cancelled",
    "non_risponde": "no_answer", "nessuna_risposta": "no_answer", "richiamare": "call_back",
    "indirizzo_corretto": "address_corrected", "numero_errato": "wrong_number", "numero_sbagliato": "wrong_number",
}
_STATUS_FOR = {"confirmed": statuses.CONFIRMED, "address_corrected": statuses.CONFIRMED,
               "cancelled": statuses.CANCELLED, "wrong_number": statuses.UNREACHABLE}
_REASON_FOR = {"confirmed": "confirmed by phone", "address_corrected": "confirmed by phone with a corrected address",
               "cancelled": "customer cancelled on the phone", "wrong_number": "wrong phone number"}
_GIVE_UP_STATUS = {"unreachable": statuses.UNREACHABLE, "cancel": statuses.CANCELLED, "confirm": statuses.CONFIRMED}
FIELDS = ("id", "order", "shop", "outcome", "called_at", "call_back_at", "agent", "note", *ADDRESS_FIELDS)
SOURCE = "calls record"


class OutcomeError(ValueError):
    """One line of an outcomes file cannot be recorded (reported with its line number)."""

    code = "call.bad_line"


@dataclass
class Outcome:
    """One filled-in line of the call sheet, validated but not yet tied to an order."""

    line: int
    ref_id: str
    ref_order: str
    shop: str
    outcome: str
    called_at: str
    call_back_at: str
    agent: str
    note: str
    address: tuple[str, str, str, str, str]  # address1, address2, postcode, city, province


@dataclass
class RecordResult:
    file: str
    lines: int = 0
    recorded: int = 0
    already_recorded: int = 0
    blank: int = 0
    rejects: list[Finding] = field(default_factory=list)
    status_changes: list[dict] = field(default_factory=list)
    not_applied: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        return dict(self.__dict__) | {"rejects": [f.to_json() for f in self.rejects]}

    def reject(self, line: int, code: str, message: str, order: str = "", order_id: int | None = None) -> None:
        self.rejects.append(Finding(Path(self.file).name, line, code, message, order=order, order_id=order_id))


def record_outcomes(ledger: Ledger, path: Path, policy: Policy, sheet: str | None = None) -> RecordResult:
    """Read the whole file, then write every new attempt and status change in one transaction."""
    result = RecordResult(str(path))
    outcomes = _read(path, result, sheet)
    with ledger.transaction() as conn:
        orders = _resolve(conn, outcomes, result)
        keyed = [(o, orders[o.line], attempt_key(orders[o.line]["id"], o)) for o in outcomes if o.line in orders]
        known = store.existing_attempt_keys(conn, [k for _, _, k in keyed])
        unique = {k: (o, row, k) for o, row, k in reversed(keyed) if k not in known}  # first line wins
        for o, row, k in list(unique.values()):
            if row["status"] not in statuses.OPEN:
                del unique[k]
                result.reject(o.line, "call.order_closed", _closed(row), row["source_id"], row["id"])
        fresh = sorted(unique.values(), key=lambda t: (t[0].called_at, t[0].line))
        result.already_recorded = sum(1 for _, _, k in keyed if k in known)
        prior = store.attempt_counts(conn, sorted({row["id"] for _, row, _ in fresh}))
        now = utc_now()
        result.recorded = store.insert_attempts(conn, (
            (row["id"], o.outcome, o.called_at, o.call_back_at, o.agent, o.note, path.name, o.line, k, now)
            for o, row, k in fresh))
        store.insert_corrections(conn, ((k, row["id"], *o.address, now) for o, row, k in fresh
                                        if o.outcome == "address_corrected"))
        _apply(conn, fresh, prior, policy, result)
        result.rejects.sort(key=lambda r: r.line or 0)
        found_store.store_findings(conn, "calls", result.rejects)
        crash_point("calls.after_outcomes")
    return result


def attempt_key(order_id: int, o: Outcome) -> str:
    parts = (str(order_id), o.outcome, o.called_at, o.call_back_at, *o.address)
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _read(path: Path, result: RecordResult, sheet: str | None) -> list[Outcome]:
    source = inspect_file(path, sheet)
    header_line = read_header(source)
    header = header_line.cells
    columns = _columns(path, header)
    out = []
    for chunk in read_chunks(source, header_line):
        for line, cells in zip(chunk.lines, chunk.rows, strict=True):
            result.lines += 1
            values = {name: cells[i].strip() if i < len(cells) else "" for name, i in columns.items()}
            if not values.get("outcome"):
                result.blank += 1
                continue
            try:
                if len(cells) > len(header):
                    raise OutcomeError(f"{len(cells)} cells but the header has {len(header)} (a stray separator?)")
                out.append(_outcome(line, values))
            except OutcomeError as exc:
                result.reject(line, exc.code, str(exc), values.get("order") or values.get("id", ""))
    return out


def _columns(path: Path, header: list[str]) -> dict[str, int]:
    """Columns by name, in any order; the call sheet's own extra columns are ignored."""
    found: dict[str, int] = {}
    for i, name in enumerate(header):
        key = re.sub(r"[\s\-]+", "_", name.strip().lower())
        if key in FIELDS and key not in found:
            found[key] = i
    missing = [c for c in ("outcome", "called_at") if c not in found]
    if "id" not in found and "order" not in found:
        missing.insert(0, "id or order")
    if missing:
        found_names = shorten(", ".join(map(shorten, header)), 400)
        raise InputFileError(path, f"missing column {', '.join(missing)} (found: {found_names})", 1)
    return found


def _outcome(line: int, v: dict[str, str]) -> Outcome:
    if not v.get("id") and not v.get("order"):
        raise OutcomeError("no order: fill in id or order")
    outcome = normalise_outcome(v["outcome"])
    called_at = parse_local_time(v.get("called_at", ""), "called_at")
    call_back_at = ""
    if outcome == "call_back":
        call_back_at = parse_local_time(v.get("call_back_at", ""), "call_back_at")
    address = tuple(v.get(f, "") for f in ADDRESS_FIELDS)
    if outcome == "address_corrected" and not (address[0] and address[3]):
        raise OutcomeError("address_corrected needs new_address1 and new_city")
    if outcome != "address_corrected":
        address = ("",) * 5
    return Outcome(line, v.get("id", ""), v.get("order", ""), v.get("shop", ""), outcome, called_at, call_back_at,
                   v.get("agent", ""), v.get("note", ""), address)  # type: ignore[arg-type]


def normalise_outcome(text: str) -> str:
    key = re.sub(r"[\s\-]+", "_", text.strip().lower())
    key = _SYNONYMS.get(key, key)
    if key not in OUTCOMES:
        raise OutcomeError(f"unknown outcome {text!r} (use {', '.join(OUTCOMES)})")
    return key


@lru_cache(maxsize=4096)
def parse_local_time(text: str, name: str) -> str:
    """Staff type times as 2026-11-23 10:30 or 23/11/2026 10:30; stored as local ISO 8601."""
    if not text:
        raise OutcomeError(f"{name} is empty (write e.g. 2026-11-23 10:30)")
    moment = local_iso(text)
    if moment:
        return moment
    raise OutcomeError(f"{name} {text!r} is not a date and time (write e.g. 2026-11-23 10:30)")


def _resolve(conn, outcomes: list[Outcome], result: RecordResult) -> dict[int, dict]:
    """The ledger order each line refers to, rejecting unknown, ambiguous or closed orders."""
    ids = [ascii_int(o.ref_id) for o in outcomes]
    by_id = {str(r["id"]): r for r in store.orders_by_ids(conn, [n for n in ids if n is not None])}
    refs = {o.ref_order for o in outcomes if o.ref_order and not o.ref_id}
    by_source: dict[str, list] = {}
    for r in store.orders_by_source_ids(conn, sorted(refs | {f"#{x}" for x in refs})):
        by_source.setdefault(r["source_id"], []).append(r)
    found = {}
    for o in outcomes:
        try:
            found[o.line] = _one(o, by_id, by_source)
        except OutcomeError as exc:
            result.reject(o.line, "call.unknown_order", str(exc), o.ref_order or o.ref_id)
    return found


def _one(o: Outcome, by_id: dict, by_source: dict):
    if o.ref_id:
        row = by_id.get(o.ref_id)
        if row is None:
            raise OutcomeError(f"unknown order id {o.ref_id!r}")
        if o.ref_order and o.ref_order not in (row["source_id"], row["source_id"].lstrip("#")):
            raise OutcomeError(f"order id {o.ref_id} is {row['source_id']} in the ledger, not {o.ref_order}")
    else:
        rows = by_source.get(o.ref_order, []) + by_source.get(f"#{o.ref_order}", [])
        rows = [r for r in rows if not o.shop or r["shop"] == o.shop]
        if not rows:
            raise OutcomeError(f"unknown order {o.ref_order!r}")
        if len(rows) > 1:
            raise OutcomeError(f"order {o.ref_order!r} exists in several shops: add a shop or id column")
        row = rows[0]
    return row


def _closed(row) -> str:
    return (f"order {row['source_id']} is {row['status']}: calls are recorded only for orders awaiting "
            f"shipment ({', '.join(statuses.OPEN)})")


def _apply(conn, fresh: list, prior: dict[int, int], policy: Policy, result: RecordResult) -> None:
    """Move each order as its calls say, in call order; the policy decides after N unanswered calls."""
    seen = Counter(prior)
    decisions = []
    for o, row, _ in fresh:
        target, reason = _STATUS_FOR.get(o.outcome), _REASON_FOR.get(o.outcome, "")
        if o.outcome == "no_answer":
            seen[row["id"]] += 1
            n = seen[row["id"]]
            if n < policy.max_attempts or store.status_of(conn, row["id"]) != statuses.NEW:
                continue
            target = _GIVE_UP_STATUS[policy.give_up]
            reason = f"{n} calls without answer: policy after {policy.max_attempts} is {policy.give_up}"
            decisions.append((row["id"], target, n * policy.points["unanswered"],
                              json.dumps([[n * policy.points["unanswered"], reason]]), utc_now()))
        if target is None:
            continue
        before = store.status_of(conn, row["id"])
        change = {"line": o.line, "id": row["id"], "order": row["source_id"], "from": before, "to": target,
                  "reason": reason}
        if before == target:
            continue
        if set_status(conn, row["id"], target, f"{reason} ({o.called_at.replace('T', ' ')})", SOURCE):
            result.status_changes.append(change)
        else:
            result.not_applied.append(change | {"reason": f"{before} orders cannot become {target}"})
    store.insert_decisions(conn, decisions)
