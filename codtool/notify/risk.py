"""A transparent risk score: a list of (points, reason) signals, each from one small function.

Staff see every reason beside the score, so they know what to ask on the phone; an
operator changes the points in the policy file, not here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from typing import NamedTuple

from codtool.money import Money
from codtool.notify.phones import Phone
from codtool.notify.policy import Policy

MAX_COUNTED_REFUSALS = 3


class Signal(NamedTuple):
    """One reason for calling, and its points. A named tuple: a day's call list makes one or more per
    order (half the cost of a frozen dataclass), and the call sheet packs them as plain tuples."""

    points: int
    reason: str
    code: str

    def to_json(self) -> dict:
        return {"points": self.points, "reason": self.reason, "code": self.code}


@dataclass(frozen=True)
class Finding:
    severity: str
    code: str
    message: str


@dataclass
class Attempts:
    """What earlier calls to this order gave."""

    total: int = 0
    unanswered: int = 0
    last_outcome: str = ""
    last_called_at: str = ""
    call_back_at: str = ""


@dataclass
class OrderFacts:
    """Everything the signals look at for one order, gathered from the ledger in bulk."""

    order_id: int
    cod: Money
    phone: Phone
    raw_phone: str = ""
    findings: list[Finding] = field(default_factory=list)
    duplicate_of: list[str] = field(default_factory=list)
    delivered: int = 0
    refused: int = 0
    attempts: Attempts = field(default_factory=Attempts)


class Assessment(NamedTuple):
    """An order's score and the signals it adds up (a named tuple: one per open order, every day)."""

    score: int
    signals: tuple[Signal, ...]
    clean_checks: bool

    def auto_confirmable(self, policy: Policy, attempts: Attempts) -> bool:
        """Low risk, checked with no error or warning, and nobody has called yet."""
        return (policy.auto_confirm and self.clean_checks and attempts.total == 0
                and self.score <= policy.auto_confirm_max_score)


SignalFn = Callable[[OrderFacts, Policy], Sequence[Signal]]
_NONE: tuple[Signal, ...] = ()
_POINTS = itemgetter(0)  # a Signal's points
# Each signal returns a tuple (empty when it does not apply) rather than yielding: a day's call
# list runs every signal on every open order, and a generator costs more to start than the check.


def high_amount(f: OrderFacts, p: Policy) -> Sequence[Signal]:
    limit = p.high_amount.get(f.cod.currency)
    if limit is not None and f.cod >= limit:
        return (Signal(p.points["high_amount"], f"high COD {f.cod} (>= {_plain(limit)})", "high_amount"),)
    return _NONE


@lru_cache(maxsize=64)
def _plain(limit: Money) -> str:
    """A threshold's text, worked out once: half the orders of a day pass one."""
    return limit.plain


def first_time(f: OrderFacts, p: Policy) -> Sequence[Signal]:
    if f.delivered == 0:
        return (Signal(p.points["first_time"], "first-time customer", "first_time"),)
    return _NONE


def check_findings(f: OrderFacts, p: Policy) -> Sequence[Signal]:
    return tuple(Signal(p.points[f"finding_{finding.severity}"], f"{finding.severity} {finding.code}: "
                        f"{finding.message}", finding.code) for finding in f.findings) if f.findings else _NONE


def unchecked(f: OrderFacts, p: Policy) -> Sequence[Signal]:
    if f.phone.checked:
        return _NONE
    found = Signal(p.points["unchecked"], "not checked yet", "unchecked")
    if f.phone.e164:
        return (found,)
    return found, Signal(p.points["bad_phone"], f"phone {f.raw_phone!r} cannot be read as a number", "bad_phone")


def duplicate(f: OrderFacts, p: Policy) -> Sequence[Signal]:
    if f.duplicate_of:
        return (Signal(p.points["duplicate"], f"suspected duplicate of order {', '.join(f.duplicate_of)}",
                       "duplicate"),)
    return _NONE


def past_refusals(f: OrderFacts, p: Policy) -> Sequence[Signal]:
    if f.refused:
        counted = min(f.refused, MAX_COUNTED_REFUSALS)
        noun = "parcel" if f.refused == 1 else "parcels"
        return (Signal(p.points["past_refusal"] * counted, f"{f.refused} {noun} refused or returned before",
                       "past_refusal"),)
    return _NONE


def unanswered(f: OrderFacts, p: Policy) -> Sequence[Signal]:
    n = f.attempts.unanswered
    if n:
        noun = "call" if n == 1 else "calls"
        return (Signal(p.points["unanswered"] * n, f"{n} {noun} unanswered "
                       f"(last {f.attempts.last_called_at.replace('T', ' ')[:16]})", "unanswered"),)
    return _NONE


SIGNALS: tuple[SignalFn, ...] = (high_amount, past_refusals, duplicate, check_findings, unchecked,
                                 unanswered, first_time)


def assess(facts: OrderFacts, policy: Policy) -> Assessment:
    found: list[Signal] = []
    for fn in SIGNALS:
        found += fn(facts, policy)
    signals = tuple(filter(_POINTS, found))  # a signal the policy gives no points is left out
    clean = facts.phone.checked and not facts.findings
    return Assessment(sum(map(_POINTS, signals)), signals, clean)
