"""The one output path: a rich table for people, JSON on stdout for machines."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table


class Output:
    """Where a command's result goes, decided once from the global options."""

    def __init__(self, as_json: bool = False, quiet: bool = False) -> None:
        self.as_json = as_json
        self.quiet = quiet
        self.console = Console(soft_wrap=False, width=None if sys.stdout.isatty() else 160)
        self.err = Console(stderr=True)

    def emit(self, data: Any, human: Callable[[Console], None]) -> None:
        """JSON alone on stdout with --json; otherwise the human rendering unless --quiet."""
        if self.as_json:
            sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")
        elif not self.quiet:
            human(self.console)

    def note(self, message: str) -> None:
        """A remark for people (never on stdout, so --json stays parseable)."""
        if not self.quiet:
            self.err.print(message, highlight=False)

    @contextmanager
    def progress(self, label: str, total: int):
        """A byte progress bar, only for a person watching a terminal."""
        if self.as_json or self.quiet or not sys.stderr.isatty():
            yield lambda done, total_: None
            return
        bar = Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                       TimeRemainingColumn(), console=self.err, transient=True)
        with bar:
            task = bar.add_task(label, total=total)
            yield lambda done, total_: bar.update(task, completed=done, total=total_, refresh=True)


def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]],
          numeric: Sequence[str] = ()) -> Table:
    """A plain rich table; numeric columns are right-aligned so cents line up."""
    out = Table(title=title, title_justify="left")
    for name in columns:
        out.add_column(name, justify="right" if name in numeric else "left", overflow="fold")
    for row in rows:
        out.add_row(*("" if v is None else str(v) for v in row))
    if not out.row_count:
        out.caption = "(none)"
    return out
