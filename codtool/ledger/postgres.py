"""The server backend: PostgreSQL through psycopg 3 (`pip install 'codtool[postgres]'`)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from codtool.errors import LedgerError
from codtool.ledger.dialect import POSTGRESQL
from codtool.ledger.session import Backend, Session, StorageError, one_line
from codtool.ledger.url import LedgerUrl

LOCK_TIMEOUT = "60s"  # as long as SQLite's busy timeout: a second writer queues, then fails clearly
COPY_FROM = 200       # fewer rows go through executemany; more through COPY
_BOOL_OID = 16
_CURSORS = itertools.count(1)  # names for server-side cursors, unique per process


def _driver() -> Any:
    try:
        import psycopg
    except ImportError as exc:
        raise LedgerError("PostgreSQL ledgers need psycopg: pip install 'codtool[postgres]'") from exc
    return psycopg


class PgRow:
    """A row like sqlite3.Row: by index, by name, iterable, dict()-able. Booleans read as 0/1
    as they do on SQLite, so the same code and --json output serve both backends."""

    __slots__ = ("_values", "_index")

    def __init__(self, values: tuple, index: dict[str, int]) -> None:
        self._values, self._index = values, index

    def __getitem__(self, key: int | str) -> Any:
        return self._values[self._index[key]] if isinstance(key, str) else self._values[key]

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def keys(self) -> list[str]:
        return list(self._index)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PgRow) and (self._values, self._index) == (other._values, other._index)

    def __hash__(self) -> int:
        return hash(self._values)

    def __repr__(self) -> str:
        return f"PgRow({dict(self)})"


def _row_factory(cursor: Any):
    desc = cursor.description or []
    index: dict[str, int] = {}
    for i, column in enumerate(desc):
        index.setdefault(column.name, i)  # as in sqlite3.Row, the first of a repeated name wins
    flags = [i for i, c in enumerate(desc) if c.type_code == _BOOL_OID]

    def make(values: Sequence[Any]) -> PgRow:
        if flags:
            values = list(values)
            for i in flags:
                if values[i] is not None:
                    values[i] = int(values[i])
        return PgRow(tuple(values), index)

    return make


def connect(url: LedgerUrl) -> Session:
    psycopg = _driver()
    try:
        conn = psycopg.connect(url.target, autocommit=True, row_factory=_row_factory)
        conn.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
    except psycopg.Error as exc:
        raise LedgerError(f"{url}: cannot open the PostgreSQL ledger ({one_line(exc)})") from exc
    conn.adapters.register_dumper(bool, _bool_dumper(psycopg))
    return Session(conn, PostgresBackend(POSTGRESQL, (psycopg.Error,)))


def _bool_dumper(psycopg: Any) -> type:
    """Python booleans go in as 0/1, as sqlite3 stores them: flags are INTEGER columns on both."""

    class BoolAsInt(psycopg.adapt.Dumper):
        oid = psycopg.postgres.types["int8"].oid

        def dump(self, obj: bool) -> bytes:
            return b"1" if obj else b"0"

    return BoolAsInt


_IDENTITY_COLUMNS = ("SELECT table_name, column_name FROM information_schema.columns "
                     "WHERE table_schema = current_schema() AND is_identity = 'YES' ORDER BY table_name")


class PostgresBackend(Backend):
    """COPY for bulk writes, server-side cursors for large reads, ids assigned as on SQLite."""

    def bulk_insert(self, session: Session, table: str, columns: Sequence[str],
                    rows: Iterable[Sequence[Any]], conflict: str | None) -> int:
        """COPY into a scratch table, then one INSERT ... SELECT (COPY itself cannot skip conflicts)."""
        rows = list(rows)
        if len(rows) < COPY_FROM:
            return super().bulk_insert(session, table, columns, rows, conflict)
        cols = ", ".join(columns)
        scratch = f"_bulk_{table}"
        session.execute(f"CREATE TEMP TABLE {scratch} ON COMMIT DROP AS SELECT {cols} FROM {table} WITH NO DATA")
        try:
            with session.raw.cursor() as cur, cur.copy(f"COPY {scratch} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        except self.errors as exc:
            raise StorageError(f"ledger: {one_line(exc)}") from exc
        on_conflict = f" ON CONFLICT ({conflict}) DO NOTHING" if conflict else ""
        new = session.execute(
            f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {scratch} ORDER BY ctid{on_conflict}").rowcount
        session.execute(f"DROP TABLE {scratch}")
        return max(new, 0)

    def stream(self, session: Session, sql: str, params: Sequence[Any], size: int) -> Iterator[Any]:
        """A server-side cursor (WITH HOLD, so it also works outside a transaction)."""
        try:
            with session.raw.cursor(name=f"codtool_stream_{next(_CURSORS)}", withhold=True) as cur:
                cur.execute(session.dialect.sql(sql), tuple(params))
                while rows := cur.fetchmany(size):
                    yield from rows
        except self.errors as exc:
            raise StorageError(f"ledger: {one_line(exc)}") from exc

    def locked(self, session: Session) -> None:
        """Under the write lock, set each identity sequence to MAX(id) + 1, as SQLite assigns rowids.

        Without this, ids consumed by rolled-back work (an importer's retried read, an
        interrupted run) would leave gaps, and the same files would get other order ids on
        PostgreSQL than on SQLite. Safe because every codtool writer holds the same lock.
        """
        parts = [f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                 f"COALESCE(MAX({column}), 0) + 1, false) FROM {table}"
                 for table, column in session.query(_IDENTITY_COLUMNS)]
        if parts:
            session.execute(" UNION ALL ".join(parts))


def create_database(server_url: str, name: str, template: str | None = None) -> None:
    """CREATE DATABASE (from a template: a fast copy of a migrated or imported ledger)."""
    psycopg = _driver()
    with psycopg.connect(server_url, autocommit=True) as conn:
        clause = (f' TEMPLATE "{template}"' if template
                  else " TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'")
        conn.execute(f'CREATE DATABASE "{name}"{clause}')


def drop_database(server_url: str, name: str) -> None:
    psycopg = _driver()
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_url(server_url: str, name: str) -> str:
    """The URL of another database on the same server (same user, host and options)."""
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path=f"/{name}"))
