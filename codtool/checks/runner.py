"""Checking the ledger's orders: choose them, evaluate each distinct value once, store atomically.

Exports repeat the same customers, phones and addresses many times, so phones are checked
once per (number, country) and addresses once per distinct address; results are written per
slice of orders in one transaction each, so Ctrl-C loses at most the slice in flight and a
re-run carries on where it stopped.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

from codtool.checks.address import check_address
from codtool.checks.address_model import Address, AddressResult
from codtool.checks.findings import ACTIONABLE, Finding
from codtool.checks.phone import PhoneResult, check_phone
from codtool.checks.shared_phone import shared_phone_findings
from codtool.crashpoints import crash_point
from codtool.errors import NotFound
from codtool.ledger import Ledger
from codtool.ledger import checks as store
from codtool.ledger.db import utc_now
from codtool.ledger.orders import get_batch
from codtool.progress import Progress

SHARED_CODE = "phone.shared_other_name"
_CACHE_SIZE = 1 << 14  # bounded small: addresses rarely repeat, and memory must stay flat in the day's size

# Across slices and runs in one process: the same customers come back order after order
# (check_phone keeps its own cache, by what was typed and the region).
_phone = check_phone
_address = lru_cache(maxsize=_CACHE_SIZE)(check_address)


@dataclass(frozen=True)
class CheckRequest:
    batch: int | None = None
    recheck: bool = False
    chunk_size: int = 50_000


@dataclass(frozen=True, slots=True)
class OrderResult:
    order_id: int
    phone: PhoneResult
    address: AddressResult

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.phone.findings + self.address.findings


@dataclass
class CheckSummary:
    """What one run did; `checked` = `ok` + `flagged` (info-only findings count as ok)."""

    checked: int = 0
    ok: int = 0
    flagged: int = 0
    by_code: Counter = field(default_factory=Counter)
    by_severity: Counter = field(default_factory=Counter)
    other_orders_flagged: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "checked": self.checked, "ok": self.ok, "flagged": self.flagged,
            "by_code": dict(sorted(self.by_code.items())),
            "by_severity": {s: self.by_severity[s] for s in ("error", "warning", "info")},
            "other_orders_flagged": self.other_orders_flagged,
        }


@contextmanager
def _timed(seconds: dict[str, float] | None, step: str):
    start = time.perf_counter()
    yield
    if seconds is not None:
        seconds[step] = seconds.get(step, 0.0) + time.perf_counter() - start


def evaluate(rows: Sequence[Sequence], seconds: dict[str, float] | None = None) -> list[OrderResult]:
    """Check rows laid out as `store.CHECK_INPUT`, each distinct phone and address once."""
    phone_keys = [(r[2], r[8]) for r in rows]
    with _timed(seconds, "phone"):
        phones = {key: _phone(*key) for key in dict.fromkeys(phone_keys)}
    address_keys = [Address(*r[3:9]) for r in rows]
    with _timed(seconds, "address"):
        addresses = {key: _address(key) for key in dict.fromkeys(address_keys)}
    return [OrderResult(r[0], phones[p], addresses[a]) for r, p, a in zip(rows, phone_keys, address_keys, strict=True)]


def run_checks(ledger: Ledger, request: CheckRequest, progress: Progress | None = None) -> CheckSummary:
    """Check the unchecked orders (or all of them with recheck) of one batch or the ledger."""
    if request.batch is not None and get_batch(ledger.session, request.batch) is None:
        raise NotFound(f"no batch {request.batch}; see codtool batches list")
    summary, flagged_ids, after = CheckSummary(), set(), 0
    run_ids: set[int] = set()
    while rows := store.orders_to_check(ledger.session, request.batch, request.recheck, after, request.chunk_size):
        after = rows[-1]["id"]
        results = evaluate(rows, summary.seconds)
        with _timed(summary.seconds, "store"):
            stored = _store(ledger, results, request.recheck)
        for result in stored:
            run_ids.add(result.order_id)
            _count(summary, result.findings, flagged_ids, result.order_id)
        if progress:
            progress(summary.checked)
    with _timed(summary.seconds, "shared_phone"):
        added = _shared_phone_pass(ledger)
    for order_id, finding in added.items():
        if order_id in run_ids:
            _count(summary, (finding,), flagged_ids, order_id, counted=True)
        else:
            summary.other_orders_flagged += 1
    return summary


def _count(summary: CheckSummary, findings: Sequence[Finding], flagged_ids: set[int], order_id: int,
           counted: bool = False) -> None:
    """Add findings to the summary; `counted` = the order is already in checked/ok/flagged."""
    summary.by_code.update(f.code for f in findings)
    summary.by_severity.update(f.severity for f in findings)
    actionable = any(f.severity in ACTIONABLE for f in findings)
    if not counted:
        summary.checked += 1
        summary.ok += 0 if actionable else 1
    elif actionable and order_id not in flagged_ids:
        summary.ok -= 1
    if actionable and order_id not in flagged_ids:
        flagged_ids.add(order_id)
        summary.flagged += 1


def _store(ledger: Ledger, results: list[OrderResult], recheck: bool) -> list[OrderResult]:
    """Write one slice; a concurrent run may have checked some orders meanwhile: skip those."""
    now = utc_now()
    with ledger.transaction() as conn:
        ids = [r.order_id for r in results]
        if recheck:
            store.clear(conn, ids)
        else:
            done = store.checked_between(conn, ids[0], ids[-1])
            results = [r for r in results if r.order_id not in done]
        store.insert_normalised(conn, (_normalised_row(r, now) for r in results))
        store.insert_findings(conn, (_finding_row(r.order_id, f, now) for r in results for f in r.findings))
        crash_point("check.after_findings")
    crash_point("check.between_passes")
    return results


def _normalised_row(result: OrderResult, now: str) -> tuple:
    p, a = result.phone, result.address
    return (result.order_id, p.e164, p.national, p.kind, a.line, a.house_number, a.postcode, a.city,
            a.province, a.country, now)


def _finding_row(order_id: int, finding: Finding, now: str) -> tuple:
    return (order_id, finding.check, finding.code, finding.severity, finding.message, finding.suggestion, now)


def _shared_phone_pass(ledger: Ledger) -> dict[int, Finding]:
    """Ledger-wide: a new order can make an earlier one suspicious too. Returns what was added."""
    now = utc_now()
    with ledger.transaction() as conn:
        found = shared_phone_findings(tuple(r) for r in store.shared_phones(conn))
        existing = store.orders_with_code(conn, SHARED_CODE)
        added = {oid: f for oid, f in found.items() if oid not in existing}
        store.insert_findings(conn, (_finding_row(oid, f, now) for oid, f in added.items()))
    return added
