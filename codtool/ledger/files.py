"""Input files `codtool daily` has processed, by content hash (table `daily_files`, migration 0009).

`record` runs inside the transaction that stores the file's data, so the two commit together:
after a kill, a file is either fully in the ledger and known, or absent and unknown.
"""

from __future__ import annotations

from dataclasses import dataclass

from codtool.ledger.db import utc_now
from codtool.ledger.session import Session


@dataclass(frozen=True)
class FileKey:
    """What identifies a processed file: its folder's meaning and its bytes, never its name."""

    kind: str
    scope: str
    sha256: str


def known(session: Session, keys: list[FileKey]) -> set[FileKey]:
    """The keys among `keys` already processed (one read; the table holds one row per file ever seen)."""
    rows = session.query("SELECT kind, scope, sha256 FROM daily_files")
    seen = {FileKey(r[0], r[1], r[2]) for r in rows}
    return {k for k in keys if k in seen}


def record(session: Session, key: FileKey, name: str, size: int, rejected_lines: int) -> bool:
    """Mark the file processed, in the caller's transaction; False when it already was."""
    cur = session.execute(
        "INSERT INTO daily_files (kind, scope, sha256, name, size, rejected_lines, processed_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, scope, sha256) DO NOTHING",
        (key.kind, key.scope, key.sha256, name, size, rejected_lines, utc_now()))
    return cur.rowcount > 0
