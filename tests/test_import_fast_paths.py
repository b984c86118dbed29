"""The import's fast paths (issue 17) give what the plain per-value code gives, for any input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from codtool.dates import parse_datetime
from codtool.exports import unguard
from codtool.importing.normalise import _cleaned, _factorize, _first_filled, _joined_lists, _kept_as_text
from codtool.importing.values import iso_datetime, iso_datetimes

_OFFSETS = st.one_of(st.none(), st.just(UTC),
                     st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m))))
_MOMENTS = st.builds(lambda d, tz: d.replace(tzinfo=tz), st.datetimes(datetime(1990, 1, 1), datetime(2100, 1, 1)),
                     _OFFSETS)


@given(_MOMENTS, st.sampled_from(["T", " "]), st.booleans())
def test_order_times_read_as_the_cached_reader_reads_them(moment, sep, spaced_offset):
    text = moment.isoformat(sep=sep)
    if spaced_offset and moment.tzinfo is not None:
        text = text[:-6] + " " + text[-6:]
    expected = parse_datetime(text)
    assert iso_datetime(text) == (expected.isoformat(timespec="seconds") if expected else None)


@given(st.text(max_size=20))
def test_any_date_cell_reads_as_the_cached_reader_reads_it(text):
    expected = parse_datetime(text)
    assert iso_datetime(text) == (expected.isoformat(timespec="seconds") if expected else None)


_CELLS = st.lists(st.sampled_from(["", " a ", "'=1+1", "''@x", "'84010", "'", "\t'+39 333", "b", "'-2 "]), max_size=30)


@given(_CELLS)
def test_cells_are_stripped_and_read_back_one_by_one(cells):
    assert _cleaned(cells) == [unguard(c.strip()) for c in cells]


@given(st.lists(st.tuples(st.sampled_from(["", "a", "b", "12.50"]), st.sampled_from(["EUR", "JPY"]),
                          st.integers(0, 3)), max_size=40))
def test_factorize_keys_give_back_every_row(rows):
    columns = [pd.Series([r[i] for r in rows], dtype=object if i < 2 else "int64") for i in range(3)]
    codes, keys = _factorize(*columns)
    assert [keys[c] for c in codes] == [tuple(r) for r in rows]
    assert len(set(keys)) == len(keys)


_EDGE_TIMES = st.builds(  # the shapes the column reader takes, every field at and just beyond its range
    "{:04d}-{:02d}-{:02d} {:02d}:{:02d}:{:02d}{}".format, st.sampled_from([0, 1, 1900, 2000, 2024, 2026, 2100]),
    st.sampled_from([0, 1, 2, 4, 12, 13]), st.sampled_from([0, 1, 28, 29, 30, 31, 32]), st.sampled_from([0, 23, 24]),
    st.sampled_from([0, 59, 60]), st.sampled_from([0, 59, 60]),
    st.one_of(st.just(""), st.builds(" {}{:02d}{:02d}".format, st.sampled_from("+-"), st.sampled_from([0, 1, 23, 24]),
                                     st.sampled_from([0, 30, 59, 60]))))
_DATE_CELLS = st.one_of(
    _MOMENTS.map(lambda m: m.strftime("%Y-%m-%d %H:%M:%S %z").strip()),  # Shopify's shape, with and without offset
    _EDGE_TIMES,
    st.text(alphabet="0123456789-: +T", min_size=19, max_size=25), st.text(max_size=26))


@settings(max_examples=300)
@given(st.lists(_DATE_CELLS, max_size=20))
def test_a_column_of_order_times_reads_as_each_cell_reads(cells):
    """Whatever a column holds, it reads as `iso_datetime` reads each cell."""
    assert iso_datetimes(cells) == [iso_datetime(c) for c in cells]


@settings(max_examples=1000)
@given(_EDGE_TIMES)
def test_order_times_at_the_edges_read_as_each_cell_reads(cell):
    """Shapes the column reader takes, with out-of-range days (29 February), hours and offsets."""
    assert iso_datetimes([cell, "x"]) == [iso_datetime(cell), None]


@given(st.lists(st.tuples(st.sampled_from(["", " ", "a", "b "]), st.sampled_from(["", "c", " "]),
                          st.sampled_from(["", "d"])), max_size=20))
def test_first_filled_candidate_is_the_first_truthy_cell(rows):
    columns = [np.array([r[i] for r in rows], dtype=object) for i in range(3)]
    assert _first_filled(columns).tolist() == [a or b or c for a, b, c in rows]


@given(_CELLS)
def test_phones_and_caps_lose_their_apostrophes_as_read_back_cells_would(cells):
    assert _kept_as_text(cells) == [c.lstrip("'") for c in _cleaned(cells)]


@given(st.lists(st.tuples(st.booleans(), st.sampled_from(["", '{"a": 1}', '{"b": "x"}'])), min_size=1, max_size=20))
def test_items_of_each_order_join_into_one_json_list(rows):
    rows[0] = (True, rows[0][1])  # the first row starts an order
    starts = np.flatnonzero([new for new, _ in rows])
    fragments = np.array([f for _, f in rows], dtype=object)
    ends = [*starts[1:].tolist(), len(rows)]
    expected = ["[" + ",".join(filter(None, fragments[a:b].tolist())) + "]" for a, b in zip(starts, ends, strict=True)]
    assert _joined_lists(fragments, starts) == expected


def test_one_long_order_joins_all_its_items_once():
    """An order of thousands of line items (hostile or wholesale) is joined by str.join, not pairwise."""
    fragments = np.array([f'{{"n": {i}}}' for i in range(5000)] + ['{"n": "x"}'], dtype=object)
    starts = np.array([0, 5000])
    joined = _joined_lists(fragments, starts)
    assert joined == ["[" + ",".join(fragments[:5000].tolist()) + "]", '[{"n": "x"}]']


def test_huge_amount_cells_are_left_to_the_per_value_reader():
    from codtool.money import read_plain_column

    read, minor = read_plain_column(["1" * 100_000, "12.50", "9" * 13], [2, 2, 2])
    assert read.tolist() == [False, True, False]
    assert minor.tolist() == [0, 1250, 0]
