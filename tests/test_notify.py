"""Templates, SMS length, WhatsApp links, injection-safe exports and `codtool notify export`."""

from __future__ import annotations

import csv
from urllib.parse import unquote

import pytest
from helpers import (
    CALL_FIXTURES,
    add_shipment,
    connect,
    imported_ledger,
    order_id,
    run,
    run_json,
    write_csv,
)
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from codtool.exports import safe_cell, write_table
from codtool.money import Money
from codtool.notify.messages import GSM7_BASIC, sms_length, whatsapp_link
from codtool.notify.templates import MessageFields, display_amount, language_for, render

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


# --- SMS length -------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "encoding", "units", "segments"), [
    ("a" * 160, "GSM-7", 160, 1),
    ("a" * 161, "GSM-7", 161, 2),
    ("a" * 306, "GSM-7", 306, 2),
    ("a" * 307, "GSM-7", 307, 3),
    ("€" * 80, "GSM-7", 160, 1),           # € is in the extension table: two septets
    ("Niccolò, è già là", "GSM-7", 17, 1),  # ò è à are plain GSM-7
    ("García" + "a" * 64, "UCS-2", 70, 1),  # í is not: the whole SMS becomes UCS-2
    ("García" + "a" * 65, "UCS-2", 71, 2),
    ("ok 👍", "UCS-2", 5, 1),               # an emoji is two UTF-16 units
])
def test_sms_length(text, encoding, units, segments):
    got = sms_length(text)
    assert (got.encoding, got.units, got.segments, got.long) == (encoding, units, segments, segments > 1)


@given(st.text(alphabet=sorted(GSM7_BASIC), max_size=500))
def test_plain_gsm_text_counts_one_septet_per_character(text):
    got = sms_length(text)
    assert got.encoding == "GSM-7" and got.units == len(text)
    assert got.segments * (160 if got.segments == 1 else 153) >= got.units


# --- WhatsApp links ---------------------------------------------------------------------------

def test_whatsapp_link_uses_e164_digits_and_encodes_the_text():
    link = whatsapp_link("+393331234567", "Ciao Niccolò & co? 5/5 #1001")
    assert link == "https://wa.me/393331234567?text=Ciao%20Niccol%C3%B2%20%26%20co%3F%205%2F5%20%231001"


@given(st.text(max_size=200))
def test_whatsapp_link_round_trips_any_text(text):
    base, _, query = whatsapp_link("+44 7700 900123", text).partition("?text=")
    assert base == "https://wa.me/447700900123"
    assert unquote(query) == text and " " not in query and "&" not in query


# --- Formula injection ------------------------------------------------------------------------

def _is_phone_as_typed(text: str) -> bool:
    """What the guard must let through, spelled out: "+", a country code from 1 to 9, then only ASCII
    digits, spaces, dots and brackets, ending on a digit."""
    rest = text[1:]
    return (text.startswith("+") and rest[:1] in tuple("123456789") and rest[-1:] in tuple("0123456789")
            and all(ch in "0123456789 ()." for ch in rest))


PHONE_LIKE = st.text(alphabet="+0123456789 ().-=@a", max_size=20).map(lambda t: "+" + t)


@given(st.text(max_size=40) | PHONE_LIKE)
def test_no_exported_text_can_start_a_formula_unless_it_is_a_phone_number(text):
    cell = safe_cell(text)
    if cell.startswith(TRIGGERS):
        assert _is_phone_as_typed(cell), cell
    assert cell in (text, "'" + text)


@given(st.integers(min_value=1, max_value=999), st.lists(st.integers(min_value=0, max_value=9999), min_size=1,
       max_size=4), st.sampled_from(["", " ", "."]))
def test_phone_numbers_are_never_mangled(country, groups, sep):
    text = f"+{country}" + "".join(f"{sep}{g}" for g in groups)
    assert safe_cell(text) == text


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("@SUM(A1)", "'@SUM(A1)"), ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("\t=x", "'\t=x"), ("\r=x", "'\r=x"), ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("+393331234567", "+393331234567"), ("+39 333 123 4567", "+39 333 123 4567"),
    ("+0.", "'+0."), ("+1.", "'+1."), ("+0 333 1234567", "'+0 333 1234567"), ("+39 333 1234567.", "'+39 333 1234567."),
    ("+1 (212) 555.0100", "+1 (212) 555.0100"), ("+44 (0)20 7946 0958", "+44 (0)20 7946 0958"),
    ("Giulia Rossi", "Giulia Rossi"), (12, "12"),
])
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_csv_and_xlsx_writers_neutralise_cells(tmp_path):
    rows = [["=cmd|' /C calc'!A0", "+393331234567", 5690, "bell\x07"]]
    write_table(tmp_path / "x.csv", ("a", "phone", "n", "b"), rows)
    write_table(tmp_path / "x.xlsx", ("a", "phone", "n", "b"), rows)
    with (tmp_path / "x.csv").open(encoding="utf-8-sig", newline="") as f:
        assert list(csv.reader(f))[1] == ["'=cmd|' /C calc'!A0", "+393331234567", "5690", "bell\x07"]
    cells = list(load_workbook(tmp_path / "x.xlsx").active.iter_rows(min_row=2, values_only=True))[0]
    assert cells == ("'=cmd|' /C calc'!A0", "+393331234567", 5690, "bell")


# --- Templates --------------------------------------------------------------------------------

@pytest.mark.parametrize(("country", "language"), [("IT", "it"), ("sm", "it"), ("AT", "de"), ("FR", "fr"),
                                                   ("ES", "es"), ("AE", "en"), ("PK", "en"), ("", "en")])
def test_language_follows_the_shipping_country(country, language):
    assert language_for(country) == language


@pytest.mark.parametrize(("minor", "currency", "language", "text"), [
    (103450, "EUR", "it", "1.034,50 €"), (103450, "EUR", "en", "€1,034.50"), (5680, "EUR", "fr", "56,80 €"),
    (450000, "PKR", "en", "PKR 4,500.00"), (18500, "AED", "it", "185,00 AED"), (12345, "KWD", "en", "KWD 12.345"),
])
def test_amounts_as_customers_write_them(minor, currency, language, text):
    assert display_amount(Money(minor, currency), language) == text


def test_italian_confirmation_with_accented_name_stays_one_gsm_sms():
    text = render("confirm", "it", MessageFields("Niccolò Mancini", "FFATNOMMJ", Money(8900, "EUR"),
                                                 "Piazza della Signoria 1, 50122 Firenze (FI)"))
    assert text == ("Ciao Niccolò Mancini, ordine FFATNOMMJ confermato: paghi 89,00 € alla consegna. "
                    "Indirizzo: Piazza della Signoria 1, 50122 Firenze (FI). Errori? Rispondi qui.")
    assert sms_length(text).encoding == "GSM-7" and sms_length(text).segments == 1


@pytest.mark.parametrize("kind", ["confirm", "out_for_delivery", "failed"])
@pytest.mark.parametrize("language", ["it", "en", "de", "fr", "es"])
def test_every_template_renders_every_field(kind, language):
    text = render(kind, language, MessageFields("Zoë", "#1", Money(100, "EUR"), "Via Po 1", "GLS"))
    assert "Zoë" in text and "#1" in text
    assert ("GLS" in text) == (kind != "confirm")


# --- notify export ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def template(backend, tmp_path_factory):
    return imported_ledger(backend, tmp_path_factory.mktemp("notify"))


@pytest.fixture
def db(template, ledgers):
    db = ledgers.copy(template)
    run_json(db, "calls", "record", str(CALL_FIXTURES / "outcomes_2026-11-23.csv"))
    return db


def test_confirm_messages_use_the_corrected_address(db, tmp_path):
    out = tmp_path / "confirm.csv"
    data = run_json(db, "notify", "export", "--kind", "confirm", "--out", str(out))
    assert [m["order"] for m in data["messages"]] == ["#1001", "#1002"]
    marco = data["messages"][1]
    assert marco["text"] == ("Ciao Marco Bianchi, ordine #1002 confermato: paghi 89,00 € alla consegna. "
                             "Indirizzo: Corso Vittorio Emanuele II 47, int. 4, scala B, 10121 Torino (TO). "
                             "Errori? Rispondi qui.")
    assert marco["whatsapp_link"].startswith("https://wa.me/393471234567?text=Ciao%20Marco%20Bianchi%2C")
    assert (marco["sms_encoding"], marco["sms_segments"], marco["sms_long"]) == ("GSM-7", 2, True)  # long address
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["phone_e164"] for r in rows] == ["+393331234567", "+393471234567"]
    assert rows[1]["sms_text"] == marco["text"]


def test_each_notice_is_sent_once_unless_asked_again(db, tmp_path):
    out = str(tmp_path / "c.csv")
    run_json(db, "notify", "export", "--kind", "confirm", "--out", out)
    second = run_json(db, "notify", "export", "--kind", "confirm", "--out", out, "--force")
    assert (second["exported"], second["already_sent"]) == (0, 2)
    assert run_json(db, "notify", "export", "--kind", "confirm", "--out", out, "--again", "--force")["exported"] == 2


def test_spanish_customer_with_accent_gets_a_flagged_ucs2_sms(db, tmp_path):
    sheet = write_csv(tmp_path / "s.csv", "order,outcome,called_at\nG-2004,confirmed,2026-11-23 12:00\n"
                                          "#1004,confirmed,2026-11-23 12:05\n")
    run_json(db, "calls", "record", str(sheet))
    data = run_json(db, "notify", "export", "--kind", "confirm", "--out", str(tmp_path / "c.xlsx"))
    pedro = next(m for m in data["messages"] if m["order"] == "G-2004")
    assert pedro["language"] == "es" and pedro["text"].startswith("Hola Pedro García, pedido G-2004 confirmado: "
                                                                  "pagarás 29,90 € contra reembolso.")
    assert (pedro["sms_encoding"], pedro["sms_units"], pedro["sms_long"]) == ("UCS-2", len(pedro["text"]), True)
    assert pedro["sms_segments"] == -(-len(pedro["text"]) // 67) == 3
    assert "Garc%C3%ADa" in pedro["whatsapp_link"]
    assert data["long_sms"] == 2  # Pedro, and Marco with his long corrected address
    assert data["skipped"] == [{"id": order_id(db, "#1004"), "order": "#1004", "phone": "0577 355123",
                                "reason": "landline: cannot receive SMS or WhatsApp"}]


def test_out_for_delivery_and_failed_notices_come_from_shipments(db, tmp_path):
    add_shipment(db, "#1001", "out_for_delivery", "GLS100", courier="GLS")
    add_shipment(db, "#1002", "failed_attempt", "BRT200", courier="BRT")
    ofd = run_json(db, "notify", "export", "--kind", "out_for_delivery", "--out", str(tmp_path / "o.csv"))
    assert [m["text"] for m in ofd["messages"]] == [
        "Ciao Giulia Rossi, l'ordine #1001 è in consegna oggi con GLS. Tieni pronti 56,80 € in contanti."]
    failed = run_json(db, "notify", "export", "--kind", "failed", "--out", str(tmp_path / "f.csv"))
    assert [m["text"] for m in failed["messages"]] == [
        "Ciao Marco Bianchi, BRT non ha potuto consegnare l'ordine #1002. Rispondi qui per una nuova consegna."]
    with connect(db) as conn:  # a second failed attempt on another day is a new event
        conn.execute("UPDATE shipments SET status_at = '2026-11-24T09:00:00' WHERE tracking_number = 'BRT200'")
    again = run_json(db, "notify", "export", "--kind", "failed", "--out", str(tmp_path / "f.csv"), "--force")
    assert again["exported"] == 1


def test_notice_export_is_safe_from_formula_injection(db, tmp_path):
    with connect(db) as conn:
        conn.execute("UPDATE orders SET customer_name = '=cmd|'' /C calc''!A0' WHERE source_id = '#1001'")
    out = tmp_path / "c.csv"
    run_json(db, "notify", "export", "--kind", "confirm", "--out", str(out))
    with out.open(encoding="utf-8-sig", newline="") as f:
        row = next(csv.DictReader(f))
    assert row["customer"] == "'=cmd|' /C calc'!A0" and row["phone_e164"] == "+393331234567"


def test_notify_export_usage_errors(db, tmp_path):
    assert run(db, "notify", "export", "--kind", "promo", "--out", str(tmp_path / "x.csv")).exit_code == 2
    assert run(db, "notify", "export", "--kind", "confirm", "--out", str(tmp_path / "x.txt")).exit_code == 2
    assert run(db, "notify", "export", "--kind", "confirm").exit_code == 2
