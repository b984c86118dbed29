"""Reconciliation as a pure function: facts in, each line, parcel and remittance classified once.

No database and no clock here: `classify` takes delivered parcels, remittance lines,
remittances, bank lines, contract terms and the as-of day, and returns what each thing is.
Kinds (the names cron and accountants see):

short_paid, over_paid, fee_differs   a delivered parcel paid with another net than its contract says
duplicate_line                       a further line for a parcel already settled
remitted_not_delivered               a line for a parcel our records show not delivered
unknown_parcel                       a line naming no shipment of ours
overdue                              delivered, no line, and its cycle's payout date + grace has passed
not_credited, credit_differs         a remittance whose bank credit is missing, or of another amount
unmatched_credit                     a bank credit that matches no remittance
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from codtool.remit.cycles import Cycle, courier_cycle
from codtool.remit.fees import courier_fee


class _Rules:
    """Contract terms with the fee per (courier, COD) and the cycle per (courier, day) computed once:
    a month has a few hundred distinct amounts and days for a million parcels."""

    def __init__(self, terms: dict) -> None:
        self.terms = terms
        self._fees: dict[tuple[str, int], int] = {}
        self._cycles: dict[tuple[str, date], Cycle] = {}

    def fee(self, courier: str, cod: int) -> int:
        key = (courier, cod)
        if key not in self._fees:
            self._fees[key] = courier_fee(cod, self.terms[courier])
        return self._fees[key]

    def cycle(self, courier: str, day: date) -> Cycle:
        key = (courier, day)
        if key not in self._cycles:
            self._cycles[key] = courier_cycle(day, self.terms[courier])
        return self._cycles[key]

KINDS = ("short_paid", "over_paid", "fee_differs", "duplicate_line", "remitted_not_delivered", "unknown_parcel",
         "overdue", "not_credited", "credit_differs", "unmatched_credit")
PARCEL_KINDS = ("short_paid", "over_paid", "fee_differs", "overdue")
SETTLES, PARTIAL = "settles", "partial"
_REF = re.compile(r"[^0-9A-Z]")
_MIN_REF = 5


@dataclass(frozen=True, slots=True)
class Parcel:
    id: int
    courier: str
    tracking: str
    order_ref: str
    status: str
    day: date | None  # local delivery day, for delivered parcels
    cod: int
    currency: str
    shop: str


@dataclass(frozen=True, slots=True)
class Line:
    id: int
    remittance_id: int
    courier: str
    tracking: str
    order_ref: str
    cod: int
    fee: int
    deductions: int
    net: int
    day: str
    reference: str
    file: str
    line: int
    currency: str = "EUR"


@dataclass(frozen=True, slots=True)
class Remittance:
    id: int
    courier: str
    reference: str
    day: str
    total: int
    currency: str


@dataclass(frozen=True, slots=True)
class BankLine:
    id: int
    day: str
    amount: int
    currency: str
    description: str


@dataclass(frozen=True, slots=True)
class Discrepancy:
    kind: str
    courier: str
    subject_type: str
    subject_id: int
    tracking_number: str
    order_id: str
    bank_reference: str
    amount_minor: int
    currency: str
    cycle: str
    detail: str

    @property
    def key(self) -> str:
        return f"{self.kind}|{self.courier}|{self.subject_type}:{self.subject_id}|{self.amount_minor}"


@dataclass
class CycleRow:
    courier: str
    cycle: Cycle
    currency: str
    parcels: int = 0
    remitted_parcels: int = 0
    unremitted: int = 0
    expected: int = 0
    remitted: int = 0
    fees: int = 0
    status: str = "open"

    @property
    def difference(self) -> int:
        return self.expected - self.remitted


@dataclass
class Classified:
    """What reconcile found; `roles` and `matches` drive the postings, the rest the report."""

    roles: dict[int, tuple[str, int | None, int]] = field(default_factory=dict)  # line -> role, parcel, fee booked
    matches: dict[int, int] = field(default_factory=dict)  # bank line -> remittance
    discrepancies: list[Discrepancy] = field(default_factory=list)
    cycles: dict[tuple[str, date], CycleRow] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    parcel_cycle: dict[int, Cycle] = field(default_factory=dict)
    not_due: list[tuple[Parcel, int]] = field(default_factory=list)  # parcels delivered, not yet due: expected net


@dataclass
class _Paid:
    lines: list[Line] = field(default_factory=list)

    @property
    def net(self) -> int:
        return sum(ln.net for ln in self.lines)


def classify(parcels: list[Parcel], lines: list[Line], remittances: list[Remittance], bank: list[BankLine],
             terms: dict, as_of: date, decided: dict[int, int] | None = None,
             fee_booked: frozenset[int] = frozenset()) -> Classified:
    """`decided`: per parcel, the open amount people already moved off its receivable (resolve),
    so a payment arriving after a write-off shows as an over-payment instead of vanishing;
    `fee_booked`: parcels whose contract fee a decision on an overdue parcel already booked."""
    out, rules = Classified(), _Rules(terms)
    for p in parcels:
        if p.status == "delivered" and p.day is not None and p.day <= as_of:
            out.parcel_cycle[p.id] = rules.cycle(p.courier, p.day)
    paid = _classify_lines(parcels, lines, rules, out, fee_booked)
    _classify_parcels(parcels, paid, rules, as_of, out, decided or {})
    _match_bank(remittances, bank, terms, as_of, out)
    return out


def _index(parcels: list[Parcel]):
    by_tracking, by_order = {}, defaultdict(list)
    for p in parcels:
        by_tracking[(p.courier, p.tracking)] = p
        if p.order_ref:
            by_order[(p.courier, p.order_ref.lstrip("#"))].append(p)
    return by_tracking, by_order


def _find(line: Line, by_tracking, by_order) -> tuple[Parcel | None, str]:
    if line.tracking:
        parcel = by_tracking.get((line.courier, line.tracking))
        if parcel is not None:
            return parcel, ""
    candidates = by_order.get((line.courier, line.order_ref), []) if line.order_ref else []
    if len(candidates) == 1:
        return candidates[0], ""
    if len(candidates) > 1:
        return None, f"order {line.order_ref} has {len(candidates)} {line.courier} parcels"
    return None, ""


def _classify_lines(parcels, lines, rules: _Rules, out: Classified, fee_booked: frozenset[int]) -> dict[int, _Paid]:
    by_tracking, by_order = _index(parcels)
    paid: dict[int, _Paid] = defaultdict(_Paid)
    for line in lines:
        parcel, why = _find(line, by_tracking, by_order)
        if parcel is None:
            detail = why or f"no {line.courier} shipment with tracking {line.tracking!r} or order {line.order_ref!r}"
            _line_issue(out, "unknown_parcel", line, None, detail)
        elif parcel.id not in out.parcel_cycle:
            status = parcel.status if parcel.status != "delivered" else f"delivered only on {parcel.day}"
            _line_issue(out, "remitted_not_delivered", line, parcel, f"our records show it {status}")
        else:
            fee = rules.fee(parcel.courier, parcel.cod)
            _settle(out, line, parcel, paid[parcel.id], fee, 0 if parcel.id in fee_booked else fee)
    return paid


def _settle(out: Classified, line: Line, parcel: Parcel, paid: _Paid, fee: int, booked: int) -> None:
    """First line settles (booking the contract fee). A later one is a reversal if negative, a partial
    payment if it is not a repeat and money is still due, and a duplicate otherwise."""
    if not paid.lines:
        paid.lines.append(line)
        out.roles[line.id] = (SETTLES, parcel.id, booked)
        out.counts["lines_settling"] += 1
        return
    remaining = parcel.cod - fee - paid.net
    repeat = any((ln.cod, ln.fee, ln.net) == (line.cod, line.fee, line.net) for ln in paid.lines)
    if repeat or (line.net >= 0 and (remaining <= 0 or line.net > remaining)):
        first = paid.lines[0]
        _line_issue(out, "duplicate_line", line, parcel,
                    f"already remitted on {first.day} ({first.file} line {first.line})")
        return
    paid.lines.append(line)
    out.roles[line.id] = (PARTIAL, parcel.id, 0)
    out.counts["lines_partial"] += 1


def _line_issue(out: Classified, kind: str, line: Line, parcel: Parcel | None, detail: str) -> None:
    out.roles[line.id] = (kind, parcel.id if parcel else None, 0)
    cycle = out.parcel_cycle.get(parcel.id).label if parcel and parcel.id in out.parcel_cycle else ""
    out.discrepancies.append(Discrepancy(
        kind, line.courier, "remit_line", line.id, line.tracking or (parcel.tracking if parcel else ""),
        line.order_ref or (parcel.order_ref if parcel else ""), line.reference, line.net,
        line.currency, cycle, f"{line.file} line {line.line}: {detail}"))


def _classify_parcels(parcels, paid: dict[int, _Paid], rules: _Rules, as_of: date, out: Classified,
                      decided: dict[int, int]) -> None:
    for p in parcels:
        cycle = out.parcel_cycle.get(p.id)
        if cycle is None:
            continue
        t = rules.terms[p.courier]
        fee = rules.fee(p.courier, p.cod)
        row = out.cycles.get((p.courier, cycle.start)) or CycleRow(p.courier, cycle, p.currency)
        out.cycles[(p.courier, cycle.start)] = row
        row.parcels += 1
        row.expected += p.cod - fee
        got = paid.get(p.id)
        if got is None or not got.lines:
            _unpaid(out, p, cycle, fee, t, as_of, row, decided.get(p.id, 0))
            continue
        row.remitted_parcels += 1
        row.remitted += got.net
        row.fees += sum(ln.fee for ln in got.lines)
        _judge_payment(out, p, cycle, fee, got, decided.get(p.id, 0))
    for row in out.cycles.values():
        row.status = _cycle_status(row, rules.terms[row.courier], as_of)


def _unpaid(out: Classified, p: Parcel, cycle: Cycle, fee: int, t, as_of: date, row: CycleRow, decided: int) -> None:
    row.unremitted += 1
    owed = p.cod - fee - decided
    if decided and not owed:
        out.counts["parcels_resolved"] += 1
    elif as_of > cycle.due + timedelta(days=t.grace_days):
        out.discrepancies.append(Discrepancy(
            "overdue", p.courier, "shipment", p.id, p.tracking, p.order_ref, "", owed, p.currency,
            cycle.label, f"delivered {p.day}, payout due {cycle.due}, grace {t.grace_days} days: no remittance line"))
    else:
        out.counts["parcels_not_due"] += 1
        out.not_due.append((p, p.cod - fee))


def _judge_payment(out: Classified, p: Parcel, cycle: Cycle, fee: int, got: _Paid, decided: int) -> None:
    expected, net = p.cod - fee - decided, got.net
    if net == expected:
        out.counts["parcels_matched"] += 1
        return
    first = got.lines[0]
    charged = sum(ln.fee for ln in got.lines)
    deducted = sum(ln.deductions for ln in got.lines)
    consistent = first.cod == p.cod and charged != fee and net == p.cod - charged - deducted
    where = f"{first.file} line {first.line}" + (f" (+{len(got.lines) - 1} partial)" if len(got.lines) > 1 else "")
    refs = first.reference
    if consistent and not deducted and not decided:
        kind, amount = "fee_differs", charged - fee
        detail = f"{where}: fee {charged} charged, contract fee {fee} (minor units)"
    elif net < expected:
        kind, amount = "short_paid", expected - net
        detail = f"{where}: paid {net}, expected {expected} (COD {p.cod} - fee {fee}{_less(decided)})"
        if deducted:
            detail += f"; of which deductions {deducted}"
    else:
        kind, amount = "over_paid", net - expected
        detail = f"{where}: paid {net}, expected {expected} (COD {p.cod} - fee {fee}{_less(decided)})"
    out.discrepancies.append(Discrepancy(kind, p.courier, "shipment", p.id, p.tracking, p.order_ref, refs, amount,
                                         p.currency, cycle.label, detail))


def _less(decided: int) -> str:
    return f" - {decided} already resolved" if decided else ""


def _cycle_status(row: CycleRow, t, as_of: date) -> str:
    if row.unremitted:
        return "overdue" if as_of > row.cycle.due + timedelta(days=t.grace_days) else "open"
    return "paid" if row.difference == 0 else "short"


def norm_ref(text: str) -> str:
    return _REF.sub("", text.upper())


def _match_bank(remittances: list[Remittance], bank: list[BankLine], terms, as_of: date, out: Classified) -> None:
    """Credits to remittances: by a bank reference found in the description first, then by exact amount."""
    open_refs = {norm_ref(r.reference): r for r in remittances if len(norm_ref(r.reference)) >= _MIN_REF}
    matched: dict[int, BankLine] = {}
    credits = [b for b in bank if b.amount > 0]
    rest = []
    for b in credits:
        text = norm_ref(b.description)
        hits = [r for ref, r in open_refs.items() if ref in text and r.id not in matched]
        if len(hits) == 1:
            matched[hits[0].id] = b
            out.matches[b.id] = hits[0].id
        else:
            rest.append(b)
    waiting = [r for r in remittances if r.id not in matched]
    for b in rest:
        same = [r for r in waiting if r.total == b.amount and r.currency == b.currency and r.day <= b.day
                and r.id not in matched]
        if same:
            best = max(same, key=lambda r: r.day)  # the latest remittance that could have been paid
            matched[best.id] = b
            out.matches[b.id] = best.id
        else:
            out.discrepancies.append(Discrepancy("unmatched_credit", "", "bank_line", b.id, "", "", "", b.amount,
                                                 b.currency, "", f"{b.day}: {b.description}"))
    out.counts["bank_debits_unmatched"] = sum(1 for b in bank if b.amount < 0)
    for r in remittances:
        _judge_remittance(r, matched.get(r.id), terms, as_of, out)


def _judge_remittance(r: Remittance, credit: BankLine | None, terms, as_of: date, out: Classified) -> None:
    if r.total <= 0 and credit is None:
        out.counts["remittances_nothing_to_credit"] += 1  # nets to zero or to a charge: no credit to wait for
        return
    if credit is not None:
        if credit.amount == r.total:
            out.counts["remittances_credited"] += 1
            return
        out.discrepancies.append(Discrepancy(
            "credit_differs", r.courier, "remittance", r.id, "", "", r.reference, r.total - credit.amount,
            r.currency, "", f"remittance of {r.day} totals {r.total}, bank credited {credit.amount} on {credit.day}"))
        return
    grace = terms[r.courier].grace_days if r.courier in terms else 0
    if as_of > date.fromisoformat(r.day) + timedelta(days=grace):
        out.discrepancies.append(Discrepancy(
            "not_credited", r.courier, "remittance", r.id, "", "", r.reference, r.total, r.currency, "",
            f"remittance of {r.day} ({r.total}) not credited by {as_of} (grace {grace} days)"))
    else:
        out.counts["remittances_pending"] += 1
