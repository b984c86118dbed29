"""Opening, migrating and transacting on the SQLite ledger file."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from codtool.errors import LedgerError

BUSY_TIMEOUT_MS = 60_000


def utc_now() -> str:
    """Timestamps are stored as ISO 8601 UTC text: sortable and portable."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Ledger:
    """A connection to the ledger with explicit, write-locking transactions."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Take the write lock up front so overlapping runs queue instead of failing late.

        Any exception, KeyboardInterrupt included, rolls the whole unit back.
        """
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise LedgerError(f"{self.path}: cannot lock the ledger ({exc})") from exc
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    @contextmanager
    def savepoint(self, name: str) -> Iterator[None]:
        """A nested unit inside a transaction: undo part of a batch without losing the rest."""
        self.conn.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            self.conn.execute(f"ROLLBACK TO {name}")
            self.conn.execute(f"RELEASE {name}")
            raise
        self.conn.execute(f"RELEASE {name}")

    def close(self) -> None:
        self.conn.close()


def _create_private(path: Path) -> None:
    """Create the file readable by its owner only: it holds customers' personal data."""
    if not path.exists():
        if not path.parent.is_dir():
            raise LedgerError(f"{path}: the folder {path.parent} does not exist")
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)


def open_ledger(path: str | os.PathLike[str]) -> Ledger:
    """Open (creating if needed) and migrate the ledger; safe to call from two processes."""
    path = Path(path)
    if path.is_dir():
        raise LedgerError(f"{path}: is a directory, not a ledger file")
    old_umask = os.umask(0o077)
    try:
        _create_private(path)
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as exc:
        raise LedgerError(f"{path}: not a codtool ledger ({exc})") from exc
    finally:
        os.umask(old_umask)
    ledger = Ledger(conn, path)
    migrate(ledger)
    return ledger


def _migrations() -> list[tuple[int, str, str]]:
    found = []
    for entry in resources.files("codtool.ledger.migrations").iterdir():
        if entry.name.endswith(".sql"):
            version, _, name = entry.name.removesuffix(".sql").partition("_")
            found.append((int(version), name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def _statements(script: str) -> Iterator[str]:
    """Split a migration into statements so it can run inside our own transaction."""
    pending = ""
    for line in script.splitlines(keepends=True):
        if not pending and (not line.strip() or line.lstrip().startswith("--")):
            continue
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending
            pending = ""


def migrate(ledger: Ledger) -> list[int]:
    """Apply pending migrations, each atomically with its record in schema_migrations."""
    conn = ledger.conn
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    applied = []
    for version, name, script in _migrations():
        if _is_applied(conn, version):
            continue
        with ledger.transaction():
            if _is_applied(conn, version):  # another process won the race
                continue
            for statement in _statements(script):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (version, name, utc_now()),
            )
            applied.append(version)
    return applied


def _is_applied(conn: sqlite3.Connection, version: int) -> bool:
    row = conn.execute("SELECT 1 FROM schema_migrations WHERE version = ?", (version,)).fetchone()
    return row is not None


def dicts(conn: sqlite3.Connection, sql: str, params: tuple | list = ()) -> list[dict]:
    """Query rows as plain dicts: what the order view and --json render."""
    return [dict(r) for r in conn.execute(sql, params)]


def schema_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
    return int(row[0] or 0)
