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
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from codtool.errors import InputFileError
from codtool.exports import unguard
from codtool.importing import sheets
from codtool.input_policy import MAX_FIELD_CHARS, MAX_FIELDS, MAX_LINE_BYTES, LimitExceeded

_BLOCK = 1 << 20
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the compound-file header of .xls (and .doc) files
_DELIMITERS = (",", ";", "\t", "|")
_SEPARATOR_CODES = tuple(ord(d) for d in _DELIMITERS)
_WIDE_SLACK = 64  # separators beyond the header's that pandas may meet (quoted commas) before we read exactly
_CELL_BUDGET = 5_000_000  # cells in one chunk of the exact reader, however wide its records
_NOT_CP1252 = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")  # the five bytes Windows-1252 leaves undefined
csv.field_size_limit(MAX_FIELD_CHARS)


@dataclass(frozen=True)
class SourceFile:
    """What we learned about a file before reading its rows."""

    path: Path
    sha256: str
    encoding: str
    delimiter: str
    size: int
    lines: int  # physical lines, counting a last line without a newline
    separators: int = 0  # the most candidate delimiters on one physical line
    sheet: str | None = None  # for an XLSX workbook (encoding XLSX): the sheet to read


def inspect_file(path: Path, sheet: str | None = None) -> SourceFile:
    """Hash the file, check it is text, and choose its encoding and delimiter in one pass.

    An `.xlsx` workbook is read through `codtool.importing.sheets` (its first sheet, or `sheet`).
    """
    if not path.exists():
        raise InputFileError(path, "no such file")
    if not path.is_file():
        raise InputFileError(path, "not a regular file")
    with path.open("rb") as handle:
        magic = handle.read(4)
    if sheets.is_workbook(path, magic):
        return _inspect_workbook(path, sheet)
    if magic.startswith(_OLE_MAGIC) or path.suffix.lower() == ".xls":
        raise InputFileError(path, "an Excel 97-2003 (.xls) workbook: save it as .xlsx or CSV")
    if path.suffix.lower() in sheets.SUFFIXES:
        raise InputFileError(path, "not a readable XLSX workbook (not a zip archive): damaged, or misnamed")
    if sheet is not None:
        raise InputFileError(path, "--sheet is for XLSX workbooks; this is a CSV file")
    scan = _Scan(path)
    scan.feed_all()
    head, utf8_ok, cp1252_ok = scan.head, scan.utf8_ok, scan.cp1252_ok
    if scan.size == 0 or not head.strip(b"\xef\xbb\xbf \t\r\n"):
        raise InputFileError(path, "the file is empty")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"  # Excel's "Unicode text" export
    elif b"\x00" in head:
        raise InputFileError(path, "looks like a binary file, not a CSV export (NUL bytes)")
    elif not _looks_like_text(head):
        raise InputFileError(path, "cannot decode the file as UTF-8 or Windows-1252 text")
    elif head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
        if not utf8_ok:
            raise _undecodable(path, "utf-8", "the file starts as UTF-8 but is not UTF-8 text")
    elif utf8_ok:
        encoding = "utf-8"
    elif cp1252_ok:
        encoding = "cp1252"
    else:
        raise _undecodable(path, "cp1252", "the file is neither UTF-8 nor Windows-1252 text")
    delimiter = _sniff_delimiter(head[:65534].decode(encoding, errors="replace"))
    return SourceFile(path, scan.digest.hexdigest(), encoding, delimiter, scan.size, scan.lines, scan.separators)


def _inspect_workbook(path: Path, sheet: str | None) -> SourceFile:
    sheets.check_archive(path)
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_BLOCK):
            digest.update(block)
    name = sheets.choose_sheet(path, sheet)
    return SourceFile(path, digest.hexdigest(), sheets.XLSX, ",", path.stat().st_size, 0, 0, name)


class _Scan:
    """One pass over the bytes: hash, size, lines, which encodings fit, and how long and wide lines get.

    Line length is checked here, before any reader holds a line; the most separators on one line
    tells `read_chunks` whether pandas' fast reader would have to build a frame of that width.
    """

    def __init__(self, path: Path) -> None:
        self.path, self.digest = path, hashlib.sha256()
        self.utf8 = codecs.getincrementaldecoder("utf-8")()
        self.utf8_ok, self.cp1252_ok, self.head, self.size, self.lines = True, True, b"", 0, 0
        self.line_start, self.separators, self.open_separators, self.last = 0, 0, 0, b"\n"

    def feed_all(self) -> None:
        with self.path.open("rb") as raw:
            while block := raw.read(_BLOCK):
                self.feed(block)
        self.finish()

    def feed(self, block: bytes) -> None:
        self.head = self.head or block[:65536]
        self.digest.update(block)
        data = np.frombuffer(block, dtype=np.uint8)
        ends = np.flatnonzero(data == 10)
        self._check_length(ends + self.size, self.size + len(block))
        self._count_separators(data, ends)
        self.size += len(block)
        self.lines += len(ends)
        self.last = block[-1:]
        self.cp1252_ok = self.cp1252_ok and not any(b in block for b in _NOT_CP1252)
        if self.utf8_ok:
            try:
                self.utf8.decode(block)
            except UnicodeDecodeError:
                self.utf8_ok = False

    def finish(self) -> None:
        if self.utf8_ok:
            try:
                self.utf8.decode(b"", final=True)
            except UnicodeDecodeError:
                self.utf8_ok = False
        self.lines += self.last != b"\n"

    def _check_length(self, ends: np.ndarray, scanned: int) -> None:
        if len(ends):
            lengths = ends - np.r_[self.line_start, ends[:-1] + 1]
            if lengths.max() > MAX_LINE_BYTES:
                _too_long(self.path, self.lines + int(np.argmax(lengths > MAX_LINE_BYTES)) + 1)
            self.line_start = int(ends[-1]) + 1
        if scanned - self.line_start > MAX_LINE_BYTES:
            _too_long(self.path, self.lines + len(ends) + 1)

    def _count_separators(self, data: np.ndarray, ends: np.ndarray) -> None:
        mask = data == _SEPARATOR_CODES[0]
        for code in _SEPARATOR_CODES[1:]:
            mask |= data == code
        starts = np.r_[0, ends + 1]
        closed = len(ends) and ends[-1] == len(data) - 1  # the block ends a line
        if closed:
            starts = starts[:-1]
        counts = np.add.reduceat(mask.view(np.uint8), starts, dtype=np.int64)
        counts[0] += self.open_separators  # the line the previous block left open
        self.separators = max(self.separators, int(counts.max()))
        self.open_separators = 0 if closed else int(counts[-1])


def _too_long(path: Path, line: int) -> None:
    raise LimitExceeded(f"{path}:{line}: the line is longer than {MAX_LINE_BYTES:,} bytes, the limit for one "
                        "line; is this a CSV export?")


def _undecodable(path: Path, encoding: str, why: str) -> InputFileError:
    """Where the first byte the encoding cannot read is, so staff can find and fix it."""
    with path.open("rb") as raw:
        for number, line in enumerate(raw, 1):
            try:
                line.decode(encoding)
            except UnicodeDecodeError as exc:
                byte = line[exc.start]
                return InputFileError(path, f"cannot decode byte 0x{byte:02x} at line {number}, column "
                                            f"{exc.start + 1}: {why} (save it as UTF-8)")
    return InputFileError(path, why)


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
    complete: bool = True  # False when `frame` holds only the columns asked for (see read_chunks' usecols)

    @property
    def rows(self) -> list[list[str]]:
        """Records as lists of cells, for readers that work row by row; cells codtool's formula guard
        prefixed (`'=1+1` in a call sheet it wrote) read as the original value."""
        return [[unguard(c) if c[:1] == "'" else c for c in row[:width]]
                for row, width in zip(self.frame.to_numpy().tolist(), self.widths, strict=True)]


def read_header(source: SourceFile) -> Header:
    if source.encoding == sheets.XLSX:
        return sheets.read_sheet_header(source)
    with _open_text(source) as text:
        reader = csv.reader(text, delimiter=source.delimiter)
        previous_end = 0
        with _reading(source, reader):
            for row in reader:
                _check_width(source, row, reader.line_num)
                if any(cell.strip() for cell in row):
                    cells = [" ".join(cell.split()) for cell in row]
                    return Header(cells, reader.line_num, reader.line_num == previous_end + 1)
                previous_end = reader.line_num
    raise InputFileError(source.path, "the file has no header line")


@contextmanager
def _reading(source: SourceFile, reader) -> Iterator[None]:
    """csv and decoding errors as one line naming the file and line (UTF-16 can hold a broken pair)."""
    try:
        yield
    except csv.Error as exc:
        raise InputFileError(source.path, f"malformed CSV ({exc})", reader.line_num + 1) from exc
    except UnicodeDecodeError as exc:
        raise InputFileError(source.path, f"cannot decode as {source.encoding} ({exc.reason})",
                             reader.line_num + 1) from exc


def _check_width(source: SourceFile, row: list[str], line: int) -> None:
    if len(row) > MAX_FIELDS:
        raise LimitExceeded(f"{source.path}:{line}: {len(row):,} fields; the limit for one record is {MAX_FIELDS:,}")


# Records per chunk: a chunk holds every column of a wide export (Shopify's has 59) as Python strings,
# so 20,000 records keep a 200,000-row import near 200 MiB where 50,000 took 290, at the same speed.
CHUNK_ROWS = 20_000


def read_chunks(source: SourceFile, header: Header, chunk_rows: int = CHUNK_ROWS,
                exact: bool = True, usecols: Sequence[int] | None = None) -> Iterator[Chunk]:
    """Stream records in chunks so memory stays flat whatever the file size.

    With exact=False the fast path is pandas' C parser; it raises ExactReaderNeeded
    (possibly after some chunks were yielded) when a record spans lines or has too many
    fields, because then only the line-tracking `csv` reader can give every row its true
    line number. Callers that cannot undo what they did with earlier chunks keep exact=True.

    `usecols` (header positions) lets the fast path build only the columns a caller reads: a
    Shopify export has 59, an import reads about 20. It is used only when no physical line has
    more separator characters than the header needs (pandas does not notice an over-long record
    when it reads some columns), and its chunks are marked incomplete: `raw_records` gives a
    record's every cell again.
    """
    if source.encoding == sheets.XLSX:
        yield from sheets.sheet_chunks(source, header, chunk_rows)
        return
    fast = (not exact and source.encoding != "utf-16" and header.single_line
            and source.separators < len(header.cells) + _WIDE_SLACK)  # pandas would build every column
    if not fast:
        yield from _exact_chunks(source, header, chunk_rows)
        return
    narrow = usecols is not None and source.separators < len(header.cells)  # no record can be too wide
    yield from _fast_chunks(source, header, chunk_rows, sorted(set(usecols)) if narrow and usecols else None)


def _fast_chunks(source: SourceFile, header: Header, chunk_rows: int,
                 usecols: list[int] | None) -> Iterator[Chunk]:
    width, next_line, records, unseen = len(header.cells), header.end_line + 1, 0, []
    with source.path.open("rb") as raw, warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)
        try:
            parts = pd.read_csv(raw, encoding=source.encoding, sep=source.delimiter, header=None,
                                names=range(width), skiprows=header.end_line, dtype=object,
                                na_filter=False, skip_blank_lines=False, index_col=False,
                                chunksize=chunk_rows, engine="c", usecols=usecols)
            for part in parts:
                lines = np.arange(next_line, next_line + len(part))
                next_line += len(part)
                records += len(part)
                keep = _not_blank(part)
                if not keep.all():
                    if usecols is not None:  # blank in the columns read: the others are looked at below
                        unseen += lines[~keep].tolist()
                    part, lines = part[keep].reset_index(drop=True), lines[keep]
                yield Chunk(lines.tolist(), np.full(len(part), width), part, raw.tell(), usecols is None)
        except (pd.errors.ParserError, pd.errors.ParserWarning, UnicodeDecodeError) as exc:
            raise ExactReaderNeeded(str(exc)) from exc
    if header.end_line + records != source.lines:
        raise ExactReaderNeeded("a record spans several lines")
    if unseen and any(any(cells) for cells in raw_records(source, unseen).values()):
        raise ExactReaderNeeded("a record has cells only in columns that were not read")


def raw_records(source: SourceFile, lines: Iterable[int]) -> dict[int, list[str]]:
    """Every cell of the records on these physical lines, for a reader whose records are one line each
    (what read_chunks' fast path checks): one pass over the file, parsing only the lines asked for."""
    wanted, found = set(lines), {}
    with source.path.open("rb") as raw:
        for number, data in enumerate(raw, start=1):
            if number in wanted:
                found[number] = next(csv.reader([data.decode(source.encoding)], delimiter=source.delimiter), [])
                if len(found) == len(wanted):
                    break
    return found


def _not_blank(part: pd.DataFrame) -> np.ndarray:
    """Blank lines and rows of bare delimiters carry nothing; every other row is kept."""
    keep = part.iloc[:, 0].to_numpy(dtype=object) != ""  # numpy compares text 3x faster than pandas
    doubtful = np.flatnonzero(~keep)  # only rows with an empty first cell need a full look
    if len(doubtful):
        keep[doubtful] = (part.iloc[doubtful] != "").any(axis=1).to_numpy()
    return keep


def _exact_chunks(source: SourceFile, header: Header, chunk_rows: int) -> Iterator[Chunk]:
    width = len(header.cells)
    with source.path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding=source.encoding, newline="")
        reader = csv.reader(text, delimiter=source.delimiter)
        previous_end, lines, rows, widest = 0, [], [], width
        with _reading(source, reader):
            for row in reader:
                start, previous_end = previous_end + 1, reader.line_num
                if start <= header.end_line or not any(row):  # header, blank line or bare delimiters
                    continue
                _check_width(source, row, start)
                lines.append(start)
                rows.append(_fit(row, width))
                widest = max(widest, len(rows[-1]))
                if len(rows) >= chunk_rows or len(rows) * widest >= _CELL_BUDGET:  # memory stays flat
                    yield _chunk(lines, rows, width, raw.tell())
                    lines, rows, widest = [], [], width
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
