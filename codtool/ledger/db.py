"""Opening, migrating and transacting on the ledger, on SQLite or PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from importlib import resources

from codtool.errors import LedgerError
from codtool.ledger import sqlite
from codtool.ledger.session import Session, StorageError
from codtool.ledger.url import LedgerUrl, parse_url

MIGRATIONS_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_migrations "
    "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
)


def utc_now() -> str:
    """Timestamps are stored as ISO 8601 UTC text: sortable and portable."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Ledger:
    """An open ledger: its session, and explicit write-locking transactions."""

    def __init__(self, session: Session, url: LedgerUrl) -> None:
        self.session = session
        self.url = url
        self._holding = False  # inside held(): transactions join one unit committed at its end
        self._open = False  # held() has begun that unit

    @property
    def backend(self) -> str:
        return self.session.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Take the write lock up front so overlapping runs queue instead of failing late.

        SQLite: BEGIN IMMEDIATE. PostgreSQL: one transaction-scoped advisory lock shared by
        every codtool writer. Any exception, KeyboardInterrupt included, rolls the unit back.
        """
        if not self._open:
            self._begin()
        try:
            yield self.session
        except BaseException:
            self._open = False
            self._rollback_quietly()
            raise
        if self._holding:
            self._open = True
        else:
            self.session.execute("COMMIT")

    def _begin(self) -> None:
        try:
            for statement in self.session.dialect.begin:
                self.session.execute(statement)
            self.session.backend.locked(self.session)
        except StorageError as exc:
            self._rollback_quietly()
            raise LedgerError(f"{self.url}: cannot lock the ledger ({exc.__cause__ or exc})") from exc

    @contextmanager
    def held(self) -> Iterator[None]:
        """Every transaction inside joins one unit, committed only if the block ends normally.

        What `--strict` needs: the command sees the whole result (every file of it) before
        deciding, and any rejected line rolls all of it back.
        """
        self._holding = True
        try:
            yield
        except BaseException:
            if self._open:
                self._rollback_quietly()
            raise
        else:
            if self._open:
                self.session.execute("COMMIT")
        finally:
            self._holding = self._open = False

    def _rollback_quietly(self) -> None:
        # Nothing may be open, or the connection may be gone: the server then rolls back itself.
        with suppress(StorageError):
            self.session.execute("ROLLBACK")

    def savepoint(self, name: str):
        return self.session.savepoint(name)

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def connect(url: LedgerUrl) -> Session:
    """A session on the ledger, not yet migrated."""
    if url.backend == "postgresql":
        from codtool.ledger import postgres

        return postgres.connect(url)
    return sqlite.connect(url.path)


class NoLedger(LedgerError):
    """The --db names no ledger: a missing file, or a database without codtool's schema."""


def _no_ledger(url: LedgerUrl) -> NoLedger:
    return NoLedger(f"no ledger at {url}: run `codtool init --db {url}`")


def refuse_missing_file(url: LedgerUrl) -> None:
    """A SQLite ledger must exist before anything but `init` opens it (connecting would create it)."""
    if url.backend == "sqlite" and not url.path.exists():
        raise _no_ledger(url)


def open_ledger(location: str | os.PathLike[str] | LedgerUrl, create: bool = True) -> Ledger:
    """Open and migrate the ledger; safe to call from two processes.

    `create=False` (every command but `init`) refuses a ledger that does not exist, so a
    typo in --db is an error instead of a new, empty ledger that reports "0 orders".
    """
    url = location if isinstance(location, LedgerUrl) else parse_url(location)
    if not create:
        refuse_missing_file(url)
    ledger = Ledger(connect(url), url)
    try:
        if not create and ledger.session.one(ledger.session.dialect.table_exists, ("schema_migrations",)) is None:
            raise _no_ledger(url)
        migrate(ledger)
    except BaseException:
        ledger.close()
        raise
    return ledger


def _migrations() -> list[tuple[int, str, str]]:
    found = []
    for entry in resources.files("codtool.ledger.migrations").iterdir():
        if entry.name.endswith(".sql"):
            version, _, name = entry.name.removesuffix(".sql").partition("_")
            found.append((int(version), name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def migrate(ledger: Ledger) -> list[int]:
    """Apply pending migrations, each atomically with its record in schema_migrations.

    Reads first without the write lock, so opening an up-to-date ledger never waits for a
    running import.
    """
    session = ledger.session
    if session.one(session.dialect.table_exists, ("schema_migrations",)) is None:
        with ledger.transaction():
            session.script([MIGRATIONS_TABLE])
    done = _applied(session)
    applied = []
    for version, name, script in _migrations():
        if version in done:
            continue
        with ledger.transaction():
            if version in _applied(session):  # another process won the race
                continue
            session.script(sqlite.split_statements(script))
            session.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                            (version, name, utc_now()))
            applied.append(version)
    return applied


def _applied(session: Session) -> set[int]:
    return {int(r[0]) for r in session.execute("SELECT version FROM schema_migrations")}


def dicts(session: Session, sql: str, params: tuple | list = ()) -> list[dict]:
    """Query rows as plain dicts: what the order view and --json render."""
    return session.dicts(sql, params)


def schema_version(session: Session) -> int:
    return int(session.scalar("SELECT MAX(version) FROM schema_migrations") or 0)


def table_contents(session: Session) -> dict[str, list[tuple]]:
    """Every table's rows as tuples, whatever the backend: what tests compare before and after a run."""
    names = [r[0] for r in session.query(session.dialect.table_names)]
    return {name: [tuple(row) for row in session.query(f'SELECT * FROM "{name}"')] for name in names}
