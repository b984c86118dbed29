"""Every reader of files people edit takes `.xlsx` too: the same rows, the same line numbers, the same result.

Fixture CSVs are turned into workbooks the way a person's Excel would hold them (numbers typed as
numbers, day-first dates as date cells, leading-zero identifiers as text), and each command must give
the same answer for the workbook as for the CSV.
"""

from __future__ import annotations

import csv
import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from helpers import CALL_FIXTURES, DAY, ORDER_FIXTURES, imported_ledger, run, run_json, status
from openpyxl import Workbook, load_workbook

from codtool.importing.sheets import cell_text

REPO = Path(__file__).resolve().parents[1]
SHIP = REPO / "fixtures" / "shipping"


def _csv_rows(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    first = text.splitlines()[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    return list(csv.reader(text.splitlines(), delimiter=delimiter))


def _as_excel_holds_it(text: str, decimal_comma: bool) -> object:
    """A number typed as a number, a day-first date as a date cell; text with leading zeros stays text."""
    if re.fullmatch(r"[1-9][0-9]{0,9}", text):
        return int(text)
    number = re.fullmatch(r"([0-9]+)[,.]([0-9]+)", text) if decimal_comma else None
    if number:
        return float(f"{number[1]}.{number[2]}")
    day = re.fullmatch(r"([0-9]{2})/([0-9]{2})/([0-9]{4})", text)
    if day:
        return datetime(int(day[3]), int(day[2]), int(day[1]))
    return text


def to_workbook(src: Path, dst: Path, typed: bool = True, first_sheet: str | None = None) -> Path:
    """The CSV as a workbook; with first_sheet, a notes sheet comes before the data sheet."""
    rows = _csv_rows(src)
    decimal_comma = ";" in src.read_bytes().splitlines()[0].decode("utf-8", "replace")
    book = Workbook()
    ws = book.active
    if first_sheet:
        ws.title = first_sheet
        ws.append(["notes only"])
        ws = book.create_sheet("data")
    for i, row in enumerate(rows):
        ws.append([_as_excel_holds_it(c, decimal_comma) if typed and i else c for c in row])
    book.save(dst)
    return dst


def _without_files(data):
    """The result with every file name and hash left out, nested findings included."""
    if isinstance(data, list):
        return [_without_files(d) for d in data]
    if not isinstance(data, dict):
        return data
    return {k: _without_files(v) for k, v in data.items() if k not in ("file", "source", "sha256", "batch_id")}


@pytest.mark.parametrize("fixture", ORDER_FIXTURES, ids=lambda p: p.name)
def test_order_import_reads_a_workbook_like_its_csv(ledgers, tmp_path, fixture):
    [from_csv] = run_json(ledgers.new("a"), "import", str(fixture), "--shop", "demo")
    book = to_workbook(fixture, tmp_path / (fixture.stem + ".xlsx"), typed=False)
    [from_xlsx] = run_json(ledgers.new("b"), "import", str(book), "--shop", "demo")
    # A CSV line number counts physical lines (a quoted address may span two); a sheet's counts records.
    records = _csv_rows(fixture)
    sheet = load_workbook(book).active
    for reject in from_xlsx["rejects"]:
        assert [cell_text(c.value) for c in sheet[reject["line"]]] == records[reject["line"] - 1]
    # The line and the file name differ by design; every other field of each reject must agree.
    lineless = [{k: v for k, v in r.items() if k not in ("line", "source")} for r in from_csv["rejects"]]
    assert [{k: v for k, v in r.items() if k not in ("line", "source")} for r in from_xlsx.pop("rejects")] == lineless
    from_csv.pop("rejects")
    assert _without_files(from_xlsx) == _without_files(from_csv)


@pytest.fixture(scope="module")
def orders(backend, tmp_path_factory):
    return imported_ledger(backend, tmp_path_factory.mktemp("orders"))


def test_ship_manifest_from_a_typed_workbook(orders, ledgers, tmp_path):
    manifest = SHIP / "manifest_brt.csv"
    args = ("--courier", "brt", "--shop", "demo", "--force")
    from_csv = run_json(ledgers.copy(orders), "ship", str(manifest), *args)
    book = to_workbook(manifest, tmp_path / "manifest.xlsx")
    assert isinstance(load_workbook(book).active["C2"].value, datetime)  # a real date cell
    from_xlsx = run_json(ledgers.copy(orders), "ship", str(book), *args)
    assert from_csv["shipped"] == 7 and _without_files(from_xlsx) == _without_files(from_csv)


def test_ndr_decisions_from_a_named_sheet(orders, ledgers, tmp_path):
    results = []
    for source in ("csv", "xlsx"):
        db = ledgers.copy(orders)
        for courier in ("brt", "gls", "sda", "generic"):
            run(db, "ship", str(SHIP / f"manifest_{courier}.csv"), "--courier", courier, "--shop", "demo", "--force")
        for courier, name in (("brt", "brt_status_2026-11-25.csv"), ("brt", "brt_status_2026-11-27.csv"),
                              ("gls", "gls_status.csv"), ("sda", "sda_status.csv")):
            run(db, "track", str(SHIP / name), "--courier", courier)
        decisions = SHIP / "ndr_decisions.csv"
        if source == "xlsx":
            decisions = to_workbook(decisions, tmp_path / "decisions.xlsx", first_sheet="Leggimi")
            wrong = run(db, "ndr", "record", str(decisions), "--sheet", "Nope")
            assert wrong.exit_code == 1
            assert wrong.stderr == f"Error: {decisions}: no sheet named 'Nope'; the workbook has 'Leggimi', 'data'\n"
            results.append(run_json(db, "ndr", "record", str(decisions), "--sheet", "data"))
        else:
            results.append(run_json(db, "ndr", "record", str(decisions)))
    assert results[0]["recorded"] > 0 and results[0]["rejected"]
    assert _without_files(results[1]) == _without_files(results[0])


def test_sheet_is_for_workbooks_only(orders, tmp_path):
    result = run(orders, "calls", "record", str(CALL_FIXTURES / "outcomes_2026-11-23.csv"), "--sheet", "x")
    assert result.exit_code == 1 and "--sheet is for XLSX workbooks" in result.stderr


def test_call_sheet_round_trip_xlsx(orders, ledgers, tmp_path):
    db = ledgers.copy(orders)
    with_formula = "=1+1"
    from helpers import connect
    with connect(db) as conn:
        conn.execute("UPDATE orders SET source_id = ? WHERE source_id = '#1004'", (with_formula,))
    out = tmp_path / "calls.xlsx"
    listed = run_json(db, "calls", "list", "--date", DAY, "--out", str(out))["calls"]
    assert with_formula in [c["order"] for c in listed]
    book = load_workbook(out)
    sheet = book.active
    header = [c.value for c in sheet[1]]
    assert sheet.cell(2, header.index("amount") + 1).data_type == "n"
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row, header.index("outcome") + 1, "confermato")
        sheet.cell(row, header.index("called_at") + 1, datetime(2026, 11, 23, 15, 0))
    book.save(out)
    recorded = run_json(db, "calls", "record", str(out))
    assert recorded["rejects"] == [] and recorded["recorded"] == len(listed)
    assert all(status(db, c["order"]) == "confirmed" for c in listed)


def test_guarded_cell_in_a_csv_call_sheet_reads_back(orders, ledgers, tmp_path):
    db = ledgers.copy(orders)
    from helpers import connect
    with connect(db) as conn:
        conn.execute("UPDATE orders SET source_id = '=1+1' WHERE source_id = '#1004'")
    out = tmp_path / "calls.csv"
    run_json(db, "calls", "list", "--date", DAY, "--out", str(out))
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert "'=1+1" in [r["order"] for r in rows]
    for r in rows:
        r["outcome"], r["called_at"] = "confermato", "23/11/2026 15:00"
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    recorded = run_json(db, "calls", "record", str(out))
    assert recorded["rejects"] == [] and status(db, "=1+1") == "confirmed"


def test_errors_name_the_sheet_row(orders, tmp_path):
    book = Workbook()
    ws = book.active
    ws.append(["id", "order", "outcome", "called_at"])
    ws.append([])  # a blank row 2: the reject must still say row 3
    ws.append([1, "x", "forse", "2026-11-23 10:00"])
    book.save(tmp_path / "bad.xlsx")
    data = json.loads(run(orders, "--json", "calls", "record", str(tmp_path / "bad.xlsx")).stdout)
    assert [r["line"] for r in data["rejects"]] == [3]


@pytest.mark.parametrize(("value", "text"), [
    (118, "118"), (118.0, "118"), (89.5, "89.5"), (0.1 + 0.2, "0.3"), (3331234567, "3331234567"),
    (datetime(2026, 11, 23), "2026-11-23"), (datetime(2026, 11, 23, 9, 30), "2026-11-23T09:30:00"),
    ("'=1+1", "'=1+1"), ("'tis", "'tis"), (None, ""), (True, "TRUE"),
])
def test_cells_read_as_the_text_a_person_sees(value, text):
    assert cell_text(value) == text


def test_not_a_workbook(orders, tmp_path):
    fake = tmp_path / "calls.xlsx"
    fake.write_bytes(b"PK\x03\x04not really a zip")
    result = run(orders, "calls", "record", str(fake))
    assert result.exit_code == 1 and result.stderr.startswith(f"Error: {fake}: not a readable XLSX workbook")


def test_input_policy_bounds_apply_to_sheets(orders, tmp_path, monkeypatch):
    from codtool.importing import sheets
    from codtool.input_policy import MAX_FIELDS

    book = Workbook()
    book.active.append(["id", "order", "outcome", "called_at"])
    book.active.append(["x"] * (MAX_FIELDS + 1))
    book.save(tmp_path / "wide.xlsx")
    wide = run(orders, "calls", "record", str(tmp_path / "wide.xlsx"))
    assert wide.exit_code == 1
    assert wide.stderr == (f"Error: {tmp_path / 'wide.xlsx'}:2: {MAX_FIELDS + 1:,} fields; "
                           f"the limit for one record is {MAX_FIELDS:,}\n")
    monkeypatch.setattr(sheets, "MAX_UNPACKED_BYTES", 1000)
    big = run(orders, "calls", "record", str(tmp_path / "wide.xlsx"))
    assert big.exit_code == 1 and "the workbook unpacks to" in big.stderr and "the limit is 1,000" in big.stderr


@pytest.mark.parametrize(("name", "content", "message"), [
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "an Excel 97-2003 (.xls) workbook"),
])
def test_other_binary_files_are_named(orders, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    result = run(orders, "import", str(path))
    assert result.exit_code == 1 and result.stderr.startswith(f"Error: {path}: {message}")
