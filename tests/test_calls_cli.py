"""`codtool calls list|record|confirm` through the CLI, on the fixture orders."""

from __future__ import annotations

import csv
import json

import pytest
from helpers import (
    CALL_FIXTURES,
    DAY,
    add_duplicate_cluster,
    add_shipment,
    brief,
    connect,
    imported_ledger,
    mark_checked,
    order_id,
    run,
    run_json,
    status,
    write_csv,
)
from openpyxl import load_workbook

AWAITING = ("G-2001", "G-2002", "G-2003", "G-2004", "G-2007", "XKBKNABJK", "OHSATSERP", "UOYEVOLI", "KHWLILZLL",
            "#1001", "#1002", "#1004", "#1005", "#1006", "#1007", "#1008", "#1011", "5120", "5121", "5127")
FIXTURE = str(CALL_FIXTURES / "outcomes_2026-11-23.csv")
WITH_ERRORS = str(CALL_FIXTURES / "outcomes_with_errors.csv")


@pytest.fixture(scope="module")
def template(backend, tmp_path_factory):
    return imported_ledger(backend, tmp_path_factory.mktemp("calls"))


@pytest.fixture
def db(template, ledgers):
    return ledgers.copy(template)


@pytest.fixture
def scored(db):
    """Every awaiting order checked; some with findings, a duplicate, refusals or a delivered past order."""
    mark_checked(db, *AWAITING, findings={"#1005": [("warning", "address.it.cap_mismatch",
                                                     "CAP 20121 does not belong to Milano zone")]})
    # Old orders of two customers, checked with the customers' phones: Sofia refused twice, Francesca paid.
    mark_checked(db, "#1009", "5123", "ZXCVBNMAS",
                 phones={"#1009": "+39 345 678 9012", "5123": "345 678 9012", "ZXCVBNMAS": "+39 366 444 5566"})
    add_shipment(db, "#1009", "refused", "BRT001")
    add_shipment(db, "5123", "rto_delivered", "BRT002")
    add_shipment(db, "ZXCVBNMAS", "delivered", "BRT003")
    add_duplicate_cluster(db, keep="#1001", duplicate="#1008")
    return db


def test_list_orders_riskiest_first_with_reasons(scored):
    data = run_json(scored, "calls", "list", "--date", DAY)
    assert [c["order"] for c in data["calls"]] == ["5127", "#1008", "#1004", "5121", "OHSATSERP", "#1005"]
    assert [c["score"] for c in data["calls"]] == [60, 45, 40, 40, 40, 25]
    first = data["calls"][0]
    assert [(r["points"], r["reason"]) for r in first["reasons"]] == [
        (50, "2 parcels refused or returned before"), (10, "first-time customer")]
    assert first["phone_e164"] == "+393456789012"
    assert first["phone_national"] == "345 678 9012"
    assert first["address"] == "Via XX Settembre 21/A, Scala B, 16121 Genova (GE)"
    assert (first["amount"], first["currency"], first["items"], first["attempt"]) == ("45.00", "EUR",
                                                                                      "1 x Scarpe 38", 1)
    dup = data["calls"][1]["reasons"][0]
    assert (dup["points"], dup["reason"]) == (35, "suspected duplicate of order #1001")
    warning = data["calls"][5]["reasons"][0]["reason"]
    assert warning == "warning address.it.cap_mismatch: CAP 20121 does not belong to Milano zone"
    # Francesca has a delivered order: score 0; the other clean first-timers score 10: no call needed.
    assert data["needs_no_call"] == 14


@pytest.mark.parametrize("chunk", [1, 4])
def test_customers_past_parcels_read_a_chunk_at_a_time_give_the_same_list(scored, monkeypatch, chunk):
    """The history is asked for a chunk of orders' phones at a time: any chunk gives the same list."""
    from codtool.notify import calls

    whole = run_json(scored, "calls", "list", "--date", DAY)
    monkeypatch.setattr(calls, "HISTORY_CHUNK", chunk)
    assert run_json(scored, "calls", "list", "--date", DAY) == whole
    assert [c["score"] for c in whole["calls"]][:1] == [60]  # Sofia's two refusals are in it


def test_the_table_shows_the_riskiest_and_says_where_the_rest_are(scored, monkeypatch, tmp_path):
    from codtool.commands import calls

    monkeypatch.setattr(calls, "SHOWN", 2)
    out = run(scored, "calls", "list", "--date", DAY).output
    assert f"Calls for {DAY} (6)" in out and "... and 4 more, less risky: write them all with --out" in out
    assert "5127" in out and "#1008" in out and "OHSATSERP" not in out
    sheet = tmp_path / "calls.csv"
    out = run(scored, "calls", "list", "--date", DAY, "--out", str(sheet)).output
    assert f"... and 4 more, less risky: every call is in {sheet}." in out.replace("\n", "")
    assert sheet.read_text().count("OHSATSERP") == 1


def test_limit_keeps_the_riskiest(scored):
    data = run_json(scored, "calls", "list", "--date", DAY, "--limit", "2")
    assert [c["order"] for c in data["calls"]] == ["5127", "#1008"]


def test_resolved_duplicate_cluster_is_not_a_signal(db):
    mark_checked(db, *AWAITING)
    add_duplicate_cluster(db, keep="#1001", duplicate="#1008", status_="not_duplicate")
    data = run_json(db, "calls", "list", "--date", DAY)
    assert "#1008" not in [c["order"] for c in data["calls"]]


def test_unchecked_orders_fall_back_to_the_raw_phone(db):
    data = run_json(db, "calls", "list", "--date", DAY)
    assert len(data["calls"]) == 20
    sofia = next(c for c in data["calls"] if c["order"] == "5127")
    assert (sofia["phone_as_typed"], sofia["phone_e164"]) == ("0039 345 678 9012", "+393456789012")
    assert [r["code"] for r in sofia["reasons"]] == ["unchecked", "first_time"]


def test_orders_created_after_the_day_are_not_listed(db):
    data = run_json(db, "calls", "list", "--date", "2026-11-19")
    assert {c["order"] for c in data["calls"]} == {"#1001", "#1002", "#1004", "#1005", "#1006", "#1007", "#1008",
                                                   "5120", "5121"}


def test_record_fixture_moves_each_order(db):
    data = run_json(db, "calls", "record", FIXTURE)
    assert (data["lines"], data["recorded"], data["blank"], data["rejects"]) == (7, 6, 1, [])
    assert [(c["order"], c["from"], c["to"]) for c in data["status_changes"]] == [
        ("#1001", "new", "confirmed"), ("#1002", "new", "confirmed"), ("5121", "new", "cancelled"),
        ("UOYEVOLI", "new", "unreachable")]
    assert [status(db, s) for s in ("OHSATSERP", "XKBKNABJK", "#1008")] == ["new", "new", "new"]
    with connect(db) as conn:
        log = conn.execute("SELECT reason, source FROM order_status_log WHERE order_id = ?",
                           (order_id(db, "5121"),)).fetchone()
    assert tuple(log) == ("customer cancelled on the phone (2026-11-23 09:31:00)", "calls record")


def test_corrected_address_is_kept_beside_what_the_customer_typed(db):
    run_json(db, "calls", "record", FIXTURE)
    shown = run_json(db, "orders", "show", "#1002")
    assert (shown["address1"], shown["address2"]) == ("C.so Vittorio Emanuele II 45", "int. 4")
    assert shown["corrected_address"][0] | {"corrected_at": None} == {
        "address1": "Corso Vittorio Emanuele II 47", "address2": "int. 4, scala B", "postcode": "10121",
        "city": "Torino", "province": "TO", "corrected_at": None}
    assert shown["calls"][0]["outcome"] == "address_corrected"
    assert shown["calls"][0]["note"] == "civico 47 non 45"


def test_recording_the_same_file_twice_changes_nothing(db):
    run_json(db, "calls", "record", FIXTURE)
    with connect(db) as conn:
        before = [conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                  for t in ("call_attempts", "order_status_log", "order_address_corrections")]
    again = run_json(db, "calls", "record", FIXTURE)
    assert (again["recorded"], again["already_recorded"], again["status_changes"], again["rejects"]) == (0, 6, [], [])
    with connect(db) as conn:
        after = [conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                 for t in ("call_attempts", "order_status_log", "order_address_corrections")]
    assert after == before == [6, 4, 1]


def test_a_corrected_copy_records_only_the_new_lines(db, tmp_path):
    run_json(db, "calls", "record", FIXTURE)
    text = (CALL_FIXTURES / "outcomes_2026-11-23.csv").read_text(encoding="utf-8")
    text = text.replace("#1008;demo;Giulia Rossi;333 123 4567;;;", "#1008;demo;Giulia Rossi;333 123 4567;"
                        "annullato;23/11/2026 10:02;")
    data = run_json(db, "calls", "record", str(write_csv(tmp_path / "copy.csv", text)))
    assert (data["recorded"], data["already_recorded"]) == (1, 6)
    assert status(db, "#1008") == "cancelled"


def test_invalid_lines_are_rejected_with_line_numbers(db):
    strict = run(db, "--json", "--strict", "calls", "record", WITH_ERRORS)
    assert strict.exit_code == 1
    assert strict.stderr == (f"Error: {WITH_ERRORS}: 6 line(s) rejected or reported (--strict): rolled back, "
                             "nothing recorded; see the output\n")
    result = run(db, "--json", "calls", "record", WITH_ERRORS)
    assert result.exit_code == 0  # the valid lines were recorded; rejects are in the output
    data = json.loads(result.stdout)
    assert brief(data["rejects"], "line", "code", "reason") == [
        {"line": 3, "code": "call.unknown_order", "reason": "unknown order '#9999'"},
        {"line": 4, "code": "call.bad_line", "reason": "unknown outcome 'forse' (use confirmed, cancelled, no_answer, call_back, "
                              "address_corrected, wrong_number)"},
        {"line": 5, "code": "call.bad_line", "reason": "called_at 'ieri' is not a date and time (write e.g. 2026-11-23 10:30)"},
        {"line": 6, "code": "call.bad_line", "reason": "address_corrected needs new_address1 and new_city"},
        {"line": 7, "code": "call.order_closed", "reason": "order #1009 is cancelled: calls are recorded only for orders awaiting shipment "
                              "(new, confirmed, unreachable)"},
        {"line": 8, "code": "call.bad_line", "reason": "call_back_at is empty (write e.g. 2026-11-23 10:30)"},
    ]
    assert result.stderr == ""
    assert json.loads(strict.stdout)["recorded"] == 1  # what would have been recorded: --strict rolled it back
    assert (data["recorded"], data["already_recorded"]) == (1, 0) and status(db, "#1005") == "confirmed"


def test_unreachable_after_max_attempts_by_default(db, tmp_path):
    sheet = write_csv(tmp_path / "calls.csv", "order,outcome,called_at\n"
                      "OHSATSERP,no answer,2026-11-21 10:00\nOHSATSERP,no answer,2026-11-22 10:00\n")
    run_json(db, "calls", "record", str(sheet))
    assert status(db, "OHSATSERP") == "new"
    third = write_csv(tmp_path / "calls3.csv", "order,outcome,called_at\nOHSATSERP,no_answer,2026-11-23 10:00\n")
    data = run_json(db, "calls", "record", str(third))
    assert data["status_changes"][0]["to"] == "unreachable"
    assert data["status_changes"][0]["reason"] == "3 calls without answer: policy after 3 is unreachable"
    assert "OHSATSERP" not in [c["order"] for c in run_json(db, "calls", "list", "--date", DAY)["calls"]]
    decisions = run_json(db, "orders", "show", "OHSATSERP")["call_policy_decisions"]
    assert [(d["action"], d["score"]) for d in decisions] == [("unreachable", 30)]


def test_policy_can_cancel_after_fewer_attempts(db, tmp_path):
    policy = write_csv(tmp_path / "policy.toml", '[unreachable]\nmax_attempts = 2\naction = "cancel"\n')
    sheet = write_csv(tmp_path / "calls.csv", "order,outcome,called_at\n"
                      "OHSATSERP,no answer,2026-11-22 10:00\nOHSATSERP,no answer,2026-11-23 10:00\n")
    data = run_json(db, "calls", "record", str(sheet), "--policy", str(policy))
    assert [(c["line"], c["to"]) for c in data["status_changes"]] == [(3, "cancelled")]
    assert status(db, "OHSATSERP") == "cancelled"


def test_retry_spacing_and_call_back_times(db, tmp_path):
    sheet = write_csv(tmp_path / "calls.csv", "order,outcome,called_at,call_back_at\n"
                      "OHSATSERP,no answer,2026-11-23 09:40,\n5121,call back,2026-11-23 09:45,2026-11-24 18:00\n")
    run_json(db, "calls", "record", str(sheet))
    today = run_json(db, "calls", "list", "--date", DAY)
    retried = next(c for c in today["calls"] if c["order"] == "OHSATSERP")
    assert (retried["attempt"], retried["due_at"], retried["last_outcome"]) == (2, "2026-11-23T11:40:00", "no_answer")
    assert "5121" not in [c["order"] for c in today["calls"]] and today["not_due_yet"] == 1
    policy = write_csv(tmp_path / "policy.toml", "[unreachable]\nretry_hours = [48]\n")
    spaced = run_json(db, "calls", "list", "--date", DAY, "--policy", str(policy))
    assert "OHSATSERP" not in [c["order"] for c in spaced["calls"]] and spaced["not_due_yet"] == 2
    tomorrow = run_json(db, "calls", "list", "--date", "2026-11-24")
    assert next(c for c in tomorrow["calls"] if c["order"] == "5121")["due_at"] == "2026-11-24T18:00:00"


def test_confirmed_after_unanswered_calls_and_not_applied_moves(db, tmp_path):
    sheet = write_csv(tmp_path / "calls.csv", "order,outcome,called_at\n"
                      "#1004,annullato,2026-11-23 09:00\n#1004,confermato,2026-11-23 11:00\n")
    data = run_json(db, "calls", "record", str(sheet))
    assert [(c["to"]) for c in data["status_changes"]] == ["cancelled"]
    assert data["not_applied"][0] | {"line": 0} == {"line": 0, "id": order_id(db, "#1004"), "order": "#1004",
                                                    "from": "cancelled", "to": "confirmed",
                                                    "reason": "cancelled orders cannot become confirmed"}


def test_auto_confirm_low_risk_orders_and_record_why(scored):
    dry = run_json(scored, "calls", "confirm", "--date", DAY, "--dry-run")
    assert len(dry["confirmed"]) == 14 and status(scored, "#1011") == "new"
    data = run_json(scored, "calls", "confirm", "--date", DAY)
    assert len(data["confirmed"]) == 14 and data["need_call"] == 6
    assert status(scored, "#1011") == "confirmed" and status(scored, "5127") == "new"
    log = run_json(scored, "orders", "show", "#1002")["status_history"][0]
    assert log["reason"] == "auto-confirmed by policy: score 10 <= 10, clean checks (+10 first-time customer)"
    assert log["source"] == "calls"
    francesca = run_json(scored, "orders", "show", "#1011")["call_policy_decisions"][0]
    assert (francesca["action"], francesca["score"], francesca["reasons"]) == ("auto_confirmed", 0, "[]")
    again = run_json(scored, "calls", "confirm", "--date", DAY)
    assert again["confirmed"] == [] and again["need_call"] == 6


def test_auto_confirm_can_be_switched_off(scored, tmp_path):
    policy = write_csv(tmp_path / "policy.toml", "[auto_confirm]\nenabled = false\n")
    data = run_json(scored, "calls", "confirm", "--date", DAY, "--policy", str(policy))
    assert data["confirmed"] == [] and data["need_call"] == 20
    assert len(run_json(scored, "calls", "list", "--date", DAY, "--policy", str(policy))["calls"]) == 20


def test_call_sheet_round_trip_csv(scored, tmp_path):
    out = tmp_path / "sheet.csv"
    data = run_json(scored, "calls", "list", "--date", DAY, "--out", str(out))
    assert data["file"] == str(out)
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows[0]["reasons"] == "2 parcels refused or returned before +50; first-time customer +10"
    assert rows[0]["phone_e164"] == "+393456789012"
    for row in rows:
        row["outcome"], row["called_at"] = "confermato", "23/11/2026 15:00"
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    recorded = run_json(scored, "calls", "record", str(out))
    assert recorded["recorded"] == 6 and all(status(scored, r["order"]) == "confirmed" for r in rows)


def test_call_sheet_xlsx_is_safe_from_formulas(scored, tmp_path):
    with connect(scored) as conn:
        conn.execute("UPDATE orders SET customer_name = ? WHERE source_id = '5127'", ("=HYPERLINK(\"http://x\")",))
    out = tmp_path / "sheet.xlsx"
    run_json(scored, "calls", "list", "--date", DAY, "--out", str(out))
    sheet = load_workbook(out).active
    header = [c.value for c in sheet[1]]
    first = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert first["customer"] == "'=HYPERLINK(\"http://x\")"
    assert first["phone_e164"] == "+393456789012"
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_human_output_names_the_next_step(scored, tmp_path):
    result = run(scored, "calls", "list", "--date", DAY, "--out", str(tmp_path / "s.csv"))
    assert result.exit_code == 0, result.output
    assert "Calls for 2026-11-23 (6)" in result.stdout
    assert "14 low-risk orders need no call (codtool calls confirm); 0 wait for their retry time." in result.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["calls", "record", "missing.csv"], "Error: missing.csv: no such file\n"),
    (["calls", "list", "--policy", "nope.toml"], "Error: nope.toml: no such policy file\n"),
])
def test_missing_files_are_one_line_errors(db, args, message):
    result = run(db, *args)
    assert result.exit_code == 1
    assert result.stderr == message


def test_outcomes_file_without_needed_columns(db, tmp_path):
    path = write_csv(tmp_path / "bad.csv", "ordine,esito\n#1001,confermato\n")
    result = run(db, "calls", "record", str(path))
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {path}:1: missing column id or order, outcome, called_at "
                             "(found: ordine, esito)\n")


def test_line_with_a_stray_separator(db, tmp_path):
    path = write_csv(tmp_path / "bad.csv", "order,outcome,called_at\n#1001,confirmed,2026-11-23 10:00,extra\n")
    data = json.loads(run(db, "--json", "calls", "record", str(path)).stdout)
    assert brief(data["rejects"], "source", "line", "reason") == [{"source": "bad.csv", "line": 2, "reason": "4 cells but the header has 3 (a stray separator?)"}]


@pytest.mark.parametrize("args", [
    ["calls", "list", "--date", "23/11/2026"],
    ["calls", "list", "--out", "sheet.pdf"],
    ["calls", "list", "--limit", "0"],
])
def test_usage_errors_exit_2(db, args):
    assert run(db, *args).exit_code == 2


def test_call_sheet_read_back_in_small_chunks_is_the_same_sheet(scored):
    """The lines are sorted in the ledger and read back a chunk at a time, with each chunk's corrections."""
    from datetime import date

    from codtool.ledger import open_ledger
    from codtool.notify.calls import SheetLines, call_list
    from codtool.notify.policy import Policy

    expected = run_json(scored, "calls", "list", "--date", DAY)["calls"]
    ledger = open_ledger(scored)
    try:
        listed = call_list(ledger, date.fromisoformat(DAY), Policy())
        assert len(listed.calls) == len(expected)
        assert list(SheetLines(ledger.session, len(expected), None, chunk=2)) == expected
        assert list(listed.calls) == list(listed.calls) == expected  # walked twice, read twice
        assert listed.calls[:2] == expected[:2]
    finally:
        ledger.close()


def test_the_call_sheet_shows_what_json_shows(scored, tmp_path):
    """The sheet's rows come straight from the packed lines (issue 17), not from the JSON dicts: the
    same cells either way, reasons as the sheet spells them, the fill-in columns empty."""
    from codtool.exports import unguard
    from codtool.notify.call_sheet import COLUMNS, FILL_IN, json_reasons_text

    out = tmp_path / "sheet.csv"
    calls = run_json(scored, "calls", "list", "--date", DAY, "--out", str(out))["calls"]
    with out.open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    assert header == [*COLUMNS, *FILL_IN]
    shown = [[json_reasons_text(c["reasons"]) if k == "reasons" else str(c[k]) for k in COLUMNS] + [""] * len(FILL_IN)
             for c in calls]
    assert [[unguard(cell) for cell in row] for row in rows] == shown
    assert len(rows) == 6 and all(row[COLUMNS.index("reasons")] for row in rows)
