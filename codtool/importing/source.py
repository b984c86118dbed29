"""Decoding and sniffing real-world CSV files, then streaming their records with line numbers.

Files come from Shopify (UTF-8), Italian Excel (cp1252, `;`), plugins (BOM, CRLF):
everything is read as text so CAPs, phones and tracking numbers keep their digits.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from codtool.errors import InputFileError

_BLOCK = 1 << 20
_DELIMITERS = (",", ";", "\t", "|")
csv.field_size_limit(1 << 24)


@dataclass(frozen=True)
class SourceFile:
    """What we learned about a file before reading its rows."""

    path: Path
    sha256: str
    encoding: str
    delimiter: str
    size: int
    lines: int  # physical lines, counting a last line without a newline


def inspect_file(path: Path) -> SourceFile:
    """Hash the file, check it is text, and choose its encoding and delimiter in one pass."""
    if not path.exists():
        raise InputFileError(path, "no such file")
    if not path.is_file():
        raise InputFileError(path, "not a regular file")
    digest, utf8_ok, head, size, lines = _scan(path)
    if size == 0 or not head.strip(b"\xef\xbb\xbf \t\r\n"):
        raise InputFileError(path, "the file is empty")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"  # Excel's "Unicode text" export
    elif b"\x00" in head:
        raise InputFileError(path, "looks like a binary file, not a CSV export (NUL bytes)")
    elif not _looks_like_text(head):
        raise InputFileError(path, "cannot decode the file as UTF-8 or Windows-1252 text")
    elif head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    else:
        encoding = "utf-8" if utf8_ok else "cp1252"
    delimiter = _sniff_delimiter(head[:65534].decode(encoding, errors="replace"))
    return SourceFile(path, digest, encoding, delimiter, size, lines)


def _scan(path: Path) -> tuple[str, bool, bytes, int, int]:
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8_ok, head, size, lines, last = True, b"", 0, 0, b"\n"
    with path.open("rb") as raw:
        while block := raw.read(_BLOCK):
            if not head:
                head = block[:65536]
            digest.update(block)
            size += len(block)
            lines += block.count(b"\n")
            last = block[-1:]
            if utf8_ok:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    utf8_ok = False
    if utf8_ok:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_ok = False
    return digest.hexdigest(), utf8_ok, head, size, lines + (last != b"\n")


def _looks_like_text(head: bytes) -> bool:
    """cp1252 (and UTF-8) decode control bytes: refuse files full of them instead."""
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls <= len(head) // 100


def _sniff_delimiter(text: str) -> str:
    """Count candidates on the header line: the sniffer in `csv` guesses wrong on short files."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


class ExactReaderNeeded(Exception):
    """The fast reader cannot vouch for line numbers or field counts: re-read exactly."""


@dataclass
class Header:
    """The header cells (stray spaces folded) and the physical line it ends on."""

    cells: list[str]
    end_line: int
    single_line: bool


@dataclass
class Chunk:
    """A slice of records: physical line numbers (1-based), fields per record, and the cells.

    `frame` has one object column per position (0..width-1, more for over-long records).
    """

    lines: list[int]
    widths: np.ndarray
    frame: pd.DataFrame
    bytes_read: int

    @property
    def rows(self) -> list[list[str]]:
        """Records as lists of cells, for readers that work row by row."""
        return [row[:width] for row, width in zip(self.frame.to_numpy().tolist(), self.widths, strict=True)]


def read_header(source: SourceFile) -> Header:
    with _open_text(source) as text:
        reader = csv.reader(text, delimiter=source.delimiter)
        previous_end = 0
        for row in reader:
            if any(cell.strip() for cell in row):
                cells = [" ".join(cell.split()) for cell in row]
                return Header(cells, reader.line_num, reader.line_num == previous_end + 1)
            previous_end = reader.line_num
    raise InputFileError(source.path, "the file has no header line")


def read_chunks(source: SourceFile, header: Header, chunk_rows: int = 50_000,
                exact: bool = True) -> Iterator[Chunk]:
    """Stream records in chunks so memory stays flat whatever the file size.

    With exact=False the fast path is pandas' C parser; it raises ExactReaderNeeded
    (possibly after some chunks were yielded) when a record spans lines or has too many
    fields, because then only the line-tracking `csv` reader can give every row its true
    line number. Callers that cannot undo what they did with earlier chunks keep exact=True.
    """
    fast = not exact and source.encoding != "utf-16" and header.single_line
    reader = _fast_chunks if fast else _exact_chunks
    yield from reader(source, header, chunk_rows)


def _fast_chunks(source: SourceFile, header: Header, chunk_rows: int) -> Iterator[Chunk]:
    width, next_line, records = len(header.cells), header.end_line + 1, 0
    with source.path.open("rb") as raw, warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)
        try:
            parts = pd.read_csv(raw, encoding=source.encoding, sep=source.delimiter, header=None,
                                names=range(width), skiprows=header.end_line, dtype=object,
                                na_filter=False, skip_blank_lines=False, index_col=False,
                                chunksize=chunk_rows, engine="c")
            for part in parts:
                lines = np.arange(next_line, next_line + len(part))
                next_line += len(part)
                records += len(part)
                keep = _not_blank(part)
                if not keep.all():
                    part, lines = part[keep].reset_index(drop=True), lines[keep]
                yield Chunk(lines.tolist(), np.full(len(part), width), part, raw.tell())
        except (pd.errors.ParserError, pd.errors.ParserWarning, UnicodeDecodeError) as exc:
            raise ExactReaderNeeded(str(exc)) from exc
    if header.end_line + records != source.lines:
        raise ExactReaderNeeded("a record spans several lines")


def _not_blank(part: pd.DataFrame) -> np.ndarray:
    """Blank lines and rows of bare delimiters carry nothing; every other row is kept."""
    keep = (part[0] != "").to_numpy(copy=True)
    doubtful = np.flatnonzero(~keep)  # only rows with an empty first cell need a full look
    if len(doubtful):
        keep[doubtful] = (part.iloc[doubtful] != "").any(axis=1).to_numpy()
    return keep


def _exact_chunks(source: SourceFile, header: Header, chunk_rows: int) -> Iterator[Chunk]:
    width = len(header.cells)
    with source.path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding=source.encoding, newline="")
        reader = csv.reader(text, delimiter=source.delimiter)
        previous_end, lines, rows = 0, [], []
        try:
            for row in reader:
                start, previous_end = previous_end + 1, reader.line_num
                if start <= header.end_line or not any(row):  # header, blank line or bare delimiters
                    continue
                lines.append(start)
                rows.append(_fit(row, width))
                if len(rows) >= chunk_rows:
                    yield _chunk(lines, rows, width, raw.tell())
                    lines, rows = [], []
        except csv.Error as exc:
            raise InputFileError(source.path, f"malformed CSV ({exc})", reader.line_num) from exc
        yield _chunk(lines, rows, width, source.size)


def _chunk(lines: list[int], rows: list[list[str]], width: int, bytes_read: int) -> Chunk:
    widths = [len(r) for r in rows]
    widest = max(widths, default=width)
    if widest > width:  # over-long records are kept whole, to be rejected with their cells
        rows = [r + [""] * (widest - len(r)) for r in rows]
    frame = pd.DataFrame(rows, columns=range(widest), dtype=object)
    return Chunk(lines, np.array(widths, dtype=int), frame, bytes_read)


def _fit(row: list[str], width: int) -> list[str]:
    """Pad short rows; keep long ones long so the caller can reject them by line."""
    if len(row) < width:
        return row + [""] * (width - len(row))
    if len(row) > width and not any(cell.strip() for cell in row[width:]):
        return row[:width]
    return row


def _open_text(source: SourceFile) -> io.TextIOWrapper:
    return source.path.open(encoding=source.encoding, newline="")
