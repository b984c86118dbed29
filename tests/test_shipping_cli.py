"""Shipping through the command line: ship, track, ndr list/record, report delivery."""

import json
from pathlib import Path

import helpers
import pytest
from helpers import brief, connect, imported_ledger
from openpyxl import load_workbook

from codtool.ledger import open_ledger
from codtool.ledger.orders import set_status

REPO = Path(__file__).resolve().parents[1]
ORDERS = sorted(str(p) for p in (REPO / "fixtures" / "orders").glob("*.csv"))
SHIP = REPO / "fixtures" / "shipping"
COURIERS = ("brt", "gls", "sda", "generic")
STATUS_FILES = (("brt", "brt_status_2026-11-25.csv"), ("brt", "brt_status_2026-11-27.csv"),
                ("brt", "brt_status_2026-12-04.csv"), ("gls", "gls_status.csv"), ("sda", "sda_status.csv"),
                ("generic", "generic_status.csv"))


@pytest.fixture(scope="module")
def imported(backend, tmp_path_factory):
    return imported_ledger(backend, tmp_path_factory.mktemp("base"))


@pytest.fixture
def db(imported, ledgers):
    return ledgers.copy(imported)


def run(db: Path, *args: str, code: int = 0):
    result = helpers.run(db, "--json", *args)
    assert result.exit_code == code, result.output
    return json.loads(result.stdout) if code == 0 and result.stdout.strip() else result


def ship_all(db: Path) -> None:
    for courier in COURIERS:
        run(db, "ship", str(SHIP / f"manifest_{courier}.csv"), "--courier", courier, "--shop", "demo", "--force")


def track_all(db: Path, files=STATUS_FILES) -> list[dict]:
    return [run(db, "track", str(SHIP / name), "--courier", courier)[0] for courier, name in files]


def statuses(db: Path) -> dict[str, str]:
    with connect(db) as conn:
        return dict(conn.execute("SELECT tracking_number, status FROM shipments"))


def order_status(db: Path, source_id: str) -> str:
    with connect(db) as conn:
        return conn.execute("SELECT status FROM orders WHERE source_id = ?", (source_id,)).fetchone()[0]


def test_ship_refuses_unconfirmed_orders_without_force(db):
    data = run(db, "ship", str(SHIP / "manifest_brt.csv"), "--courier", "brt", "--shop", "demo")
    assert data["shipped"] == 0
    reasons = {r["order"]: r["reason"] for r in data["refused"]}
    assert reasons["#1001"] == "order is not confirmed (status new); confirm it first or use --force"
    assert reasons["#1009"] == "order is cancelled"


def test_ship_records_parcels_and_a_rerun_changes_nothing(db):
    first = run(db, "ship", str(SHIP / "manifest_brt.csv"), "--courier", "brt", "--shop", "demo", "--force")
    assert (first["shipped"], first["already_recorded"]) == (7, 0)
    assert first["cod_to_collect"] == {"EUR": "400.40"}
    assert [r["line"] for r in first["refused"]] == [8]
    assert order_status(db, "#1001") == "shipped"
    again = run(db, "ship", str(SHIP / "manifest_brt.csv"), "--courier", "brt", "--shop", "demo", "--force")
    assert (again["shipped"], again["already_recorded"]) == (0, 7)
    with connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM shipments").fetchone()[0] == 7
        assert conn.execute("SELECT SUM(cod_minor) FROM shipments").fetchone()[0] == 40040


def test_ship_refuses_prepaid_with_cod_and_a_wrong_cod_amount(db):
    gls = run(db, "ship", str(SHIP / "manifest_gls.csv"), "--courier", "gls", "--shop", "demo", "--force")
    assert {r["order"]: r["reason"] for r in gls["refused"]} == {
        "5122": "prepaid order with a COD amount to collect (54.80 EUR)", "5123": "order is cancelled"}
    sda = run(db, "ship", str(SHIP / "manifest_sda.csv"), "--courier", "sda", "--shop", "demo", "--force")
    assert brief(sda["refused"], "line", "order", "reason") == [{"line": 4, "order": "UOYEVOLI",
                               "reason": "COD amount 30.00 differs from the order's 32.00 EUR"}]


def test_ship_refuses_malformed_cod_amounts_by_line(db, tmp_path):
    manifest = tmp_path / "bad_amounts.csv"
    manifest.write_text("order_id,tracking_number,ship_date,cod_amount\n"
                        "1002,059012300002,25/11/2026,1-2\n"
                        "1004,059012300003,25/11/2026,$ 89.00\n"
                        "1005,059012300004,25/11/2026,99999999999999999999\n"
                        "1007,059012300005,25/11/2026,89 GBP\n", encoding="utf-8")
    data = run(db, "ship", str(manifest), "--courier", "brt", "--shop", "demo", "--force")
    assert data["shipped"] == 0
    assert [(r["line"], r["reason"]) for r in data["refused"]] == [
        (2, "COD amount: '1-2': unexpected character '-'"),
        (3, "COD amount: '$ 89.00': currency '$' differs from the row's EUR"),
        (4, "COD amount: '99999999999999999999': beyond the largest amount codtool accepts (1000000000000 minor units)"),
        (5, "COD amount: '89 GBP': currency 'GBP' differs from the row's EUR"),
    ]


def test_ship_refuses_suspected_duplicates_and_already_shipped(db, tmp_path):
    with connect(db) as conn:
        ids = dict(conn.execute("SELECT source_id, id FROM orders WHERE source_id IN ('#1001', '#1008')"))
        conn.execute("INSERT INTO dedupe_clusters (id, cluster_key, status, keep_order_id, score, kind, created_at) "
                     "VALUES (1, 'k', 'open', ?, 96, 'likely', '2026-11-22T10:00:00Z')", (ids["#1001"],))
        conn.executemany("INSERT INTO dedupe_members VALUES (1, ?, ?)",
                         [(ids["#1001"], "keep"), (ids["#1008"], "duplicate")])
    data = run(db, "ship", str(SHIP / "manifest_brt.csv"), "--courier", "brt", "--shop", "demo", "--force")
    assert {"line": 7, "order": "#1008",
            "reason": "suspected duplicate of order #1001 (dedupe cluster 1 is open)"} in brief(
                data["refused"], "line", "order", "reason")
    manifest = tmp_path / "again.csv"
    manifest.write_text("order_id,tracking_number,ship_date\n#1001,059012399999,2026-11-26\n", encoding="utf-8")
    data = run(db, "ship", str(manifest), "--courier", "brt", "--shop", "demo")
    assert brief(data["refused"], "line", "order", "reason") == [{"line": 2, "order": "#1001",
                                "reason": "already shipped with brt 059012300001 on 2026-11-24"}]


def test_confirmed_orders_ship_without_force(db, tmp_path):
    with open_ledger(db) as ledger, ledger.transaction() as session:  # as a call would confirm it, with history
        set_status(session, helpers.order_id(db, "#1002"), "confirmed", "customer confirmed", "test")
    manifest = tmp_path / "m.csv"
    manifest.write_text("order_id,tracking_number,ship_date,cod_amount\n1002,059012300002,25/11/2026,\"89,00\"\n",
                        encoding="utf-8")
    data = run(db, "ship", str(manifest), "--courier", "brt", "--shop", "demo")
    assert (data["shipped"], data["refused"]) == (1, [])


def test_ship_bad_input_is_one_line_naming_the_file(db, tmp_path):
    result = run(db, "ship", str(tmp_path / "nope.csv"), "--courier", "brt", code=1)
    assert result.output == f"Error: {tmp_path / 'nope.csv'}: no such file\n"
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("order,colli\n#1001,1\n", encoding="utf-8")
    result = run(db, "ship", str(wrong), "--courier", "brt", code=1)
    assert result.output.startswith(f"Error: {wrong}:1: missing column(s) tracking_number: one of 'tracking_number'")
    result = run(db, "ship", str(SHIP / "manifest_brt.csv"), "--courier", "btr", code=1)
    assert result.output == ("Error: unknown courier 'btr'; built-in: brt, generic, gls, sda (for another courier "
                             "give its status mapping with --mapping FILE.toml)\n")


def test_every_status_path_reaches_shipment_and_order(db):
    ship_all(db)
    track_all(db)
    assert statuses(db) == {
        "059012300001": "delivered", "059012300002": "failed_attempt", "059012300003": "delivered",
        "059012300004": "rto_delivered", "059012300005": "failed_attempt", "059012300008": "in_transit",
        "059012300011": "delivered", "TO12345601": "delivered", "TO12345602": "failed_attempt",
        "TO12345604": "lost", "6001234A00011": "delivered", "6001234A00012": "failed_attempt",
        "6001234A00014": "failed_attempt", "EU7700000031": "delivered", "EU7700000032": "damaged",
        "EU7700000033": "lost",
    }
    assert order_status(db, "#1001") == "delivered"
    assert order_status(db, "#1004") == "returned"
    assert order_status(db, "5127") == "lost"
    assert order_status(db, "#1002") == "shipped"


def test_unknown_status_and_unknown_parcel_are_reported_by_line(db):
    ship_all(db)
    [data] = run(db, "track", str(SHIP / "brt_status_2026-11-27.csv"), "--courier", "brt")
    assert brief(data["issues"], "source", "line", "code", "message") == [
        {"source": "brt_status_2026-11-27.csv", "line": 12, "code": "tracking.unknown_status",
         "message": "unknown brt status 'FERMO DEPOSITO CONCORDATO': add it to the courier mapping"},
        {"source": "brt_status_2026-11-27.csv", "line": 13, "code": "tracking.unknown_parcel",
         "message": "no brt shipment with tracking number 059099999999"},
    ]
    assert data["new_events"] == 11


def test_replaying_files_changes_nothing(db):
    ship_all(db)
    track_all(db)
    with connect(db) as conn:
        before = [conn.execute(f"SELECT * FROM {t} ORDER BY id").fetchall()
                  for t in ("shipments", "tracking_events", "tracking_issues", "order_status_log")]
    again = track_all(db)
    assert sum(r["new_events"] for r in again) == 0
    assert all(r["shipments_updated"] == 0 for r in again)
    with connect(db) as conn:
        after = [conn.execute(f"SELECT * FROM {t} ORDER BY id").fetchall()
                 for t in ("shipments", "tracking_events", "tracking_issues", "order_status_log")]
    assert after == before


def test_files_arriving_out_of_order_give_the_same_statuses(db, imported, ledgers):
    ship_all(db)
    track_all(db)
    other = ledgers.copy(imported, "reversed")
    ship_all(other)
    track_all(other, tuple(reversed(STATUS_FILES)))
    assert statuses(other) == statuses(db)


def test_delivered_after_return_is_reported_and_ignored(db):
    ship_all(db)
    track_all(db, STATUS_FILES[:2])
    [data] = run(db, "track", str(SHIP / "brt_status_2026-12-04.csv"), "--courier", "brt")
    assert brief(data["issues"], "source", "line", "code", "message") == [{
        "source": "brt_status_2026-12-04.csv", "line": 3, "code": "tracking.impossible_transition",
        "message": "impossible transition for brt 059012300004: delivered at 2026-12-04T09:00:00 after rto_delivered"}]
    assert statuses(db)["059012300004"] == "rto_delivered"


def test_user_mapping_extends_the_default_and_broken_mappings_fail(db, tmp_path):
    ship_all(db)
    extra = tmp_path / "brt.toml"
    extra.write_text('[statuses]\n"FERMO DEPOSITO CONCORDATO" = "failed_attempt:rescheduled"\n', encoding="utf-8")
    [data] = run(db, "track", str(SHIP / "brt_status_2026-11-27.csv"), "--courier", "brt", "--mapping", str(extra))
    assert [i["code"] for i in data["issues"]] == ["tracking.unknown_parcel"]
    broken = tmp_path / "broken.toml"
    broken.write_text('[statuses]\n"CONSEGNATA" = "arrived"\n', encoding="utf-8")
    result = run(db, "track", str(SHIP / "gls_status.csv"), "--courier", "gls", "--mapping", str(broken), code=1)
    assert result.output == (f"Error: {broken}: status 'CONSEGNATA' maps to 'arrived'; use one of in_transit, "
                             "out_for_delivery, failed_attempt, refused, rto_in_transit, damaged, lost, delivered, "
                             "rto_delivered\n")
    broken.write_text('[statuses\n', encoding="utf-8")
    result = run(db, "track", str(SHIP / "gls_status.csv"), "--courier", "gls", "--mapping", str(broken), code=1)
    assert result.output.startswith(f"Error: {broken}: not a valid TOML file (")
    result = run(db, "track", str(SHIP / "gls_status.csv"), "--courier", "dhl", code=1)
    assert result.output == ("Error: no mapping for courier 'dhl'; built-in: brt, generic, gls, sda "
                             "(give your own with --mapping FILE.toml)\n")


def test_status_file_with_wrong_columns(db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("Spedizione;Quando;Stato\n059012300001;25/11/2026;CONSEGNATA\n", encoding="utf-8")
    result = run(db, "track", str(bad), "--courier", "brt", code=1)
    assert result.output == (f"Error: {bad}:1: missing column(s) event_at: one of 'Data evento', 'Data/Ora', "
                             "'event_at', 'Data'\n")
    bad.write_text("Spedizione;Data;Esito\n059012300001;25/11/2026;CONSEGNATA\n", encoding="utf-8")
    result = run(db, "track", str(bad), "--courier", "brt", code=1)
    assert result.output.startswith(f"Error: {bad}:1: missing column(s) status: one of 'Descrizione'")


def test_ndr_list_and_record(db, tmp_path):
    ship_all(db)
    track_all(db)
    open_before = run(db, "ndr", "list")
    assert [(n["tracking_number"], n["attempts"], n["reason"]) for n in open_before] == [
        ("059012300002", 2, "customer_absent"), ("059012300005", 1, "wrong_address"),
        ("6001234A00012", 1, "wrong_address"), ("TO12345602", 1, "phone_unreachable"),
        ("6001234A00014", 1, "rescheduled")]
    recorded = run(db, "ndr", "record", str(SHIP / "ndr_decisions.csv"))
    assert (recorded["recorded"], recorded["already_recorded"]) == (3, 0)
    assert brief(recorded["rejected"], "line", "code", "reason") == [
        {"line": 5, "code": "ndr.unknown_parcel", "reason": "no shipment with tracking number 6001234A00099"},
        {"line": 6, "code": "ndr.unknown_action", "reason": "unknown action 'riprova'; use reattempt, hold or return"}]
    assert [n["tracking_number"] for n in run(db, "ndr", "list")] == ["6001234A00012", "6001234A00014"]
    again = run(db, "ndr", "record", str(SHIP / "ndr_decisions.csv"))
    assert (again["recorded"], again["already_recorded"]) == (0, 3)
    with connect(db) as conn:  # the rejects are kept once, however often the file is recorded
        assert [tuple(r) for r in conn.query("SELECT line, code FROM findings WHERE source = 'ndr_decisions.csv' "
                                             "ORDER BY line")] == [(5, "ndr.unknown_parcel"), (6, "ndr.unknown_action")]
    out = tmp_path / "ndr.xlsx"
    run(db, "ndr", "list", "--out", str(out))
    sheet = load_workbook(out).active
    assert [c.value for c in sheet[1]][:3] == ["tracking_number", "courier", "order"]
    assert sheet.max_row == 3
    header = [c.value for c in sheet[1]]
    listed = run(db, "ndr", "list")
    for row, ndr in zip(sheet.iter_rows(min_row=2), listed, strict=True):
        cells = dict(zip(header, row, strict=True))
        assert cells["tracking_number"].data_type == "s" and cells["tracking_number"].value == ndr["tracking_number"]
        assert cells["cod_amount"].data_type == "n" and f"{cells['cod_amount'].value:.2f}" == ndr["cod_amount"]
        assert cells["last_attempt_at"].is_date


def test_ndr_record_requires_who_and_when(db, tmp_path):
    ship_all(db)
    file = tmp_path / "d.csv"
    file.write_text("tracking_number,action,decided_by\n059012300002,return,ops\n", encoding="utf-8")
    result = run(db, "ndr", "record", str(file), code=1)
    assert result.output.startswith(f"Error: {file}:1: missing column(s) decided_at: one of 'decided_at'")


def test_report_delivery_by_courier_and_export(db, tmp_path):
    ship_all(db)
    track_all(db)
    run(db, "ndr", "record", str(SHIP / "ndr_decisions.csv"))
    rows = {r["group"]: r for r in run(db, "report", "delivery")}
    brt = rows["brt"]
    assert (brt["shipments"], brt["delivered"], brt["refused"], brt["rto"], brt["open_ndr"]) == (7, 3, 1, 1, 0)
    assert (brt["delivery_rate"], brt["cash_collected"], brt["mean_days_to_deliver"]) == (0.4286, "122.70", 2.0)
    assert rows["sda"]["open_ndr"] == 2
    only = run(db, "report", "delivery", "--from", "2026-11-25", "--to", "2026-11-25", "--by", "shop")
    assert [(r["group"], r["shipments"]) for r in only] == [("demo", 4)]
    out = tmp_path / "report.xlsx"
    by_province = run(db, "report", "delivery", "--by", "province", "--out", str(out))
    sheet = load_workbook(out).active
    assert sheet["A1"].value == "group"
    header = [c.value for c in sheet[1]]
    for row, expected in zip(sheet.iter_rows(min_row=2), by_province, strict=True):
        cells = dict(zip(header, row, strict=True))
        assert cells["delivery_rate"].number_format == "0.0%"
        assert cells["delivery_rate"].value == pytest.approx(expected["delivery_rate"])
        assert cells["cash_collected"].data_type == "n"
        assert f"{cells['cash_collected'].value:.2f}" == expected["cash_collected"]
    result = run(db, "report", "delivery", "--by", "colour", code=2)
    assert "colour" in result.output and all(g in result.output for g in ("shop", "courier", "province", "sku"))


def test_order_view_shows_parcel_story(db):
    ship_all(db)
    track_all(db)
    data = run(db, "orders", "show", "#1004")
    assert data["shipments"][0]["status"] == "rto_delivered"
    assert [e["status"] for e in data["tracking_events"]][-2:] == ["rto_delivered", "delivered"]


@pytest.mark.parametrize("command", [["ship"], ["track"], ["ndr", "list"], ["ndr", "record"],
                                     ["report", "delivery"]])
def test_commands_have_help(command):
    result = helpers.invoke([*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_ndr_list_shows_the_address_corrected_on_a_call_and_the_e164_phone(db):
    ship_all(db)
    track_all(db)
    with connect(db) as conn:
        order = conn.execute("SELECT order_id FROM shipments WHERE tracking_number = '059012300005'").fetchone()[0]
        typed = conn.execute("SELECT address1, phone FROM orders WHERE id = ?", (order,)).fetchone()
        conn.execute("INSERT INTO call_attempts (order_id, outcome, called_at, call_back_at, agent, note, source_file, "
                     "source_line, attempt_key, recorded_at) VALUES (?, 'address_corrected', '2026-11-26T10:00:00', "
                     "'', 'ada', '', 'calls.csv', 2, 'k1', '2026-11-26T10:00:00Z')", (order,))
        conn.execute("INSERT INTO order_address_corrections VALUES ('k1', ?, 'Via Nuova 7', '', '20121', 'Milano', "
                     "'MI', '2026-11-26T10:00:00Z')", (order,))
        conn.execute("DELETE FROM order_normalised WHERE order_id = ?", (order,))
        conn.execute("INSERT INTO order_normalised VALUES (?, '+393331234567', '333 123 4567', 'mobile', '', '', '', "
                     "'', '', 'IT', '2026-11-26T10:00:00Z')", (order,))
    [ndr] = [n for n in run(db, "ndr", "list") if n["tracking_number"] == "059012300005"]
    assert ndr["address"] == "Via Nuova 7, 20121, Milano, MI"
    assert ndr["address_typed"].startswith(typed[0]) and ndr["phone"] == typed[1]
    assert ndr["phone_e164"] == "+393331234567"
    others = [n for n in run(db, "ndr", "list") if n["tracking_number"] != "059012300005"]
    assert all(n["address_typed"] == "" for n in others)
