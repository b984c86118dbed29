"""`codtool import` through the CLI: formats, real-world file quirks, idempotency, atomicity."""

from __future__ import annotations

import csv
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Cli
from helpers import brief

from codtool.importing import importer, source

ORDERS = Path(__file__).resolve().parent.parent / "fixtures" / "orders"


def write(path: Path, text: str, encoding: str = "utf-8", newline: str = "\n") -> Path:
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


GENERIC_HEADER = "order_id,customer_name,phone,address1,city,postcode,country,cod_amount\n"


def test_shopify_groups_line_items_and_keeps_text(cli):
    out = cli.json("import", ORDERS / "shopify_orders.csv", "--shop", "bella")[0]
    assert (out["rows"], out["orders"], out["imported"], out["rejected"]) == (12, 11, 10, 1)
    assert brief(out["rejects"], "source", "line", "code", "reason", "kind") == [
        {"source": "shopify_orders.csv", "line": 13, "code": "import.cod_without_amount",
         "reason": "COD order with no amount to collect", "kind": "rejected"}]
    order = cli.json("orders", "show", "#1001")
    assert [i["sku"] for i in order["items"]] == ["CRM-050", "SRM-030"]
    assert (order["postcode"], order["phone"], order["cod_minor"], order["cod_amount"]) == (
        "00184", "+39 333 123 4567", 5680, "56.80")
    assert order["shop"] == "bella" and order["created_at"] == "2026-11-18T09:14:22+01:00"
    us = cli.json("orders", "show", "#1006")
    assert (us["postcode"], us["country"], us["currency"], us["address2"]) == ("02108", "US", "USD", "Apt 4")


def test_shopify_prepaid_and_cancelled_orders(cli):
    cli.json("import", ORDERS / "shopify_orders.csv")[0]
    prepaid = cli.json("orders", "show", "#1003")
    assert (prepaid["is_cod"], prepaid["cod_minor"], prepaid["total_minor"]) == (False, 0, 4190)
    assert cli.json("orders", "show", "#1009")["status"] == "cancelled"
    multiline = cli.json("orders", "show", "#1004")
    assert multiline["notes"] == "Consegnare dopo le 18:00\nchiamare prima"
    assert multiline["source_line"] == 6


def test_woocommerce_decimal_comma_billing_fallback_and_rejects(cli):
    out = cli.json("import", ORDERS / "woocommerce_orders.csv")[0]
    assert out["profile"] == "woocommerce"
    assert [(r["line"], r["reason"]) for r in out["rejects"]] == [
        (6, "amount: no amount in 'abc'"),
        (7, "negative amount '-19,90'"),
        (8, "missing shipping address"),
    ]
    chair = cli.json("orders", "show", "5121")
    assert (chair["cod_minor"], chair["customer_name"], chair["city"]) == (124900, "Elena Conti", "Milano")
    assert cli.json("orders", "show", "5122")["is_cod"] is False
    assert cli.json("orders", "show", "5123")["status"] == "cancelled"


def test_prestashop_italian_cp1252_semicolon_crlf(cli):
    out = cli.json("import", ORDERS / "prestashop_orders_it.csv")[0]
    assert out["profile"] == "prestashop"
    assert (out["imported"], out["rejected"]) == (6, 2)
    assert [(r["line"], r["reason"]) for r in out["rejects"]] == [
        (7, "missing order id"), (8, "COD order with no amount to collect")]
    cantu = cli.json("orders", "show", "UOYEVOLI")
    assert (cantu["city"], cantu["address1"], cantu["country"]) == ("Cantù", "Via Cantù 4", "IT")
    assert cli.json("orders", "show", "XKBKNABJK")["phone"] == "347 888 1122"  # mobile preferred
    assert cli.json("orders", "show", "OHSATSERP")["cod_minor"] == 103450
    assert cli.json("orders", "show", "ZXCVBNMAS")["status"] == "cancelled"


def test_generic_currencies_and_prepaid_with_cod_amount(cli):
    out = cli.json("import", ORDERS / "generic_orders.csv")[0]
    assert out["profile"] == "generic"
    assert {r["line"]: r["reason"] for r in out["rejects"]} == {
        6: "prepaid order with a COD amount to collect",
        7: "amount: cannot read '12.5.0' as an amount",
    }
    assert cli.json("orders", "show", "G-2002")["cod_minor"] == 450000
    assert cli.json("orders", "show", "G-2001")["currency"] == "AED"


def test_real_world_file_quirks(cli, tmp_path):
    text = ("\n order_id ; Customer_Name ;phone;address1;city;postcode;country;cod_amount\n\n"
            "A1; Mario Rossi ;'0039 333 1234567;Via Po 1;Torino;'00118;it;\"1.234,50 €\"\n"
            "\n"
            "A2;Lucia Neri;3331234567;Via Po 2;Torino;10121;IT;12,5\n")
    path = write(tmp_path / "excel.csv", "\ufeff" + text, newline="\r\n")
    out = cli.json("import", path)[0]
    assert (out["imported"], out["rejected"]) == (2, 0)
    a1 = cli.json("orders", "show", "A1")
    assert (a1["customer_name"], a1["phone"], a1["postcode"], a1["cod_minor"], a1["country"]) == (
        "Mario Rossi", "0039 333 1234567", "00118", 123450, "IT")
    assert cli.json("orders", "show", "A2")["source_line"] == 6


def test_cp1252_and_utf16_tab_files(cli, tmp_path):
    row = "B1,Niccolò Forlì,+39 333 1234567,Via Cantù 3,Forlì,47121,IT,10.00\n"
    cli.json("import", write(tmp_path / "w.csv", GENERIC_HEADER + row, "cp1252"))[0]
    assert cli.json("orders", "show", "B1")["customer_name"] == "Niccolò Forlì"
    tabbed = (GENERIC_HEADER + row.replace("B1", "B2")).replace(",", "\t")
    cli.json("import", write(tmp_path / "u.txt", tabbed, "utf-16"))[0]
    assert cli.json("orders", "show", "B2")["city"] == "Forlì"


def test_identifiers_never_become_numbers(cli, tmp_path):
    rows = "1E5,Ada,3331234567,Via X 1,Roma,00118,IT,10\n0012,Bea,0039333,Via X 2,Roma,00119,IT,10\n"
    cli.json("import", write(tmp_path / "ids.csv", GENERIC_HEADER + rows))[0]
    assert cli.json("orders", "show", "1E5")["phone"] == "3331234567"
    assert cli.json("orders", "show", "0012")["postcode"] == "00119"


def test_too_many_fields_is_rejected_with_its_line(cli, tmp_path):
    rows = "C1,Ada,333,Via X 1,Roma,00118,IT,10,surplus\nC2,Bea,333,Via X 2,Roma,00118,IT,10\n"
    out = cli.json("import", write(tmp_path / "wide.csv", GENERIC_HEADER + rows))[0]
    assert brief(out["rejects"], "line", "kind", "reason") == [{"line": 2, "kind": "rejected",
                               "reason": "line has 9 fields, the header has 8: check the delimiter and quotes"}]


def test_same_file_twice_changes_nothing(cli):
    first = cli.json("import", ORDERS / "shopify_orders.csv")[0]
    again = cli.json("import", ORDERS / "shopify_orders.csv")[0]
    assert again["already_imported"] is True and again["batch_id"] == first["batch_id"]
    assert cli.sql("SELECT COUNT(*) FROM orders") == [(10,)]
    assert cli.sql("SELECT COUNT(*) FROM import_batches") == [(1,)]


def test_orders_already_in_ledger_are_counted_not_duplicated(cli, tmp_path):
    cli.json("import", ORDERS / "generic_orders.csv")[0]
    changed = (ORDERS / "generic_orders.csv").read_text(encoding="utf-8") + (
        "G-2099,2026-11-22 10:00,New Person,+39 333 0000000,n@example.it,Via Nuova 1,,Roma,00118,RM,IT,cod,10.00,EUR,,,,,\n")
    out = cli.json("import", write(tmp_path / "again.csv", changed))[0]
    assert (out["imported"], out["skipped_duplicates"], out["rejected"]) == (1, 5, 2)
    dup = next(r for r in out["rejects"] if r["kind"] == "duplicate")
    assert brief([dup], "line", "kind", "reason")[0] == {"line": 2, "kind": "duplicate",
                   "reason": "order G-2001 is already in the ledger (in batch 1, line 2)"}
    assert cli.sql("SELECT COUNT(*) FROM orders") == [(6,)]


def test_repeated_order_id_within_a_file(cli, tmp_path):
    rows = "D1,Ada,333,Via X 1,Roma,00118,IT,10\nD2,Bea,333,Via X 2,Roma,00118,IT,10\nD1,Ada,333,Via X 1,Roma,00118,IT,10\n"
    out = cli.json("import", write(tmp_path / "rep.csv", GENERIC_HEADER + rows))[0]
    assert brief(out["rejects"], "line", "kind", "code", "reason") == [
        {"line": 4, "kind": "duplicate", "code": "import.duplicate", "reason": "order D1 appears again (first at line 2)"}]
    assert out["rows"] == out["imported"] + out["skipped_duplicates"] == 3


def test_every_row_is_accounted_for(cli):
    for path in sorted(ORDERS.glob("*.csv")):
        out = cli.json("import", path)[0]
        stored = cli.sql("SELECT COUNT(*) FROM rejected_rows WHERE batch_id = ?", out["batch_id"])[0][0]
        imported_rows = cli.sql("SELECT COUNT(*) FROM orders WHERE batch_id = ?", out["batch_id"])[0][0]
        assert stored == len(out["rejects"]), path
        assert out["imported"] == imported_rows
        assert out["orders"] == out["imported"] + out["rejected"] + out["skipped_duplicates"], path


def test_orders_spanning_chunks_stay_whole(cli, monkeypatch):
    real = source.read_chunks
    monkeypatch.setattr(importer, "read_chunks", lambda src, hdr, exact, **kw: real(src, hdr, chunk_rows=1, exact=exact, **kw))
    cli.json("import", ORDERS / "shopify_orders.csv")[0]
    assert len(cli.json("orders", "show", "#1001")["items"]) == 2
    assert cli.sql("SELECT COUNT(*) FROM orders") == [(10,)]


def test_interrupted_import_leaves_no_partial_batch(cli, monkeypatch):
    real = source.read_chunks
    monkeypatch.setattr(importer, "read_chunks", lambda src, hdr, exact, **kw: real(src, hdr, chunk_rows=2, exact=exact, **kw))
    calls = []
    real_insert = importer.store.insert_orders

    def insert_then_interrupt(conn, rows):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real_insert(conn, rows)

    monkeypatch.setattr(importer.store, "insert_orders", insert_then_interrupt)
    result = cli("import", ORDERS / "shopify_orders.csv")
    assert result.exit_code == 130  # interrupted, as the shell reports Ctrl-C
    assert cli.sql("SELECT COUNT(*) FROM orders") == [(0,)]
    assert cli.sql("SELECT COUNT(*) FROM import_batches") == [(0,)]
    monkeypatch.setattr(importer.store, "insert_orders", real_insert)
    assert cli.json("import", ORDERS / "shopify_orders.csv")[0]["imported"] == 10


@pytest.mark.parametrize(("content", "message"), [
    (None, "no such file"),
    (b"", "the file is empty"),
    (b"\n\n  \n", "the file is empty"),
    (b"PK\x03\x04\x00\x00binary\x00", "looks like a binary file, not a CSV export (NUL bytes)"),
    (b"\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f" * 20, "cannot decode the file as UTF-8 or Windows-1252 text"),
    (b"order_id,customer_name,city\nX1,Ada,Roma\n",
     "missing required column(s) for profile generic: address1 (address1); cod_amount (cod_amount or cod)"),
])
def test_bad_files_fail_in_one_line_and_change_nothing(cli, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    if content is not None:
        path.write_bytes(content)
    result = cli("import", path, "--profile", "generic")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {path}: {message}\n"
    assert result.stdout == ""
    assert cli.sql("SELECT COUNT(*) FROM import_batches") == [(0,)]


def test_unrecognised_header_asks_for_a_profile(cli, tmp_path):
    path = write(tmp_path / "x.csv", "a,b,c\n1,2,3\n")
    result = cli("import", path)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path}:1: cannot recognise the export format") and "Traceback" not in result.output


def test_mapping_file_maps_any_header(cli, tmp_path):
    data = write(tmp_path / "gestionale.csv",
                 "Numero;Destinatario;Tel;Via;Comune;CAP;Contrassegno\nN-1;Ada Lovelace;333 1234567;Via Po 1;Torino;10121;25,00\n")
    mapping = write(tmp_path / "map.toml", '[columns]\norder_id = "Numero"\ncustomer_name = "Destinatario"\n'
                    'phone = "Tel"\naddress1 = "Via"\ncity = "Comune"\npostcode = "CAP"\ncod_amount = "Contrassegno"\n')
    out = cli.json("import", data, "--mapping", mapping, "--country", "it")[0]
    assert (out["imported"], out["profile"]) == (1, "generic+mapping")
    assert cli.json("orders", "show", "N-1")["cod_minor"] == 2500


def test_bad_mapping_and_bad_options(cli, tmp_path):
    mapping = write(tmp_path / "m.toml", '[columns]\norder_number = "X"\n')
    result = cli("import", ORDERS / "generic_orders.csv", "--mapping", mapping)
    assert result.exit_code == 1 and result.stderr.startswith(f"Error: {mapping}: unknown key columns.order_number (known: order_id, ")
    usage = cli("import", ORDERS / "generic_orders.csv", "--profile", "amazon")
    assert usage.exit_code == 2


def test_missing_country_without_default_is_rejected(cli, tmp_path):
    rows = "E1,Ada,333,Via X 1,Roma,00118,,10\n"
    out = cli.json("import", write(tmp_path / "nc.csv", GENERIC_HEADER + rows))[0]
    assert out["rejects"][0]["reason"] == "missing country (give --country CC for files without one)"
    fixed = cli.json("import", write(tmp_path / "nc2.csv", GENERIC_HEADER + rows.replace("E1", "E2")), "--country", "IT")[0]
    assert fixed["imported"] == 1


def test_several_files_give_a_list_and_a_table(cli):
    out = cli.json("import", ORDERS / "generic_orders.csv", ORDERS / "woocommerce_orders.csv")
    assert [o["profile"] for o in out] == ["generic", "woocommerce"]
    assert set(out[0]) >= {"batch_id", "file", "rows", "imported", "rejected", "skipped_duplicates",
                           "already_imported", "rejects"}
    human = cli("import", ORDERS / "shopify_orders.csv")
    assert human.exit_code == 0, human.output
    assert "shopify_orders.csv" in human.stdout and "COD order with no amount to collect" in human.stdout


def test_ledger_is_private_and_db_comes_from_env(tmp_path, monkeypatch):
    """SQLite only: about the ledger file itself."""
    from helpers import invoke

    db = tmp_path / "env.db"
    monkeypatch.setenv("CODTOOL_DB", str(db))
    result = invoke(["--json", "init"], db=db)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["db"] == str(db)
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600


def test_orders_list_filters(cli):
    cli.json("import", ORDERS / "woocommerce_orders.csv")[0]
    cancelled = cli.json("orders", "list", "--status", "cancelled")
    assert [o["source_id"] for o in cancelled] == ["5123"]
    assert len(cli.json("orders", "list", "--limit", "2")) == 2
    missing = cli("orders", "show", "nope")
    assert missing.exit_code == 1 and missing.stderr == "Error: no order 'nope'; see codtool orders list\n"


def test_two_processes_importing_the_same_file_do_not_collide(ledgers):
    db = ledgers.new("race")
    cmd = [sys.executable, "-m", "codtool", "--db", str(db), "--json", "import", str(ORDERS / "shopify_orders.csv")]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [json.loads(p.communicate()[0])[0] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert sorted(o["already_imported"] for o in outs) == [False, True]


def test_currency_must_be_an_iso_code(cli, tmp_path):
    usage = cli("import", ORDERS / "generic_orders.csv", "--currency", "EURO")
    assert usage.exit_code == 2
    header = GENERIC_HEADER.replace("cod_amount\n", "cod_amount,currency\n")
    out = cli.json("import", write(tmp_path / "cur.csv", header + "F1,Ada,333,Via X 1,Roma,00118,IT,10,€\n"))[0]
    assert out["rejects"][0]["reason"] == "currency '€' is not an ISO 4217 code"
    out = cli.json("import", write(tmp_path / "xyz.csv", header + "F2,Ada,333,Via X 1,Roma,00118,IT,10,xyz\n"))[0]
    assert out["rejects"][0]["reason"] == "currency 'XYZ' is not an ISO 4217 code"
    assert cli("import", ORDERS / "generic_orders.csv", "--currency", "XAU").exit_code == 2  # gold has no cents


def test_ledger_in_a_missing_folder_is_an_error(tmp_path):
    """SQLite only: about the ledger file itself."""
    from helpers import run

    db = tmp_path / "nope" / "x.db"
    result = run(db, "init")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {db}: the folder {db.parent} does not exist\n"
    assert not db.parent.exists()


def test_every_malformed_amount_is_a_reject_with_its_line_and_reason(cli, tmp_path):
    header = GENERIC_HEADER.replace("cod_amount\n", "cod_amount,currency\n")
    cells = ['"1-2"', "+-3", "(5", "12abc", "USD 12", "12 GBP", "$ 12.00", "1²", "١٢", "99999999999999999999",
             '"(5,00)"', '"1.234,50 €"']
    rows = "".join(f"M{n},Ada,333,Via X 1,Roma,00118,IT,{cell},EUR\n" for n, cell in enumerate(cells))
    out = cli.json("import", write(tmp_path / "amounts.csv", header + rows))[0]
    assert {r["line"]: r["reason"] for r in out["rejects"]} == {
        2: "amount: '1-2': unexpected character '-'",
        3: "amount: '+-3': more than one sign",
        4: "amount: '(5': a parenthesis must enclose the whole amount",
        5: "amount: '12abc': unexpected text 'abc'",
        6: "amount: 'USD 12': currency 'USD' differs from the row's EUR",
        7: "amount: '12 GBP': currency 'GBP' differs from the row's EUR",
        8: "amount: '$ 12.00': currency '$' differs from the row's EUR",
        9: "amount: '1²': non-ASCII digit '²'",
        10: "amount: '١٢': non-ASCII digit '١'",
        11: "amount: '99999999999999999999': beyond the largest amount codtool accepts (1000000000000 minor units)",
        12: "amount: '(5,00)': parentheses for negative amounts are not accepted in this file",
    }
    assert out["imported"] == 1 and cli.json("orders", "show", "M11")["cod_minor"] == 123450


def _reader_outcome(ledgers, monkeypatch, path: Path, forced: bool) -> tuple:
    """Orders and rejected records (cells included) of one import, by the exact reader if `forced`."""
    real = source.read_chunks
    monkeypatch.setattr(importer, "read_chunks",
                        lambda src, hdr, exact, **kw: real(src, hdr, exact=exact or forced, **kw))
    cli = Cli(ledgers.new(f"reader_{forced}"))
    result = cli("--json", "import", path)
    orders = cli.sql("SELECT source_id, source_line, customer_name, phone, postcode, cod_minor, items, status "
                     "FROM orders ORDER BY id")
    rejects = cli.sql("SELECT line, kind, reason, raw, code FROM rejected_rows ORDER BY id")
    return result.exit_code, orders, rejects


@pytest.mark.parametrize("hostile", ["bad total", "cells only in an unmapped column"])
def test_the_mapped_columns_reader_stores_what_the_exact_reader_stores(ledgers, monkeypatch, tmp_path, hostile):
    """pandas reads only the mapped columns of a Shopify export (issue 17); a rejected record's every
    cell is read again from its line, and a record with cells only in unmapped columns is not lost."""
    with (ORDERS / "shopify_orders.csv").open(encoding="utf-8", newline="") as handle:  # one line per record,
        records = [[" ".join(c.replace(",", " ").split()) for c in r] for r in csv.reader(handle)]  # no quoted commas
    width = len(records[0])
    if hostile == "bad total":
        extra = [[("#9001" if c == "#1001" else "5x.80" if c == "56.80" else c) for c in records[1]]]
    else:
        extra = [[""] * width]
        extra[0][records[0].index("Id")] = "only an id"  # not a mapped column: kept, and rejected
    path = tmp_path / "shopify_hostile.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([*records, [], *extra, [""] * width])
    narrow = source.inspect_file(path)
    header = source.read_header(narrow)
    assert narrow.separators < len(header.cells)  # the mapped-columns path applies, and reads the whole file:
    assert not next(source.read_chunks(narrow, header, exact=False, usecols=[0])).complete
    fast, exact = (_reader_outcome(ledgers, monkeypatch, path, e) for e in (False, True))
    assert fast == exact
    if hostile == "bad total":
        assert any(r[2].startswith("amount: ") and '"Total": "5x.80"' in r[3] for r in fast[2])
    else:
        assert any(r[2] == "missing order id" and '"Id": "only an id"' in r[3] for r in fast[2])


def test_raw_records_are_the_exact_readers_records(tmp_path):
    path = tmp_path / "cells.csv"
    path.write_text('a,b,c\n1,"x ""y""",3\n\n4,,\n', encoding="utf-8")
    found = source.raw_records(source.inspect_file(path), [2, 3, 4])
    assert found == {2: ["1", 'x "y"', "3"], 3: [], 4: ["4", "", ""]}
