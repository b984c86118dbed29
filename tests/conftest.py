"""Shared helpers: run the CLI against a throw-away ledger, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import os
from pathlib import Path

import helpers
import pytest
from backends import PG_SERVER, SKIP_REASON, Backend, Location, migrated
from helpers import connect

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request):
    """Every test that touches a ledger runs once per backend."""
    if request.param == "postgresql" and not PG_SERVER:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the PostgreSQL tests: CODTOOL_TEST_PG is not set (see .ci/run)")
        pytest.skip(SKIP_REASON)
    made = Backend(request.param)
    yield made
    made.close()


class Ledgers:
    """Ledgers for one test, dropped when it ends (PostgreSQL databases are not temp files)."""

    def __init__(self, backend: Backend, tmp_path: Path) -> None:
        self.backend, self.tmp_path, self._made = backend, tmp_path, []

    def new(self, name: str = "ledger", empty: bool = False) -> Location:
        """A migrated ledger (what `codtool init` makes), or with `empty` only a place for one."""
        location = self._keep(self.backend.new(self.tmp_path, name))
        return location if empty else migrated(location)

    def copy(self, template: Location, name: str = "ledger") -> Location:
        return self._keep(self.backend.copy(template, self.tmp_path, name))

    def exists(self, location: Location) -> bool:
        return self.backend.exists(location)

    def _keep(self, location: Location) -> Location:
        self._made.append(location)
        return location

    def close(self) -> None:
        for location in self._made:
            self.backend.drop(location)


@pytest.fixture
def ledgers(backend: Backend, tmp_path: Path):
    made = Ledgers(backend, tmp_path)
    yield made
    made.close()


@pytest.fixture(autouse=True)
def _invariants_after_every_cli_run(request):
    """helpers.invoke checks the ledger after each CLI run, except in tests that break it on purpose."""
    helpers.CHECK_INVARIANTS = request.node.get_closest_marker("broken_ledger") is None
    yield
    helpers.CHECK_INVARIANTS = True


class Cli:
    """Invoke codtool on one ledger, as a user would from the shell (through helpers.run)."""

    def __init__(self, db: Location) -> None:
        self.db = db

    def __call__(self, *args: str, input: str | None = None, env: dict | None = None):
        return helpers.run(self.db, *map(str, args), input=input, env=env)

    def json(self, *args: str):
        result = self("--json", *args)
        assert result.exit_code == 0, result.output + result.stderr
        return json.loads(result.stdout)

    def sql(self, query: str, *params) -> list[tuple]:
        with connect(self.db) as session:
            return [tuple(r) for r in session.execute(query, params)]


@pytest.fixture
def cli(ledgers: Ledgers):
    """A CLI on a fresh ledger; the runner checks the ledger's invariants after every command."""
    return Cli(ledgers.new())


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES
