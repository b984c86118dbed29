"""Checking the ledger's orders: choose them, evaluate each distinct value once, store atomically.

Exports repeat the same customers, phones and addresses many times, so phones are checked
once per (number, country) and addresses once per distinct address; results are written per
slice of orders in one transaction each, so Ctrl-C loses at most the slice in flight and a
re-run carries on where it stopped.
"""

from __future__ import annotations

import time
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

from codtool import collector
from codtool.checks import address_it, workers
from codtool.checks.address import check_address
from codtool.checks.address_model import Address, AddressResult
from codtool.checks.findings import ACTIONABLE, Finding
from codtool.checks.phone import check_phone
from codtool.checks.shared_phone import shared_phone_findings
from codtool.crashpoints import crash_point
from codtool.errors import CodtoolError, NotFound
from codtool.ledger import Ledger
from codtool.ledger import checks as store
from codtool.ledger.db import utc_now
from codtool.ledger.orders import get_batch
from codtool.progress import Progress

SHARED_CODE = "phone.shared_other_name"
REBUILD_INDEX_FROM = 50_000  # orders written in one run; below this the phone index is kept up as it goes

# Across slices, check_phone keeps its own cache (by what was typed and the region), and the
# Italian address check caches street lines and places apart: whole addresses seldom repeat
# beyond a slice (a cache of them was all misses on bench_day's data), so only `checked`'s
# per-slice dictionaries hold them.
_phone = check_phone


def _address(fields: tuple[str, ...]) -> AddressResult:
    return check_address(Address(*fields))


@dataclass(frozen=True)
class CheckRequest:
    batch: int | None = None
    recheck: bool = False
    chunk_size: int = 20_000  # orders stored in one transaction
    workers: int | None = None  # processes evaluating, this one included; None: CODTOOL_WORKERS or the CPUs


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


# One checked order as it is stored: (order id, the normalised columns but checked_at, its findings
# as (check, code, severity, message, suggestion)). Plain tuples, built once per distinct phone and
# address: no objects per order between reading and storing.
Checked = tuple[int, tuple, tuple[tuple[str, str, str, str, str], ...]]


def checked(rows: Sequence[Sequence]) -> list[Checked]:
    """Check rows laid out as `store.CHECK_INPUT`, each distinct phone and address once."""
    phones: dict[tuple, tuple] = {}
    addresses: dict[tuple, tuple] = {}
    out = []
    for r in rows:
        phone_key = (r[2], r[8])
        if (p := phones.get(phone_key)) is None:
            result = _phone(*phone_key)
            p = phones[phone_key] = ((result.e164, result.national, result.kind), _fields(result.findings))
        if r[8] == "IT":  # most orders: check_italy's two halves, each cached in stored form, joined as it joins them
            joined = address_it.joined(_street(r[3], r[4]), _place(r[5], r[7], r[6]))  # 6 values, findings
            out.append((r[0], p[0] + joined[:6], p[1] + joined[6]))  # slices: a third of unpacking's cost
            continue
        if (a := addresses.get(address_key := tuple(r[3:9]))) is None:
            result = _address(address_key)
            a = addresses[address_key] = ((result.line, result.house_number, result.postcode, result.city,
                                           result.province, result.country), _fields(result.findings))
        out.append((r[0], p[0] + a[0], p[1] + a[1]))
    return out


@lru_cache(maxsize=1 << 14)
def _street(address1: str, address2: str) -> tuple[tuple, tuple, str, str]:
    """address_it.street_part with findings as stored: (missing street, missing number, line, number)."""
    no_street, no_number, line, number = address_it.street_part(address1, address2)
    return _fields(no_street), _fields(no_number), line, number


@lru_cache(maxsize=1 << 14)
def _place(city: str, province: str, cap: str) -> tuple[tuple, tuple[str, str, tuple], str]:
    """address_it.place_part with findings as stored: (missing city, (city, province, findings), CAP)."""
    no_city, (name, sigla, findings), postcode = address_it.place_part(city, province, cap)
    return _fields(no_city), (name, sigla, _fields(findings)), postcode


def _fields(findings: Sequence[Finding]) -> tuple[tuple[str, str, str, str, str], ...]:
    return tuple((f.check, f.code, f.severity, f.message, f.suggestion) for f in findings)


class OrderIds:
    """A set of order ids at 8 bytes each (a Python set takes about 70): a run remembers every order
    it checked, and memory must stay flat in the day's size. Ids added in increasing order (slices
    come by id) are appended; the few that are not (the ledger-wide pass) go to a small set."""

    def __init__(self) -> None:
        self._ascending = array("q")
        self._others: set[int] = set()

    def add(self, order_id: int) -> None:
        if not self._ascending or order_id > self._ascending[-1]:
            self._ascending.append(order_id)
        elif order_id not in self:
            self._others.add(order_id)

    def __contains__(self, order_id: int) -> bool:
        at = bisect_left(self._ascending, order_id)
        return (at < len(self._ascending) and self._ascending[at] == order_id) or order_id in self._others


def run_checks(ledger: Ledger, request: CheckRequest, progress: Progress | None = None) -> CheckSummary:
    """Check the unchecked orders (or all of them with recheck) of one batch or the ledger."""
    if request.batch is not None and get_batch(ledger.session, request.batch) is None:
        raise NotFound(f"no batch {request.batch}; see codtool batches list")
    summary, flagged_ids, run_ids = CheckSummary(), OrderIds(), OrderIds()
    processes = workers.processes_wanted(request.workers)
    drop_index = _rebuild_phone_index(ledger, request)
    # No reference cycles are made; the collector's passes over the caches were 17% of the evaluation.
    try:
        with collector.paused(), closing(workers.in_order(_slices(ledger, request), checked, processes)) as evaluated:
            while True:
                with _timed(summary.seconds, "evaluate"):  # reading, and waiting for the workers
                    results = next(evaluated, (None, None))[1]
                if results is None:
                    break
                with _timed(summary.seconds, "store"):
                    stored = _store(ledger, results, request.recheck, drop_index)
                drop_index = False  # the first slice's transaction dropped it
                _count_stored(summary, stored, flagged_ids, run_ids)
                if progress:
                    progress(summary.checked)
    except BaseException:
        _restore_phone_index(ledger)  # Ctrl-C or an error: the ledger keeps its index
        raise
    with _timed(summary.seconds, "index"):
        _restore_phone_index(ledger, quietly=False)
    with _timed(summary.seconds, "shared_phone"):
        added = _shared_phone_pass(ledger)
    for order_id, finding in added.items():
        if order_id in run_ids:
            _count(summary, _fields((finding,)), flagged_ids, order_id, counted=True)
        else:
            summary.other_orders_flagged += 1
    return summary


def _slices(ledger: Ledger, request: CheckRequest) -> Iterator[list]:
    """The orders to check, a slice (one transaction's worth) at a time, by id."""
    after = 0
    while rows := store.orders_to_check(ledger.session, request.batch, request.recheck, after, request.chunk_size):
        after = rows[-1][0]
        yield rows


def _count_stored(summary: CheckSummary, stored: list[Checked], flagged_ids: OrderIds, run_ids: OrderIds) -> None:
    for order_id, _, findings in stored:
        run_ids.add(order_id)
        if findings:
            _count(summary, findings, flagged_ids, order_id)
        else:  # most orders: what _count does for an order without findings
            summary.checked += 1
            summary.ok += 1


def _count(summary: CheckSummary, findings: Sequence[tuple], flagged_ids: OrderIds, order_id: int,
           counted: bool = False) -> None:
    """Add findings (as `_fields` gives them) to the summary; `counted` = the order is already in
    checked/ok/flagged."""
    summary.by_code.update(f[1] for f in findings)
    summary.by_severity.update(f[2] for f in findings)
    actionable = any(f[2] in ACTIONABLE for f in findings)
    if not counted:
        summary.checked += 1
        summary.ok += 0 if actionable else 1
    elif actionable and order_id not in flagged_ids:
        summary.ok -= 1
    if actionable and order_id not in flagged_ids:
        flagged_ids.add(order_id)
        summary.flagged += 1


def _rebuild_phone_index(ledger: Ledger, request: CheckRequest) -> bool:
    """Whether this run should drop the phone index and build it once at the end.

    A run that at least doubles order_normalised (the first check of a big import, a recheck of
    everything) would insert its phone numbers into the index in random order, one page each,
    rewritten at every slice's commit: at 625,000 orders that was 1.6 s of the 2.9 s of
    inserting (the fourth session's profile). Building the index again is one sort (0.05 s per
    125,000 rows). Smaller runs keep it: rebuilding would cost more than their inserts.
    """
    in_scope, kept = store.sizes(ledger.session, request.batch)
    writing = in_scope if request.recheck or request.batch is not None else in_scope - kept
    if request.recheck:
        kept = max(kept - in_scope, 0)
    return writing >= max(REBUILD_INDEX_FROM, kept)


def _restore_phone_index(ledger: Ledger, quietly: bool = True) -> None:
    """Build the phone index if this run (or one killed before) dropped it; nothing if it is there.

    `quietly` after an error or Ctrl-C: a failure here must not hide the one being reported (the
    next run builds the index then)."""
    try:
        with ledger.transaction() as conn:
            store.ensure_phone_index(conn)
    except CodtoolError:
        if not quietly:
            raise


def _store(ledger: Ledger, results: list[Checked], recheck: bool, drop_index: bool = False) -> list[Checked]:
    """Write one slice; a concurrent run may have checked some orders meanwhile: skip those."""
    now = utc_now()
    with ledger.transaction() as conn:
        if drop_index:
            store.drop_phone_index(conn)
        ids = [r[0] for r in results]
        if recheck:
            store.clear(conn, ids)
        elif done := store.checked_between(conn, ids[0], ids[-1]):
            results = [r for r in results if r[0] not in done]
        store.insert_normalised(conn, ((oid, *values, now) for oid, values, _ in results))
        store.insert_findings(conn, ((oid, *f, now) for oid, _, findings in results for f in findings))
        crash_point("check.after_findings")
    crash_point("check.between_passes")
    return results


def _shared_phone_pass(ledger: Ledger) -> dict[int, Finding]:
    """Ledger-wide: a new order can make an earlier one suspicious too. Returns what was added."""
    now = utc_now()
    with ledger.transaction() as conn:
        found = shared_phone_findings(tuple(r) for r in store.shared_phones(conn))
        existing = store.orders_with_code(conn, SHARED_CODE)
        added = {oid: f for oid, f in found.items() if oid not in existing}
        store.insert_findings(conn, ((oid, *_fields((f,))[0], now) for oid, f in added.items()))
    return added
