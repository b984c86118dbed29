"""The embedded backend: one private SQLite file in WAL mode, the default ledger."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from codtool.errors import LedgerError
from codtool.ledger.dialect import SQLITE
from codtool.ledger.session import Backend, Session

BUSY_TIMEOUT_MS = 60_000
BACKEND = Backend(SQLITE, (sqlite3.Error,))


def _create_private(path: Path) -> None:
    """Create the file readable by its owner only: it holds customers' personal data."""
    if not path.exists():
        if not path.parent.is_dir():
            raise LedgerError(f"{path}: the folder {path.parent} does not exist")
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)


def connect(path: Path) -> Session:
    """Open (creating if needed) the ledger file; waits up to a minute for another writer."""
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
    return Session(conn, BACKEND)


def widen_cache(session: Session) -> None:
    """A bigger page cache for this connection: hashed keys make index inserts random."""
    session.execute("PRAGMA cache_size = -262144")  # KiB: 256 MiB at most, only while this process runs


def split_statements(script: str) -> list[str]:
    """A migration's statements, so it can run inside our own transaction on either backend."""
    found, pending = [], ""
    for line in script.splitlines(keepends=True):
        if not pending and (not line.strip() or line.lstrip().startswith("--")):
            continue
        pending += line
        if sqlite3.complete_statement(pending):
            found.append(pending)
            pending = ""
    return found
