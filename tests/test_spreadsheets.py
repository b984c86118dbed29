"""The one export writer: typed XLSX cells read back with openpyxl, and CSV dialects read back with csv."""

from __future__ import annotations

import csv
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from codtool.exports import (
    DATE,
    DATETIME,
    ID,
    INT,
    MONEY,
    RATE,
    TEXT,
    money_format,
    safe_cell,
    schema,
    unguard,
    write_table,
)
from codtool.money import Money

COLUMNS = schema(("order", ID), ("postcode", ID), ("phone", ID), ("tracking", ID), ("customer", TEXT),
                 ("amount", MONEY, "currency"), ("currency", TEXT), ("paid", MONEY), ("day", DATE),
                 ("at", DATETIME), ("rate", RATE), ("attempts", INT))
ROWS = [
    ["#1001", "00118", "+393331239999", "059012300002", "=1+1", "1034.50", "EUR", Money(123450, "EUR"),
     "2026-11-23", "2026-11-23T08:30:00Z", 0.1667, 2],
    ["5120", "20121", "3331234567", "A-1", "Rossi", "1500", "JPY", Money(12345, "KWD"), "", None, 0, "3"],
]


def _cells(path):
    sheet = load_workbook(path).active
    return sheet, [list(row) for row in sheet.iter_rows(min_row=2)]


def test_xlsx_cells_are_typed(tmp_path):
    out = tmp_path / "typed.xlsx"
    assert write_table(out, COLUMNS, ROWS) == 2
    sheet, (first, second) = _cells(out)
    values = [c.value for c in first]
    assert values[:5] == ["#1001", "00118", "+393331239999", "059012300002", "'=1+1"]
    assert all(c.data_type == "s" for c in first[:5])
    assert values[5] == Decimal("1034.50") or values[5] == pytest.approx(1034.5)
    assert first[5].data_type == "n" and first[5].number_format == "#,##0.00 [$€-410]"
    assert first[7].value == pytest.approx(1234.5) and first[7].number_format == "#,##0.00 [$€-410]"
    assert first[8].value == datetime(2026, 11, 23) and first[8].is_date
    assert first[9].value == datetime(2026, 11, 23, 8, 30) and first[9].is_date
    assert first[10].value == pytest.approx(0.1667) and first[10].number_format == "0.0%"
    assert first[11].value == 2
    assert second[5].value == 1500 and second[5].number_format == '#,##0 "JPY"'
    assert second[7].value == pytest.approx(12.345) and second[7].number_format == '#,##0.000 "KWD"'
    assert second[8].value is None and second[9].value is None
    assert second[11].value == 3 and second[0].value == "5120" and second[0].data_type == "s"


def test_xlsx_header_is_bold_frozen_filtered_and_fitted(tmp_path):
    out = tmp_path / "look.xlsx"
    write_table(out, COLUMNS, ROWS)
    sheet = load_workbook(out).active
    assert [c.value for c in sheet[1]] == [c.name for c in COLUMNS]
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:L3"
    widths = {k: d.width for k, d in sheet.column_dimensions.items()}
    assert widths["C"] >= len("+393331239999") and widths["E"] < widths["C"]


def test_money_formats_follow_the_currency():
    assert money_format("EUR") == "#,##0.00 [$€-410]"
    assert money_format("USD") == '#,##0.00 "USD"'
    assert money_format("JPY") == '#,##0 "JPY"'


def test_untyped_columns_keep_numbers_and_guard_text(tmp_path):
    out = tmp_path / "plain.xlsx"
    write_table(out, ("a", "n"), [["-5", 7], ["@SUM(A1)", 1.5]])
    _, rows = _cells(out)
    assert [[c.value for c in r] for r in rows] == [["'-5", 7], ["'@SUM(A1)", 1.5]]


def test_machine_csv_is_plain_utf8(tmp_path):
    out = tmp_path / "m.csv"
    write_table(out, COLUMNS, ROWS)
    raw = out.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8").splitlines()))
    assert rows[1][:8] == ["#1001", "00118", "+393331239999", "059012300002", "'=1+1", "1034.50", "EUR", "1234.50"]
    assert rows[1][10] == "0.1667"


def test_excel_it_csv_has_bom_semicolons_and_decimal_commas(tmp_path):
    out = tmp_path / "it.csv"
    write_table(out, COLUMNS, ROWS, dialect="excel-it")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0][:3] == ["order", "postcode", "phone"]
    assert rows[1][5] == "1034,50" and rows[1][7] == "1234,50" and rows[1][10] == "0,1667"
    assert rows[1][1] == "00118" and rows[1][8] == "2026-11-23"
    assert rows[2][7] == "12,345"


@given(st.text(max_size=30))
@example("'=1+1")
@example("''@x")
@example("'+39 333 1234567")
def test_unguard_gives_back_what_the_guard_protected(text):
    assert unguard(safe_cell(text)) == text


def test_unguard_leaves_ordinary_apostrophes():
    assert unguard("'tis") == "'tis"
    assert unguard("'=1+1") == "=1+1"
    assert unguard("''=1") == "'=1" and safe_cell("'=1") == "''=1"


@pytest.mark.parametrize("value", [date(2026, 1, 2), datetime(2026, 1, 2, 3, 4)])
def test_date_objects_are_date_cells(tmp_path, value):
    out = tmp_path / "d.xlsx"
    write_table(out, schema(("d", DATETIME)), [[value]])
    _, rows = _cells(out)
    assert rows[0][0].is_date


_CELL_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(_CELL_TEXT, _CELL_TEXT), min_size=1, max_size=5),
       suffix=st.sampled_from([".xlsx", ".csv"]))
@example(rows=[("'=x", "''@y"), ("=1+1", "00118")], suffix=".csv")
@example(rows=[("'=x", "''@y"), ("=1+1", "00118")], suffix=".xlsx")
def test_codtool_reads_back_what_it_wrote(tmp_path, rows, suffix):
    """Whatever text an export holds (formulas, apostrophes, digits), its reader gives it back."""
    from codtool.importing.source import inspect_file, read_chunks, read_header

    out = tmp_path / f"round{suffix}"
    data = [[f"k{i}", a, b] for i, (a, b) in enumerate(rows)]
    write_table(out, schema(("key", ID), ("a", TEXT), ("b", ID)), data, replace=True)
    source = inspect_file(out)
    header = read_header(source)
    back = [row for chunk in read_chunks(source, header) for row in chunk.rows]
    assert header.cells == ["key", "a", "b"]
    assert [[c if c is not None else "" for c in row] for row in back] == data


_ANY_CELL = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), _CELL_TEXT,
                      st.sampled_from(["-5", "+39 333 1234567", " =x", "'@y", "\t1", "12.50", "0.1667"]),
                      st.builds(Money, st.integers(-10**6, 10**6), st.sampled_from(["EUR", "JPY", "KWD"])))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(*[_ANY_CELL] * len(COLUMNS)), max_size=6),
       dialect=st.sampled_from(["machine", "excel-it"]))
@example(rows=[tuple(ROWS[0]), tuple(ROWS[1])], dialect="excel-it")
def test_csv_cells_are_each_guarded_and_spelled_one_at_a_time(tmp_path, rows, dialect):
    """The CSV writer's fast path for plain text and ints writes what guarding each cell on its own
    (`_needs_guard` over `_csv_text`, the writer before the fast path) writes, byte for byte."""
    from codtool.exports import _csv_text, _needs_guard, csv_dialect

    def guarded(text: str) -> str:  # the guard's definition, without the writer's first-character shortcut
        return "'" + text if _needs_guard(text) else text

    spec, index = csv_dialect(dialect), {c.name: i for i, c in enumerate(COLUMNS)}
    expected = [[guarded(c.name) for c in COLUMNS]]
    expected += [[guarded(_csv_text(c, v, row, index, spec)) for c, v in zip(COLUMNS, row, strict=True)]
                 for row in rows]
    out = tmp_path / "cells.csv"
    write_table(out, COLUMNS, rows, replace=True, dialect=dialect)
    raw = out.read_bytes().decode("utf-8-sig")
    assert list(csv.reader(raw.splitlines(keepends=True), delimiter=spec.delimiter)) == expected
