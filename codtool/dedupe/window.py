"""The finder's sliding window in arrays and files: some 30 bytes an order in memory, not 2.8 KB.

`bench_day.py` packs every size into six weeks, so the window (seven days and a day's slack)
holds about a fifth of the orders: some 119,000 at a million rows. As Python objects each cost
about 2.8 KB (a Candidate with its strings, ~1.7 KB, and ~14 entries of a dict of blocks, each an
int key and a slot, ~1.1 KB), and the process grew to 637 MiB. Here an order of the window is:

- its blocking keys (`blocking.block_hashes`) as rows of two arrays, the key's hash and the
  order's slot (its arrival number), sorted by hash, then slot: 12 bytes a key (about 14 keys an
  order). The rows of one hash, in arrival order, are that key's block, and the last BLOCK_CAP
  of them before an order are just a range. The index is cut into PARTS ranges of hashes, each
  kept in its own unlinked temporary file (`Parts`): a batch reads a part, merges its rows of that
  range in, drops the rows of orders gone when due and writes the part back, so only a sixteenth of
  the index is in memory at a time (at a million rows the index is some 20 MiB and grew the process
  by 14 of the 26 MiB traced between the 200,000-row ledger and the same ledger squeezed 5x);
- its time, target flag and a 64-bit mask of its products, in columns by slot (17 bytes), for
  the cheap tests every pair meets;
- what scoring reads, `candidates.pack`ed (about 220 bytes), off the Python heap (`Shelf`: appended
  to unlinked temporary files, read back with `os.pread`), only for the orders of the few pairs
  that pass the cheap tests. Held in memory, they were the largest part of the window (27 MiB of
  the traced 147 at the peak of a 200,000-row ledger squeezed 5x) and the part that grew most.

What still grows with the window in memory: the columns (17 bytes an order, 2 MiB at a million
rows), where each packed order starts (4 bytes), the part of the index being merged (a sixteenth,
twice that while `np.insert` copies it), and the pairs a batch meets, which follow the blocks' fill
up to BLOCK_CAP a key (their slots are 4 bytes each, an `array`, not a list of ints). The index is
not cut down instead: every key is needed, more than half of them an order's alone, and hashes
cannot be cut shorter without changing what is found.

Orders come in batches (`Batch`, `Window.meet`), so numpy does the per-key work for thousands of
orders at a time: sorting the batch's keys and merging them into the index (every slot of a batch
is newer than the slots held, so a row goes after the rows of its hash), finding each key's range,
and the cheap tests. Python is left with what must go order by order: the order orders leave the
window, the name and street frequencies, and scoring. A merge costs a pass over the index, so a
batch is large (`finder.BATCH`); the memory a batch holds does not grow with the window.

What an order meets is exactly what the old dict of blocks gave it: for each of its keys, the
last BLOCK_CAP orders with that key before it that have not left the window, each other order
once, in key order, then arrival order. Two quirks are kept: an order whose keys repeat one (the
street and the second line may sound alike) was appended to an existing block once per repeat,
but to a new block once; and a block is reported capped whenever an order met it full.
"""

from __future__ import annotations

import os
import tempfile
from array import array
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate
from typing import BinaryIO, NamedTuple

import numpy as np

from codtool.dedupe.blocking import BLOCK_CAP
from codtool.dedupe.candidates import Candidate, pack, unpack

PARTS = 16  # the index in ranges of hashes: a merge or a filter copies a sixteenth of it at a time, not all
_EDGES = np.array([-(2**63) + part * 2**60 for part in range(1, PARTS)], np.int64)
UNPACKED = 2_048  # orders kept unpacked (some 1.7 KB each) for the pairs to come
SEGMENT = 8  # batches a temporary file of the shelf takes before the next is begun (some 14 MiB on disk)
SLACK = 86_400  # a day more before an order leaves: creation times are sorted as text, which an offset can disorder


class Batch(NamedTuple):
    """Orders read for the window, as it keeps them: a Candidate is `pack`ed as soon as it is read, so a
    batch never holds thousands of Candidates (some 1.7 KB each), only what the window and the
    frequencies need of each order."""

    times: list[float]
    targets: list[bool]
    masks: list[int]
    keys: array            # every order's blocking-key hashes, one after the other (8 bytes each, not 32)
    counts: array          # how many keys each order has
    packed: list[bytes]
    words: list[tuple[tuple[str, ...], str]]   # name words and street, for `scoring.Frequencies`

    @classmethod
    def read(cls, candidates: Iterable[Candidate]) -> Batch:
        batch = cls([], [], [], array("q"), array("q"), [], [])
        times, targets, masks, keys, counts, packed, words = batch
        for c in candidates:
            times.append(c.time)
            targets.append(c.target)
            masks.append(products_mask(c.products))
            keys.extend(c.blocks)
            counts.append(len(c.blocks))
            packed.append(pack(c))
            words.append((c.tokens, c.street))
        return batch


@dataclass
class Met:
    """What one batch met in the window. The earlier orders batch[i] is to be compared with are the
    slots `others[starts[i]:starts[i + 1]]`; `compared` counts the pairs in the window with a target
    (before the new-purchase test), and `capped` names (batch index, key hash) of each block met full."""

    starts: list[int]
    others: array          # slots, 4 bytes each: a list of ints took some 36 and grew with the blocks' fill
    compared: int
    capped: list[tuple[int, int]]


class Window:
    """The orders within `span` seconds (and the slack) of the newest, as the finder needs them."""

    def __init__(self, span: float, new_purchase: float, batch: int) -> None:
        if not 0 < batch < 2**20:
            raise ValueError(f"a batch of {batch:,} orders: the window takes 1 to 2**20 - 1 at a time")
        self.span, self.new_purchase, self.batch = span, new_purchase, batch
        self.index = Parts()                  # the blocking keys' hashes and slots, on disk a range of hashes each
        self.base = 0                         # the slot of the columns' first row
        self.times = np.empty(0, np.float64)
        self.targets = np.empty(0, np.bool_)
        self.masks = np.empty(0, np.uint64)
        self.shelf = Shelf(batch)             # the packed orders, on disk
        self.left = 0                         # orders [0, left) have left the window
        self.kept = 0                         # the index holds no row of a slot below this
        self.size = 0                         # slots given so far
        self.unpacked: dict[int, Candidate] = {}  # orders unpacked lately, by slot

    def meet(self, batch: Batch) -> Met:
        """Take in the next orders (at most `self.batch`, and only the last batch may be shorter)
        and say what each meets: the orders before it, in this batch or earlier, worth comparing."""
        first = self.size
        gone = self._leaving(batch)
        dropping = self._forget(int(gone[0]))
        self._store(batch)
        rows = _rows(batch, first)
        cuts = [0, *np.searchsorted(rows.keys, _EDGES).tolist(), len(rows.keys)]
        capped, meetings = [], []
        for part in range(PARTS):
            some = Rows(*(column[cuts[part]:cuts[part + 1]] for column in rows))
            keys, slots = self.index.load(part)
            if dropping:
                held = slots >= gone[0]
                keys, slots = keys[held], slots[held]
            merged = _merge(keys, slots, some)
            unwanted = _unwanted_repeats(some, merged, gone)
            if unwanted.any():
                some = Rows(*(column[~unwanted] for column in some))
                merged = _merge(keys, slots, some)
            del keys, slots
            self.index.save(part, merged.keys, merged.slots)
            capped += _capped(some, merged, gone)
            meetings.append(_meetings(some, merged, gone))
            del merged
        self.size = first + len(batch.times)
        columns = [np.concatenate(column) for column in zip(*meetings, strict=True)]
        meetings.clear()   # the parts' pieces, as large as the joined columns: not held through what follows
        cand, other = _first_meetings(*columns)
        return self._tested(cand, other, first, capped, len(batch.times))

    def order(self, slot: int) -> Candidate:
        """An order of the window, unpacked (without its blocking keys: it is only scored). The last
        few thousand unpacked are kept, for an order met by several: a slot's order never changes."""
        if (order := self.unpacked.get(slot)) is None:
            if len(self.unpacked) >= UNPACKED:
                self.unpacked.clear()
            order = self.unpacked[slot] = unpack(self.shelf.read(slot))
        return order

    def close(self) -> None:
        """Close the shelf's and the index's files (their space is freed then, or at exit however the process ends)."""
        try:
            self.shelf.close()
        finally:
            self.index.close()

    def _leaving(self, batch: Batch) -> np.ndarray:
        """For each order of the batch, the first slot still in the window when it arrives: the old
        finder's deque of recent orders, popped while its oldest was more than the span and the
        slack older than the new order (a pointer that only moves on, even when times are disordered)."""
        left, first, held, base, span = self.left, self.size, self.times, self.base, self.span
        times, gone = batch.times, []
        for i, t in enumerate(times):
            before = t - span - SLACK
            while left < first + i and (held.item(left - base) if left < first else times[left - first]) < before:
                left += 1
            gone.append(left)
        self.left = left
        return np.array(gone, np.int64)

    def _forget(self, left: int) -> bool:
        """Drop what only orders that left the window (slots below `left`) still hold, and say whether the
        index's rows of those orders are to be dropped as its parts are read for this batch. That is done
        only once an eighth of it may be theirs: it costs a pass over each part, and the rows it would
        drop are older than any a block keeps (each query skips them)."""
        dropping = (left - self.kept) * 8 > self.size - self.kept
        if dropping:
            self.kept = left
        if left > self.base:
            cut = left - self.base
            self.times, self.targets, self.masks = self.times[cut:], self.targets[cut:], self.masks[cut:]
            self.base = left
        self.shelf.forget(left)
        return dropping

    def _store(self, batch: Batch) -> None:
        """The batch's columns and packed orders, after the window's."""
        self.times = np.concatenate((self.times, np.array(batch.times, np.float64)))
        self.targets = np.concatenate((self.targets, np.array(batch.targets, np.bool_)))
        self.masks = np.concatenate((self.masks, np.array(batch.masks, np.uint64)))
        self.shelf.put(batch.packed)

    def _tested(self, cand: np.ndarray, other: np.ndarray, first: int, capped: list, size: int) -> Met:
        """The cheap tests the old finder made pair by pair, for all the batch's pairs at once: in the
        window, a target among the two, and not surely other products bought later (masks that share no
        bit are sets that share no product; masks that do are tested again on the sets, by the finder)."""
        mine, theirs = cand + (first - self.base), other - self.base
        t, now = self.times[theirs], self.times[mine]
        in_window = (t >= now - self.span) & (t <= now + self.span) & (self.targets[theirs] | self.targets[mine])
        a, b = self.masks[mine], self.masks[theirs]
        later = (t <= now - self.new_purchase) | (t >= now + self.new_purchase)
        other_products = (a != 0) & (b != 0) & later & ((a & b) == 0)
        keep = in_window & ~other_products
        cand, other = cand[keep], other[keep]
        starts = np.searchsorted(cand, np.arange(size + 1)).tolist()
        others = array("i")
        others.frombytes(other.astype(np.int32).tobytes())
        return Met(starts, others, int(in_window.sum()), capped)


class Shelf:
    """The window's packed orders off the Python heap, a batch at a time: appended to temporary files
    (`tempfile.TemporaryFile`: in the system's temporary directory, unlinked as it is made, so nothing is
    left behind by an error, Ctrl-C or a kill) and read back one order at a time with `os.pread`. Only
    where each order starts stays in memory (4 bytes an order). A file takes SEGMENT batches and is
    closed, its space freed, once they have all left the window: the disk holds the window and a segment."""

    def __init__(self, batch: int) -> None:
        self.batch = batch
        self.first = 0                                      # the slot of the first order held
        self.held: deque[tuple[int, int, array]] = deque()  # per batch: its file, where it starts, its orders' starts
        self.files: deque[list] = deque()                   # [file, bytes written, batches written, batches gone]

    def put(self, packed: list[bytes]) -> None:
        """The next batch's packed orders, after those held."""
        if not self.files or self.files[-1][2] == SEGMENT:
            self.files.append([_scratch(), 0, 0, 0])
        file = self.files[-1]
        data = b"".join(packed)
        _write_from(file[0].fileno(), data, file[1])
        self.held.append((file[0].fileno(), file[1], array("I", accumulate(map(len, packed), initial=0))))
        file[1] += len(data)
        file[2] += 1

    def read(self, slot: int) -> bytes:
        """The packed order of a slot still held."""
        number, i = divmod(slot - self.first, self.batch)
        fd, offset, starts = self.held[number]
        return os.pread(fd, starts[i + 1] - starts[i], offset + starts[i])

    def forget(self, left: int) -> None:
        """Drop the batches whose orders have all left the window (slots below `left`)."""
        while self.held and self.first + self.batch <= left:
            self.held.popleft()
            self.first += self.batch
            self.files[0][3] += 1
            if self.files[0][3] == SEGMENT:
                self.files.popleft()[0].close()

    def close(self) -> None:
        """Close every file (an unlinked file's space is freed when it is closed)."""
        while self.files:
            self.files.popleft()[0].close()
        self.held.clear()


class Parts:
    """The blocking index on disk, one unlinked temporary file for each of the PARTS ranges of hashes (its
    keys' hashes, then its slots), so that only the part being merged is in memory: a sixteenth of the
    index, which grows with the window (12 bytes a key, some 14 keys an order), not all of it. A part is
    read whole (`os.preadv` into an array), merged with the batch's rows and written back whole: the
    copies go through the page cache, which the system can reclaim, not the process's own memory."""

    def __init__(self) -> None:
        self.files: list = [None] * PARTS
        self.sizes = [0] * PARTS

    def load(self, part: int) -> tuple[np.ndarray, np.ndarray]:
        """A part's keys (sorted, then by slot) and slots."""
        size = self.sizes[part]
        keys, slots = np.empty(size, np.int64), np.empty(size, np.int32)
        if size:
            fd = self.files[part].fileno()
            _read_into(fd, keys, 0)
            _read_into(fd, slots, keys.nbytes)
        return keys, slots

    def save(self, part: int, keys: np.ndarray, slots: np.ndarray) -> None:
        """Write a part back in place of the one held."""
        if self.files[part] is None:
            self.files[part] = _scratch()
        fd = self.files[part].fileno()
        _write_from(fd, keys, 0)
        _write_from(fd, slots, keys.nbytes)
        os.ftruncate(fd, keys.nbytes + slots.nbytes)
        self.sizes[part] = len(keys)

    def close(self) -> None:
        """Close every file (an unlinked file's space is freed when it is closed)."""
        for part, file in enumerate(self.files):
            if file is not None:
                file.close()
                self.files[part], self.sizes[part] = None, 0


def _read_into(fd: int, array: np.ndarray, offset: int) -> None:
    view = memoryview(array).cast("B")
    while view:
        done = os.preadv(fd, [view], offset)
        if not done:
            raise OSError(f"the dedupe index's temporary file ended {len(view):,} bytes early")
        view, offset = view[done:], offset + done


def _scratch() -> BinaryIO:
    """A temporary file for the window (unlinked as it is made; its owner closes it)."""
    return tempfile.TemporaryFile(prefix="codtool-dedupe-")  # noqa: SIM115


def _write_from(fd: int, data: np.ndarray | bytes, offset: int) -> None:
    """All of `data` at `offset` (a write may take less than it is given)."""
    view = memoryview(data).cast("B")
    while view:
        done = os.pwrite(fd, view, offset)
        view, offset = view[done:], offset + done


class Rows(NamedTuple):
    """A batch's blocking keys, one row each, sorted by hash, then arrival, then place among the order's keys."""

    keys: np.ndarray       # the key's hash
    slots: np.ndarray      # the order's slot
    which: np.ndarray      # the order's index in the batch
    ordinal: np.ndarray    # the key's place among its order's keys


class Merged(NamedTuple):
    """The index with a batch's rows put in, where each of them landed and where its hash's rows start."""

    keys: np.ndarray
    slots: np.ndarray
    at: np.ndarray
    start: np.ndarray


def _rows(batch: Batch, first: int) -> Rows:
    counts = np.frombuffer(batch.counts, np.int64)
    keys = np.frombuffer(batch.keys, np.int64)
    which = np.repeat(np.arange(len(counts), dtype=np.int32), counts)   # 4 bytes: a batch is far below 2**31
    ordinal = (np.arange(len(keys)) - np.repeat(np.cumsum(counts) - counts, counts)).astype(np.int32)
    order = _stable_order(keys)
    return Rows(keys[order], which[order] + first, which[order], ordinal[order])


def _stable_order(keys: np.ndarray) -> np.ndarray:
    """What a stable argsort gives (equal hashes in row order: by arrival, then place among the order's
    keys), at the cost of a quicksort, four times faster here: only the few runs of equal hashes are
    put back in row order."""
    order = np.argsort(keys)
    ranked = keys[order]
    equal = ranked[1:] == ranked[:-1]
    if equal.any():
        tied = np.flatnonzero(np.r_[equal, False] | np.r_[False, equal])
        run = np.cumsum(np.r_[True, ~equal])[tied]
        order[tied] = order[tied][np.lexsort((order[tied], run))]
    return order


def _repeats(rows: Rows) -> np.ndarray:
    """Rows after the first of one key of one order."""
    repeat = np.zeros(len(rows.keys), np.bool_)
    repeat[1:] = (rows.keys[1:] == rows.keys[:-1]) & (rows.which[1:] == rows.which[:-1])
    return repeat


def _unwanted_repeats(rows: Rows, merged: Merged, gone: np.ndarray) -> np.ndarray:
    """Repeats of a key whose block held no order of the window before: the old finder's new block
    was the order itself, once. (The row before a key's first row is another order's, or none.)"""
    repeat = _repeats(rows)
    if not repeat.any():
        return repeat
    held = (merged.at > merged.start) & (merged.slots[np.maximum(merged.at - 1, 0)] >= gone[rows.which])
    group = np.maximum.accumulate(np.where(repeat, 0, np.arange(len(repeat))))
    return repeat & ~held[group]


def _merge(keys: np.ndarray, slots: np.ndarray, rows: Rows) -> Merged:
    """Sorted index rows with the batch's put in: each is newer than every row held, so it goes after
    the rows of its hash. Where a hash's rows start in the merged index is where they start in the held
    one, moved on by the batch's rows of smaller hashes."""
    count = np.arange(len(rows.keys))
    left, right = np.searchsorted(keys, rows.keys, side="left"), np.searchsorted(keys, rows.keys, side="right")
    run_starts = np.r_[True, rows.keys[1:] != rows.keys[:-1]] if len(rows.keys) else np.zeros(0, np.bool_)
    smaller = np.maximum.accumulate(np.where(run_starts, count, 0))
    return Merged(np.insert(keys, right, rows.keys), np.insert(slots, right, rows.slots), right + count,
                  left + smaller)


def _capped(rows: Rows, merged: Merged, gone: np.ndarray) -> list[tuple[int, int]]:
    """(order in the batch, key hash) of each row with BLOCK_CAP rows of its hash before it still in the
    window: the block it met was full."""
    past = merged.at - BLOCK_CAP
    full = (past >= merged.start) & (merged.slots[np.maximum(past, 0)] >= gone[rows.which])
    return list(zip(rows.which[full].tolist(), rows.keys[full].tolist(), strict=True))


def _meetings(rows: Rows, merged: Merged, gone: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row meets the BLOCK_CAP rows of its hash before it, less those of orders gone from the window
    (a repeated key meets nothing its first row did not): as (order in the batch, key's place, slot met)."""
    lo = np.where(_repeats(rows), merged.at, np.maximum(merged.start, merged.at - BLOCK_CAP))
    length = merged.at - lo
    total = int(length.sum())
    position = np.repeat(lo, length) + (np.arange(total) - np.repeat(np.cumsum(length) - length, length))
    other = merged.slots[position]   # int32, as the index holds slots: the meetings grow with the blocks' fill
    cand, rank = np.repeat(rows.which, length), np.repeat(rows.ordinal, length)
    inside = other >= gone[cand]
    return cand[inside], rank[inside], other[inside]


def _first_meetings(cand: np.ndarray, rank: np.ndarray, other: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each pair (order, other) once, in the order the old finder met them: by order, its key's place,
    then arrival. Each meeting is one int64 (order, other, place) sorted in place, each pair's first
    kept, then (order, place, other) sorted: a lexsort and a unique made the batch's largest temporaries,
    some 10 MiB with the window of a million-row day. (A slot is below 2**31, a batch below 2**20
    orders, an order has a few dozen keys: the fields fit in 63 bits.)"""
    if not len(cand):
        return cand, other
    bits = int(rank.max()).bit_length()
    mine, slot = 32 + bits, (1 << 32) - 1
    met = cand.astype(np.int64)
    met <<= mine
    met |= other.astype(np.int64) << bits
    met |= rank
    met.sort()
    met = met[np.r_[True, (met[1:] >> bits) != (met[:-1] >> bits)]]
    place = met & ((1 << bits) - 1)
    met = ((met >> mine) << mine) | (place << 32) | ((met >> bits) & slot)
    met.sort()
    return met >> mine, met & slot


def products_mask(products: frozenset[str]) -> int:
    """A bit of 64 for each product (by its hash): two sets whose masks share no bit share no product."""
    mask = 0
    for product in products:
        mask |= 1 << (hash(product) & 63)
    return mask
