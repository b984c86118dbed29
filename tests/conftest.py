"""Shared helpers: run the CLI against a throw-away ledger, read results as JSON."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from codtool.cli import app

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


class Cli:
    """Invoke codtool on one ledger file, as a user would from the shell."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None):
        return self.runner.invoke(app, ["--db", str(self.db), *map(str, args)], input=input)

    def json(self, *args: str):
        result = self("--json", *args)
        assert result.exit_code == 0, result.output + result.stderr
        return json.loads(result.stdout)

    def sql(self, query: str, *params) -> list[tuple]:
        with sqlite3.connect(self.db) as conn:
            return conn.execute(query, params).fetchall()


@pytest.fixture
def cli(tmp_path: Path):
    """A CLI on a fresh ledger; whatever the test did, the ledger's invariants must hold after."""
    runner = Cli(tmp_path / "ledger.db")
    yield runner
    if runner.db.exists():
        from codtool.ledger import open_ledger
        from codtool.ledger.invariants import check_invariants

        ledger = open_ledger(runner.db)
        try:
            assert check_invariants(ledger.conn) == []
        finally:
            ledger.close()


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES
