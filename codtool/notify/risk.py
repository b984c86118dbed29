"""A transparent risk score: a list of (points, reason) signals, each from one small function.

Staff see every reason beside the score, so they know what to ask on the phone; an
operator changes the points in the policy file, not here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from codtool.money import Money
from codtool.notify.phones import Phone
from codtool.notify.policy import Policy

MAX_COUNTED_REFUSALS = 3


@dataclass(frozen=True)
class Signal:
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


@dataclass(frozen=True)
class Assessment:
    score: int
    signals: tuple[Signal, ...]
    clean_checks: bool

    def auto_confirmable(self, policy: Policy, attempts: Attempts) -> bool:
        """Low risk, checked with no error or warning, and nobody has called yet."""
        return (policy.auto_confirm and self.clean_checks and attempts.total == 0
                and self.score <= policy.auto_confirm_max_score)


SignalFn = Callable[[OrderFacts, Policy], Iterable[Signal]]


def high_amount(f: OrderFacts, p: Policy) -> Iterable[Signal]:
    limit = p.high_amount.get(f.cod.currency)
    if limit is not None and f.cod >= limit:
        yield Signal(p.points["high_amount"], f"high COD {f.cod} (>= {limit.plain})", "high_amount")


def first_time(f: OrderFacts, p: Policy) -> Iterable[Signal]:
    if f.delivered == 0:
        yield Signal(p.points["first_time"], "first-time customer", "first_time")


def check_findings(f: OrderFacts, p: Policy) -> Iterable[Signal]:
    for finding in f.findings:
        yield Signal(p.points[f"finding_{finding.severity}"], f"{finding.severity} {finding.code}: {finding.message}",
                     finding.code)


def unchecked(f: OrderFacts, p: Policy) -> Iterable[Signal]:
    if not f.phone.checked:
        yield Signal(p.points["unchecked"], "not checked yet", "unchecked")
        if not f.phone.e164:
            yield Signal(p.points["bad_phone"], f"phone {f.raw_phone!r} cannot be read as a number", "bad_phone")


def duplicate(f: OrderFacts, p: Policy) -> Iterable[Signal]:
    if f.duplicate_of:
        yield Signal(p.points["duplicate"], f"suspected duplicate of order {', '.join(f.duplicate_of)}", "duplicate")


def past_refusals(f: OrderFacts, p: Policy) -> Iterable[Signal]:
    if f.refused:
        counted = min(f.refused, MAX_COUNTED_REFUSALS)
        noun = "parcel" if f.refused == 1 else "parcels"
        yield Signal(p.points["past_refusal"] * counted,
                     f"{f.refused} {noun} refused or returned before", "past_refusal")


def unanswered(f: OrderFacts, p: Policy) -> Iterable[Signal]:
    n = f.attempts.unanswered
    if n:
        noun = "call" if n == 1 else "calls"
        yield Signal(p.points["unanswered"] * n, f"{n} {noun} unanswered "
                     f"(last {f.attempts.last_called_at.replace('T', ' ')[:16]})", "unanswered")


SIGNALS: tuple[SignalFn, ...] = (high_amount, past_refusals, duplicate, check_findings, unchecked,
                                 unanswered, first_time)


def assess(facts: OrderFacts, policy: Policy) -> Assessment:
    signals = tuple(s for fn in SIGNALS for s in fn(facts, policy) if s.points)
    clean = facts.phone.checked and not facts.findings
    return Assessment(sum(s.points for s in signals), signals, clean)
