"""Evaluating slices of orders in worker processes while the main process reads and stores.

Checking an order is pure (what was typed in, normalised fields and findings out) and is most
of the stage's time, while reading and storing must stay in the one process that holds the
ledger connection (workers never touch it, on SQLite or PostgreSQL). So each slice is cut in
parts: the workers evaluate theirs while the main process evaluates its own, stores the slice
before and reads the next. The results are joined back in order, so storing, counting and
progress are exactly those of one process.

How much a worker gets is measured, not guessed: after each slice the cut moves so that the
workers finish when the main process has done its part, storing and reading included (a
machine busy elsewhere changes the balance, and the next slice follows it). The cut decides
only who computes; no result depends on it.

Workers talk to the main process over one pipe each, from the main thread only: a thread
pool's helper threads would wait for the interpreter lock while the main thread evaluates,
and cost more than the worker saves. A worker holds one part at a time, so neither side can
block the other with a full pipe.

`CODTOOL_WORKERS=N`: N processes evaluate, the main one included; 1 keeps everything in this
process. The default is this process plus one per idle CPU (by the one-minute load
average), at most four in all. Runs under
`PARALLEL_FROM` orders stay in process: starting a worker would cost more than it saves.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import suppress
from itertools import chain
from multiprocessing.connection import Connection

from codtool.errors import CodtoolError

ENV = "CODTOOL_WORKERS"
PARALLEL_FROM = 20_000  # orders; below this a run stays in process
_DEFAULT_MAX = 4  # beyond this the main process (reading, storing) is the bottleneck
_FIRST_SHARE = 0.6  # of a slice, for all workers together, before anything is measured
_SHARE_LIMITS = (0.05, 0.95)

Evaluate = Callable[[Sequence[Sequence]], list]
Slice = Sequence[Sequence]


class BadWorkerCount(CodtoolError):
    """CODTOOL_WORKERS is not a whole number of processes."""


class WorkerFailed(RuntimeError):
    """A worker process died or raised: a bug or a killed process, never bad input."""


def processes_wanted(requested: int | None = None) -> int:
    """How many processes should evaluate: `requested`, else CODTOOL_WORKERS, else the usable CPUs."""
    if requested is not None:
        return max(1, requested)
    text = os.environ.get(ENV, "").strip()
    if not text:
        return _idle_processes()
    if not text.isdigit() or int(text) < 1:
        raise BadWorkerCount(f"{ENV}={text!r}: give a whole number of processes, 1 or more "
                             "(1 checks in this process only)")
    return int(text)


def _idle_processes() -> int:
    """This process and one per CPU the last minute left idle (at most _DEFAULT_MAX in all).

    On a machine busy elsewhere a worker only takes turns with this process on the same CPU
    (measured: slower than checking in process), so it is started only for an idle one.
    """
    cpus = _usable_cpus()
    try:
        idle = cpus - os.getloadavg()[0]
    except OSError:  # no load average on this system
        idle = cpus
    return 1 + max(0, min(cpus - 1, _DEFAULT_MAX - 1, int(idle + 0.5)))


def _usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def in_order(slices: Iterable[Slice], evaluate: Evaluate, processes: int) -> Iterator[tuple[Slice, list]]:
    """(slice, evaluate(slice)) for each slice, in order; `evaluate` must be a module-level function.

    With more than one process, slices are read ahead until PARALLEL_FROM rows are in hand
    (or there are no more) to decide whether workers pay. Close the iterator when done
    (contextlib.closing): that stops the workers at once, also after an error or Ctrl-C.
    """
    source = iter(slices)
    head: list[Slice] = []
    in_head = 0
    if processes > 1:
        for rows in source:
            head.append(rows)
            in_head += len(rows)
            if in_head >= PARALLEL_FROM:
                break
    everything = chain(head, source)
    if processes <= 1 or in_head < PARALLEL_FROM:
        for rows in everything:
            yield rows, evaluate(rows)
        return
    workers, finished = [], False
    try:
        workers.extend(_Worker(evaluate) for _ in range(processes - 1))
        yield from _pipelined(everything, evaluate, workers)
        finished = True
    finally:
        for worker in workers:
            worker.stop(finished)


def _pipelined(slices: Iterator[Slice], evaluate: Evaluate, workers: list[_Worker]) -> Iterator[tuple[Slice, list]]:
    """Each slice's workers' parts go out before the slice before it is given back to be stored."""
    balance = _Balance(len(workers))
    current = next(slices, None)
    if current is None:
        return
    local = balance.dispatch(current, workers, evaluate)
    for following in slices:
        remote = balance.collect(workers)
        try:
            following_local = balance.dispatch(following, workers, evaluate)
        except Exception:
            yield current, local + remote  # a failure in the next slice does not lose this one
            raise
        yield current, local + remote
        current, local = following, following_local
    yield current, local + balance.collect(workers)


class _Balance:
    """Where to cut each slice, from how long the last one took on each side."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.share = _FIRST_SHARE
        self.sent = 0  # rows each worker got of the slice in flight
        self.local_rows = 0
        self.local_seconds = 0.0
        self.dispatched_at = 0.0  # the main side's cycle: from sending parts to collecting them

    def dispatch(self, rows: Slice, workers: list[_Worker], evaluate: Evaluate) -> list:
        """Send the workers their parts, evaluate the rest here; returns the local results."""
        each = int(len(rows) * self.share / self.workers)
        cut = len(rows) - each * self.workers
        self.dispatched_at = time.perf_counter()
        for i, worker in enumerate(workers):
            worker.send(rows[cut + i * each: cut + (i + 1) * each])
        start = time.perf_counter()
        local = evaluate(rows[:cut])
        self.local_seconds, self.local_rows, self.sent = time.perf_counter() - start, cut, each
        return local

    def collect(self, workers: list[_Worker]) -> list:
        """The workers' results in order; then the next cut from the seconds both sides spent."""
        main_seconds = time.perf_counter() - self.dispatched_at
        remote, worker_seconds = [], 0.0
        for worker in workers:
            results, seconds, reading = worker.receive()
            remote += results
            worker_seconds = max(worker_seconds, seconds)
            main_seconds += reading  # work of this side's too, though done after the wait
        self._rebalance(main_seconds, worker_seconds)
        return remote

    def _rebalance(self, main_seconds: float, worker_seconds: float) -> None:
        """Per-row costs on each side and the main side's fixed work (storing, reading, the pipes)
        give the share at which both finish together."""
        if not (main_seconds and worker_seconds and self.sent and self.local_rows):
            return
        per_row_here, per_row_there = self.local_seconds / self.local_rows, worker_seconds / self.sent
        overhead = max(main_seconds - self.local_seconds, 0.0)
        rows = self.local_rows + self.sent * self.workers
        # all workers' share s: s*rows*there/workers == (1-s)*rows*here + overhead
        share = (rows * per_row_here + overhead) / (rows * (per_row_here + per_row_there / self.workers))
        self.share = min(max(share, _SHARE_LIMITS[0]), _SHARE_LIMITS[1])


class _Worker:
    """One worker process and its pipe; it holds at most one part at a time."""

    def __init__(self, evaluate: Evaluate) -> None:
        self.conn, theirs = multiprocessing.Pipe()
        self.process = _context().Process(target=_serve, args=(theirs, evaluate), daemon=True,
                                          name="codtool-check-worker")
        self.process.start()
        theirs.close()

    def send(self, rows: Slice) -> None:
        try:
            self.conn.send([tuple(r) for r in rows])  # plain tuples: what pickles cheaply
        except OSError as exc:
            raise WorkerFailed(f"check worker {self.process.pid} is gone ({exc})") from exc

    def receive(self) -> tuple[list, float, float]:
        """(results, the worker's seconds on them, this process's seconds reading them)."""
        try:
            ok, answer, seconds = self.conn.recv()
        except (EOFError, OSError) as exc:
            raise WorkerFailed(f"check worker {self.process.pid} died (exit code {self.process.exitcode})") from exc
        start = time.perf_counter()
        payload = pickle.loads(answer)
        if not ok:
            raise WorkerFailed(f"check worker failed:\n{payload}")
        return payload, seconds, time.perf_counter() - start

    def stop(self, finished: bool) -> None:
        """Let an idle worker end by itself; one that may be busy (after Ctrl-C, or an error) is
        terminated: it holds nothing but a part nobody will store. Always joined: no zombie."""
        if finished:
            with suppress(OSError):
                self.conn.send(None)
            self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join()
        self.conn.close()


def _serve(conn: Connection, evaluate: Evaluate) -> None:
    """A worker's life: evaluate each part it is sent, answer (ok, pickled results or traceback, seconds).

    The seconds are all the work a part costs here, reading it and pickling the answer included
    (a tenth of it at 20,000 orders): timing the evaluation alone made the cut give workers more
    than they finish while the main process works, which then waited for them at every slice.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the main process, which stops us
    gc.disable()  # as in the main process: evaluating makes no cycles, and this process ends with the run
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    while (message := _received(conn)) is not None:
        start = time.perf_counter()
        if (rows := pickle.loads(message)) is None:
            break
        try:
            ok, payload = True, evaluate(rows)
        except Exception:
            ok, payload = False, traceback.format_exc()
        answer = pickle.dumps(payload, pickle.HIGHEST_PROTOCOL)
        conn.send((ok, answer, time.perf_counter() - start))


def _received(conn: Connection) -> bytes | None:
    try:
        return conn.recv_bytes()
    except EOFError:  # the main process closed its end
        return None


def _exit_with_parent(parent: int) -> None:
    """A worker whose parent was killed (SIGKILL leaves no time to stop it) exits instead of waiting."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _context() -> multiprocessing.context.BaseContext:
    """fork where it is safe (Linux, no other thread): the worker starts at once with the checkers
    already loaded. Otherwise (a progress bar's thread, macOS, Windows) a fresh interpreter."""
    if sys.platform == "linux" and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
