"""The import's fast paths (issue 17) give what the plain per-value code gives, for any input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from codtool.dates import parse_datetime
from codtool.exports import unguard
from codtool.importing.normalise import _cleaned, _factorize
from codtool.importing.values import iso_datetime

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
