"""Library units of the checks stage: exports, name comparison, Italian street lines, invariants."""

import csv
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codtool.checks.address import check_address
from codtool.checks.address_it import expand_abbreviation, split_house_number
from codtool.checks.address_model import Address
from codtool.checks.findings import CODES, Finding, worst
from codtool.checks.phone import check_phone
from codtool.checks.shared_phone import name_key, same_person, shared_phone_findings
from codtool.exports import safe_cell, write_csv

DOCS = Path(__file__).resolve().parents[1] / "docs" / "checks.md"


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"),
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
    ("-2+3", "'-2+3"),
    ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("  =1", "'  =1"),
    ("+39 333 1234567", "+39 333 1234567"),
    ("+393331234567", "+393331234567"),
    ("+1 (212) 555.0100", "+1 (212) 555.0100"),
    ("+39-333-1234567", "'+39-333-1234567"),  # a spreadsheet would subtract
    ("+44 (0)20 7946 0958", "+44 (0)20 7946 0958"),
    ("+0.", "'+0."),                          # no country code starts with 0
    ("+1.", "'+1."),
    ("+", "'+"),
    ("+1 (2)", "'+1 (2)"),                    # a phone number ends on a digit
    ("+39 333 1234567)", "'+39 333 1234567)"),
    ("+1+1", "'+1+1"),
    ("+39 333 1234567 x", "'+39 333 1234567 x"),
    (" +39 333 1234567", "' +39 333 1234567"),
    ("Via Roma 12", "Via Roma 12"),
    ("", ""),
    (None, ""),
    (1234, "1234"),
])
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


@given(st.text())
def test_safe_cell_only_ever_adds_one_apostrophe(text):
    out = safe_cell(text)
    assert out in (text, "'" + text)
    if out == text and text:
        assert not text.lstrip(" ").startswith(("=", "@", "-", "\t", "\r")) or not text.lstrip(" ")


def test_write_csv_round_trips_and_leaves_no_temp_file(tmp_path):
    target = tmp_path / "out.csv"
    count = write_csv(target, ["name", "phone"], [["Niccolò, \"Nico\"", "+39 333 1234567"], ["=1+1", None]])
    assert count == 2
    rows = list(csv.reader(target.read_text("utf-8-sig").splitlines()))
    assert rows == [["name", "phone"], ["Niccolò, \"Nico\"", "+39 333 1234567"], ["'=1+1", ""]]
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_write_csv_failure_keeps_the_old_file(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")

    def rows():
        yield ["a"]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_csv(target, ["x"], rows(), replace=True)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


@pytest.mark.parametrize(("a", "b", "same"), [
    ("Giulia Rossi", "ROSSI GIULIA", True),
    ("Giulia Rossi", "Giulia Maria Rossi", True),
    ("Giulia Rossi", "Giulia Rosi", True),
    ("Niccolò Mancini", "Niccolo' Mancini", True),
    ("Mario Rossi", "Maria Rossi", False),
    ("Giulia Rossi", "Sara Colombo", False),
])
def test_same_person(a, b, same):
    assert same_person(name_key(a), name_key(b)) is same


@given(st.lists(st.text(alphabet="abcdefghij", min_size=1, max_size=8), min_size=1, max_size=4), st.randoms())
def test_name_key_ignores_word_order_and_case(words, rnd):
    shuffled = words[:]
    rnd.shuffle(shuffled)
    assert name_key(" ".join(words)) == name_key(" ".join(shuffled).upper())


def test_shared_phone_groups_by_number():
    rows = [("+393331234567", 1, "#1", "Giulia Rossi"), ("+393331234567", 2, "#2", "Rossi Giulia"),
            ("+393331234567", 3, "#3", "Sara Colombo"), ("+393471234567", 4, "#4", "Marco Bianchi"),
            ("+393471234567", 5, "#5", "marco bianchi")]
    found = shared_phone_findings(rows)
    assert sorted(found) == [1, 2, 3]
    assert found[3].message == "same phone +393331234567 as order #1 (Giulia Rossi), #2 (Rossi Giulia)"
    assert found[1].message == "same phone +393331234567 as order #3 (Sara Colombo)"


@pytest.mark.parametrize(("line", "expanded"), [
    ("V. Roma 1", "via Roma 1"), ("V.Roma 1", "via Roma 1"), ("C.so Italia 5", "corso Italia 5"),
    ("P.zza Duomo 1", "piazza Duomo 1"), ("P.za Duomo 1", "piazza Duomo 1"), ("V.le Europa 10", "viale Europa 10"),
    ("Loc. Case Sparse snc", "località Case Sparse snc"), ("Fraz. San Pietro 7", "frazione San Pietro 7"),
    ("P.le Loreto 2", "piazzale Loreto 2"), ("L.go Augusto 3", "largo Augusto 3"),
    ("S.S. 16 km 812", "strada statale 16 km 812"),
    ("Via Roma 1", "Via Roma 1"), ("Viale Europa 1", "Viale Europa 1"), ("Strada Nuova 3", "Strada Nuova 3"),
])
def test_expand_abbreviation(line, expanded):
    assert expand_abbreviation(line) == expanded


@pytest.mark.parametrize(("line", "street", "number"), [
    ("Via Roma 12", "Via Roma", "12"), ("Via Roma, 12", "Via Roma", "12"), ("Via Roma n. 12", "Via Roma", "12"),
    ("P.zza Garibaldi 3/B", "P.zza Garibaldi", "3/B"), ("Via Roma 12a", "Via Roma", "12A"),
    ("Via Roma 12 bis", "Via Roma", "12BIS"), ("V.le Europa 10 int. 4", "V.le Europa", "10"),
    ("Via Roma 5 scala B piano 2", "Via Roma", "5"), ("Loc. Case Sparse snc", "Loc. Case Sparse", "snc"),
    ("Loc. Case Sparse S.N.C.", "Loc. Case Sparse", "snc"), ("Via XX Settembre", "Via XX Settembre", ""),
    ("Via 4 Novembre", "Via 4 Novembre", ""), ("Corso Vittorio Emanuele II 45", "Corso Vittorio Emanuele II", "45"),
])
def test_split_house_number(line, street, number):
    assert split_house_number(line) == (street, number)


def test_findings_refuse_unknown_codes():
    with pytest.raises(ValueError, match="unknown finding code"):
        Finding("phone.bogus", "x")
    assert worst([Finding("phone.extension", "x"), Finding("phone.landline", "y")]) == "warning"
    assert worst([]) == ""


_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(deadline=None)  # phonenumbers loads each region's metadata on first use; no time is under test
@given(_TEXT, st.sampled_from(["IT", "US", "FR", "DE", "AE", "ZZ", "", "italy"]))
def test_phone_check_never_raises(typed, country):
    result = check_phone(typed, country)
    assert result.e164 == "" or re.fullmatch(r"\+[1-9]\d{3,14}", result.e164)
    assert all(f.code in CODES for f in result.findings)
    assert bool(result.e164) or any(f.severity == "error" for f in result.findings)


@settings(deadline=None)  # the first Italian example loads the CAP table (slow on a busy machine); no time is under test
@given(_TEXT, _TEXT, _TEXT, _TEXT, _TEXT, st.sampled_from(["IT", "US", "FR", "NL", "AE", "XX", ""]))
def test_address_check_never_raises(address1, address2, city, postcode, province, country):
    result = check_address(Address(address1, address2, city, postcode, province, country))
    assert all(f.code in CODES for f in result.findings)
    assert len({f.code for f in result.findings}) == len(result.findings)  # one finding per code


def test_docs_list_every_code():
    text = DOCS.read_text("utf-8")
    missing = [code for code in CODES if f"`{code}`" not in text]
    assert missing == []
