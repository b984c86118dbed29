"""Templates, SMS length, WhatsApp links, injection-safe exports and `codtool notify export`."""

from __future__ import annotations

import csv
import json
from urllib.parse import unquote

import pytest
from helpers import (
    CALL_FIXTURES,
    add_shipment,
    brief,
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
from codtool.notify.templates import MessageFields, Template, display_amount, language_for, render

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
                                                 "Piazza della Signoria 1, 50122 Firenze (FI)", shop="Acme"))
    assert text == ("Ciao Niccolò Mancini, ordine FFATNOMMJ di Acme confermato: paghi 89,00 € alla consegna in "
                    "Piazza della Signoria 1, 50122 Firenze (FI). Errori? Rispondi qui.")
    assert sms_length(text).encoding == "GSM-7" and sms_length(text).segments == 1


@pytest.mark.parametrize("kind", ["confirm", "out_for_delivery", "failed"])
@pytest.mark.parametrize("language", ["it", "en", "de", "fr", "es"])
def test_every_template_renders_every_field(kind, language):
    text = render(kind, language, MessageFields("Zoë", "#1", Money(100, "EUR"), "Via Po 1", "GLS", "Bottega Zeta"))
    assert "Zoë" in text and "#1" in text and "Bottega Zeta" in text
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
    assert marco["text"] == ("Ciao Marco Bianchi, ordine #1002 di demo confermato: paghi 89,00 € alla consegna in "
                             "Corso Vittorio Emanuele II 47, int. 4, scala B, 10121 Torino (TO). "
                             "Errori? Rispondi qui.")
    assert marco["whatsapp_link"].startswith("https://wa.me/393471234567?text=Ciao%20Marco%20Bianchi%2C")
    assert (marco["sms_encoding"], marco["sms_segments"], marco["sms_long"]) == ("GSM-7", 2, True)  # long address
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["phone_e164"] for r in rows] == ["+393331234567", "+393471234567"]
    assert rows[1]["sms_text"] == marco["text"]


def test_exporting_records_nothing_so_a_second_export_gives_the_same_messages(db, tmp_path):
    first = run_json(db, "notify", "export", "--kind", "confirm", "--out", str(tmp_path / "a.csv"))
    second = run_json(db, "notify", "export", "--kind", "confirm", "--out", str(tmp_path / "b.csv"))
    assert len(first["messages"]) == 2 and second["messages"] == first["messages"]
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert connect(db).execute("SELECT COUNT(*) FROM notify_messages").fetchone()[0] == 0


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_mark_sent_records_the_file_once_and_later_exports_leave_it_out(db, tmp_path, suffix):
    out = str(tmp_path / f"c{suffix}")
    exported = run_json(db, "notify", "export", "--kind", "confirm", "--out", out)
    marked = run_json(db, "notify", "mark-sent", out)
    assert (marked["lines"], marked["recorded"], marked["already_sent"], marked["rejects"]) == (2, 2, 0, [])
    stored = connect(db).execute("SELECT order_id, kind, event_ref, phone_e164, text, sender FROM notify_messages "
                                 "ORDER BY order_id").fetchall()
    assert [tuple(r) for r in stored] == [(m["id"], "confirm", "", m["phone_e164"], m["text"], f"file:c{suffix}")
                                          for m in exported["messages"]]
    again = run_json(db, "notify", "mark-sent", out)  # the same file twice records nothing new
    assert (again["recorded"], again["already_sent"], again["rejects"]) == (0, 2, [])
    later = run_json(db, "notify", "export", "--kind", "confirm", "--out", out, "--force")
    assert (later["exported"], later["already_sent"]) == (0, 2)
    assert run_json(db, "notify", "export", "--kind", "confirm", "--out", out, "--again", "--force")["exported"] == 2


def test_mark_sent_records_only_the_lines_left_in_the_file(db, tmp_path):
    out = tmp_path / "c.csv"
    run_json(db, "notify", "export", "--kind", "confirm", "--out", str(out))
    header, first, second = out.read_text(encoding="utf-8").splitlines()
    write_csv(out, f"{header}\n{second}\n")  # staff sent only the second message
    assert run_json(db, "notify", "mark-sent", str(out))["recorded"] == 1
    later = run_json(db, "notify", "export", "--kind", "confirm", "--out", str(tmp_path / "d.csv"))
    assert [m["order"] for m in later["messages"]] == ["#1001"] and later["already_sent"] == 1


def test_mark_sent_rejects_lines_that_match_no_pending_message(db, tmp_path):
    out = tmp_path / "c.csv"
    run_json(db, "notify", "export", "--kind", "confirm", "--out", str(out))
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    bad = [dict(rows[0], id="x1"), dict(rows[0], kind="promo"), dict(rows[0], kind="failed"),
           dict(rows[0], id=str(order_id(db, "#1003"))), dict(rows[1], phone_e164="+393330000000"),
           dict(rows[0], sms_text=""), rows[1], rows[1]]
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(bad)
    result = run(db, "--json", "notify", "mark-sent", str(out))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["recorded"] == 1
    assert brief(data["rejects"], "source", "line", "code") == [
        {"source": "c.csv", "line": 2, "code": "notify.bad_line"},
        {"source": "c.csv", "line": 3, "code": "notify.bad_line"},
        {"source": "c.csv", "line": 4, "code": "notify.not_pending"},
        {"source": "c.csv", "line": 5, "code": "notify.not_pending"},
        {"source": "c.csv", "line": 6, "code": "notify.phone_changed"},
        {"source": "c.csv", "line": 7, "code": "notify.bad_line"},
        {"source": "c.csv", "line": 9, "code": "notify.repeated_line"},
    ]
    assert "'x1' is not an order id" in data["rejects"][0]["message"]
    strict = run(db, "--strict", "notify", "mark-sent", str(out))  # nothing new: the good line is already recorded
    assert strict.exit_code == 1 and "rolled back" in strict.output


def test_mark_sent_with_strict_records_nothing_when_a_line_is_rejected(db, tmp_path):
    out = tmp_path / "c.csv"
    run_json(db, "notify", "export", "--kind", "confirm", "--out", str(out))
    text = out.read_text(encoding="utf-8")
    write_csv(out, text + text.splitlines()[1].replace(",confirm,", ",promo,", 1) + "\n")
    assert run(db, "--strict", "notify", "mark-sent", str(out)).exit_code == 1
    assert connect(db).execute("SELECT COUNT(*) FROM notify_messages").fetchone()[0] == 0


def test_mark_sent_refuses_a_file_that_is_not_an_export(db, tmp_path):
    sheet = write_csv(tmp_path / "s.csv", "order,outcome\n#1001,confirmed\n")
    result = run(db, "notify", "mark-sent", str(sheet))
    assert result.exit_code == 1
    assert "s.csv" in result.output and "missing column id, kind, event, phone_e164, sms_text" in result.output


def test_spanish_customer_with_accent_gets_a_flagged_ucs2_sms(db, tmp_path):
    sheet = write_csv(tmp_path / "s.csv", "order,outcome,called_at\nG-2004,confirmed,2026-11-23 12:00\n"
                                          "#1004,confirmed,2026-11-23 12:05\n")
    run_json(db, "calls", "record", str(sheet))
    data = run_json(db, "notify", "export", "--kind", "confirm", "--out", str(tmp_path / "c.xlsx"))
    pedro = next(m for m in data["messages"] if m["order"] == "G-2004")
    assert pedro["language"] == "es" and pedro["text"].startswith("Hola Pedro García, tu pedido G-2004 de demo está "
                                                                  "confirmado: pagarás 29,90 € contra reembolso en ")
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
        "Ciao Giulia Rossi, l'ordine #1001 di demo è in consegna oggi con GLS. Tieni pronti 56,80 € in contanti."]
    failed = run_json(db, "notify", "export", "--kind", "failed", "--out", str(tmp_path / "f.csv"))
    assert [m["text"] for m in failed["messages"]] == [
        "Ciao Marco Bianchi, BRT non ha potuto consegnare l'ordine #1002 di demo. Rispondi qui per una nuova consegna."]
    run_json(db, "notify", "mark-sent", str(tmp_path / "f.csv"))
    with connect(db) as conn:  # a second failed attempt on another day is a new event
        conn.execute("UPDATE shipments SET status_at = '2026-11-24T09:00:00' WHERE tracking_number = 'BRT200'")
    stale = run_json(db, "notify", "mark-sent", str(tmp_path / "f.csv"))  # the first attempt's file: sent already
    assert (stale["recorded"], stale["already_sent"], stale["rejects"]) == (0, 1, [])
    again = run_json(db, "notify", "export", "--kind", "failed", "--out", str(tmp_path / "f.csv"), "--force")
    assert again["exported"] == 1 and again["messages"][0]["event"].endswith("2026-11-24T09:00:00")


def test_messages_name_the_shop_and_the_courier_as_customers_know_them(db, tmp_path):
    add_shipment(db, "#1001", "out_for_delivery", "BRT100", courier="brt")
    add_shipment(db, "#1002", "out_for_delivery", "GLS200", courier="gls")
    plain = run_json(db, "notify", "export", "--kind", "out_for_delivery", "--out", str(tmp_path / "o.csv"))
    assert [m["text"].split(" con ")[1][:4] for m in plain["messages"]] == ["BRT.", "GLS."]
    config = write_csv(tmp_path / "codtool.toml", '[shops.demo]\ndisplay_name = "Bottega Demo"\n'
                                                  '[couriers.gls]\ndisplay_name = "GLS Italy"\n')
    named = run_json(db, "--config", str(config), "notify", "export", "--kind", "out_for_delivery",
                     "--out", str(tmp_path / "o.csv"), "--force")
    assert [m["text"] for m in named["messages"]] == [
        "Ciao Giulia Rossi, l'ordine #1001 di Bottega Demo è in consegna oggi con BRT. Tieni pronti 56,80 € in contanti.",
        "Ciao Marco Bianchi, l'ordine #1002 di Bottega Demo è in consegna oggi con GLS Italy. "
        "Tieni pronti 89,00 € in contanti."]
    shown = run(db, "--config", str(config), "notify", "export", "--kind", "confirm", "--out", str(tmp_path / "c.csv"))
    assert shown.exit_code == 0 and "Bottega Demo" in shown.output


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


# --- editable templates -----------------------------------------------------------------------

def templates_config(tmp_path, files: dict[str, str]):
    """A configuration file with `templates/` beside it holding these files."""
    (tmp_path / "templates").mkdir()
    for name, text in files.items():
        (tmp_path / "templates" / name).write_text(text, encoding="utf-8")
    return write_csv(tmp_path / "codtool.toml", "")


def test_a_template_file_replaces_the_built_in_text(db, tmp_path):
    config = templates_config(tmp_path, {"confirm.it.txt": "{shop}: {name}, ordine {order} ok, {amount} alla "
                                                           "consegna.\n", "notes.md": "not a template"})
    data = run_json(db, "--config", str(config), "notify", "export", "--kind", "confirm", "--out", str(tmp_path / "c.csv"))
    assert [m["text"] for m in data["messages"]] == ["demo: Giulia Rossi, ordine #1001 ok, 56,80 € alla consegna.",
                                                     "demo: Marco Bianchi, ordine #1002 ok, 89,00 € alla consegna."]
    listed = run_json(db, "--config", str(config), "notify", "templates")
    sources = {(t["kind"], t["language"]): t["source"] for t in listed["templates"]}
    assert len(sources) == 15 and sources.pop(("confirm", "it")) == str(tmp_path / "templates" / "confirm.it.txt")
    assert set(sources.values()) == {"built-in"}
    shown = run_json(db, "--config", str(config), "notify", "templates", "--show", "confirm", "--lang", "it")
    assert shown["text"] == "{shop}: {name}, ordine {order} ok, {amount} alla consegna."
    human = run(db, "--config", str(config), "notify", "templates", "--show", "failed", "--lang", "en")
    assert human.exit_code == 0 and human.stdout.strip() == render_source("failed", "en")


def render_source(kind: str, language: str) -> str:
    from codtool.notify.templates import TEMPLATES
    return TEMPLATES[language][kind]


@pytest.mark.parametrize(("name", "text", "message"), [
    ("confirm.it.txt", "Ciao {nome}, ordine {order}: {amount}", "unknown placeholder {nome}"),
    ("confirm.it.txt", "Ciao {name}, paghi {amount}", "a confirm message needs {order}"),
    ("failed.en.txt", "Hi, {courier} failed", "a failed message needs {order}"),
    ("confirm.en.txt", "Order {order} {courier} {amount}", "unknown placeholder {courier}"),
    ("confirm.en.txt", "Order {order} {amount:>10}", "without ':' or '!'"),
    ("confirm.en.txt", "Order {order} {amount", "expected '}'"),
    ("confirm.en.txt", "   \n", "the template is empty"),
    ("confirm.xx.txt", "Order {order} {amount}", "name a template KIND.LANG.txt"),
    ("promo.it.txt", "Order {order} {amount}", "name a template KIND.LANG.txt"),
])
def test_a_bad_template_file_is_a_one_line_error_naming_it(db, tmp_path, name, text, message):
    config = templates_config(tmp_path, {name: text})
    for args in (["notify", "templates"], ["notify", "export", "--kind", "confirm", "--out", str(tmp_path / "c.csv")]):
        result = run(db, "--config", str(config), *args)
        assert result.exit_code == 1, result.output
        assert result.output.startswith(f"Error: {tmp_path / 'templates' / name}: ")
        assert message in result.output and len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "c.csv").exists()


def test_templates_usage_errors(db):
    assert run(db, "notify", "templates", "--show", "confirm").exit_code == 2
    assert run(db, "notify", "templates", "--lang", "it").exit_code == 2
    assert run(db, "notify", "templates", "--show", "confirm", "--lang", "pt").exit_code == 2


LITERAL = st.text(st.characters(blacklist_characters="{}", blacklist_categories=("Cs",)), max_size=20)


@given(data=st.data())
def test_any_template_of_allowed_placeholders_loads_and_renders_every_one(data):
    from codtool.notify.templates import PLACEHOLDERS, REQUIRED, Templates, check_placeholders

    kind = data.draw(st.sampled_from(["confirm", "out_for_delivery", "failed"]))
    names = data.draw(st.lists(st.sampled_from(PLACEHOLDERS[kind]), max_size=6)) + list(REQUIRED[kind])
    names = data.draw(st.permutations(names))
    text = "".join(data.draw(LITERAL) + "{" + name + "}" for name in names) + data.draw(LITERAL)
    check_placeholders(text, kind, "t.txt")  # no error
    fields = MessageFields("Zoë", "#77", Money(12345, "EUR"), "Via Po 1", "GLS", "Bottega")
    shown = Templates({(kind, "it"): Template(kind, "it", text, "t.txt")}).render(kind, "it", fields)
    values = {"name": "Zoë", "order": "#77", "amount": "123,45 €", "address": "Via Po 1", "courier": "GLS",
              "shop": "Bottega"}
    assert all(values[n] in shown for n in names) and "{" not in shown


@given(name=st.from_regex(r"[a-z_]{1,12}", fullmatch=True))
def test_a_placeholder_the_kind_does_not_know_is_refused(name):
    from codtool.notify.templates import PLACEHOLDERS, TemplateError, check_placeholders

    if name in PLACEHOLDERS["confirm"]:
        return
    with pytest.raises(TemplateError, match=r"^t\.txt: unknown placeholder"):
        check_placeholders("{order} {amount} {" + name + "}", "confirm", "t.txt")
