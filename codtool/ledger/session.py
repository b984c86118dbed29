"""A backend-neutral handle on one database connection: what every ledger function receives.

Ledger functions take a `Session` and write each statement once, with `?` placeholders; the
session's dialect adapts it. Rows support `row["col"]`, `row[0]`, unpacking and `dict(row)`
on both backends, and driver errors become `StorageError`, so no caller needs a driver.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any, Protocol

from codtool.errors import LedgerError
from codtool.ledger.dialect import Dialect

_MANY_CHUNK = 5_000  # rows per executemany round trip


class StorageError(LedgerError):
    """The database refused or failed a statement (locked, full, corrupt, constraint broken)."""


class Row(Protocol):
    """One result row: by position, by column name, iterable, and `dict(row)`-able."""

    def __getitem__(self, key: int | str) -> Any: ...
    def __iter__(self) -> Iterator[Any]: ...
    def __len__(self) -> int: ...
    def keys(self) -> list[str]: ...


class Result(Protocol):
    """What `Session.execute` returns: a DB-API cursor, read by iteration or fetch*."""

    rowcount: int

    def __iter__(self) -> Iterator[Row]: ...
    def fetchone(self) -> Row | None: ...
    def fetchall(self) -> list[Row]: ...
    def fetchmany(self, size: int = ...) -> list[Row]: ...


class Backend:
    """What one database does its own way beyond DB-API. These are SQLite's ways;
    postgres.PostgresBackend overrides them (COPY, server-side cursors, identity sequences)."""

    def __init__(self, dialect: Dialect, errors: tuple[type[BaseException], ...]) -> None:
        self.dialect = dialect
        self.errors = errors  # the driver's exceptions, turned into StorageError

    def bulk_insert(self, session: Session, table: str, columns: Sequence[str],
                    rows: Iterable[Sequence[Any]], conflict: str | None) -> int:
        return session.executemany(insert_sql(table, columns, conflict), rows)

    def stream(self, session: Session, sql: str, params: Sequence[Any], size: int) -> Iterator[Row]:
        cur = session.execute(sql, params)
        while rows := cur.fetchmany(size):
            yield from rows

    def locked(self, session: Session) -> None:
        """Called once a unit holds the write lock (and after a savepoint is rolled back)."""


class Session:
    """One connection in autocommit mode; `Ledger.transaction()` wraps units of work.

    `bulk_insert` is the one bulk-write path: executemany on SQLite (fast inside one
    transaction), COPY through a scratch table on PostgreSQL (see postgres.py).
    """

    def __init__(self, raw: Any, backend: Backend) -> None:
        self._raw = raw
        self.backend = backend
        self.dialect = backend.dialect
        self._errors = backend.errors

    # --- statements ------------------------------------------------------------------------

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Result:
        try:
            return self._raw.execute(self.dialect.sql(sql), tuple(params))
        except self._errors as exc:
            raise StorageError(f"ledger: {one_line(exc)}") from exc

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        """Run one statement per row; returns how many rows it changed in all.

        Rows are taken in chunks before each is sent: `rows` may be a generator that itself reads
        this ledger (a `stream`), and psycopg holds the connection's lock for the whole of an
        `executemany`, so reading inside it would wait for itself forever."""
        changed, text, source = 0, self.dialect.sql(sql), iter(rows)
        try:
            cur = self._raw.cursor()
            try:
                while chunk := list(islice(source, _MANY_CHUNK)):
                    cur.executemany(text, chunk)
                    changed += max(cur.rowcount, 0)
                return changed
            finally:
                cur.close()
        except self._errors as exc:
            raise StorageError(f"ledger: {one_line(exc)}") from exc

    def script(self, statements: Iterable[str]) -> None:
        """Run DDL (a migration) with this backend's column types, statement by statement."""
        for statement in statements:
            self.execute(self.dialect.ddl(statement))

    # --- reading -----------------------------------------------------------------------------

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        result = self.execute(sql, params)
        try:  # SQLite reads pages while fetching: a damaged file fails here, not in execute
            return result.fetchall()
        except self._errors as exc:
            raise StorageError(f"ledger: {one_line(exc)}") from exc

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        result = self.execute(sql, params)
        try:
            return result.fetchone()
        except self._errors as exc:
            raise StorageError(f"ledger: {one_line(exc)}") from exc

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first column of the first row, or None when there is no row."""
        row = self.one(sql, params)
        return None if row is None else row[0]

    def stream(self, sql: str, params: Sequence[Any] = (), size: int = 5_000) -> Iterator[Row]:
        """Rows of a large result, `size` at a time, without holding them all in memory
        (on PostgreSQL through a server-side cursor)."""
        yield from self.backend.stream(self, sql, params, size)

    def dicts(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Rows as plain dicts: what the order view and --json render."""
        return [dict(r) for r in self.execute(sql, params)]

    # --- writing -----------------------------------------------------------------------------

    def insert_returning_id(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run an INSERT of one row and return its new id (RETURNING, on both backends)."""
        row = self.one(f"{sql} RETURNING id", params)
        assert row is not None, "INSERT ... RETURNING gave no row"
        return int(row[0])

    def bulk_insert(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]],
                    conflict: str | None = None) -> int:
        """Insert many rows in the caller's transaction; with `conflict` (the unique key's
        columns) rows whose key exists are skipped. Returns how many rows were new."""
        return self.backend.bulk_insert(self, table, columns, rows, conflict)

    @contextmanager
    def savepoint(self, name: str) -> Iterator[None]:
        """A nested unit inside a transaction: undo part of a batch without losing the rest."""
        self.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            self.execute(f"ROLLBACK TO SAVEPOINT {name}")
            self.execute(f"RELEASE SAVEPOINT {name}")
            self.backend.locked(self)
            raise
        self.execute(f"RELEASE SAVEPOINT {name}")

    @property
    def raw(self) -> Any:
        """The driver connection, for backend modules in codtool.ledger only."""
        return self._raw

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def one_line(exc: BaseException) -> str:
    """A driver's message on one line (libpq adds hints on further lines)."""
    return " ".join(str(exc).split())


def insert_sql(table: str, columns: Sequence[str], conflict: str | None = None) -> str:
    """`INSERT INTO t (a, b) VALUES (?, ?)`, optionally skipping rows whose `conflict` key exists."""
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    return f"{sql} ON CONFLICT ({conflict}) DO NOTHING" if conflict else sql
