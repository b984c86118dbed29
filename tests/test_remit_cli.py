"""remit import, bank, reconcile, report, resolve through the command line, on a hand-checked world."""

from __future__ import annotations

import csv
import json
from datetime import date
from decimal import Decimal

import pytest
from conftest import Cli
from openpyxl import load_workbook
from remit_world import BANK, EXPECTED, REMITTANCE_A, TOTAL_A, build, key


def reconcile(cli, config, *args):
    return cli.json("--config", config, "remit", "reconcile", "--as-of", "2026-10-11", *args)


def test_every_kind_reported_once_with_its_exact_amount(cli, tmp_path):
    config = build(cli, tmp_path)
    data = reconcile(cli, config)
    found = [key(d) for d in data["discrepancies"]]
    assert sorted(found) == sorted(EXPECTED)
    counts = data["counts"]
    assert counts["parcels_matched"] == 2  # T1 and T6 (two partial payments)
    assert counts["parcels_not_due"] == 1  # T8
    assert counts["lines_partial"] == 1
    assert counts["remittances_credited"] == 1
    assert counts["bank_debits_unmatched"] == 1


def test_discrepancy_json_has_the_documented_fields(cli, tmp_path):
    config = build(cli, tmp_path)
    item = next(d for d in reconcile(cli, config)["discrepancies"] if d["kind"] == "short_paid")
    assert set(item) >= {"kind", "courier", "tracking_number", "order_id", "bank_reference", "amount_minor",
                         "currency", "cycle", "detail"}
    assert (item["courier"], item["order_id"], item["currency"]) == ("brt", "1002", "EUR")
    assert item["cycle"] == "2026-10-01/2026-10-05"
    assert item["amount"] == "1.20"


def test_cycle_table(cli, tmp_path):
    config = build(cli, tmp_path)
    cycles = reconcile(cli, config)["cycles"]
    first, second = cycles
    assert (first["cycle_start"], first["cycle_end"], first["payout_due"]) == ("2026-10-01", "2026-10-05", "2026-10-07")
    # T1..T6 delivered in the first cycle (T6 at 23:30 on its last day); expected nets by hand
    assert first["parcels"] == 6
    assert first["expected_minor"] == 5530 + 11820 + 19700 + 8750 + 5530 + 11820
    assert first["remitted_minor"] == 5530 + 11700 + 19600 + 9000 + 6000 + 5820
    assert first["difference_minor"] == first["expected_minor"] - first["remitted_minor"]
    assert first["status"] == "overdue"  # T5 was never remitted and the grace has passed
    assert (second["cycle_start"], second["parcels"], second["status"]) == ("2026-10-06", 1, "open")


def test_not_credited_after_the_grace(cli, tmp_path):
    config = build(cli, tmp_path, bank=False)
    early = cli.json("--config", config, "remit", "reconcile", "--as-of", "2026-10-10")
    assert [d for d in early["discrepancies"] if d["kind"] == "not_credited"] == []
    late = cli.json("--config", config, "remit", "reconcile", "--as-of", "2026-10-13")
    assert sorted(key(d) for d in late["discrepancies"] if d["kind"] == "not_credited") == [
        ("not_credited", "12345678901", TOTAL_A), ("not_credited", "22233344455", 5820)]


def test_reconcile_twice_posts_nothing_new_and_doctor_passes(cli, tmp_path):
    config = build(cli, tmp_path)
    assert reconcile(cli, config)["new_transactions"] > 0
    again = reconcile(cli, config)
    assert again["new_transactions"] == 0
    doctor = cli.json("doctor")
    assert doctor["violations"] == []
    assert "every money transaction balances per currency" in doctor["checked"]


def test_same_file_twice_changes_nothing(cli, tmp_path):
    config = build(cli, tmp_path)
    before = cli.sql("SELECT COUNT(*) FROM remit_lines")[0][0]
    again = cli.json("--config", config, "remit", "import", tmp_path / "a.csv", "--courier", "brt")[0]
    assert again["already_imported"] is True
    assert cli.json("--config", config, "remit", "bank", tmp_path / "bank.csv")[0]["already_imported"] is True
    assert cli.sql("SELECT COUNT(*) FROM remit_lines")[0][0] == before == 9


def test_lines_in_another_order_reconcile_the_same(cli, ledgers, tmp_path):
    config = build(cli, tmp_path)
    first = reconcile(cli, config)
    header, *lines = REMITTANCE_A.splitlines()
    rev = tmp_path / "rev"
    rev.mkdir()
    other = Cli(ledgers.new("reversed"))
    build(other, rev, remittance_a="\n".join([header, *reversed(lines)]) + "\n")
    second = other.json("--config", rev / "codtool.toml", "remit", "reconcile", "--as-of", "2026-10-11")
    assert sorted(key(d) for d in second["discrepancies"]) == sorted(key(d) for d in first["discrepancies"])
    assert second["cycles"] == first["cycles"]


def test_rejected_lines_name_line_and_reason(cli, tmp_path):
    build(cli, tmp_path, bank=False)
    bad = tmp_path / "bad.csv"
    bad.write_text("tracking_number,cod_amount,fee,net_amount,remittance_date,bank_reference\n"
                   "T9,10.00,1.50,8.50,2026-10-07,R1\n"
                   ",10.00,1.50,8.50,2026-10-07,R1\n"
                   "T10,dieci,1.50,8.50,2026-10-07,R1\n"
                   "T11,10.00,1.50,8.50,31/02/2026,R1\n", encoding="utf-8")
    data = cli.json("--config", tmp_path / "codtool.toml", "remit", "import", bad, "--courier", "brt")[0]
    assert data["imported"] == 1
    assert [(r["line"], r["reason"]) for r in data["rejected"]] == [
        (3, "no tracking number and no order id"),
        (4, "cod_amount: no amount in 'dieci'"),
        (5, "cannot read remittance_date '31/02/2026'")]
    strict = cli("--strict", "--config", tmp_path / "codtool.toml", "remit", "import", bad, "--courier", "brt")
    assert strict.exit_code == 0  # already imported: nothing rejected this time


def test_missing_columns_and_unconfigured_courier_are_one_line_errors(cli, tmp_path):
    config = build(cli, tmp_path, bank=False)
    bad = tmp_path / "nocols.csv"
    bad.write_text("tracking_number,remittance_date\nT1,2026-10-07\n", encoding="utf-8")
    result = cli("--config", config, "remit", "import", bad, "--courier", "brt")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {bad}:1: missing column net_amount (or both cod_amount and fee)")
    result = cli("--config", config, "remit", "import", tmp_path / "a.csv", "--courier", "gls")
    assert result.exit_code == 1
    assert "courier 'gls' has no [couriers.gls] section" in result.stderr


def test_fail_on_discrepancy_exits_3(cli, tmp_path):
    config = build(cli, tmp_path)
    result = cli("--config", config, "remit", "reconcile", "--as-of", "2026-10-11", "--fail-on-discrepancy")
    assert result.exit_code == 3, result.output
    quiet = cli("--config", config, "remit", "reconcile", "--as-of", "2026-10-03", "--fail-on-discrepancy")
    assert quiet.exit_code == 0, quiet.output  # nothing is due yet and no line is dated before the 7th


def test_bank_statement_italian_layout(cli, tmp_path):
    build(cli, tmp_path, bank=False)
    data = cli.json("--config", tmp_path / "codtool.toml", "remit", "bank", tmp_path / "bank.csv")[0]
    assert (data["layout"], data["imported"], data["credits"], data["debits"]) == ("dare_avere", 4, 3, 1)
    assert data["closing_balance_minor"] == 165624
    assert cli.sql("SELECT amount_minor, booking_date FROM bank_lines ORDER BY id")[1] == (-4500, "2026-10-09")


def test_bank_statement_signed_amount_and_overlap(cli, tmp_path):
    build(cli, tmp_path, bank=False)
    config = tmp_path / "codtool.toml"
    first = tmp_path / "mps.csv"
    first.write_text("Estratto conto\nDATA CONT.;DATA VAL.;DESCRIZIONE;IMPORTO\n"
                     "08/10/2026;08/10/2026;BONIFICO BRT CRO 12345678901;638,90\n"
                     "09/10/2026;09/10/2026;COMMISSIONI;-2,50\n"
                     "09/10/2026;09/10/2026;COMMISSIONI;-2,50\n", encoding="utf-8")
    second = tmp_path / "plain.csv"
    second.write_text("date,amount,description\n2026-10-09,-2.50,COMMISSIONI\n2026-10-10,12.34,BONIFICO X\n",
                      encoding="utf-8")
    a = cli.json("--config", config, "remit", "bank", first)[0]
    b = cli.json("--config", config, "remit", "bank", second)[0]
    assert (a["layout"], a["imported"]) == ("signed", 3)  # two identical fees in one file are two fees
    assert (b["layout"], b["imported"], b["already_known"]) == ("signed", 1, 1)


def test_bank_file_without_header_is_refused(cli, tmp_path):
    path = tmp_path / "junk.csv"
    path.write_text("nothing;here\n1;2\n", encoding="utf-8")
    result = cli("remit", "bank", path)
    assert result.exit_code == 1
    assert "no header row with a date column" in result.stderr


def test_resolve_write_off_leaves_the_open_list_and_balances(cli, tmp_path):
    config = build(cli, tmp_path)
    open_ = {d["kind"]: d for d in reconcile(cli, config)["discrepancies"]}
    short = open_["short_paid"]
    done = cli.json("--config", config, "remit", "resolve", str(short["id"]), "--write-off", "--note", "too small",
                    "--by", "anna", "--as-of", "2026-10-11")
    assert (done["decision"], done["decided_by"], done["amount_minor"]) == ("write_off", "anna", 120)
    after = reconcile(cli, config)
    assert short["id"] not in {d["id"] for d in after["discrepancies"]}
    assert after["counts"]["resolved_discrepancies"] == 1
    balances = {a["code"]: a["balance"] for a in cli.json("remit", "balances")["accounts"]}
    assert balances["write_offs"] == 120
    (trail,) = cli.json("--config", config, "remit", "report", "--as-of", "2026-10-11")["decisions"]
    assert (trail["discrepancy_id"], trail["decision"], trail["note"], trail["decided_by"]) == (
        short["id"], "write_off", "too small", "anna")
    again = cli("--config", config, "remit", "resolve", str(short["id"]), "--dispute", "--note", "x")
    assert again.exit_code == 1 and "already resolved (write_off by anna" in again.stderr
    assert cli.json("doctor")["violations"] == []


def test_resolve_each_kind_keeps_the_ledger_balanced(cli, tmp_path):
    config = build(cli, tmp_path)
    items = reconcile(cli, config)["discrepancies"]
    for n, item in enumerate(items):
        flag = ("--write-off", "--dispute", "--accept")[n % 3]
        result = cli("--config", config, "remit", "resolve", str(item["id"]), flag, "--note", "checked",
                     "--as-of", "2026-10-11")
        assert result.exit_code == 0, result.output + result.stderr
    assert reconcile(cli, config)["discrepancies"] == []
    assert cli.json("doctor")["violations"] == []
    receivable = {a["code"]: a["balance"] for a in cli.json("remit", "balances")["accounts"]}["receivable:brt"]
    assert receivable == 5680  # only T8 is still owed: delivered, not due yet


def test_resolve_needs_one_decision_and_a_note(cli, tmp_path):
    config = build(cli, tmp_path)
    first = reconcile(cli, config)["discrepancies"][0]["id"]
    assert cli("--config", config, "remit", "resolve", str(first), "--note", "x").exit_code == 2
    no_note = cli("--config", config, "remit", "resolve", str(first), "--accept")
    assert no_note.exit_code == 1 and "--note" in no_note.stderr
    assert cli("--config", config, "remit", "resolve", "999", "--accept", "--note", "x").exit_code == 1


def test_report_json_totals_add_up(cli, tmp_path):
    config = build(cli, tmp_path)
    data = cli.json("--config", config, "remit", "report", "--as-of", "2026-10-11")
    (aging,) = data["aging"]
    bands = ("not_due_minor", "0-5_minor", "6-10_minor", "11-30_minor", "over_30_minor")
    assert sum(aging[b] for b in bands) == aging["total_minor"] == data["aging_total_minor"]
    # due 2026-10-07, as of the 11th: 4 days past due; short 1.20 + fee 1.00 - over 2.50 + overdue 55.30
    assert aging["0-5_minor"] == 120 + 100 - 250 + 5530
    assert aging["not_due_minor"] == 5530  # T8: 56.80 - 1.50


def test_report_xlsx_has_numbers_dates_and_a_frozen_bold_header(cli, tmp_path):
    config = build(cli, tmp_path)
    out = tmp_path / "report.xlsx"
    result = cli("--config", config, "remit", "report", "--as-of", "2026-10-11", "--out", out)
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    cycles = book["Cycles"]
    assert cycles.freeze_panes == "A2" and cycles["A1"].font.b
    assert cycles["B2"].value.date() == date(2026, 10, 1)
    assert isinstance(cycles["F2"].value, int | float) and "€" in cycles["F2"].number_format
    assert Decimal(str(cycles["F2"].value)) == Decimal("631.50")
    discrepancies = book["Discrepancies"]
    assert discrepancies.max_row == 1 + len(EXPECTED)


def test_report_csv(cli, tmp_path):
    config = build(cli, tmp_path)
    out = tmp_path / "report.csv"
    assert cli("--config", config, "remit", "report", "--as-of", "2026-10-11", "--out", out).exit_code == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert {r["section"] for r in rows} == {"cycle", "aging", "discrepancy"}
    over = next(r for r in rows if r["kind"] == "over_paid")
    assert over["amount"] == "2.50"
    total = next(r for r in rows if r["section"] == "aging" and r["courier"] == "TOTAL")
    assert total["total"] == "110.30"


def test_report_refuses_a_bad_out_before_working(cli, tmp_path):
    result = cli("remit", "report", "--out", tmp_path / "r.pdf")
    assert result.exit_code == 1 and "write .csv or .xlsx" in result.stderr


def test_report_replaces_an_existing_file_only_with_force(cli, tmp_path):
    config = build(cli, tmp_path)
    out = tmp_path / "report.csv"
    out.write_text("someone's notes\n", encoding="utf-8")
    refused = cli("--config", config, "remit", "report", "--as-of", "2026-10-11", "--out", out)
    assert refused.exit_code == 1
    assert refused.stderr == f"Error: {out}: already exists; use --force to replace it\n"
    assert out.read_text(encoding="utf-8") == "someone's notes\n"
    forced = cli("--config", config, "remit", "report", "--as-of", "2026-10-11", "--out", out, "--force")
    assert forced.exit_code == 0, forced.output
    assert out.read_text(encoding="utf-8-sig").startswith("section,")
    assert oct(out.stat().st_mode & 0o777) == "0o600"


def test_json_is_one_document(cli, tmp_path):
    config = build(cli, tmp_path)
    result = cli("--json", "--config", config, "remit", "reconcile", "--as-of", "2026-10-11")
    assert json.loads(result.stdout)["as_of"] == "2026-10-11"
    assert BANK  # the statement the world imported


def test_cycles_cut_by_rome_days_across_the_october_change(cli, tmp_path):
    from remit_world import CONFIG, seed_parcels

    seed_parcels(cli.db, [
        ("brt", "S1", "1", "s", 5680, "delivered", "2026-10-05T21:30:00Z"),  # 23:30 CEST on the 5th: last day
        ("brt", "S2", "2", "s", 5680, "delivered", "2026-10-05T22:30:00Z"),  # 00:30 on the 6th: next cycle
        ("brt", "W1", "3", "s", 5680, "delivered", "2026-10-25T22:30:00Z"),  # 23:30 CET on the 25th, after the change
        ("brt", "W2", "4", "s", 5680, "delivered", "2026-10-25T23:30:00Z"),  # 00:30 on the 26th
    ])
    config = tmp_path / "c.toml"
    config.write_text(CONFIG, encoding="utf-8")
    cycles = cli.json("--config", config, "remit", "reconcile", "--as-of", "2026-10-27")["cycles"]
    assert [(c["cycle_start"], c["cycle_end"], c["parcels"]) for c in cycles] == [
        ("2026-10-01", "2026-10-05", 1), ("2026-10-06", "2026-10-10", 1),
        ("2026-10-21", "2026-10-25", 1), ("2026-10-26", "2026-10-30", 1)]


def test_settlements_tell_payouts_when_cash_arrived(cli, tmp_path):
    from codtool.config import load_config
    from codtool.ledger import open_ledger
    from codtool.remit.reconcile import reconcile as run

    config = build(cli, tmp_path)
    ledger = open_ledger(cli.db)
    try:
        result = run(ledger, load_config(config), date(2026, 10, 11))
    finally:
        ledger.close()
    paid = {(s.tracking_number, s.net_minor): (s.credited_on, s.credit_exact) for s in result.settlements()}
    assert paid[("T1", 5530)] == ("2026-10-08", True)
    assert paid[("T6", 6000)] == ("2026-10-08", True)
    assert paid[("T6", 5820)] == ("2026-10-10", False)  # remittance B was credited 50.00 of 58.20
    assert len(paid) == 6  # T1, T2, T3, T4 and both parts of T6; duplicates and strangers settle nothing


def test_a_reversal_line_reopens_a_settled_parcel(cli, tmp_path):
    config = build(cli, tmp_path)
    storno = tmp_path / "storno.csv"
    storno.write_text("tracking_number,cod_amount,fee,net_amount,remittance_date,bank_reference\n"
                      "T1,-56.80,0.00,-55.30,2026-10-09,STORNO1\n", encoding="utf-8")
    assert cli("--config", config, "remit", "import", storno, "--courier", "brt").exit_code == 0
    found = {key(d) for d in reconcile(cli, config)["discrepancies"]}
    assert ("short_paid", "T1", 5530) in found  # paid 55.30, then 55.30 taken back
    later = cli.json("--config", config, "remit", "reconcile", "--as-of", "2026-10-20")
    assert [d for d in later["discrepancies"] if d["bank_reference"] == "STORNO1" and d["kind"] == "not_credited"] == []
    assert later["counts"]["remittances_nothing_to_credit"] == 1


def test_bank_statement_as_xlsx(cli, tmp_path):
    from datetime import datetime

    from openpyxl import Workbook

    config = build(cli, tmp_path, bank=False)
    book = Workbook()
    ws = book.active
    ws.append(["Movimenti conto corrente"])
    ws.append([])
    ws.append(["Data contabile", "Data valuta", "Importo", "Descrizione operazione"])
    ws.append([datetime(2026, 10, 8), datetime(2026, 10, 8), 638.9, "BONIFICO BRT CRO 12345678901"])
    ws.append([datetime(2026, 10, 9), datetime(2026, 10, 9), -45, "ADDEBITO SDD"])
    ws.append(["Saldo finale", None, 1593.9, None])
    path = tmp_path / "estratto.xlsx"
    book.save(path)
    data = cli.json("--config", config, "remit", "bank", path)[0]
    assert (data["layout"], data["imported"], data["credits"], data["debits"], data["closing_balance_minor"]) == (
        "signed", 2, 1, 1, 159390)
    assert cli.sql("SELECT amount_minor, booking_date FROM bank_lines ORDER BY id") == [
        (63890, "2026-10-08"), (-4500, "2026-10-09")]
    assert cli.json("--config", config, "remit", "bank", path)[0]["already_imported"] is True
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    result = cli("--config", config, "remit", "bank", broken)
    assert result.exit_code == 1 and "not a readable XLSX workbook" in result.stderr


def test_bad_as_of_is_a_usage_error_and_a_missing_config_one_line(cli, tmp_path):
    config = build(cli, tmp_path, bank=False)
    bad = cli("--config", config, "remit", "reconcile", "--as-of", "2026-13-01")
    assert bad.exit_code == 2 and "is not a date (YYYY-MM-DD)" in bad.output + bad.stderr
    missing = cli("--config", tmp_path / "nope.toml", "remit", "reconcile")
    assert missing.exit_code == 1
    assert missing.stderr == f"Error: {tmp_path / 'nope.toml'}: no such configuration file\n"


@pytest.mark.broken_ledger
def test_doctor_names_broken_money_invariants(ledgers, tmp_path):
    from helpers import connect
    from remit_world import seed_parcels

    broken = Cli(ledgers.new("broken"))  # not the `cli` fixture: its ledger must keep its invariants
    config = build(broken, tmp_path)
    reconcile(broken, config)
    assert broken.json("doctor")["violations"] == []
    seed_parcels(broken.db, [("brt", "LATE", "2001", "bellezza", 4000, "delivered", "2026-10-04T10:00:00")])
    with connect(broken.db) as session:  # a posting nobody balanced, and receivable money without a parcel
        session.execute("INSERT INTO postings (transaction_id, account_id, shipment_id, amount_minor, currency) "
                     "SELECT MIN(id), (SELECT id FROM accounts WHERE code = 'receivable:brt'), NULL, 7, 'EUR' "
                     "FROM money_transactions")
    result = broken("doctor")
    assert result.exit_code == 1
    for name in ("every money transaction balances per currency", "every delivered COD parcel has its receivable "
                 "posting", "each courier's receivable equals the sum of its open parcel items"):
        assert name in result.stderr


def test_remittance_file_as_xlsx(cli, tmp_path):
    from datetime import datetime

    from openpyxl import Workbook

    config = build(cli, tmp_path, bank=False)
    book = Workbook()
    ws = book.active
    ws.append(["Spedizione", "Contrassegno", "Commissione", "Netto", "Data distinta", "CRO"])
    ws.append(["T8", 56.8, 1.5, 55.3, datetime(2026, 10, 14), "33344455566"])
    ws.append([None, None, None, None, None, None])
    ws.append(["T9", "abc", 1.5, 55.3, datetime(2026, 10, 14), "33344455566"])
    path = tmp_path / "distinta.xlsx"
    book.save(path)
    data = cli.json("--config", config, "remit", "import", path, "--courier", "brt")[0]
    assert (data["imported"], [(r["line"], r["reason"]) for r in data["rejected"]]) == (
        1, [(4, "cod_amount: no amount in 'abc'")])
    assert data["remittances"][0]["total_minor"] == 5530
    assert cli.sql("SELECT cod_minor, fee_minor, net_minor, remittance_date FROM remit_lines WHERE tracking_number = "
                   "'T8'") == [(5680, 150, 5530, "2026-10-14")]
    assert cli.json("--config", config, "remit", "import", path, "--courier", "brt")[0]["already_imported"] is True
