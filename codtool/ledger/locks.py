"""A named run lock per ledger: one `codtool daily` at a time, whichever backend holds the ledger.

The transaction lock (`Ledger.transaction`) only serialises single writes; a daily run is many
transactions, and two overlapping runs would interleave their steps. This lock spans the run:

- SQLite: an OS lock (`flock`) on `<ledger>.<name>.lock` beside the ledger file, the holder's
  pid, host and start time written inside it.
- PostgreSQL: a session-level advisory lock on the run's connection, the holder described by
  that connection's `application_name` (read back from `pg_stat_activity`).

Both are released by the operating system or the server when the holder dies, kill -9
included, so a lock left by a killed run is never "stale": the next run simply takes it,
and the leftover holder text (the file's content) is overwritten.
"""

from __future__ import annotations

import json
import os
import socket
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from codtool.errors import LedgerError
from codtool.ledger.db import Ledger, utc_now
from codtool.ledger.session import Session

POLL_SECONDS = 0.2
_TAG = "codtool"


class LockHeld(LedgerError):
    """Another run holds the ledger's run lock and did not release it within --wait."""

    def __init__(self, name: str, holder: Holder | None, waited: float) -> None:
        who = holder.describe() if holder else "another process (holder unknown)"
        super().__init__(f"another `codtool {name}` holds the lock on this ledger: {who}; "
                         f"waited {waited:g} s (raise --wait, or let it finish)")
        self.holder = holder


@dataclass(frozen=True)
class Holder:
    """Who holds a lock: enough for an operator to find the process."""

    pid: int
    host: str
    started_at: str
    name: str = "daily"

    def describe(self) -> str:
        return f"pid {self.pid} on {self.host}, started {self.started_at}"

    def to_json(self) -> dict:
        return {"pid": self.pid, "host": self.host, "started_at": self.started_at, "name": self.name}


def me(name: str) -> Holder:
    return Holder(os.getpid(), socket.gethostname(), utc_now(), name)


@contextmanager
def run_lock(ledger: Ledger, name: str, wait: float = 0.0) -> Iterator[Holder]:
    """Hold the ledger's `name` lock for the block; wait up to `wait` seconds, then raise LockHeld."""
    holder = me(name)
    backend = _PostgresLock(ledger.session, name) if ledger.backend == "postgresql" else _FileLock(
        Path(ledger.url.path), name)
    deadline = time.monotonic() + max(wait, 0.0)
    while not backend.try_take(holder):
        if time.monotonic() >= deadline:
            raise LockHeld(name, backend.holder(), wait)
        time.sleep(POLL_SECONDS)
    try:
        yield holder
    finally:
        backend.release()


def lock_path(ledger_file: Path, name: str) -> Path:
    return ledger_file.with_name(f"{ledger_file.name}.{name}.lock")


class _FileLock:
    """flock on a file beside the SQLite ledger; the kernel drops it when the holder dies."""

    def __init__(self, ledger_file: Path, name: str) -> None:
        self.path = lock_path(ledger_file, name)
        self.fd: int | None = None

    def try_take(self, holder: Holder) -> bool:
        import fcntl

        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise LedgerError(f"{self.path}: cannot open the lock file ({exc.strerror})") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(holder.to_json()).encode(), 0)
        self.fd = fd
        return True

    def holder(self) -> Holder | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return Holder(int(data["pid"]), str(data["host"]), str(data["started_at"]), str(data["name"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None  # the holder is between taking the lock and writing its name

    def release(self) -> None:
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            os.close(self.fd)  # closing drops the flock; the file stays for the next run
            self.fd = None


class _PostgresLock:
    """A session advisory lock on the ledger's own connection; the server drops it with the connection."""

    def __init__(self, session: Session, name: str) -> None:
        self.session = session
        self.key = zlib.crc32(f"codtool run lock {name}".encode())  # < 2**32: pg_locks shows it as objid

    def try_take(self, holder: Holder) -> bool:
        if not self.session.scalar("SELECT pg_try_advisory_lock(CAST(? AS BIGINT))", (self.key,)):
            return False
        text = "|".join((_TAG, holder.name, str(holder.pid), holder.started_at, holder.host))
        self.session.execute("SELECT set_config('application_name', ?, false)", (text[:63],))  # NAMEDATALEN
        return True

    def holder(self) -> Holder | None:
        text = self.session.scalar(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 "
            "AND CAST(l.objid AS BIGINT) = CAST(? AS BIGINT)", (self.key,))
        parts = str(text).split("|", 4)
        if len(parts) != 5 or parts[0] != _TAG or not parts[2].isdigit():
            return None
        return Holder(int(parts[2]), parts[4], parts[3], parts[1])

    def release(self) -> None:
        self.session.execute("SELECT pg_advisory_unlock(CAST(? AS BIGINT))", (self.key,))
        self.session.execute("SELECT set_config('application_name', 'codtool', false)")
