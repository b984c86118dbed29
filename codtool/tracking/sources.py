"""Reading the stage's CSV inputs (manifests, courier files, NDR decisions) through the one CSV reader.

Each input names its columns by candidates (couriers and warehouses label them in Italian or
English); the first header present wins. Dates are read day-first, as Italian files write them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path

from codtool.dates import local_iso
from codtool.errors import InputFileError
from codtool.importing.profiles import fold
from codtool.importing.source import Chunk, SourceFile, inspect_file, read_chunks, read_header


class Table:
    """A CSV file or XLSX sheet opened for reading: its header resolved to column positions."""

    def __init__(self, path: Path, wanted: Mapping[str, Sequence[str]], required: Sequence[str],
                 sheet: str | None = None) -> None:
        self.path = path
        self.source: SourceFile = inspect_file(path, sheet)
        self.header_line = read_header(self.source)
        self.header = self.header_line.cells
        self.columns = resolve_columns(path, self.header, wanted, required)

    def chunks(self, chunk_rows: int = 50_000) -> Iterator[Chunk]:
        return read_chunks(self.source, self.header_line, chunk_rows)

    def records(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(line, {field: stripped cell}) for every data line; absent optional fields are ''."""
        for chunk in self.chunks():
            for line, row in zip(chunk.lines, chunk.rows, strict=True):
                yield line, {f: (row[i].strip() if i is not None and i < len(row) else "")
                             for f, i in self.columns.items()}


def resolve_columns(path: Path, header: Sequence[str], wanted: Mapping[str, Sequence[str]],
                    required: Sequence[str]) -> dict[str, int | None]:
    """Position of each field's first candidate present in the header; missing required ones fail."""
    positions = {fold(h): i for i, h in reversed(list(enumerate(header)))}
    found: dict[str, int | None] = {}
    for name, candidates in wanted.items():
        found[name] = next((positions[fold(c)] for c in candidates if fold(c) in positions), None)
    missing = [n for n in required if found.get(n) is None]
    if missing:
        hints = "; ".join(f"{n}: one of {', '.join(repr(c) for c in wanted[n])}" for n in missing)
        raise InputFileError(path, f"missing column(s) {hints}", 1)
    return found


def parse_when(text: str, formats: tuple[str, ...] = ()) -> str | None:
    """A courier timestamp as sortable ISO text (courier local time), or None if unreadable."""
    return local_iso(text, formats)


@lru_cache(maxsize=4096)
def parse_day(text: str) -> str | None:
    """A calendar day (YYYY-MM-DD) from ISO or day-first text."""
    when = parse_when(text)
    return when[:10] if when else None


def today() -> str:
    return date.today().isoformat()
