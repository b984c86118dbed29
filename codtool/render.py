"""The one output path: a rich table for people, JSON on stdout for machines."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from rich.console import Console, ConsoleOptions, RenderResult
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table
from rich.text import Text

from codtool.progress import Progress as ProgressCallback
from codtool.progress import no_progress


class Output:
    """Where a command's result goes, decided once from the global options."""

    def __init__(self, as_json: bool = False, quiet: bool = False) -> None:
        self.as_json = as_json
        self.quiet = quiet
        self.console = Console(soft_wrap=False, width=_width())
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
    def progress(self, label: str, total: int | None = None, unit: str = "orders") -> Iterator[ProgressCallback]:
        """A bar on stderr (done of total, rate, time left) fed by a library's `Progress` callback.

        Only for a person watching: hidden by --json and --quiet, and when stderr is not a terminal
        unless CODTOOL_PROGRESS=always. `unit` "bytes" shows sizes; any other word counts items.
        """
        if not self._shows_progress():
            yield no_progress
            return
        console = self.err if self.err.is_terminal else Console(stderr=True, force_terminal=True)
        bar = Progress(*_columns(unit), console=console, transient=True)
        with bar:
            task = bar.add_task(label, total=total)

            def update(done: int, total_: int | None = None, /) -> None:
                known = total_ if total_ is not None else bar.tasks[0].total
                bar.update(task, completed=done, total=None if known is None else max(known, done))

            yield update

    @property
    def watched(self) -> bool:
        """A person sees progress: worth counting a bar's total before the work."""
        return self._shows_progress()

    def _shows_progress(self) -> bool:
        if self.as_json or self.quiet:
            return False
        wanted = os.environ.get("CODTOOL_PROGRESS", "auto").strip().lower()
        if wanted in ("always", "never"):
            return wanted == "always"
        return _terminal()


class _Rate(ProgressColumn):
    """Items per second, in the bar's own unit: '12,345 orders/s'."""

    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.0f} {self.unit}/s", style="progress.data.speed")


def _columns(unit: str) -> list[ProgressColumn]:
    """Label, bar, how far (bytes or 'done/total orders'), rate, time left, time spent."""
    if unit == "bytes":
        counted: list[ProgressColumn] = [DownloadColumn(), TransferSpeedColumn()]
    else:
        counted = [MofNCompleteColumn(), TextColumn(unit), _Rate(unit)]
    return [TextColumn("{task.description}"), BarColumn(), *counted, TimeRemainingColumn(), TimeElapsedColumn()]


# Cells that must never break inside: ids, amounts, phones, tracking numbers, dates.
KEEP_WHOLE = frozenset({"id", "order", "order_id", "source_id", "batch", "batch_id", "cluster", "phone", "e164",
                        "phone_e164", "phone_national", "tracking_number", "created_at", "imported_at", "line",
                        "keep", "order_a", "order_b", "currency", "status", "country"})
_AMOUNT = re.compile(r"^(-?)(\d{4,})(\.\d{1,4})?( [A-Z]{3})?$")


def _terminal() -> bool:
    """Progress is drawn only for a person watching stderr."""
    return sys.stderr.isatty()


def _width() -> int | None:
    """A terminal's own width, else COLUMNS when set (rich reads it), else 160 for pipes and files."""
    if sys.stdout.isatty() or os.environ.get("COLUMNS", "").isdigit():
        return None
    return 160


def grouped_amount(text: str) -> str:
    """'3794160.70 EUR' -> '3,794,160.70 EUR' for people; JSON and files keep the plain form."""
    match = _AMOUNT.match(text)
    if not match or match.group(3) is None:
        return text
    sign, whole, frac, currency = match.groups()
    return f"{sign}{int(whole):,}{frac}{currency or ''}"


_TEXT_MIN = 10  # narrowest a free-text column may get before it is dropped instead


class FitTable:
    """A table that fits the console: ids, amounts and phones stay whole; when the width is too
    small, free-text columns are dropped from the right (then others), and a caption says which."""

    def __init__(self, title: str | None, columns: Sequence[str], cells: list[list[str]],
                 numeric: Sequence[str], drop_first: Sequence[str] = ()) -> None:
        self.title, self.columns, self.cells, self.numeric = title, list(columns), cells, set(numeric)
        self.drop_first = [self.columns.index(c) for c in drop_first if c in self.columns]

    @property
    def row_count(self) -> int:
        return len(self.cells)

    def _need(self, index: int) -> int:
        name = self.columns[index]
        longest = max((len(line) for row in self.cells for line in row[index].splitlines() or [""]), default=0)
        if self._whole(name):
            return min(max(longest, len(name)), 24) + 3
        return min(max(longest, len(name)), _TEXT_MIN) + 3

    def _whole(self, name: str) -> bool:
        return name in self.numeric or name in KEEP_WHOLE

    def kept(self, width: int) -> list[int]:
        """Indexes of the columns shown at `width`: text columns go first, rightmost first."""
        keep = list(range(len(self.columns)))
        # The first column names the row (order, group, shop): it is never left out.
        order = self.drop_first + [i for i in reversed(keep[1:]) if not self._whole(self.columns[i])] + \
            [i for i in reversed(keep[2:]) if self._whole(self.columns[i])]
        order = list(dict.fromkeys(order))
        for index in order:
            if sum(self._need(i) for i in keep) + 1 <= width:
                break
            keep.remove(index)
        return keep

    def build(self, width: int) -> Table:
        keep = self.kept(width)
        out = Table(title=self.title, title_justify="left")
        for i in keep:
            name = self.columns[i]
            whole = self._whole(name)
            out.add_column(name, justify="right" if name in self.numeric else "left", no_wrap=whole,
                           min_width=self._need(i) - 3 if whole else None, overflow="fold")
        for row in self.cells:
            out.add_row(*(row[i] for i in keep))
        dropped = [self.columns[i] for i in range(len(self.columns)) if i not in keep]
        if not self.cells:
            out.caption = "(none)"
        elif dropped:
            out.caption = f"not shown at this width: {', '.join(dropped)} (widen the terminal or use --json)"
        return out

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.build(options.max_width)


def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]],
          numeric: Sequence[str] = (), drop_first: Sequence[str] = ()) -> FitTable:
    """The one table for people: numeric columns right-aligned so cents line up, amounts grouped;
    `drop_first` names the least important columns, left out first when the width is short."""
    cells = [["" if v is None else grouped_amount(str(v)) for v in row] for row in rows]
    return FitTable(title, columns, cells, numeric, drop_first)
