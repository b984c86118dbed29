"""remit chase: reminders to couriers with overdue COD, escalating with age, each step once.

The world is remit_world's (BRT: five-day cycles from 2026-10-01, payout two days after a cycle's
last day, three days' grace). By hand: T5 (COD 56.80, fee 1.50, owed 55.30) was delivered
2026-10-04, its cycle's payout was due 2026-10-07, so it is overdue from 2026-10-11 (4 days past
due); T8 (COD 56.80, owed 55.30), delivered 2026-10-08, payout due 2026-10-12, overdue from
2026-10-16 (4 days). The chase below: friendly at 0 days, formal at 6, final at 12, at least 3
days between two reminders.
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from pypdf import PdfReader
from remit_world import CONFIG, PARCELS, build

from codtool.money import Money
from codtool.remit.chase import STEPS, ChaseTerms, Last, Reminder, ReminderLine, due_on
from codtool.remit.chase_documents import email_text
from codtool.remit.chase_texts import letter

OPERATOR = 'operator = "Momoka Logistica S.r.l."\n'
CHASE = """
[chase]
friendly_after_days = 0
formal_after_days = 6
final_after_days = 12
min_days_between = 3
"""
OWED_T5 = 5680 - 150
OWED_T8 = 5680 - 150


def world(cli, tmp: Path, extra: str = "", parcels=None) -> Path:
    if parcels is not None:
        import remit_world
        remit_world.PARCELS[:] = parcels  # restored by the fixture below
    config = build(cli, tmp)
    config.write_text(OPERATOR + CONFIG + extra + CHASE, encoding="utf-8")
    (tmp / "out").mkdir()
    return config


@pytest.fixture(autouse=True)
def _parcels_restored():
    saved = list(PARCELS)
    yield
    PARCELS[:] = saved


def chase(cli, config: Path, day: str, *args: str) -> dict:
    out = config.parent / "out"
    return cli.json("--config", config, "remit", "chase", "--as-of", day, "--out", out, *args)


def overdue_sum(cli, config: Path, day: str) -> int:
    """What the ledger says the courier owes overdue, as reconcile lists it."""
    found = cli.json("--config", config, "remit", "reconcile", "--as-of", day)["discrepancies"]
    return sum(d["amount_minor"] for d in found if d["kind"] == "overdue")


def test_escalation_over_several_days(cli, tmp_path):
    config = world(cli, tmp_path)
    plan = [("2026-10-10", None, []),                 # T5 within its grace: nothing overdue
            ("2026-10-11", "friendly", ["T5"]),        # T5 4 days past due
            ("2026-10-13", None, []),                 # 2 days after the friendly one: too soon
            ("2026-10-14", "formal", ["T5"]),          # 7 days past due, 3 days after the last
            ("2026-10-17", None, []),                 # spaced, but T5 is 10 days past due: final needs 12
            ("2026-10-19", "final", ["T5", "T8"]),     # T5 12 days; T8 overdue since 10-16
            ("2026-10-21", None, []),
            ("2026-10-22", "final", ["T5", "T8"])]     # after the final notice, repeated at the spacing
    for day, step, parcels in plan:
        data = chase(cli, config, day)
        assert [r["step"] for r in data["reminders"]] == ([step] if step else []), day
        if step:
            assert [ln["tracking_number"] for ln in data["reminders"][0]["lines"]] == parcels
            assert len(data["files"]) == 3
    steps = cli.sql("SELECT step, as_of FROM chase_reminders ORDER BY id")
    assert [tuple(r) for r in steps] == [("friendly", "2026-10-11"), ("formal", "2026-10-14"),
                                        ("final", "2026-10-19"), ("final", "2026-10-22")]


def test_waiting_courier_says_when_the_next_step_is_due(cli, tmp_path):
    config = world(cli, tmp_path)
    chase(cli, config, "2026-10-11")
    data = chase(cli, config, "2026-10-12")
    assert data["reminders"] == []
    (waiting,) = data["waiting"]
    # formal needs T5 6 days past due (10-13) and 3 days after the friendly one of 10-11 (10-14)
    assert (waiting["last_step"], waiting["last_sent"], waiting["next_step"], waiting["next_on"]) == (
        "friendly", "2026-10-11", "formal", "2026-10-14")
    assert waiting["total_minor"] == OWED_T5


def test_rerun_on_the_same_day_is_a_noop(cli, tmp_path):
    config = world(cli, tmp_path)
    first = chase(cli, config, "2026-10-11")
    assert len(first["reminders"]) == 1
    written = {p: p.stat().st_mtime_ns for p in (tmp_path / "out").iterdir()}
    before = cli.sql("SELECT COUNT(*) FROM chase_reminders")[0][0], cli.sql("SELECT COUNT(*) FROM chase_reminder_lines")[0][0]
    again = cli("--config", config, "remit", "chase", "--as-of", "2026-10-11", "--out", tmp_path / "out")
    assert again.exit_code == 0, again.output
    data = chase(cli, config, "2026-10-11")
    assert data["reminders"] == [] and data["files"] == []
    assert data["overdue_parcels"] == 1 and data["overdue_minor"] == OWED_T5
    after = cli.sql("SELECT COUNT(*) FROM chase_reminders")[0][0], cli.sql("SELECT COUNT(*) FROM chase_reminder_lines")[0][0]
    assert after == before
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "out").iterdir()} == written


def _open_id(cli, config, day: str, tracking: str) -> int:
    found = cli.json("--config", config, "remit", "reconcile", "--as-of", day)["discrepancies"]
    return next(d["id"] for d in found if d["kind"] == "overdue" and d["tracking_number"] == tracking)


@pytest.mark.parametrize("decision", ["--dispute", "--write-off"])
def test_disputed_or_written_off_parcels_are_not_chased(cli, tmp_path, decision):
    config = world(cli, tmp_path)
    ident = _open_id(cli, config, "2026-10-16", "T5")
    result = cli("--config", config, "remit", "resolve", str(ident), decision, "--note", "claimed", "--by", "t",
                 "--as-of", "2026-10-16")
    assert result.exit_code == 0, result.output
    data = chase(cli, config, "2026-10-16")
    (reminder,) = data["reminders"]
    assert [ln["tracking_number"] for ln in reminder["lines"]] == ["T8"]
    assert (data["overdue_parcels"], data["overdue_minor"]) == (1, OWED_T8)
    ident = _open_id(cli, config, "2026-10-16", "T8")
    assert cli("--config", config, "remit", "resolve", str(ident), decision, "--note", "n", "--by", "t",
               "--as-of", "2026-10-16").exit_code == 0
    data = chase(cli, config, "2026-10-25")
    assert (data["reminders"], data["waiting"], data["overdue_parcels"]) == ([], [], 0)


def test_a_parcel_paid_since_leaves_the_chase_and_a_new_chase_starts_friendly(cli, tmp_path):
    config = world(cli, tmp_path)
    assert chase(cli, config, "2026-10-11")["reminders"][0]["step"] == "friendly"
    assert chase(cli, config, "2026-10-14")["reminders"][0]["step"] == "formal"
    (tmp_path / "late.csv").write_text("tracking_number,net_amount,remittance_date,bank_reference\n"
                                       "T5,55.30,2026-10-15,99988877766\n", encoding="utf-8")
    assert cli("--config", config, "remit", "import", tmp_path / "late.csv", "--courier", "brt").exit_code == 0
    data = chase(cli, config, "2026-10-17")
    (reminder,) = data["reminders"]
    assert [ln["tracking_number"] for ln in reminder["lines"]] == ["T8"]
    assert reminder["step"] == "friendly"  # the formal request's parcel is paid: that chase is over


def _amount(text: str) -> Decimal:
    """An Italian amount as the reminder writes it ("1.234,50 €") back to a number."""
    return Decimal(text.replace("€", "").strip().replace(".", "").replace(",", "."))


IT_AMOUNT = re.compile(r"-?\d{1,3}(?:\.\d{3})*,\d{2} €")


def test_pdf_xlsx_and_txt_totals_equal_the_ledgers_overdue_sum(cli, tmp_path):
    config = world(cli, tmp_path)
    chase(cli, config, "2026-10-11")
    chase(cli, config, "2026-10-14")
    data = chase(cli, config, "2026-10-19")
    expected = Decimal(overdue_sum(cli, config, "2026-10-19")) / 100
    assert expected == Decimal(OWED_T5 + OWED_T8) / 100  # by hand: 55.30 + 55.30
    files = {Path(f).suffix: Path(f) for f in data["reminders"][0]["files"]}
    sheet = load_workbook(files[".xlsx"]).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows[-1][0] == "Totale"
    cents = [Decimal(str(r[6])).quantize(Decimal("0.01")) for r in rows]  # openpyxl reads numbers as float
    assert cents[-1] == expected == sum(cents[:-1])
    assert sheet["G2"].number_format == sheet["G4"].number_format and "€" in sheet["G2"].number_format
    assert [r[4] for r in rows[:-1]] == [12, 7]  # days past the payout date: T5 (due 10-07), T8 (due 10-12)
    text = files[".txt"].read_text(encoding="utf-8")
    total_line = next(ln for ln in text.splitlines() if ln.startswith("Totale"))
    assert _amount(IT_AMOUNT.findall(total_line)[-1]) == expected
    lines = [ln for ln in text.splitlines() if ln.startswith("T5") or ln.startswith("T8")]
    assert sum(_amount(IT_AMOUNT.findall(ln)[-1]) for ln in lines) == expected
    pdf = "\n".join(page.extract_text() for page in PdfReader(files[".pdf"]).pages)
    table, _, total = pdf.partition("\nTotale\n")  # reportlab's cells come out one per line
    owed = IT_AMOUNT.findall(table.partition("Importo dovuto")[2])[1::2]  # each row: COD, then the amount due
    assert sum(map(_amount, owed)) == _amount(IT_AMOUNT.findall(total)[1]) == expected
    assert "Ultimo avviso" in pdf and "Momoka Logistica" in pdf


def test_formal_request_cites_the_contract_terms(cli, tmp_path):
    config = world(cli, tmp_path)
    chase(cli, config, "2026-10-11")
    data = chase(cli, config, "2026-10-14")
    txt = next(Path(f) for f in data["reminders"][0]["files"] if f.endswith(".txt")).read_text(encoding="utf-8")
    flat = " ".join(txt.split())
    assert "5 giorni" in flat and "entro 2 giorni" in flat and "tolleranza 3 giorni" in flat
    assert "1,5% del contrassegno" in flat and "minimo 1,50 €" in flat
    assert "11/10/2026" in flat  # the friendly reminder it follows


def test_english_reminder_for_an_english_speaking_courier(cli, tmp_path):
    config = world(cli, tmp_path, extra='chase_language = "en"\n')  # appended to [couriers.brt]
    data = chase(cli, config, "2026-10-11")
    (reminder,) = data["reminders"]
    assert reminder["language"] == "en"
    txt = next(Path(f) for f in reminder["files"] if f.endswith(".txt")).read_text(encoding="utf-8")
    assert "Dear BRT team," in txt
    total_line = next(ln for ln in txt.splitlines() if ln.startswith("Total"))
    assert total_line.endswith("55.30 EUR")
    sheet = load_workbook(next(f for f in reminder["files"] if f.endswith(".xlsx"))).active
    assert sheet["A1"].value == "Tracking" and sheet["G1"].value == "Amount due"


def test_hostile_order_reference_stays_text_in_the_spreadsheet(cli, tmp_path):
    hostile = '=HYPERLINK("http://evil.example","x")'
    parcels = [p if p[1] != "T5" else (*p[:2], hostile, *p[3:]) for p in PARCELS]
    config = world(cli, tmp_path, parcels=parcels)
    data = chase(cli, config, "2026-10-11")
    (reminder,) = data["reminders"]
    assert reminder["lines"][0]["order_id"] == hostile
    sheet = load_workbook(next(f for f in reminder["files"] if f.endswith(".xlsx"))).active
    cell = sheet["B2"]
    assert cell.data_type == "s" and not str(cell.value).startswith("=")
    assert hostile in str(cell.value)
    pdf = next(f for f in reminder["files"] if f.endswith(".pdf"))
    assert "HYPERLINK" in "".join(p.extract_text() for p in PdfReader(pdf).pages)


def test_json_shape_and_courier_filter(cli, tmp_path):
    config = world(cli, tmp_path)
    data = chase(cli, config, "2026-10-11", "--courier", "brt")
    assert set(data) >= {"as_of", "currency", "overdue_parcels", "overdue_minor", "overdue", "reminders", "waiting",
                         "files"}
    reminder = data["reminders"][0]
    assert set(reminder) >= {"courier", "step", "as_of", "language", "parcels", "total_minor", "total", "currency",
                             "pay_by", "files", "lines"}
    assert set(reminder["lines"][0]) >= {"tracking_number", "order_id", "delivered_on", "payout_due", "days_overdue",
                                         "cod_minor", "amount_minor", "amount"}
    assert reminder["lines"][0]["delivered_on"] == "2026-10-04" and reminder["lines"][0]["payout_due"] == "2026-10-07"
    assert reminder["pay_by"] == "2026-10-14"  # the day the formal step could follow: 3 days later


def test_bad_options_and_configuration_are_one_line_errors(cli, tmp_path):
    config = world(cli, tmp_path)
    result = cli("--config", config, "remit", "chase", "--out", tmp_path / "missing", "--as-of", "2026-10-11")
    assert result.exit_code == 1 and "missing: no such folder; create it first" in result.output
    result = cli("--config", config, "remit", "chase", "--out", tmp_path / "out", "--courier", "gls")
    assert result.exit_code == 1 and "courier 'gls' has no [couriers.gls] section" in result.output
    config.write_text(OPERATOR + CONFIG + CHASE.replace("final_after_days = 12", "final_after_days = 6"),
                      encoding="utf-8")
    result = cli("--config", config, "remit", "chase", "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert result.output.strip().endswith(
        "chase.final_after_days: expected more days than chase.formal_after_days (6), found 6")
    assert len(result.output.strip().splitlines()) == 1
    config.write_text(OPERATOR + CONFIG + CHASE + "language = \"de\"\n", encoding="utf-8")
    result = cli("--config", config, "remit", "chase", "--out", tmp_path / "out")
    assert result.exit_code == 1 and "chase.language: expected one of 'it', 'en', found 'de'" in result.output
    config.write_text(OPERATOR + CONFIG + CHASE.replace("min_days_between = 3", "min_days_between = 0"),
                      encoding="utf-8")
    result = cli("--config", config, "remit", "chase", "--out", tmp_path / "out")
    assert result.exit_code == 1 and "chase.min_days_between: expected a value from 1 to 366, found 0" in result.output


def test_courier_overrides_and_config_show(cli, tmp_path):
    config = world(cli, tmp_path, extra="chase_min_days_between = 1\n")
    rows = {v["key"]: v for v in cli.json("--config", config, "config", "show")["values"]}
    assert rows["chase.min_days_between"]["value"] == "3"
    assert rows["couriers.brt.chase_min_days_between"]["value"] == "1"
    assert rows["couriers.brt.chase_formal_after_days"]["value"] == ""
    assert chase(cli, config, "2026-10-11")["reminders"][0]["step"] == "friendly"
    data = chase(cli, config, "2026-10-13")  # T5 6 days past due; one day's spacing is enough for brt
    assert data["reminders"][0]["step"] == "formal"


@pytest.mark.broken_ledger
def test_doctor_names_a_reminder_whose_total_is_not_its_lines(ledgers, tmp_path):
    from conftest import Cli
    from helpers import connect

    broken = Cli(ledgers.new("broken"))  # not the `cli` fixture: its ledger must keep its invariants
    config = world(broken, tmp_path)
    chase(broken, config, "2026-10-11")
    assert broken.json("doctor")["violations"] == []
    with connect(broken.db) as session:
        session.execute("INSERT INTO chase_reminders (courier, step, as_of, language, parcels, total_minor, currency, "
                        "files, written_at) VALUES ('brt', 'formal', '2026-10-20', 'it', 1, 999, 'EUR', '', 'now')")
    result = broken("doctor")
    assert result.exit_code == 1
    assert "each courier reminder's total is the sum of its lines: reminder 2: expected total_minor 0, parcels 0, " \
           "found total_minor 999, parcels 1" in result.stderr


# --- the pure parts -------------------------------------------------------------------------------

TERMS = ChaseTerms((0, 6, 12), 3, "it")


@pytest.mark.parametrize(("last", "oldest", "expected"), [
    (None, 4, ("friendly", "2026-10-11")),
    (Last("friendly", date(2026, 10, 11), True), 5, ("formal", "2026-10-14")),
    (Last("friendly", date(2026, 10, 11), True), 1, ("formal", "2026-10-16")),  # needs 6 days: 5 more
    (Last("formal", date(2026, 10, 9), True), 12, ("final", "2026-10-12")),
    (Last("final", date(2026, 10, 9), True), 30, ("final", "2026-10-12")),
    (Last("formal", date(2026, 10, 10), False), 4, ("friendly", "2026-10-13")),  # a new chase, still spaced
])
def test_due_on(last, oldest, expected):
    step, day = due_on(last, oldest, date(2026, 10, 11), TERMS)
    assert (step, day.isoformat()) == expected


def _reminder(amounts: list[int], language: str) -> Reminder:
    lines = tuple(ReminderLine(i, f"TRK{i}", f"#{i}", date(2026, 10, 1), date(2026, 10, 7), 5, Money(a + 150, "EUR"),
                               Money(a, "EUR")) for i, a in enumerate(amounts))
    return Reminder("brt", STEPS[len(amounts) % 3], date(2026, 10, 12), language, "EUR", lines, None,
                    date(2026, 10, 15))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=-10_000, max_value=10**11), min_size=1, max_size=25),
       st.sampled_from(["it", "en"]))
def test_the_total_is_the_sum_of_the_lines_as_every_reader_sees_it(amounts, language):
    reminder = _reminder(amounts, language)
    assert reminder.total.minor == sum(amounts)
    text = email_text(letter(reminder))
    shown = text.splitlines()
    body_rows = [ln for ln in shown if ln.startswith("TRK")]
    total_row = next(ln for ln in shown if ln.startswith("Totale" if language == "it" else "Total "))

    def last_amount(line: str) -> int:
        if language == "it":
            number = line.rsplit(" ", 2)[-2]
            return int(number.replace(".", "").replace(",", ""))
        number = line.rsplit(" ", 2)[-2]
        return int(number.replace(",", "").replace(".", ""))

    assert len(body_rows) == len(amounts)
    assert sum(last_amount(ln) for ln in body_rows) == last_amount(total_row) == sum(amounts)


def test_reminder_json_total_matches_lines():
    reminder = _reminder([5530, 1, 99], "en")
    data = reminder.to_json()
    assert data["total_minor"] == sum(ln["amount_minor"] for ln in data["lines"]) == 5630
    assert json.loads(json.dumps(data)) == data
