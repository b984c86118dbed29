"""Hostile and broken input (issue 18): every case ends in a clean `Error:` line or a processed file with rejects.

Each test here reproduces one traceback or wrong answer found by feeding codtool what an attacker or a
clumsy user would; `assert_clean` is the contract: no Python exception escapes, exit 0 or 1, and a failure
is exactly one line starting with `Error:` while the ledger is left as it was.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from backends import Location
from helpers import ORDER_FIXTURES, assert_clean, dump, imported_ledger, run
from hypothesis import given, settings
from hypothesis import strategies as st

from codtool.importing import source
from codtool.input_policy import LimitExceeded

REPO = Path(__file__).resolve().parents[1]
SHIP = REPO / "fixtures" / "shipping"
HUGE = "99999999999999999999"


@pytest.fixture(scope="module")
def shipped(backend, tmp_path_factory) -> Location:
    """Fixture orders imported and the generic manifest shipped, for track and ndr inputs (each backend)."""
    db = imported_ledger(backend, tmp_path_factory.mktemp("hostile"))
    result = run(db, "ship", str(SHIP / "manifest_generic.csv"), "--courier", "generic", "--shop", "demo", "--force")
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture
def db(shipped: Location, ledgers) -> Location:
    return ledgers.copy(shipped)


def _bad_byte(path: Path, text: str) -> Path:
    """The text with 0x81 (undefined in both UTF-8 and Windows-1252) inside its second line."""
    head, _, rest = text.partition("\n")
    path.write_bytes(head.encode() + b"\n" + b"X\x81" + rest.encode("cp1252"))
    return path


READERS = {
    "import": (["import"], "order_id,customer_name,address1,city,cod_amount\nA1,Anna,Via Roma 1,Roma,10.00\n",
               ["--shop", "demo"]),
    "track": (["track"], "tracking_number,event_at,status\nEU7700000031,2026-11-26T10:00:00,delivered\n",
              ["--courier", "generic"]),
    "ship": (["ship"], "order_id,tracking_number\nG-2005,EU1\n", ["--courier", "generic", "--shop", "demo"]),
    "calls record": (["calls", "record"], "order,outcome,called_at\n#1001,confirmed,2026-11-23 10:00\n", []),
    "ndr record": (["ndr", "record"], "tracking_number,action,decided_by,decided_at\nEU7700000031,hold,me,2026-11-27 10:00\n",
                   []),
}


@pytest.mark.parametrize("reader", READERS)
def test_a_byte_invalid_in_utf8_and_cp1252_is_named_with_line_and_column(db, tmp_path, reader):
    command, text, options = READERS[reader]
    path = _bad_byte(tmp_path / "input.csv", text)
    before = dump(db)
    result = run(db, *command, str(path), *options)
    assert_clean(result, db, before)
    assert result.exit_code == 1
    assert "0x81" in result.stderr and "line 2, column 2" in result.stderr, result.stderr


@pytest.mark.parametrize("quantity", ["²", "٣", HUGE, "-1", "1.5"])
def test_a_quantity_must_be_ascii_digits_within_bounds(db, tmp_path, quantity):
    path = tmp_path / "q.csv"
    path.write_text("order_id,customer_name,address1,city,country,cod_amount,sku,quantity,item_price\n"
                    f"Q1,Anna,Via Roma 1,Roma,IT,10.00,SKU,{quantity},10.00\n"
                    "Q2,Bea,Via Roma 2,Roma,IT,10.00,SKU,2,10.00\n", encoding="utf-8")
    result = run(db, "--json", "import", str(path), "--shop", "q")
    assert_clean(result)
    assert result.exit_code == 0, result.output
    import json

    [data] = json.loads(result.stdout)
    assert data["imported"] == 1 and [r["line"] for r in data["rejects"]] == [2], data


@pytest.mark.parametrize("column", ["cod_amount", "item_price"])
def test_an_amount_of_2_63_minor_units_is_a_reject(db, tmp_path, column):
    path = tmp_path / "a.csv"
    values = {"cod_amount": "10.00", "item_price": "10.00"} | {column: HUGE}
    path.write_text("order_id,customer_name,address1,city,country,cod_amount,sku,quantity,item_price\n"
                    f"Q1,Anna,Via Roma 1,Roma,IT,{values['cod_amount']},SKU,1,{values['item_price']}\n", encoding="utf-8")
    result = run(db, "--json", "import", str(path), "--shop", "q")
    assert_clean(result)
    assert result.exit_code == 0, result.output
    [data] = json.loads(result.stdout)  # the strict amount reader (issue 10) refuses it by its bound, as a reject
    assert data["imported"] == 0 and [r["line"] for r in data["rejects"]] == [2], data
    assert HUGE in data["rejects"][0]["reason"] and "largest amount" in data["rejects"][0]["reason"], data


@pytest.mark.parametrize("ref", ["²", "٣", HUGE, "9" * 5000])
def test_orders_show_reads_only_ascii_bounded_ids(db, ref):
    result = run(db, "orders", "show", ref)
    assert_clean(result)
    assert result.exit_code == 1 and "no order" in result.stderr


@pytest.mark.parametrize("ref", ["²", HUGE])
def test_a_call_sheet_id_must_be_ascii_digits_within_bounds(db, tmp_path, ref):
    path = tmp_path / "sheet.csv"
    path.write_text(f"id,outcome,called_at\n{ref},confirmed,2026-11-23 10:00\n", encoding="utf-8")
    result = run(db, "--json", "calls", "record", str(path))
    assert_clean(result)
    assert result.exit_code == 0 and '"line": 2' in result.stdout, result.output


def test_an_empty_shop_name_is_refused(db, tmp_path):
    before = dump(db)
    for command in (["import", str(ORDER_FIXTURES[0])], ["ship", str(SHIP / "manifest_generic.csv"), "--courier",
                                                          "generic"]):
        result = run(db, *command, "--shop", " ")
        assert result.exit_code == 2 and "shop" in result.output, result.output
    assert dump(db) == before


def test_a_huge_header_name_is_shortened_in_the_error(db, tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("outcome;called_at;" + "H" * 10_000_000 + "\n1;2;3\n", encoding="utf-8")
    result = run(db, "calls", "record", str(path))
    assert_clean(result)
    assert result.exit_code == 1 and f"{path}:1: the line is longer" in result.stderr
    path.write_text("outcome;called_at;" + "H" * 500_000 + "\n1;2;3\n", encoding="utf-8")
    result = run(db, "calls", "record", str(path))
    assert_clean(result)
    assert result.exit_code == 1 and "HHH... (500,000 characters)" in result.stderr, result.stderr


def test_one_row_of_100000_fields_is_refused_naming_the_limit(db, tmp_path):
    path = tmp_path / "fields.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write("order_id,customer_name,address1,city,cod_amount\n")
        out.write(",".join(["x"] * 100_000) + "\n")
        out.writelines(f"F{i},Anna,Via Roma 1,Roma,10.00\n" for i in range(2_000))
    before = dump(db)
    result = run(db, "import", str(path), "--shop", "demo")
    assert_clean(result, db, before)
    assert result.exit_code == 1 and f"{path}:2: 100,000 fields" in result.stderr and "1,000" in result.stderr


def test_an_overlong_line_is_refused_naming_the_limit(db, tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("order_id,customer_name,address1,city,cod_amount\nL1,Anna," + "V" * 3_000_000 + ",Roma,1\n",
                    encoding="utf-8")
    before = dump(db)
    result = run(db, "import", str(path), "--shop", "demo")
    assert_clean(result, db, before)
    assert result.exit_code == 1 and f"{path}:2: " in result.stderr and "1,000,000 bytes" in result.stderr


# -- TOML: column mappings, courier mappings and the calls policy ------------------------------------------

ORDERS_CSV = "order_id,customer_name,address1,city,cod_amount\nA1,Anna,Via Roma 1,Roma,10.00\n"
DEEP = "x = " + "[" * 5000 + "]" * 5000 + "\n"
MAPPINGS = {
    "int column": "[columns]\norder_id = 5\n",
    "list of ints": "[columns]\norder_id = [1, 2]\n",
    "statuses list": "statuses = [1, 2]\n[columns]\norder_id = 'order_id'\n",
    "deep": DEEP,
    "huge": f"[columns]\norder_id = {HUGE}\n",
    "line break in a key": 'columns = {"\\r\\nx" = 0}\n',
}
COURIER_MAPPINGS = {
    "int column": "[columns]\ntracking_number = 5\nstatus = 'status'\nevent_at = 'event_at'\n",
    "statuses list": "statuses = [1, 2]\n",
    "status int": "[statuses]\n'x' = 5\n",
    "formats": "date_formats = [1, 2]\n",
    "title table": "[title]\nx = 1\n",
    "deep": DEEP,
}
POLICIES = {
    "first_time huge": f"[points]\nfirst_time = {HUGE}\n",
    "retry huge": f"[unreachable]\nretry_hours = [{HUGE}]\n",
    "max_attempts huge": f"[unreachable]\nmax_attempts = {HUGE}\n",
    "points string": "[points]\nfirst_time = 'ten'\n",
    "high amount list": "[high_amount]\nEUR = [1]\n",
    "deep": DEEP,
    "line break in a key": 'points = {"\\r" = []}\n',
}


@pytest.mark.parametrize("case", MAPPINGS)
def test_a_wrong_column_mapping_names_file_and_key(db, tmp_path, case):
    orders = tmp_path / "o.csv"
    orders.write_text(ORDERS_CSV, encoding="utf-8")
    mapping = tmp_path / "map.toml"
    mapping.write_text(MAPPINGS[case], encoding="utf-8")
    before = dump(db)
    result = run(db, "import", str(orders), "--shop", "demo", "--profile", "generic", "--mapping", str(mapping))
    assert_clean(result, db, before)
    assert result.exit_code == 1 and str(mapping) in result.stderr, result.stderr


@pytest.mark.parametrize("case", COURIER_MAPPINGS)
def test_a_wrong_courier_mapping_names_file_and_key(db, tmp_path, case):
    status = tmp_path / "s.csv"
    status.write_text(READERS["track"][1], encoding="utf-8")
    mapping = tmp_path / "courier.toml"
    mapping.write_text(COURIER_MAPPINGS[case], encoding="utf-8")
    before = dump(db)
    result = run(db, "track", str(status), "--courier", "generic", "--mapping", str(mapping))
    assert_clean(result, db, before)
    assert result.exit_code == 1 and str(mapping) in result.stderr, result.stderr


@pytest.mark.parametrize("case", POLICIES)
def test_a_wrong_policy_names_file_key_and_bound(db, tmp_path, case):
    policy = tmp_path / "policy.toml"
    policy.write_text(POLICIES[case], encoding="utf-8")
    before = dump(db)
    result = run(db, "calls", "list", "--date", "2026-11-23", "--policy", str(policy))
    assert_clean(result, db, before)
    assert result.exit_code == 1 and str(policy) in result.stderr, result.stderr


def test_a_policy_error_names_key_expected_type_and_value(db, tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text(f"[unreachable]\nretry_hours = [2, {HUGE}]\n", encoding="utf-8")
    result = run(db, "calls", "list", "--policy", str(policy))
    assert result.exit_code == 1
    assert "unreachable.retry_hours[1]" in result.stderr and HUGE in result.stderr, result.stderr


# -- the ledger file ---------------------------------------------------------------------------------------

def test_init_tightens_a_world_readable_ledger_and_says_so(tmp_path):
    """SQLite only: about the ledger file itself."""
    db = tmp_path / "open.db"
    db.touch()
    os.chmod(db, 0o644)
    result = run(db, "init")
    assert result.exit_code == 0, result.output
    assert os.stat(db).st_mode & 0o777 == 0o600
    assert "0600" in result.output
    again = run(db, "init")
    assert "0600" not in again.output


def test_a_read_only_folder_gets_a_clear_message(tmp_path, monkeypatch):
    """SQLite only: about the ledger file itself."""
    import codtool.ledger.permissions as permissions

    monkeypatch.setattr(permissions, "_read_only_fs", lambda folder: True)
    result = run(tmp_path / "ledger.db", "init")
    assert_clean(result)
    assert result.exit_code == 1 and "read-only" in result.stderr, result.stderr


@pytest.mark.parametrize("args", [
    ["batches", "show", HUGE], ["batches", "show", "٣"], ["orders", "list", "--batch", HUGE],
    ["dedupe", "resolve", HUGE, "--keep", "1"], ["dedupe", "resolve", "1", "--keep", "²"], ["check", "--batch", HUGE],
    ["dedupe", "--batch", HUGE], ["orders", "list", "--limit", HUGE], ["calls", "list", "--limit", HUGE],
    ["batches", "list", "--limit", HUGE],
])
def test_id_and_limit_options_are_bounded_ascii_numbers(db, args):
    """click's int takes '٣' and 10**20; SQLite then overflows. These are usage errors (exit 2)."""
    before = dump(db)
    result = run(db, *args)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 2, result.output
    assert dump(db) == before


@settings(max_examples=150, deadline=None)
@given(text=st.text(alphabet=st.sampled_from("ab,;|\t\n\r"), max_size=60), block=st.integers(1, 8),
       limit=st.integers(1, 12))
def test_the_one_pass_scan_measures_lines_across_blocks(scan_file, text, block, limit):
    """Line limit and widest line agree with a plain reading, whatever the block boundaries."""
    scan_file.write_bytes(text.encode())
    lines = text.encode().split(b"\n")
    widest = max(sum(line.count(d) for d in b",;|\t") for line in lines)
    too_long = next((i for i, line in enumerate(lines, 1) if len(line) > limit), None)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(source, "_BLOCK", block)
        patch.setattr(source, "MAX_LINE_BYTES", limit)
        scan = source._Scan(scan_file)
        if too_long:
            with pytest.raises(LimitExceeded, match=f":{too_long}: "):
                scan.feed_all()
        else:
            scan.feed_all()
            assert scan.separators == widest


@pytest.fixture(scope="module")
def scan_file(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("scan") / "scan.csv"
