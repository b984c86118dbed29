"""Importing one export file as one atomic batch: every row imported, rejected or skipped."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from itertools import repeat
from pathlib import Path

import pandas as pd

from codtool import collector
from codtool.crashpoints import crash_point
from codtool.errors import InputFileError, MappingError
from codtool.findings import ERROR, WARNING, Finding
from codtool.importing.normalise import Defaults, build_frame, normalise
from codtool.importing.profiles import PROFILES, Profile, detect, load_mapping, resolve
from codtool.importing.source import (
    ExactReaderNeeded,
    Header,
    SourceFile,
    inspect_file,
    raw_records,
    read_chunks,
    read_header,
)
from codtool.ledger import Ledger, Row, Session
from codtool.ledger import orders as store
from codtool.ledger.db import utc_now
from codtool.progress import Progress

# The frame columns stored as store.ORDER_COLUMNS after its shop and batch.
_ORDER_FIELDS = ("order_id", "first_line", "created_at", "customer_name", "phone", "email", "address1", "address2",
                 "city", "postcode", "province", "country", "payment_method", "is_cod", "cod_minor", "total_minor",
                 "currency", "items", "notes", "status")


@dataclass(frozen=True)
class ImportRequest:
    """What the user asked for: the file and the options that apply to its rows."""

    path: Path
    shop: str = "default"
    profile: str = "auto"
    mapping: Path | None = None
    country: str | None = None
    currency: str = "EUR"
    sheet: str | None = None  # of an .xlsx workbook; None reads the first


@dataclass
class Reject:
    line: int
    kind: str
    reason: str

    @property
    def code(self) -> str:
        return reject_code(self.kind, self.reason)

    def finding(self, file: str) -> Finding:
        return Finding(file, self.line, self.code, self.reason, ERROR if self.kind == "rejected" else WARNING)


# The first words of an import reason name its code (reasons are built by the vectorised checks
# in normalise.py, so the code is read back from them here, in one place; docs/findings.md lists them).
_REJECT_CODES = (
    ("missing payment method", "import.missing_payment_method"),
    ("missing ", "import.missing_field"),
    ("currency ", "import.bad_currency"),
    ("amount: ", "import.bad_amount"),
    ("total: ", "import.bad_amount"),
    ("item price: ", "import.bad_amount"),
    ("negative amount", "import.negative_amount"),
    ("quantity ", "import.bad_quantity"),
    ("COD order with no amount", "import.cod_without_amount"),
    ("prepaid order with a COD amount", "import.prepaid_with_cod"),
    ("unreadable order date", "import.bad_date"),
)


def reject_code(kind: str, reason: str) -> str:
    """The finding code of an import reject (duplicates first: their reason names the earlier line)."""
    if kind == "duplicate":
        return "import.duplicate"
    if reason.startswith("line has ") and "the header has" in reason:
        return "import.row_shape"
    return next((code for prefix, code in _REJECT_CODES if reason.startswith(prefix)), "import.invalid_row")


@dataclass
class ImportResult:
    """The batch summary shown to people and, as JSON, to cron jobs."""

    file: str
    shop: str
    profile: str
    batch_id: int | None = None
    rows: int = 0
    orders: int = 0
    imported: int = 0
    rejected: int = 0
    skipped_duplicates: int = 0
    already_imported: bool = False
    rejects: list[Reject] = field(default_factory=list)

    def to_json(self) -> dict:
        data = asdict(self)
        data["rejects"] = [r.finding(Path(self.file).name).to_json() | {"kind": r.kind} for r in self.rejects]
        return data


def choose_profile(request: ImportRequest, header: list[str]) -> Profile:
    if request.profile == "auto":
        try:
            base = detect(header)
        except MappingError:
            if request.mapping is None:
                raise InputFileError(request.path, "cannot recognise the export format from its header; use "
                                     "--profile or a --mapping file (see README, 'Generic format')", 1) from None
            base = PROFILES["generic"]
    elif request.profile in PROFILES:
        base = PROFILES[request.profile]
    else:
        raise MappingError(f"unknown profile {request.profile!r}; choose auto, {', '.join(PROFILES)}")
    return load_mapping(request.mapping, base) if request.mapping else base


def import_file(ledger: Ledger, request: ImportRequest, progress: Progress | None = None) -> ImportResult:
    """Read, check and store one file in a single transaction (all of it or nothing)."""
    source = inspect_file(request.path, request.sheet)
    header = read_header(source)
    profile = choose_profile(request, header.cells)
    columns = resolve(profile, header.cells, request.path)
    result = ImportResult(str(request.path), request.shop, profile.name)
    with collector.paused(), ledger.transaction() as conn:
        done = store.batch_by_sha(conn, source.sha256)
        if done is not None:
            return _already(result, done)
        shop = store.shop_id(conn, request.shop)
        result.batch_id = store.create_batch(conn, shop, request.path.name, source.sha256,
                                             profile.name, source.encoding, source.delimiter)
        defaults = Defaults(request.country, request.currency.upper(), utc_now(), profile.amount_field)
        try:
            with ledger.savepoint("fast_read"):
                _BatchWriter(conn, shop, header, defaults, result).run(source, columns, progress, exact=False)
        except ExactReaderNeeded:
            _reset_counts(result)
            _BatchWriter(conn, shop, header, defaults, result).run(source, columns, progress, exact=True)
        crash_point("import.after_orders")
        store.finish_batch(conn, result.batch_id, asdict(result))
    return result



def _reset_counts(result: ImportResult) -> None:
    result.rows = result.orders = result.imported = result.rejected = result.skipped_duplicates = 0
    result.rejects.clear()


def _already(result: ImportResult, done: Row) -> ImportResult:
    result.already_imported = True
    result.batch_id = done["id"]
    result.shop = done["shop"]
    result.profile = done["profile"]
    result.rows, result.orders = done["rows"], done["orders"]
    return result


class _BatchWriter:
    """Carries one order's rows across chunk boundaries and writes each chunk."""

    def __init__(self, conn: Session, shop: int, header: Header,
                 defaults: Defaults, result: ImportResult) -> None:
        self.conn, self.shop, self.source_header = conn, shop, header
        self.defaults, self.result = defaults, result
        self.chunks: dict[int, pd.DataFrame] = {}  # this chunk and the previous one, for raw rejects
        self.complete: dict[int, bool] = {}  # whether those chunks hold every cell of their records
        self.unread: list[tuple[int, str, str]] = []  # (line, kind, reason) of rejects whose cells were not read

    def run(self, source: SourceFile, columns: dict[str, list[int]], progress: Progress | None,
            exact: bool) -> None:
        pending: pd.DataFrame | None = None
        used = [i for indexes in columns.values() for i in indexes]  # pandas builds only these columns
        for number, chunk in enumerate(read_chunks(source, self.source_header, exact=exact, usecols=used)):
            self.chunks = {n: f for n, f in self.chunks.items() if n == number - 1} | {number: chunk.frame}
            self.complete = {n: c for n, c in self.complete.items() if n == number - 1} | {number: chunk.complete}
            frame = build_frame(chunk, columns, number)
            if pending is not None:
                frame = pd.concat([pending, frame], ignore_index=True)
            cut = _last_run_start(frame)
            pending, frame = frame.iloc[cut:].reset_index(drop=True), frame.iloc[:cut]
            if len(frame):
                self.write(frame)
            if progress:
                progress(chunk.bytes_read, source.size)
        if pending is not None and len(pending):
            self.write(pending)
        if self.unread:  # the file is read through, so each record is known to be its own line
            cells = raw_records(source, [line for line, _, _ in self.unread])
            if len(cells) < len({line for line, _, _ in self.unread}):
                raise InputFileError(source.path, "the file changed while it was being imported")
            store.insert_rejects(self.conn, [self._reject_record(line, kind, reason, cells[line])
                                             for line, kind, reason in self.unread])

    def write(self, frame: pd.DataFrame) -> None:
        orders, rows = normalise(frame, self.defaults, len(self.source_header.cells))
        self.result.rows += len(rows)
        self.result.orders += len(orders)
        good = orders[orders["reason"].to_numpy(dtype=object) == ""]
        dup_reason = self._duplicates(good)
        orders.loc[dup_reason.index, "reason"] = dup_reason
        new = good.drop(index=dup_reason.index)
        inserted = store.insert_orders(self.conn, self._order_tuples(new))
        self.result.imported += inserted
        self.result.skipped_duplicates += len(dup_reason) + len(new) - inserted
        self.result.rejected += len(orders) - len(good)
        self._rejects(orders, rows, set(dup_reason.index))

    def _duplicates(self, good: pd.DataFrame) -> pd.Series:
        """Reasons for orders already in this file or in the ledger, indexed like `good`."""
        reasons = {}
        first_line = good.drop_duplicates("order_id").set_index("order_id")["first_line"]
        for idx, oid in good.loc[good["order_id"].duplicated(), "order_id"].items():
            reasons[idx] = f"order {oid} appears again (first at line {first_line[oid]})"
        known = store.existing_sources(self.conn, self.shop, list(first_line.index))
        for idx, oid in good.loc[good["order_id"].isin(known.keys()), "order_id"].items():
            batch, line = known[oid]
            if batch == self.result.batch_id:
                reasons.setdefault(idx, f"order {oid} appears again (first at line {line})")
            else:
                reasons.setdefault(idx, f"order {oid} is already in the ledger (in batch {batch}, line {line})")
        return pd.Series(reasons, dtype=object)

    def _order_tuples(self, new: pd.DataFrame) -> Iterator[tuple]:
        """store.ORDER_COLUMNS' values per order, zipped at C speed from whole columns."""
        columns = [new[c].tolist() for c in _ORDER_FIELDS]
        return zip(repeat(self.shop), repeat(self.result.batch_id), *columns)

    def _rejects(self, orders: pd.DataFrame, rows: pd.DataFrame, duplicates: set[int]) -> None:
        bad = orders[orders["reason"].to_numpy(dtype=object) != ""]
        if bad.empty:
            return
        kind = pd.Series(["duplicate" if i in duplicates else "rejected" for i in bad.index], index=bad.index)
        by_run = pd.DataFrame({"reason": bad["reason"].to_numpy(), "kind": kind.to_numpy()},
                              index=bad["run"].to_numpy())
        hit = rows[rows["run"].isin(by_run.index)]
        records = []
        cols = zip(hit["line"], hit["run"], hit["chunk"], hit["pos"], hit["width"], strict=True)
        for line, run, number, pos, width in cols:
            reason, kind_ = by_run.at[run, "reason"], by_run.at[run, "kind"]
            if self.complete[number]:
                records.append(self._reject_record(int(line), kind_, reason,
                                                   self.chunks[number].iloc[pos].tolist()[:width]))
            else:  # stored once the whole file is read, with the cells read again from its line
                self.unread.append((int(line), kind_, reason))
            self.result.rejects.append(Reject(int(line), kind_, reason))
        store.insert_rejects(self.conn, records)

    def _reject_record(self, line: int, kind: str, reason: str, raw: list[str]) -> tuple:
        """A rejected_rows row: the record's cells by header name, over-long ones as extra_N."""
        extra = {f"extra_{i}": c for i, c in enumerate(raw[len(self.source_header.cells):])}
        cells = dict(zip(self.source_header.cells, raw, strict=False)) | extra
        return (self.result.batch_id, line, kind, reason, json.dumps(cells, ensure_ascii=False),
                reject_code(kind, reason))


def _last_run_start(frame: pd.DataFrame) -> int:
    """Index where the last order's rows begin; those rows wait for the next chunk."""
    if frame.empty:
        return 0
    ids = frame["order_id"].to_numpy()
    cut = len(ids) - 1
    while cut > 0 and ids[cut - 1] == ids[-1]:
        cut -= 1
    return cut
