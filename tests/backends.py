"""Where test ledgers live: SQLite files under tmp_path, or databases on a PostgreSQL server.

Set CODTOOL_TEST_PG=postgresql://user@host/postgres (any database the user can connect to
and CREATE DATABASE from) and every ledger test runs on both backends; without it the
PostgreSQL half is skipped, except under CI=true where it is an error.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from codtool.ledger import open_ledger, parse_url
from codtool.ledger import postgres as pg

PG_SERVER = os.environ.get("CODTOOL_TEST_PG", "")
SKIP_REASON = "PostgreSQL tests need CODTOOL_TEST_PG=postgresql://user@host/postgres (see README, Development)"

Location = str | Path  # what --db takes: a file path, or a postgresql:// URL


class Backend:
    """Makes, copies and drops ledgers on one backend; drops everything it made when closed."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._made: list[str] = []
        self._empty: str | None = None

    def new(self, tmp_path: Path, name: str = "ledger") -> Location:
        """An empty place for a ledger, not yet created (SQLite) or created but not migrated."""
        if self.name == "sqlite":
            return tmp_path / f"{name}.db"
        return self._database()

    def copy(self, template: Location, tmp_path: Path, name: str = "ledger") -> Location:
        """A fresh copy of a ledger (the template's last connection must be closed)."""
        if self.name == "sqlite":
            target = tmp_path / f"{name}.db"
            target.write_bytes(Path(template).read_bytes())
            return target
        return self._database(template=_dbname(str(template)))

    def exists(self, location: Location) -> bool:
        return self.name != "sqlite" or Path(location).exists()

    def drop(self, location: Location) -> None:
        if self.name != "sqlite":
            pg.drop_database(PG_SERVER, _dbname(str(location)))
            self._made.remove(str(location))

    def close(self) -> None:
        for location in list(self._made):
            self.drop(location)

    def _database(self, template: str | None = None) -> str:
        name = f"codtool_test_{uuid.uuid4().hex[:12]}"
        pg.create_database(PG_SERVER, name, template)
        url = pg.database_url(PG_SERVER, name)
        self._made.append(url)
        return url


def _dbname(url: str) -> str:
    return parse_url(url).target.split("?")[0].rsplit("/", 1)[1]


def migrated(location: Location) -> Location:
    """Create and migrate the ledger at `location` (what `codtool init` does)."""
    open_ledger(location).close()
    return location
