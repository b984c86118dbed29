"""Shop payouts on a hand-checked world, on both backends.

Contracts (worked by hand):
  bellezza: 2.0% of the COD half-up + 1.20 per parcel.  A1 100.00 -> 2.00 + 1.20 = 3.20, net 96.80
            A2 50.00 -> 1.00 + 1.20 = 2.20, net 47.80      A3 80.00 -> 1.60 + 1.20 = 2.80, net 77.20
            A4 40.00 -> 0.80 + 1.20 = 2.00, net 38.00      A5 200.00 -> 4.00 + 1.20 = 5.20, net 194.80
  piccola:  0.50 per parcel, RTO fee 9.00.  B1 10.00 -> net 9.50; B2, B3 returned on 10-04: 9.00 each.
Shop cycles of five days from 2026-10-01: c1 10-01..05, c2 10-06..10, c3 10-11..15, c4 10-16..20.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from remit_world import CONFIG, seed_parcels

SHOPS = """
[shops.bellezza]
payout_cycle_days = 5
payout_cycle_anchor = "2026-10-01"
fee_per_parcel = "1.20"
fee_percent = "2.0"

[shops.piccola]
payout_cycle_days = 5
payout_cycle_anchor = "2026-10-01"
fee_per_parcel = "0.50"
rto_fee = "9.00"
"""

PARCELS = [
    ("brt", "A1", "2001", "bellezza", 10000, "delivered", "2026-10-02T10:00:00"),
    ("brt", "A2", "2002", "bellezza", 5000, "delivered", "2026-10-05T21:30:00Z"),  # 23:30 in Rome
    ("brt", "A3", "2003", "bellezza", 8000, "delivered", "2026-10-03T10:00:00"),
    ("brt", "A4", "2004", "bellezza", 4000, "delivered", "2026-10-03T11:00:00"),  # the courier short-pays it
    ("brt", "A5", "2005", "bellezza", 20000, "delivered", "2026-10-11T09:00:00"),
    ("brt", "B1", "3001", "piccola", 1000, "delivered", "2026-10-02T10:00:00"),
    ("brt", "B2", "3002", "piccola", 2000, "rto_delivered", "2026-10-04T10:00:00"),
    ("brt", "B3", "3003", "piccola", 2000, "rto_delivered", "2026-10-04T12:00:00"),
]
HEADER = "tracking_number,cod_amount,fee,net_amount,remittance_date,bank_reference"
R1 = [HEADER, "A1,100.00,1.50,98.50,2026-10-07,11111111111", "A4,40.00,1.50,30.00,2026-10-07,11111111111",
      "B1,10.00,1.50,8.50,2026-10-07,11111111111"]
R2 = [HEADER, "A2,50.00,1.50,48.50,2026-10-09,22222222222"]
R3 = [HEADER, "A3,80.00,1.50,78.50,2026-10-09,33333333333"]
R4 = [HEADER, "A1,-100.00,-1.50,-98.50,2026-10-13,44444444444", "A5,200.00,3.00,197.00,2026-10-13,44444444444"]


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class World:
    """The parcels, the config and the first remittances with their bank credits (R2 on `r2_credit`)."""

    def __init__(self, cli, tmp: Path, r2_credit: str = "2026-10-10") -> None:
        self.cli, self.tmp = cli, tmp
        seed_parcels(cli.db, PARCELS)
        self.config = _write(tmp / "codtool.toml", ['operator = "Momoka Logistica S.r.l."\n' + CONFIG + SHOPS])
        for name, lines in (("r1", R1), ("r2", R2)):
            self.ok("remit", "import", _write(tmp / f"{name}.csv", lines), "--courier", "brt")
        self.ok("remit", "bank", _write(tmp / "bank1.csv", [
            "date,amount,description", "2026-10-08,137.00,BONIFICO BRT 11111111111",
            f"{r2_credit},48.50,BONIFICO BRT 22222222222"]))

    def ok(self, *args):
        result = self.cli("--config", self.config, *map(str, args))
        assert result.exit_code == 0, result.output + result.stderr
        return result

    def json(self, *args):
        return self.cli.json("--config", self.config, *args)

    def later_facts(self) -> None:
        """R3 credited on 10-09 but imported late; R4 reverses A1 and pays A5, credited on 10-14."""
        self.ok("remit", "import", _write(self.tmp / "r3.csv", R3), "--courier", "brt")
        self.ok("remit", "import", _write(self.tmp / "r4.csv", R4), "--courier", "brt")
        self.ok("remit", "bank", _write(self.tmp / "bank2.csv", [
            "date,amount,description", "2026-10-09,78.50,BONIFICO BRT 33333333333",
            "2026-10-14,98.50,BONIFICO BRT 44444444444"]))

    def statements(self, shop: str) -> dict[str, dict]:
        return {s["cycle_start"]: s for s in self.json("payout", "list", "--shop", shop)["statements"]}

    def statement(self, shop: str, start: str) -> dict:
        return self.json("payout", "statement", str(self.statements(shop)[start]["id"]))


@pytest.fixture
def world(cli, tmp_path):
    made = World(cli, tmp_path)
    made.json("payout", "run", "--as-of", "2026-10-12")
    return made


def _lines(statement: dict) -> list[tuple]:
    return [(ln["tracking_number"], ln["cod_minor"], ln["fee_minor"], ln["net_minor"]) for ln in statement["lines"]]


def test_first_run_pays_every_credited_parcel_net_of_the_shop_fee(world):
    c2 = world.statement("bellezza", "2026-10-06")
    assert c2["status"] == "due"
    # A4 was short-paid by the courier: the shop still gets its COD less its own fee.
    assert _lines(c2) == [("A1", 10000, 320, 9680), ("A2", 5000, 220, 4780), ("A4", 4000, 200, 3800)]
    assert c2["adjustments"] == []
    assert c2["totals"] == {"cod_minor": 19000, "fees_minor": 740, "net_minor": 18260, "paid_minor": 0,
                            "due_minor": 18260}
    assert "A3" not in str(world.statements("bellezza"))  # not credited yet: on no statement


def test_credit_on_the_cycles_last_day_stays_in_that_cycle(world):
    # A2 was delivered at 23:30 Rome time on 10-05 (21:30Z) and credited on 10-10, c2's last day.
    c2 = world.statement("bellezza", "2026-10-06")
    assert ("A2", "2026-10-05") in [(ln["tracking_number"], ln["delivered_at"]) for ln in c2["lines"]]


def test_credit_the_day_after_goes_to_the_next_cycle(cli, tmp_path):
    made = World(cli, tmp_path, r2_credit="2026-10-11")
    made.json("payout", "run", "--as-of", "2026-10-12")
    statements = made.statements("bellezza")
    assert [ln[0] for ln in _lines(made.statement("bellezza", "2026-10-06"))] == ["A1", "A4"]
    assert statements["2026-10-11"]["status"] == "open"
    assert _lines(made.statement("bellezza", "2026-10-11")) == [("A2", 5000, 220, 4780)]


def test_rerunning_changes_nothing(world):
    before = world.json("payout", "list")
    postings = world.cli.sql("SELECT COUNT(*) FROM postings")
    again = world.json("payout", "run", "--as-of", "2026-10-12")
    assert (again["new_items"], again["closed_statements"], again["new_transactions"]) == ({}, [], 0)
    assert world.json("payout", "list") == before
    assert world.cli.sql("SELECT COUNT(*) FROM postings") == postings


def test_late_remittance_and_reversal_land_on_the_next_open_statement(world):
    closed = world.statement("bellezza", "2026-10-06")
    world.later_facts()
    run = world.json("payout", "run", "--as-of", "2026-10-17")
    assert run["new_items"] == {"adjustment": 2, "carried": 1, "parcel": 1}
    assert world.statement("bellezza", "2026-10-06") == closed  # a closed statement is never edited
    c3 = world.statement("bellezza", "2026-10-11")
    assert _lines(c3) == [("A5", 20000, 520, 19480)]
    adjustments = {a["tracking_number"]: (a["amount_minor"], a["reason"]) for a in c3["adjustments"]}
    assert adjustments["A1"][0] == -9680 and adjustments["A1"][1].startswith("reversal:")
    assert adjustments["A3"][0] == 7720 and "late" in adjustments["A3"][1]
    assert c3["totals"]["net_minor"] == 19480 + 7720 - 9680 == 17520
    shipments = world.cli.sql("SELECT s.tracking_number, COUNT(*) FROM payout_items i JOIN shipments s "
                              "ON s.id = i.shipment_id WHERE i.cod_minor > 0 GROUP BY s.tracking_number "
                              "ORDER BY s.tracking_number")
    assert shipments == [("A1", 1), ("A2", 1), ("A3", 1), ("A4", 1), ("A5", 1), ("B1", 1)]  # each paid once


def test_negative_balance_is_carried_forward_as_what_the_shop_owes(world):
    statements = world.statements("piccola")
    c1, c2, c3 = (statements[d] for d in ("2026-10-01", "2026-10-06", "2026-10-11"))
    assert (c1["status"], c1["fees_minor"], c1["net_minor"], c1["due_minor"]) == ("carried", 1800, -1800, 0)
    assert (c2["status"], c2["net_minor"]) == ("carried", 950 - 1800)
    assert (c3["status"], c3["net_minor"]) == ("open", -850)
    detail = world.statement("piccola", "2026-10-01")
    assert [(ln["tracking_number"], ln["fee_minor"], ln["kind"]) for ln in detail["lines"]] == [
        ("B2", 900, "rto"), ("B3", 900, "rto")]
    assert world.statement("piccola", "2026-10-11")["adjustments"][0]["amount_minor"] == -850


def test_record_refuses_another_amount_unless_partial(world):
    ident = str(world.statements("bellezza")["2026-10-06"]["id"])
    wrong = world.cli("--config", world.config, "payout", "record", ident, "--bank-ref", "TRN1", "--amount", "100,00")
    assert wrong.exit_code == 1
    assert wrong.stderr == (f"Error: statement {ident}: 100.00 EUR differs from the 182.60 EUR due; give --partial "
                            "to record it and leave the rest due\n")
    part = world.json("payout", "record", ident, "--bank-ref", "TRN1", "--amount", "100,00", "--partial",
                      "--date", "2026-10-13")
    assert (part["status"], part["paid_minor"], part["due_minor"]) == ("due", 10000, 8260)
    too_much = world.cli("--config", world.config, "payout", "record", ident, "--bank-ref", "T2", "--amount", "90")
    assert too_much.exit_code == 1 and "is not what is due (82.60 EUR)" in too_much.stderr
    rest = world.json("payout", "record", ident, "--bank-ref", "TRN2", "--amount", "82.60", "--date", "2026-10-14")
    assert (rest["status"], rest["due_minor"]) == ("paid", 0)
    assert [s["id"] for s in world.json("payout", "list", "--status", "paid")["statements"]] == [int(ident)]
    balances = {a["code"]: a["balance"] for a in world.json("remit", "balances")["accounts"]}
    assert balances["shop_due:bellezza"] == 0
    assert world.json("doctor")["violations"] == []


def test_record_on_an_open_statement_is_refused(cli, tmp_path):
    made = World(cli, tmp_path, r2_credit="2026-10-11")
    made.json("payout", "run", "--as-of", "2026-10-12")
    ident = str(made.statements("bellezza")["2026-10-11"]["id"])
    result = made.cli("--config", made.config, "payout", "record", ident, "--bank-ref", "X", "--amount", "47.80")
    assert result.exit_code == 1
    assert result.stderr == f"Error: statement {ident} is open: nothing to pay until its cycle is closed (payout run)\n"


def test_unknown_statement_and_bad_status(world):
    missing = world.cli("payout", "statement", "999")
    assert (missing.exit_code, missing.stderr) == (1, "Error: no payout statement 999 (see codtool payout list)\n")
    assert world.cli("payout", "list", "--status", "late").exit_code == 2


def test_postings_balance_and_the_due_account_follows_the_statements(world):
    world.later_facts()
    world.json("payout", "run", "--as-of", "2026-10-17")
    assert world.json("doctor")["violations"] == []
    balances = {a["code"]: a["balance"] for a in world.json("remit", "balances")["accounts"]}
    unpaid = sum(s["net_minor"] for s in world.json("payout", "list", "--shop", "bellezza")["statements"]
                 if s["status"] != "carried")
    assert balances["shop_due:bellezza"] == -unpaid
    assert balances["fee_income:bellezza"] == -(320 + 220 + 200 + 520 + 280 - 320)  # A1's fee given back
    assert balances["rto_income:piccola"] == -1800


def test_statement_files(world, tmp_path):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    ident = str(world.statements("bellezza")["2026-10-06"]["id"])
    pdf, again = tmp_path / "s.pdf", tmp_path / "again.pdf"
    world.ok("payout", "statement", ident, "--out", pdf)
    world.ok("payout", "statement", ident, "--out", again)
    assert pdf.read_bytes() == again.read_bytes()  # same ledger, same bytes
    refused = world.cli("payout", "statement", ident, "--out", pdf)
    assert refused.exit_code == 1 and refused.stderr == f"Error: {pdf}: already exists; use --force to replace it\n"
    world.ok("payout", "statement", ident, "--out", pdf, "--force")
    assert pdf.read_bytes() == again.read_bytes() and oct(pdf.stat().st_mode & 0o777) == "0o600"
    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    for expected in ("Momoka Logistica S.r.l.", "bellezza", "06/10/2026 - 10/10/2026", "96,80 €", "182,60 €",
                     "Pagina 1 di 1", "A4"):
        assert expected in text, expected
    xlsx = tmp_path / "s.xlsx"
    world.ok("payout", "statement", ident, "--out", xlsx)
    ws = load_workbook(xlsx).active
    assert ws.freeze_panes == "A2" and ws["A1"].font.bold
    assert ws["F2"].value == 100 and "€" in ws["F2"].number_format and ws["E2"].is_date
    assert [ws.cell(ws.max_row, c).value for c in (6, 7, 8)] == [190, 7.4, 182.6]
    csv_file = tmp_path / "s.csv"
    world.ok("payout", "statement", ident, "--out", csv_file)
    rows = csv_file.read_text(encoding="utf-8-sig").splitlines()
    assert rows[-1].startswith("total,,,,,190.00,7.40,182.60,")
    bad = world.cli("payout", "statement", ident, "--out", tmp_path / "s.txt")
    assert bad.exit_code == 1 and "write .xlsx or .csv or .pdf" in bad.stderr


def test_pay_on_remittance_does_not_wait_for_the_bank(cli, tmp_path):
    made = World(cli, tmp_path)
    made.config.write_text(made.config.read_text(encoding="utf-8").replace(
        'fee_percent = "2.0"\n', 'fee_percent = "2.0"\npay_on = "remittance"\n'), encoding="utf-8")
    made.ok("remit", "import", _write(tmp_path / "r3.csv", R3), "--courier", "brt")  # remitted 10-09, never credited
    made.json("payout", "run", "--as-of", "2026-10-12")
    c2 = made.statement("bellezza", "2026-10-06")
    assert [ln[0] for ln in _lines(c2)] == ["A1", "A2", "A3", "A4"]  # A1 and A4 remitted on 10-07: same cycle


def test_statement_ids_follow_the_cycles_and_the_pdf_words_adjustments_in_italian(world, tmp_path):
    from pypdf import PdfReader

    world.later_facts()
    world.json("payout", "run", "--as-of", "2026-10-17")
    for shop in ("bellezza", "piccola"):
        by_cycle = sorted(world.statements(shop).items())
        ids = [s["id"] for _, s in by_cycle]
        assert ids == sorted(ids), (shop, by_cycle)
    pdf = tmp_path / "c3.pdf"
    world.ok("payout", "statement", world.statements("bellezza")["2026-10-11"]["id"], "--out", pdf)
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(pdf).pages).split())
    assert "storno: il pagamento del corriere per la spedizione A1" in text
    assert "in ritardo: spedizione A3" in text and "reversal" not in text and "late:" not in text
