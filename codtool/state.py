"""What every command shares: global options and the lazily opened ledger.

Kept apart from cli.py so command modules import it without importing the app that
registers them (no cli <-> commands import cycle).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import typer

from codtool.config import Config, load_config
from codtool.errors import CodtoolError
from codtool.ledger import Ledger, open_ledger
from codtool.ledger.db import refuse_missing_file
from codtool.ledger.permissions import check_writable
from codtool.ledger.url import parse_url
from codtool.render import Output


class LinesRejected(CodtoolError):
    """Some input lines were rejected and --strict asks for that to fail the run."""


# What Ctrl-C leaves, said on one line after "Interrupted: "; long commands say it for themselves.
INTERRUPTED = ("the batch in progress was rolled back, nothing of it recorded (with --strict, nothing of this "
               "run); earlier batches stay.")


@dataclass
class State:
    """Global options and the lazily opened ledger, shared by every command."""

    db: str  # a file path, sqlite:///path or postgresql://... (see codtool.ledger.url)
    output: Output
    strict: bool = False
    config_file: Path | None = None
    create: bool = False  # only `codtool init` may create a ledger; every other command needs one
    interrupted: str = INTERRUPTED  # what a Ctrl-C during this command rolled back
    _ledger: Ledger | None = field(default=None, repr=False)
    _config: Config | None = field(default=None, repr=False)

    def config(self) -> Config:
        """The configuration, read on first use so commands that need none never fail on it."""
        if self._config is None:
            self._config = load_config(self.config_file)
        return self._config

    def on_interrupt(self, rolled_back: str) -> None:
        """Say what Ctrl-C during this command leaves behind (the CLI edge prints it, exit 130)."""
        self.interrupted = rolled_back

    def finish(self, rejected: int, what: str) -> None:
        """Lines refused by a command that otherwise ran: fatal only with --strict (for cron).

        Raised inside `all_or_nothing()`, so the batch is rolled back before the error shows.
        """
        if rejected and self.strict:
            raise LinesRejected(f"{what}: {rejected} line(s) rejected or reported (--strict): "
                                "rolled back, nothing recorded; see the output")

    @contextmanager
    def all_or_nothing(self) -> Iterator[None]:
        """With --strict, the command's writes commit only if `finish` finds no rejected line."""
        if not self.strict:
            yield
            return
        with self.ledger().held():
            yield

    def ledger(self) -> Ledger:
        if self._ledger is None:
            if not self.create:
                refuse_missing_file(parse_url(self.db))
            check_writable(self.db)
            self._ledger = open_ledger(self.db, create=self.create)
        return self._ledger

    def close(self) -> None:
        if self._ledger is not None:
            self._ledger.close()


def state_of(ctx: typer.Context) -> State:
    return ctx.find_root().obj
