"""The ledger's physical health: SQLite's own page-level checks, beside the logical invariants.

`doctor` runs `PRAGMA quick_check` (every page and b-tree readable and well formed, O(N)) and, with
--full, `PRAGMA integrity_check` (also that every index matches its table). A torn or overwritten
page shows here as e.g. "Page 6: btreeInitPage() returns error code 11", while the invariants,
which read only the rows they need, may pass.

PostgreSQL equivalent, for the server backend: the server keeps pages consistent itself and detects
torn pages only with data checksums enabled (`initdb --data-checksums`, reported in
`pg_stat_database.checksum_failures`); the amcheck extension gives the closest per-object check:
`SELECT bt_index_check(c.oid, true)` over the ledger's B-tree indexes for quick, and
`bt_index_parent_check(c.oid, true)` plus `verify_heapam(c.oid)` (PostgreSQL 14+) for --full.
"""

from __future__ import annotations

import sqlite3

from codtool.ledger.db import Ledger

MAX_REPORTED = 20


def physical_check(ledger: Ledger, full: bool = False) -> list[str]:
    """Problems SQLite finds in the file's pages and indexes; [] when the file is sound."""
    pragma = "integrity_check" if full else "quick_check"
    try:
        rows = ledger.conn.execute(f"PRAGMA {pragma}({MAX_REPORTED})").fetchall()
    except sqlite3.DatabaseError as exc:
        return [f"{pragma} could not read the file: {exc}"]
    problems = [" ".join(str(r[0]).split()) for r in rows]  # one line each, for the one-line error
    return [] if problems == ["ok"] else problems
