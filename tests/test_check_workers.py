"""Checking in worker processes changes nothing but who computes: the same rows stored, the same
summary, whole slices only after an error or Ctrl-C, and no process left behind."""

from __future__ import annotations

import gc
import multiprocessing
import os
import random
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from helpers import connect, run
from hypothesis import given, settings
from hypothesis import strategies as st
from test_checks_cases import CASES

from codtool.checks import runner, workers
from codtool.checks.runner import CheckRequest, run_checks
from codtool.ledger import checks as store
from codtool.ledger import open_ledger
from codtool.ledger import orders as order_store

NAMES = ["Giulia Rossi", "ROSSI GIULIA", "Marco Bianchi", "Anna Verdi", "John Smith", "Luca Ferrari"]


def _orders(count: int, seed: int = 3) -> list[tuple]:
    """Varied orders: every case of test_checks_cases, house numbers and phones changed, customers
    coming back (sometimes under another name, for the ledger-wide shared-phone pass)."""
    rnd = random.Random(seed)
    made = []
    for _ in range(count):
        phone, address1, address2, city, postcode, province, country, _ = rnd.choice(CASES)
        if rnd.random() < 0.5 and phone[-1:].isdigit():
            phone = phone[:-2] + f"{rnd.randint(0, 99):02d}"
        if rnd.random() < 0.3 and address1[-1:].isdigit():
            address1 = f"{address1.rstrip('0123456789')}{rnd.randint(1, 300)}"
        made.append((rnd.choice(NAMES), phone, address1, address2, city, postcode, province, country))
    return made


def _ledger_with(location, orders: list[tuple]) -> None:
    ledger = open_ledger(location)
    with ledger.transaction() as conn:
        shop = order_store.shop_id(conn, "demo")
        batch = order_store.create_batch(conn, shop, "w.csv", f"w-{len(orders)}", "generic", "utf-8", ",")
        order_store.insert_orders(conn, [
            (shop, batch, f"W-{i}", i + 2, "2026-11-20T10:00:00", name, phone, "", a1, a2, city, cap, prov,
             country, "cod", 1, 2990, 2990, "EUR", "[]", "", "new")
            for i, (name, phone, a1, a2, city, cap, prov, country) in enumerate(orders)])
    ledger.close()


def _stored(location) -> tuple[list, list]:
    """What a check wrote, without the time it wrote it."""
    with connect(location) as session:
        normalised = [tuple(r)[:-1] for r in session.execute(
            f"SELECT {', '.join(store.NORMALISED_COLUMNS)} FROM order_normalised ORDER BY order_id")]
        findings = [tuple(r) for r in session.execute(
            "SELECT order_id, check_name, code, severity, message, suggestion FROM order_findings "
            "ORDER BY order_id, code")]
    return normalised, findings


def _check(location, **request) -> dict:
    ledger = open_ledger(location)
    try:
        return run_checks(ledger, CheckRequest(**request)).to_json()
    finally:
        ledger.close()


def _interrupt_third_store(monkeypatch):
    """Ctrl-C while the run stores its third slice (the first two stay committed); returns the real
    store function, for the re-run that must complete."""
    real, calls = store.insert_findings, []

    def interrupted(conn, rows):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(conn, rows)

    monkeypatch.setattr(store, "insert_findings", interrupted)
    return real


@pytest.fixture
def parallel(monkeypatch):
    """Workers for any size, so small ledgers take the parallel path."""
    monkeypatch.setattr(workers, "PARALLEL_FROM", 0)


@pytest.fixture
def forked(monkeypatch):
    """Workers made by fork even if a thread is running, so a patched `checked` reaches them."""
    monkeypatch.setattr(workers, "_context", lambda: multiprocessing.get_context("fork"))


@pytest.fixture
def orders_ledger(ledgers):
    template = ledgers.new("template")
    _ledger_with(template, _orders(1_500))
    return lambda name: ledgers.copy(template, name)


def _no_children() -> bool:
    return not multiprocessing.active_children()


@pytest.mark.usefixtures("parallel")
@pytest.mark.parametrize("processes", [2, 3])
def test_workers_store_what_one_process_stores(orders_ledger, processes):
    alone, shared = orders_ledger("alone"), orders_ledger("shared")
    summary = _check(alone, workers=1, chunk_size=200)
    assert _check(shared, workers=processes, chunk_size=200) == summary
    assert _stored(shared) == _stored(alone)
    assert summary["checked"] == 1_500 and summary["flagged"] and summary["other_orders_flagged"] == 0
    assert _no_children()


@pytest.mark.usefixtures("parallel")
def test_a_fresh_interpreter_worker_gives_the_same(orders_ledger, monkeypatch):
    """Where fork is not used (a progress bar's thread, macOS): the worker imports the checkers itself."""
    alone, shared = orders_ledger("alone"), orders_ledger("spawned")
    monkeypatch.setattr(workers, "_context", lambda: multiprocessing.get_context("spawn"))
    assert _check(shared, workers=2, chunk_size=500) == _check(alone, workers=1, chunk_size=500)
    assert _stored(shared) == _stored(alone)


def test_small_runs_stay_in_process(orders_ledger, monkeypatch):
    def no_worker(*args):
        raise AssertionError("a worker was started for a small run")

    monkeypatch.setattr(workers, "_Worker", no_worker)
    assert _check(orders_ledger("small"), workers=2)["checked"] == 1_500  # under PARALLEL_FROM


def _doubled(rows):
    return [(r[0], r[0] * 2) for r in rows]


@pytest.mark.usefixtures("parallel")
@settings(deadline=None, max_examples=25)
@given(st.lists(st.integers(1, 60), max_size=8), st.integers(2, 3))
def test_slices_come_back_whole_and_in_order(sizes, processes):
    start = 0
    slices = []
    for size in sizes:
        slices.append([(i,) for i in range(start, start + size)])
        start += size
    got = list(workers.in_order(slices, _doubled, processes))
    assert got == [(s, _doubled(s)) for s in slices]
    assert _no_children()


@pytest.mark.usefixtures("parallel", "forked")
def test_a_failing_slice_stores_nothing_and_stops_the_workers(orders_ledger, monkeypatch):
    location, clean = orders_ledger("failing"), orders_ledger("clean")
    real = runner.checked
    with connect(location) as session:
        bad = session.execute("SELECT id FROM orders ORDER BY id LIMIT 1 OFFSET 1000").fetchone()[0]

    def failing(rows):
        if any(r[0] == bad for r in rows):
            raise ValueError("a bug in a check")
        return real(rows)

    monkeypatch.setattr(runner, "checked", failing)
    with pytest.raises((ValueError, workers.WorkerFailed), match="a bug in a check"):
        _check(location, workers=2, chunk_size=250)
    assert _no_children()
    assert gc.isenabled()  # paused during the run, restored after a failed one too
    normalised, _ = _stored(location)
    assert len(normalised) == 1_000  # the four slices before the failing one, each whole
    monkeypatch.setattr(runner, "checked", real)
    _check(location, workers=2, chunk_size=250)
    _check(clean, workers=1)
    assert _stored(location) == _stored(clean)


@pytest.mark.usefixtures("parallel")
def test_ctrl_c_keeps_stored_slices_and_stops_the_workers(orders_ledger, monkeypatch):
    location = orders_ledger("interrupted")
    real = _interrupt_third_store(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        _check(location, workers=2, chunk_size=300)
    assert _no_children()
    assert len(_stored(location)[0]) == 600
    monkeypatch.setattr(store, "insert_findings", real)
    assert _check(location, workers=2, chunk_size=300)["checked"] == 900


@pytest.mark.usefixtures("parallel", "forked")
def test_a_killed_worker_is_an_error_not_a_hang(orders_ledger, monkeypatch):
    location = orders_ledger("killed")
    real = runner.checked

    def dying(rows):
        if multiprocessing.parent_process() is not None:  # only in the worker
            os._exit(9)
        return real(rows)

    monkeypatch.setattr(runner, "checked", dying)
    with pytest.raises(workers.WorkerFailed, match="died|gone"):
        _check(location, workers=2, chunk_size=300)
    assert _no_children()


def test_workers_exit_when_the_main_process_is_killed(tmp_path):
    """SIGKILL (a power cut, the OOM killer) leaves no time to stop them: they notice and exit."""
    script = textwrap.dedent("""
        import os, signal, sys, time
        from codtool.checks import workers
        workers.PARALLEL_FROM = 0
        slices = iter([[(1,)], [(2,)], [(3,)]])
        evaluated = workers.in_order(slices, lambda rows: [time.sleep(0.05) or r for r in rows], 3)
        next(evaluated)
        import multiprocessing
        print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    pids = [int(p) for p in done.stdout.split()]
    assert len(pids) == 2, done.stderr
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_running(pid) for pid in pids):
        time.sleep(0.1)
    assert not any(_running(pid) for pid in pids)


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    status = Path(f"/proc/{pid}/status")
    try:
        return "\nState:\tZ" not in status.read_text()
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_running_reads_proc():
    assert _running(os.getpid())


@pytest.mark.parametrize("value", ["abc", "0", "-2", "1.5"])
def test_a_bad_worker_count_is_one_error_line(ledgers, value):
    result = run(ledgers.new(), "check", env={"CODTOOL_WORKERS": value})
    assert result.exit_code == 1, result.output
    assert result.stderr.strip().splitlines() == [
        f"Error: CODTOOL_WORKERS={value!r}: give a whole number of processes, 1 or more (1 checks in this process "
        "only)"]


def test_worker_count_from_the_environment(monkeypatch):
    monkeypatch.setenv("CODTOOL_WORKERS", "1")
    assert workers.processes_wanted() == 1
    monkeypatch.setenv("CODTOOL_WORKERS", " 3 ")
    assert workers.processes_wanted() == 3
    assert workers.processes_wanted(2) == 2  # the request wins
    monkeypatch.delenv("CODTOOL_WORKERS")
    assert 1 <= workers.processes_wanted() <= 4


@pytest.mark.parametrize(("cpus", "load", "expected"), [
    (1, 0.0, 1), (2, 0.0, 2), (2, 1.2, 2), (2, 1.6, 1), (2, 4.0, 1), (8, 0.0, 4), (8, 6.0, 3), (8, 7.6, 1)])
def test_by_default_a_worker_per_idle_cpu(monkeypatch, cpus, load, expected):
    monkeypatch.delenv("CODTOOL_WORKERS", raising=False)
    monkeypatch.setattr(workers, "_usable_cpus", lambda: cpus)
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
    assert workers.processes_wanted() == expected


@given(st.lists(st.integers(1, 60)), st.lists(st.integers(0, 70)))
def test_order_ids_is_a_set(added, asked):
    ids = runner.OrderIds()
    for order_id in added:
        ids.add(order_id)
    assert [order_id in ids for order_id in asked] == [order_id in set(added) for order_id in asked]


class _SlowToPickle:
    """A result whose pickling takes a measurable time, as a slice's many tuples do."""

    def __reduce__(self):
        time.sleep(0.2)
        return int, ()


def _slow_to_send(rows):
    return [_SlowToPickle() for _ in rows]


@pytest.mark.usefixtures("forked")
def test_a_worker_counts_pickling_its_answer_as_its_work():
    """The cut is balanced on the worker's seconds: leaving out the pickling gave workers more than
    they finished while the main process worked."""
    worker = workers._Worker(_slow_to_send)
    try:
        worker.send([(1,)])
        results, seconds, reading = worker.receive()
    finally:
        worker.stop(finished=True)
    assert results == [0]
    assert seconds >= 0.2 > reading
    assert _no_children()
