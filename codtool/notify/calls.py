"""Today's call list, ordered by risk, and the policy that confirms orders needing no call."""

from __future__ import annotations

import json
import pickle
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from itertools import islice
from operator import itemgetter
from typing import Any

from codtool import statuses
from codtool.crashpoints import crash_point
from codtool.ledger import Ledger, Row, Session
from codtool.ledger import calls as store
from codtool.ledger.db import utc_now
from codtool.ledger.dedupe import stream_suspected_duplicates
from codtool.ledger.orders import StatusMove, set_statuses
from codtool.ledger.tracking import CustomerHistory, customer_history, has_history, phone_key, unchecked_history
from codtool.money import Money
from codtool.notify.call_sheet import COLUMNS, FILL_IN, reasons_text
from codtool.notify.phones import Phone, phone_of
from codtool.notify.policy import Policy
from codtool.notify.risk import Assessment, Attempts, Finding, OrderFacts, Signal, assess
from codtool.progress import Progress

SOURCE = "calls"
HISTORY_CHUNK = 2_000  # orders whose customers' earlier parcels are read in one go (a query per 500 phones)


@dataclass
class Candidate:
    """An order awaiting confirmation, with its facts and how risky it looks."""

    row: dict[str, Any]  # the order as ledger.calls.awaiting_orders reads it
    facts: OrderFacts
    assessment: Assessment
    due_at: str


def gather(conn: Session, day: date, policy: Policy) -> Iterator[Candidate]:
    """COD orders still 'new' on `day`, each assessed; a fixed handful of queries whatever the size.

    A generator over the streamed orders: callers keep only the candidates they need. Findings,
    attempts and suspected duplicates are streamed in order id order too and walked beside the
    orders, so only the current order's are held, and customers' earlier parcels are read for a chunk
    of orders at a time: memory stays flat in the number of open orders and in the ledger's past."""
    before = (day + timedelta(days=1)).isoformat()
    findings = _Beside((r["order_id"], Finding(r["severity"], r["code"], r["message"]))
                       for r in store.awaiting_findings(conn, before))
    suspects = _Beside(stream_suspected_duplicates(conn))
    attempts = _Beside((r["order_id"], r) for r in store.awaiting_attempts(conn, before))
    nobody, untried = CustomerHistory(), Attempts()  # shared by the many orders with no past: read only
    for row, phone, past in _with_history(conn, store.awaiting_orders(conn, before), nobody):
        order_id = row["id"]
        calls = attempts.of(order_id)
        tried = _attempts(calls) if calls else untried
        kept = [s.keep_source_id for s in suspects.of(order_id)[:1]]
        facts = OrderFacts(order_id, Money(row["cod_minor"], row["currency"]), phone, row["phone"],
                           findings.of(order_id), kept, past.delivered, past.lost_sales, tried)
        yield Candidate(row, facts, assess(facts, policy), _due_at(tried, policy) if tried.total else "")


def _with_history(conn: Session, rows: Iterator[dict],
                  nobody: CustomerHistory) -> Iterator[tuple[dict, Phone, CustomerHistory]]:
    """Each order with its phone and its customer's earlier parcels. The history is asked for a chunk of
    orders' phones at a time: read whole, it held every customer the ledger ever served."""
    if not has_history(conn):
        yield from ((row, phone_of(row), nobody) for row in rows)
        return
    unchecked = unchecked_history(conn)
    while part := list(islice(rows, HISTORY_CHUNK)):
        phones = [phone_of(row) for row in part]
        keys = [phone_key(phone.e164, row["phone"]) for row, phone in zip(part, phones, strict=True)]
        checked = customer_history(conn, sorted({k for k in keys if k.startswith("+")}))  # typed digits have no +
        for row, phone, key in zip(part, phones, keys, strict=True):
            yield row, phone, (checked if key.startswith("+") else unchecked).get(key, nobody)


class _Beside:
    """(order id, item) pairs in ascending order id, read alongside orders streamed in the same order."""

    def __init__(self, pairs: Iterable[tuple[int, Any]]) -> None:
        self._pairs = iter(pairs)
        self._next = next(self._pairs, None)

    def of(self, order_id: int) -> list:
        """The items of `order_id`, skipping those of orders before it (not awaiting: none are)."""
        found = []
        while self._next is not None and self._next[0] <= order_id:
            if self._next[0] == order_id:
                found.append(self._next[1])
            self._next = next(self._pairs, None)
        return found


def _attempts(rows: list[Row]) -> Attempts:
    """One order's calls so far, ordered by call time, so the last one wins."""
    a = Attempts()
    for r in rows:
        a.total += 1
        a.unanswered += r["outcome"] == "no_answer"
        a.last_outcome, a.last_called_at, a.call_back_at = r["outcome"], r["called_at"], r["call_back_at"]
    return a


def _due_at(tried: Attempts, policy: Policy) -> str:
    """When the next call should happen: at the time asked for, or after the retry spacing."""
    if tried.last_outcome == "call_back" and tried.call_back_at:
        return tried.call_back_at
    if tried.last_outcome == "no_answer":
        last = datetime.fromisoformat(tried.last_called_at)
        return (last + timedelta(hours=policy.retry_after(tried.unanswered))).isoformat(timespec="seconds")
    return ""


class SheetLines:
    """The lines of a call sheet, riskiest first, read from the ledger in chunks each time they are walked.

    Holds no line itself: a day of 600,000 awaiting orders writes its sheet in flat memory.
    `list(lines)` (as --json does) holds them all.
    """

    def __init__(self, conn: Session, count: int, limit: int | None, chunk: int = 2_000) -> None:
        self.conn, self.count, self.limit, self.chunk = conn, count, limit, chunk

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[dict]:
        """Each line as a dict (LINE_FIELDS), its reasons as dicts, with the latest address correction."""
        for part in self._packed():
            corrections = store.corrections_of(self.conn, [line[0] for line in part])
            for line in part:
                call = dict(zip(LINE_FIELDS, line, strict=True))
                call["reasons"] = [Signal(*r).to_json() for r in call["reasons"]]
                if line[0] in corrections:
                    call["corrected_address"] = one_line_address(corrections[line[0]])
                yield call

    def sheet_rows(self) -> Iterator[list]:
        """Each line as the call sheet's row (call_sheet.COLUMNS, then the empty fill-in cells), straight
        from the packed line: the sheet shows neither the corrected address nor the reasons' codes."""
        pick, reasons = itemgetter(*(LINE_FIELDS.index(c) for c in COLUMNS)), COLUMNS.index("reasons")
        blank = [""] * len(FILL_IN)
        for part in self._packed():
            for line in part:
                row = list(pick(line))
                row[reasons] = reasons_text(row[reasons])
                yield row + blank

    def _packed(self) -> Iterator[list[tuple]]:
        rows = store.spilled_call_lines(self.conn, self.limit)
        while part := list(islice(rows, self.chunk)):
            yield [pickle.loads(r[0]) for r in part]  # bytes this process packed a moment ago

    def __getitem__(self, which: slice) -> list[dict]:
        return list(islice(self, which.start, which.stop, which.step))


@dataclass
class CallList:
    day: str
    calls: SheetLines
    needs_no_call: int
    not_due_yet: int
    policy: str
    file: str | None = None

    def to_json(self) -> dict:
        return {"date": self.day, "policy": self.policy, "calls": list(self.calls), "needs_no_call": self.needs_no_call,
                "not_due_yet": self.not_due_yet, "file": self.file}


def awaiting_count(ledger: Ledger, day: date) -> int:
    """How many orders `call_list` for `day` will read: the total of its progress bar."""
    return store.count_awaiting(ledger.session, (day + timedelta(days=1)).isoformat())


def call_list(ledger: Ledger, day: date, policy: Policy, limit: int | None = None,
              progress: Progress | None = None) -> CallList:
    """Orders to phone on `day`, riskiest first; low-risk ones the policy confirms are left out."""
    before = (day + timedelta(days=1)).isoformat()
    skipped: Counter = Counter()

    def chosen() -> Iterator[tuple[int, str, int, str]]:
        read = 0
        for read, c in enumerate(gather(ledger.session, day, policy), start=1):
            if progress and read % 1000 == 0:
                progress(read)
            if c.assessment.auto_confirmable(policy, c.facts.attempts):
                skipped["no_call"] += 1
            elif c.facts.attempts.unanswered >= policy.max_attempts:
                continue
            elif c.due_at and c.due_at >= before:
                skipped["later"] += 1
            else:  # the sheet line, set aside for sorting: nothing of the order stays in memory
                yield (-c.assessment.score, c.row["created_at"], c.row["id"], _pack(c))
        if progress:
            progress(read)

    count = store.spill_call_lines(ledger.session, chosen())
    lines = SheetLines(ledger.session, min(count, limit) if limit else count, limit)
    return CallList(day.isoformat(), lines, skipped["no_call"], skipped["later"], policy.source)


# A call sheet line, in the order --json shows its keys; packed as a tuple of these for the sort table.
LINE_FIELDS = ("id", "order", "shop", "created_at", "customer", "phone_e164", "phone_national", "phone_as_typed",
               "address", "country", "corrected_address", "amount", "currency", "cod_minor", "items", "score",
               "reasons", "attempt", "last_outcome", "due_at")


def _pack(c: Candidate) -> bytes:
    """A candidate's sheet line as bytes for the sort table: a pickled tuple (LINE_FIELDS, reasons as
    (points, reason, code) tuples) packs and unpacks several times faster than JSON or a dict, and the
    bytes never leave this process's own temporary table. The corrected address is read back with the line."""
    return pickle.dumps(call_line(c), protocol=pickle.HIGHEST_PROTOCOL)


def call_line(c: Candidate) -> tuple:
    """One line of the call sheet (LINE_FIELDS): what staff need to dial, check and say."""
    r, facts, score = c.row, c.facts, c.assessment
    cod = facts.cod
    return (r["id"], r["source_id"], r["shop"], r["created_at"], r["customer_name"], facts.phone.e164,
            facts.phone.national, r["phone"], one_line_address(r), r["country"], "", cod.plain, cod.currency,
            cod.minor, items_text(r["items"]), score.score, tuple(map(tuple, score.signals)),
            facts.attempts.total + 1, facts.attempts.last_outcome, c.due_at)


def one_line_address(r) -> str:
    """"Via Roma 12, int. 4, 00184 Roma (RM)": how staff read an address back to a customer."""
    town = " ".join(filter(None, (r["postcode"], r["city"])))  # filter, not a generator: once per sheet line
    if r["province"]:
        town += f" ({r['province']})"
    return ", ".join(filter(None, (r["address1"], r["address2"], town)))


@lru_cache(maxsize=8192)
def items_text(items_json: str) -> str:
    """"2 x Crema viso; 1 x SKU-7": the cart as staff read it. Cached by the stored JSON: shops sell a
    catalogue, so the same carts come back all day (three in five orders of bench_day's varied day)."""
    items = json.loads(items_json or "[]")
    return "; ".join(f"{i.get('qty', 1)} x {i.get('name') or i.get('sku')}" for i in items)


@dataclass
class ConfirmResult:
    day: str
    policy: str
    confirmed: list[dict] = field(default_factory=list)
    need_call: int = 0
    dry_run: bool = False

    def to_json(self) -> dict:
        return {"date": self.day, "policy": self.policy, "dry_run": self.dry_run,
                "confirmed": self.confirmed, "need_call": self.need_call}


def auto_confirm(ledger: Ledger, day: date, policy: Policy, dry_run: bool = False) -> ConfirmResult:
    """Confirm the low-risk, cleanly checked orders nobody needs to call, recording why."""
    result = ConfirmResult(day.isoformat(), policy.source, dry_run=dry_run)
    with ledger.transaction() as conn:
        picked = []
        for c in gather(conn, day, policy):
            if c.assessment.auto_confirmable(policy, c.facts.attempts):
                picked.append(c)
            else:
                result.need_call += 1
        if dry_run:
            result.confirmed = [_confirmed_json(c) for c in picked]
            return result
        moved = set_statuses(conn, [StatusMove(c.row["id"], statuses.CONFIRMED,
                                               _confirm_reason(c.assessment, policy), SOURCE) for c in picked])
        confirmed = [c for c in picked if c.row["id"] in moved]
        store.insert_decisions(conn, [(c.row["id"], "auto_confirmed", c.assessment.score,
                                       _reasons_json(c.assessment), utc_now()) for c in confirmed])
        result.confirmed = [_confirmed_json(c) for c in confirmed]
        crash_point("calls.after_confirm")
    return result


def _confirm_reason(a: Assessment, policy: Policy) -> str:
    why = "; ".join(f"+{s.points} {s.reason}" for s in a.signals) or "no risk signal"
    return f"auto-confirmed by policy: score {a.score} <= {policy.auto_confirm_max_score}, clean checks ({why})"


def _reasons_json(a: Assessment) -> str:
    return json.dumps([[s.points, s.reason] for s in a.signals], ensure_ascii=False)


def _confirmed_json(c: Candidate) -> dict:
    return {"id": c.row["id"], "order": c.row["source_id"], "customer": c.row["customer_name"],
            "amount": c.facts.cod.plain, "currency": c.facts.cod.currency,
            "score": c.assessment.score, "reasons": [s.to_json() for s in c.assessment.signals]}
