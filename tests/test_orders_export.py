"""`codtool orders export`: every order in one sheet, and the CSV dialects on the CLI."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest
from helpers import imported_ledger, run, run_json
from openpyxl import load_workbook


@pytest.fixture(scope="module")
def checked(backend, tmp_path_factory):
    db = imported_ledger(backend, tmp_path_factory.mktemp("export"))
    assert run(db, "-q", "check").exit_code == 0
    return db


def _sheet(path):
    sheet = load_workbook(path).active
    header = [c.value for c in sheet[1]]
    return header, [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)]


def test_every_order_with_typed_cells_and_findings(checked, tmp_path):
    out = tmp_path / "orders.xlsx"
    data = run_json(checked, "orders", "export", "--out", str(out))
    listed = run_json(checked, "orders", "list", "--limit", "100000")
    assert data["orders"] == len(listed)
    _, rows = _sheet(out)
    assert [r["order"].value for r in rows] == [o["source_id"] for o in listed]
    for cells, order in zip(rows, listed, strict=True):
        if order["postcode"]:
            assert cells["postcode"].data_type == "s" and cells["postcode"].value == order["postcode"]
        assert cells["cod_amount"].data_type == "n"
        assert Decimal(str(cells["cod_amount"].value)) == Decimal(order["cod_amount"])
        assert cells["created_at"].is_date
        shown = run_json(checked, "orders", "show", order["source_id"]) if cells["finding_codes"].value else None
        if shown:
            codes = sorted(f["code"] for f in shown["findings"])
            assert sorted(cells["finding_codes"].value.split()) == codes
    assert any(r["finding_codes"].value for r in rows)


def test_filters(checked, tmp_path):
    new = run_json(checked, "orders", "list", "--status", "new", "--limit", "100000")
    data = run_json(checked, "orders", "export", "--out", str(tmp_path / "new.csv"), "--status", "new")
    assert data["orders"] == len(new)
    rows = list(csv.DictReader((tmp_path / "new.csv").read_text(encoding="utf-8").splitlines()))
    assert {r["status"] for r in rows} == {"new"}
    days = sorted(o["created_at"][:10] for o in new)
    one_day = run_json(checked, "orders", "export", "--out", str(tmp_path / "d.csv"), "--status", "new",
                       "--from", days[0], "--to", days[0])
    assert one_day["orders"] == days.count(days[0])
    none = run_json(checked, "orders", "export", "--out", str(tmp_path / "n.xlsx"), "--shop", "elsewhere")
    assert none["orders"] == 0 and load_workbook(tmp_path / "n.xlsx").active.max_row == 1


def test_bad_date_and_dialect_are_usage_errors(checked, tmp_path):
    assert run(checked, "orders", "export", "--out", str(tmp_path / "x.csv"), "--from", "23/11").exit_code == 2
    result = run(checked, "orders", "export", "--out", str(tmp_path / "x.csv"), "--csv-dialect", "excel-fr")
    assert result.exit_code == 2 and not (tmp_path / "x.csv").exists()


def test_excel_it_dialect_from_the_cli(checked, tmp_path):
    out = tmp_path / "it.csv"
    run_json(checked, "orders", "export", "--out", str(out), "--csv-dialect", "excel-it")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    listed = {o["source_id"]: o for o in run_json(checked, "orders", "list", "--limit", "100000")}
    for row in rows:
        assert row["cod_amount"] == listed[row["order"]]["cod_amount"].replace(".", ",")
    assert any("," in r["cod_amount"] for r in rows)


HOSTILE_NAMES = ['=HYPERLINK("http://x","y")', "+39 Mario", "-Rossi", "@SUM(A1)", "'=already quoted", " =cmd|' /C calc'!A0"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_export_imported_again_keeps_names_a_spreadsheet_would_run(ledgers, tmp_path, suffix):
    """The guard's apostrophe protects the person opening the file and comes off when codtool reads it back."""
    first, second = ledgers.new("first"), ledgers.new("second")
    rows = ["order_id,customer_name,phone,address1,city,postcode,country,cod_amount,currency,created_at"]
    rows += [f'{1000 + n},"{name.replace(chr(34), chr(34) * 2)}",+39 333 1234567,Via Roma {n},Milano,20121,IT,'
             f"10.00,EUR,2026-11-20" for n, name in enumerate(HOSTILE_NAMES)]
    source = tmp_path / "orders.csv"
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert run(first, "-q", "import", str(source), "--shop", "s1").exit_code == 0
    out = tmp_path / f"export{suffix}"
    run_json(first, "orders", "export", "--out", str(out))
    assert run(second, "-q", "import", str(out), "--shop", "s1").exit_code == 0
    names = {db: sorted(o["customer_name"] for o in run_json(db, "orders", "list", "--limit", "100"))
             for db in (first, second)}
    assert names[second] == names[first]
    assert '=HYPERLINK("http://x","y")' in names[second] and "@SUM(A1)" in names[second]
