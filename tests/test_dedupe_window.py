"""The finder's compact window: hashed blocking keys, rows read by position, orders packed, matched orders kept as
briefs, and the window in arrays finding exactly what the dict of blocks it replaced found."""

from __future__ import annotations

from collections import deque
from dataclasses import replace
from types import SimpleNamespace

from hypothesis import example, given, settings
from hypothesis import strategies as st

from codtool.dedupe.blocking import BLOCK_CAP, block_hashes, blocking_keys, key_with_hash
from codtool.dedupe.candidates import Candidate, candidate, epoch, pack, unpack
from codtool.dedupe.clusters import keep_choice
from codtool.dedupe.finder import DAY, Found, find_matches
from codtool.dedupe.keys import (
    address_key,
    checked_contact,
    email_key,
    extra_key,
    fallback_contact,
    items_key,
    name_key,
    source_key,
)
from codtool.dedupe.scoring import DEFAULT_WEIGHTS, Frequencies
from codtool.dedupe.similarity import DISTINCT, judge
from codtool.ledger.dedupe import CandidateRow
from codtool.money import Money

# Few letters, so that keys of two orders often coincide; postcodes (read as typed) may hold the
# "|" and ":" that join a key's text, the other parts are folded text as `keys` makes them.
folded = st.lists(st.text("ab1", min_size=1, max_size=2), max_size=2).map(" ".join)
typed = st.text("ab1|:", max_size=3)
orders = st.builds(SimpleNamespace, phone=typed, email=typed, street=folded, extra=folded,
                   number=st.text("1a", max_size=2), postcode=typed, city=folded,
                   tokens=st.lists(st.text("ab", min_size=1, max_size=2), max_size=3).map(tuple))


@settings(max_examples=300)
@given(orders, orders)
def test_two_keys_share_a_hash_exactly_when_they_share_their_text(a, b) -> None:
    """The window compares orders by `block_hashes`; `blocking_keys` (the text) defines the rules."""
    for key_a, hash_a in zip(blocking_keys(a), block_hashes(a), strict=True):
        assert key_with_hash(a, hash_a) == key_a
        for key_b, hash_b in zip(blocking_keys(b), block_hashes(b), strict=True):
            assert (key_a == key_b) == (hash_a == hash_b)


ROW = CandidateRow(id=41, batch_id=3, source_id="#0042", created_at="2026-11-20T10:15:00+01:00",
                   customer_name="Sig. Giulia De Luca", phone="333 123 4567", email=" Giulia@Example.it ",
                   address1="P.zza Garibaldi 3/B", address2="scala B int. 4 Palazzo Rosa", postcode="00184",
                   city="Roma", country="IT", total_minor=2990, currency="EUR",
                   items='[{"sku": "CRM-050", "qty": 2}]', status="new", n_checked=0, n_phone=None, n_address=None,
                   n_house_number=None, n_postcode=None, n_city=None)


def _by_name(row: CandidateRow, contact) -> Candidate:
    """The Candidate built field by field, by keyword, as `candidate` once did."""
    return Candidate(
        id=row.id, time=epoch(row.created_at), target=True, settled=False, name=name_key(row.customer_name),
        phone=contact.phone, email=email_key(row.email), address=address_key(contact),
        source=source_key(row.source_id), items=items_key(row.items), total=Money(row.total_minor, row.currency),
        street=contact.street, number=contact.house_number, postcode=contact.postcode, city=contact.city,
        extra=extra_key(row.address2))


def test_a_row_read_by_position_gives_every_field_its_own_value() -> None:
    unchecked = ROW
    checked = ROW._replace(n_checked=1, n_phone="+393331234567", n_address="Piazza Garibaldi 3", n_house_number="3/B",
                           n_postcode="00184", n_city="Roma")
    for row, contact in ((unchecked, fallback_contact(ROW.phone, ROW.country, ROW.address1, ROW.postcode, ROW.city)),
                         (checked, checked_contact(checked.n_phone, checked.n_address, checked.n_house_number,
                                                   checked.n_postcode, checked.n_city))):
        made = candidate(row, target=True, settled=False)
        assert made == _by_name(row, contact)
        assert made.keys == blocking_keys(made) and made.blocks == block_hashes(made)


@given(st.lists(st.tuples(st.booleans(), st.booleans(), st.integers(0, 3)), min_size=1, max_size=6))
def test_a_matched_order_kept_as_a_brief_chooses_the_same_order_to_keep(rows) -> None:
    cands = [Candidate(id=i + 1, time=float(t), target=True, settled=settled, name="giulia rossi",
                       phone="+393331234567" if complete else "", email="", address="00184|via roma|12", source="",
                       items=(("crm-050", 1),), total=Money(2990, "EUR"))
             for i, (settled, complete, t) in enumerate(rows)]
    assert keep_choice([c.brief() for c in cands]) == keep_choice(cands)


# --- the window in arrays finds exactly what the dict of blocks it replaced found ---------------------------------

def _dict_of_blocks(candidates: list[Candidate], window_days: int, threshold: float,
                    distinct: set[tuple[int, int]]) -> Found:
    """The finder before its window moved into arrays (one dict entry per key, a list per shared key),
    kept as the reference: every order's keys, blocks, cap, eviction and cheap tests, one order at a time."""
    found, span, slack = Found(), window_days * DAY, DAY
    blocks: dict = {}
    recent: deque[Candidate] = deque()
    freq, weights = Frequencies(), DEFAULT_WEIGHTS
    new_purchase = weights.new_purchase_hours * 3_600
    for cand in candidates:
        before = cand.time - span - slack
        while recent and recent[0].time < before:
            old = recent.popleft()
            for key in old.blocks:
                block = blocks.get(key)
                if block is old:
                    del blocks[key]
                elif type(block) is list and block[0] is old:
                    del block[0]
                    if not block:
                        del blocks[key]
        freq.add(cand.tokens, cand.street)
        seen = {cand.id}
        for key in cand.blocks:
            block = blocks.setdefault(key, cand)
            if block is cand:
                continue
            if type(block) is not list:
                block = blocks[key] = [block]
            for other in block:
                if other.id in seen:
                    continue
                seen.add(other.id)
                t = other.time
                if t < cand.time - span or t > cand.time + span or not (cand.target or other.target):
                    continue
                found.compared += 1
                if cand.products and (t <= cand.time - new_purchase or t >= cand.time + new_purchase) \
                        and other.products and cand.products.isdisjoint(other.products):
                    continue
                pair = (min(other.id, cand.id), max(other.id, cand.id))
                match = None if pair in distinct else judge(other, cand, threshold, weights, freq)
                if match is not None and match.kind == DISTINCT:
                    found.conflicts.add((match.order_a, match.order_b))
                elif match is not None:
                    found.matches.append(match)
                    found.orders[other.id], found.orders[cand.id] = other.brief(), cand.brief()
            if len(block) == BLOCK_CAP:
                found.capped.add(key_with_hash(cand, key))
                del block[0]
            block.append(cand)
        recent.append(cand)
        found.seen += 1
    return found


STREETS = [("via roma", "roma"), ("via roma", ""), ("via po", "scala b"), ("", "via po"), ("piazza duomo", "duomo")]
streams = st.tuples(st.lists(
    st.tuples(
        st.integers(0, 600) | st.integers(0, 2 * DAY) | st.integers(-DAY, 0),  # minutes, hours, or back in time
        st.sampled_from(["giulia rossi", "rossi giulia", "giulio rossi", "g rossi", "mario bianchi"]),
        st.sampled_from(["+393331234567", "+393330000002", ""]),
        st.sampled_from(["", "giulia@example.it"]),
        st.sampled_from(STREETS),                             # street and second line, at times alike in sound
        st.sampled_from([(("crm-050", 1),), (("srm-030", 1),), (("crm-050", 1), ("cap-red", 2)), ()]),
        st.booleans(),                                        # target
        st.integers(0, 2),                                    # settled, and one of three orders declared distinct
    ),
    min_size=1, max_size=20,
), st.integers(1, 12)).map(lambda drawn: drawn[0] * drawn[1])  # repeated: blocks past the cap, as in busy shops


def _stream(rows) -> tuple[list[Candidate], set[tuple[int, int]]]:
    cands, distinct, clock = [], set(), 0.0
    for i, (step, name, phone, email, (street, extra), items, target, mark) in enumerate(rows, start=1):
        clock = max(0.0, clock + step / 20)
        cands.append(Candidate(i, clock, target, mark == 1, name, phone, email, f"00184|{street}|12" if street else "",
                               "", items, Money(2990, "EUR"), street=street, number="12" if street else "",
                               postcode="00184", city="roma", extra=extra))
        if mark == 2 and i > 1:
            distinct.add((i - 1, i))
    return cands, distinct


@settings(max_examples=100, deadline=None)
@given(streams, st.sampled_from([1, 2, 3, 7, 64, 4096]), st.integers(0, 2))
@example([(600, "giulia rossi", "+393331234567", "", ("via roma", "roma"), (("crm-050", 1),), i % 3 > 0, 0)
          for i in range(130)], 7, 1)  # a block past the cap, with a key each order repeats, sliding over batches
def test_the_window_finds_what_the_dict_of_blocks_found(rows, batch: int, window_days: int) -> None:
    cands, distinct = _stream(rows)
    expected = _dict_of_blocks(cands, window_days, 85.0, distinct)
    found = find_matches(cands, window_days, 85.0, distinct, batch=batch)
    assert (found.matches, found.orders, found.compared, found.seen, found.capped, found.conflicts) == \
        (expected.matches, expected.orders, expected.compared, expected.seen, expected.capped, expected.conflicts)


def test_an_order_read_back_from_the_window_scores_as_itself() -> None:
    made = candidate(ROW, target=True, settled=False)
    back = unpack(pack(made))
    assert back.blocks == () and replace(back, blocks=made.blocks) == made


def _same_as_the_dict_of_blocks(cands: list[Candidate], window_days: int, batch: int) -> Found:
    found, expected = find_matches(cands, window_days, 85.0, set(), batch=batch), \
        _dict_of_blocks(cands, window_days, 85.0, set())
    assert (found.matches, found.compared, found.capped) == (expected.matches, expected.compared, expected.capped)
    return found


def _customer(oid: int, time: float, extra: str = "") -> Candidate:
    return Candidate(oid, time, True, False, "giulia rossi", "+393331234567", "", "00184|via roma|12", "",
                     (("crm-050", 1),), Money(2990, "EUR"), street="via roma", number="12", postcode="00184",
                     city="roma", extra=extra)


@settings(deadline=None)  # the first example may load numpy
@given(st.sampled_from([1, 7, 64]))
def test_a_key_repeated_by_the_order_that_opens_its_block_is_held_once(batch: int) -> None:
    """The street and a second line alike in sound give one key twice; the order opening that block was
    held in it once (later orders once per repeat): 50 orders then fill no block, 51 fill all."""
    cands = [_customer(1, 0.0, extra="roma")] + [_customer(i, 60.0 * i) for i in range(2, 51)]
    assert len(set(cands[0].blocks)) < len(cands[0].blocks)
    assert _same_as_the_dict_of_blocks(cands, 7, batch).capped == set()
    assert _same_as_the_dict_of_blocks([*cands, _customer(51, 3600.0)], 7, batch).capped


@settings(deadline=None)
@given(st.sampled_from([1, 7, 64]))
def test_an_order_leaves_the_window_only_once_strictly_older_than_the_span_and_the_slack(batch: int) -> None:
    """Orders exactly the window and its day of slack older still hold their place in the blocks."""
    cands = [_customer(i, 0.0) for i in range(1, 51)]
    assert _same_as_the_dict_of_blocks([*cands, _customer(51, 2 * DAY)], 1, batch).capped
    assert _same_as_the_dict_of_blocks([*cands, _customer(51, 2 * DAY + 0.5)], 1, batch).capped == set()


def test_the_shelf_reads_every_held_order_back_and_closes_a_file_once_its_batches_have_left() -> None:
    """Packed orders live in temporary files of SEGMENT batches each; reads cross the files' edges."""
    from codtool.dedupe.window import SEGMENT, Shelf

    shelf, batch = Shelf(batch=3), 3
    data = {slot: f"order {slot}".encode() * (slot % 4 + 1) for slot in range(batch * (3 * SEGMENT + 1))}
    for first in range(0, len(data), batch):
        shelf.put([data[slot] for slot in range(first, first + batch)])
    assert len(shelf.files) == 4
    for left in (0, 1, batch * SEGMENT - 1, batch * SEGMENT, batch * 2 * SEGMENT + 2, len(data) - 1):
        shelf.forget(left)
        held = range(left - left % batch, len(data))
        assert [shelf.read(slot) for slot in held] == [data[slot] for slot in held]
        assert len(shelf.files) == 4 - left // (batch * SEGMENT)
    shelf.close()
    assert not shelf.files


@settings(deadline=None)
@given(st.lists(st.lists(st.integers(-(2**63), 2**63 - 1), max_size=50), min_size=1, max_size=6))
def test_an_index_part_reads_back_as_written_and_its_file_holds_no_more(writes) -> None:
    """Each part of the index is written back whole, longer or shorter than before, to its own file."""
    import os

    import numpy as np

    from codtool.dedupe.window import PARTS, Parts

    parts = Parts()
    try:
        for n, hashes in enumerate(writes):
            part = n % PARTS
            keys, slots = np.array(sorted(hashes), np.int64), np.arange(len(hashes), dtype=np.int32)[::-1].copy()
            parts.save(part, keys, slots)
            back = parts.load(part)
            assert back[0].tolist() == keys.tolist() and back[1].tolist() == slots.tolist()
            assert os.fstat(parts.files[part].fileno()).st_size == 12 * len(hashes)
    finally:
        parts.close()
    assert parts.files == [None] * PARTS and parts.load(0)[0].size == 0


def test_a_run_stopped_by_an_error_leaves_no_file_of_the_window_open() -> None:
    """The window's files are unlinked as they are made and closed when the run ends, however it ends,
    not only once whatever holds the error lets the window go."""
    import os

    import pytest

    def orders():
        yield from (_customer(i, 60.0 * i) for i in range(1, 40))
        raise KeyboardInterrupt

    before = set(os.listdir("/proc/self/fd"))
    with pytest.raises(KeyboardInterrupt) as stopped:   # its traceback holds the run's frames, and the window
        find_matches(orders(), 7, 85.0, set(), batch=2)
    assert set(os.listdir("/proc/self/fd")) <= before, stopped.traceback


def test_the_window_refuses_a_batch_it_cannot_number() -> None:
    import pytest

    from codtool.dedupe.window import Window

    with pytest.raises(ValueError, match="a batch of 0 orders"):
        Window(DAY, 3_600.0, 0)
