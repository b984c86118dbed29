"""Decoding and sniffing real-world CSV files, then streaming their records with line numbers.

Files come from Shopify (UTF-8), Italian Excel (cp1252, `;`), plugins (BOM, CRLF):
everything is read as text so CAPs, phones and tracking numbers keep their digits.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

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


def inspect_file(path: Path) -> SourceFile:
    """Hash the file, check it is text, and choose its encoding and delimiter in one pass."""
    if not path.exists():
        raise InputFileError(path, "no such file")
    if not path.is_file():
        raise InputFileError(path, "not a regular file")
    digest, utf8_ok, head, size = _scan(path)
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
    return SourceFile(path, digest, encoding, delimiter, size)


def _scan(path: Path) -> tuple[str, bool, bytes, int]:
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8_ok, head, size = True, b"", 0
    with path.open("rb") as raw:
        while block := raw.read(_BLOCK):
            if not head:
                head = block[:65536]
            digest.update(block)
            size += len(block)
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
    return digest.hexdigest(), utf8_ok, head, size


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


@dataclass
class Chunk:
    """A slice of records: physical line numbers (1-based) and cells padded to the header."""

    lines: list[int]
    rows: list[list[str]]
    bytes_read: int


def read_header(source: SourceFile) -> list[str]:
    """The header cells, stripped of stray spaces (Excel leaves them in)."""
    with _open_text(source) as text:
        for row in csv.reader(text, delimiter=source.delimiter):
            if any(cell.strip() for cell in row):
                return [" ".join(cell.split()) for cell in row]
    raise InputFileError(source.path, "the file has no header line")


def read_chunks(source: SourceFile, chunk_rows: int = 50_000) -> Iterator[Chunk]:
    """Stream data records in chunks so memory stays flat whatever the file size."""
    with source.path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding=source.encoding, newline="")
        reader = csv.reader(text, delimiter=source.delimiter)
        width, previous_end, lines, rows = 0, 0, [], []
        try:
            for row in reader:
                start, previous_end = previous_end + 1, reader.line_num
                if not (row and row[0]) and not any(row):  # blank line, or only delimiters
                    continue
                if not width:
                    width = len(row)
                    continue
                lines.append(start)
                rows.append(_fit(row, width))
                if len(rows) >= chunk_rows:
                    yield Chunk(lines, rows, raw.tell())
                    lines, rows = [], []
        except csv.Error as exc:
            raise InputFileError(source.path, f"malformed CSV ({exc})", reader.line_num) from exc
        yield Chunk(lines, rows, source.size)


def _fit(row: list[str], width: int) -> list[str]:
    """Pad short rows; keep long ones long so the caller can reject them by line."""
    if len(row) < width:
        return row + [""] * (width - len(row))
    if len(row) > width and not any(cell.strip() for cell in row[width:]):
        return row[:width]
    return row


def _open_text(source: SourceFile) -> io.TextIOWrapper:
    return source.path.open(encoding=source.encoding, newline="")


ProgressCallback = Callable[[int, int], None]
