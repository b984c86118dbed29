"""The ledger's physical health: the storage engine's own checks, beside the logical invariants.

SQLite: `doctor` runs `PRAGMA quick_check` (every page and b-tree readable and well formed, O(N))
and, with --full, `PRAGMA integrity_check` (also that every index matches its table). A torn or
overwritten page shows here as e.g. "Page 6: btreeInitPage() returns error code 11", while the
invariants, which read only the rows they need, may pass.

PostgreSQL: there is no page-level check to run from a client. The server detects torn pages only
with data checksums (`initdb --data-checksums`, counted in `pg_stat_database.checksum_failures`).
When the amcheck extension is installed in the ledger's database, `bt_index_check` over the
ledger's B-tree indexes is the quick check (and `bt_index_parent_check` with --full); without it
doctor says so plainly and never fails for that reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from codtool.ledger.db import Ledger
from codtool.ledger.session import StorageError

MAX_REPORTED = 20
_PG_INDEXES = (
    "SELECT c.oid, c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
    "JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE a.amname = 'btree' AND n.nspname = current_schema() ORDER BY c.relname"
)


@dataclass(frozen=True)
class PhysicalCheck:
    """What ran, what it found ([] when sound), and a plain note when no check could run."""

    name: str
    damage: list[str]
    note: str = ""


def physical_check(ledger: Ledger, full: bool = False) -> PhysicalCheck:
    """Problems the storage engine finds in the ledger's pages and indexes."""
    if ledger.backend == "postgresql":
        return _postgres_check(ledger, full)
    pragma = "integrity_check" if full else "quick_check"
    try:
        rows = ledger.session.query(f"PRAGMA {pragma}({MAX_REPORTED})")
    except StorageError as exc:
        return PhysicalCheck(pragma, [f"{pragma} could not read the file: {exc}"])
    problems = [" ".join(str(r[0]).split()) for r in rows]  # one line each, for the one-line error
    return PhysicalCheck(pragma, [] if problems == ["ok"] else problems)


def _postgres_check(ledger: Ledger, full: bool) -> PhysicalCheck:
    session = ledger.session
    if session.scalar("SELECT COUNT(*) FROM pg_extension WHERE extname = 'amcheck'") == 0:
        return PhysicalCheck("none", [], "No page-level check on PostgreSQL without the amcheck extension: "
                                         "physical checks rely on the server's data checksums.")
    function = "bt_index_parent_check" if full else "bt_index_check"
    damage = []
    for oid, name in [(r[0], r[1]) for r in session.query(_PG_INDEXES)]:
        try:  # the session is in autocommit mode: a failed check does not spoil the next one
            session.query(f"SELECT {function}(?::regclass, true)", (oid,))
        except StorageError as exc:
            damage.append(f"{name}: {' '.join(str(exc).split())}")
        if len(damage) >= MAX_REPORTED:
            break
    return PhysicalCheck(function, damage)
