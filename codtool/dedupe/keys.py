"""Normalised blocking keys for an order: phone, email, address, name and items.

The checks stage stores normalised phones and addresses in `order_normalised`; orders it has
not seen yet are normalised here by `fallback_contact`, and both pass through the same
folding so that a checked and an unchecked order still produce equal keys.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from codtool.checks.italy_data import normalise_place
from codtool.phones import to_e164

_NON_WORD = re.compile(r"[^0-9a-z]+")
_HOUSE_NUMBER = re.compile(r"^(?:\d+[a-z]?|snc|sn)$")

# Street-type abbreviations seen in Italian and English shop exports, expanded so that
# "C.so Vittorio Emanuele II 45" and "Corso Vittorio Emanuele II, 45" give one key.
_STREET_WORDS = {
    "v": "via", "c": "corso", "cso": "corso", "c so": "corso", "p": "piazza", "pza": "piazza",
    "pzza": "piazza", "p za": "piazza", "p zza": "piazza", "piaz": "piazza", "vle": "viale",
    "v le": "viale", "le": "viale", "str": "strada", "loc": "localita", "fraz": "frazione",
    "lgo": "largo", "vc": "vicolo", "vco": "vicolo", "st": "street", "rd": "road",
    "ave": "avenue", "av": "avenue", "blvd": "boulevard", "ln": "lane", "dr": "drive",
}
_NUMBER_WORDS = {"n", "no", "nr", "num", "civico"}
_UNIT_WORDS = {"int", "interno", "scala", "sc", "piano", "apt", "flat", "unit", "suite"}  # drop with their value
_INNER_DOT = re.compile(r"(?<=[a-z])\.(?=[a-z])")
_TITLES = {"sig", "sigra", "sigr", "signor", "signora", "dott", "dottssa", "dottor", "dr", "mr",
           "mrs", "ms", "miss", "prof", "ing", "avv"}


def fold(text: str) -> str:
    """Lower case, no accents, words separated by single spaces: "Niccolò  D'Amico" -> "niccolo d amico"."""
    folded = text.casefold()
    if not folded.isascii():  # ASCII has no accents: NFKD leaves it as it is, so most names skip the walk
        folded = "".join(ch for ch in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", folded).strip()


@lru_cache(maxsize=32_768)  # full near 200,000 rows, so memory stays flat past them
def name_key(name: str) -> str:
    """A person's name without titles, accents or punctuation, in the order typed."""
    return " ".join(w for w in fold(name.replace(".", "")).split() if w not in _TITLES)


def phone_key(phone: str, country: str) -> str:
    """E.164 form of a phone, reading national numbers with the order's country as region."""
    return to_e164(phone, country)


def email_key(email: str) -> str:
    value = email.strip().casefold()
    return value if "@" in value else ""


class Contact(NamedTuple):
    """Normalised phone and address of one order, from checks or from `fallback_contact`.
    A named tuple: made once per order, and a frozen dataclass's init costs a microsecond more."""

    phone: str
    street: str
    house_number: str
    postcode: str
    city: str


@lru_cache(maxsize=65_536)
def street_parts(address: str) -> tuple[str, str]:
    """(street with abbreviations expanded, house number) from "P.zza Garibaldi 3/B"."""
    text = _INNER_DOT.sub("", address.casefold())
    words = _without_units(fold(re.sub(r"(\d)\s*/\s*([a-z])\b", r"\1\2", text)).split())
    number = ""
    for i in range(len(words) - 1, 0, -1):
        if _HOUSE_NUMBER.match(words[i]):
            number = words.pop(i)
            break
    else:
        if words and _HOUSE_NUMBER.match(words[0]) and (len(words) > 1 or words[0][0].isdigit()):
            number = words.pop(0)  # "123 Main St", or the number alone with the street left out
    for i in {0, len(words) - 1} if len(words) > 1 else ():
        words[i] = _STREET_WORDS.get(words[i], words[i])
    return " ".join(words), ("snc" if number == "sn" else number)


def _without_units(words: list[str]) -> list[str]:
    """Drop "n." / "civico" and unit details ("int. 4", "scala B") that are not the house number."""
    kept: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word in _UNIT_WORDS:
            skip = True
        elif word not in _NUMBER_WORDS:
            kept.append(word)
    return kept


def street_of(street: str, number: str, extra: str) -> tuple[str, str]:
    """The street and house number of an order: its first line's or, when that has no street, its
    second line's (nothing but perhaps the number typed above "Via Trieste 150"), with the first
    line's number when the second has none. `extra` is the folded second line (`extra_key`)."""
    if street or not extra:
        return street, number
    road, house = street_parts(extra)
    return road, house or number


@lru_cache(maxsize=65_536)
def place_key(city: str) -> str:
    return normalise_place(city)


def fallback_contact(phone: str, country: str, address1: str, postcode: str, city: str) -> Contact:
    """Normalise an order that the checks stage has not normalised yet."""
    street, number = street_parts(address1)
    postcode, city = postcode_in_city(postcode.strip(), city)
    return Contact(phone_key(phone, country), street, number, postcode, place_key(city))


def checked_contact(phone_e164: str, address_line: str, house_number: str, postcode: str, city: str) -> Contact:
    """The checks stage's normalised columns, folded the same way as `fallback_contact`."""
    street, number = street_parts(address_line)
    given = _house_number(house_number)
    postcode, city = postcode_in_city(postcode.strip(), city)
    return Contact(phone_e164, street, given or number, postcode, place_key(city))


_POSTCODE_IN_CITY = re.compile(r"^\W*([0-9]{4,5})(?:\W+([^0-9].*?))?\W*$|^\W*([^0-9].*?)\W+([0-9]{4,5})\W*$")


def postcode_in_city(postcode: str, city: str) -> tuple[str, str]:
    """(postcode, locality), the postcode taken from the locality when it was typed there and the
    postcode field left empty: "73100 Lecce", "Lecce, 73100" or "73100" -> ("73100", "Lecce" or "")."""
    if postcode or not any("0" <= ch <= "9" for ch in city):
        return postcode, city
    found = _POSTCODE_IN_CITY.match(city)
    if found is None:
        return postcode, city
    return (found[1], found[2] or "") if found[1] else (found[4], found[3])


@lru_cache(maxsize=4_096)
def _house_number(text: str) -> str:
    """A checked house number folded ("12/B" -> "12b"): few distinct values, so cached."""
    return fold(text).replace(" ", "")


def address_key(contact: Contact) -> str:
    """Street, number and postcode (or city); empty when too little is known to block on."""
    place = contact.postcode or contact.city
    if not contact.street or not place:
        return ""
    return f"{place}|{contact.street}|{contact.house_number}"


@lru_cache(maxsize=16_384)  # baskets repeat, but most are one order's own: a small cache keeps the common ones
def items_key(items_json: str) -> tuple[tuple[str, int], ...]:
    """Sorted (product, quantity) pairs; the product is the SKU, or the folded name without one."""
    try:
        items = json.loads(items_json)
    except ValueError:
        return ()
    counted: dict[str, int] = {}
    for item in items if isinstance(items, list) else ():
        product = str(item.get("sku") or "").strip().casefold() or fold(str(item.get("name") or ""))
        if product:
            counted[product] = counted.get(product, 0) + int(item.get("qty") or 1)
    return tuple(sorted(counted.items()))


@lru_cache(maxsize=16_384)  # baskets repeat, but most are one order's own: a small cache keeps the common ones
def products_of(items: tuple[tuple[str, int], ...]) -> frozenset[str]:
    """The products of an items key, for telling overlapping baskets from other products."""
    return frozenset(product for product, _ in items)


def source_key(source_id: str) -> str:
    """The shop's order number without '#' and leading zeros: re-exports often change both."""
    return source_id.strip().lstrip("#").lstrip("0").casefold()


# Surname particles are glued to the next word, so "De Luca", "de luca" and "DeLuca" are one token
# and a surname-first order ("De Luca Maria") still has two name parts.
_PARTICLES = frozenset({"de", "di", "da", "del", "della", "dello", "dei", "degli", "dal", "dalla", "d", "la", "lo",
                        "li", "le", "van", "von", "der", "den", "mc", "mac", "st", "san", "dos", "du"})


@lru_cache(maxsize=32_768)  # full near 200,000 rows, so memory stays flat past them
def name_tokens(name_key_: str) -> tuple[str, ...]:
    """The name parts of a folded name, particles glued: "maria de luca" -> ("maria", "deluca")."""
    tokens: list[str] = []
    glue = ""
    for word in name_key_.split():
        if word in _PARTICLES:
            glue += word
        else:
            tokens.append(glue + word)
            glue = ""
    if glue:
        tokens.append(glue)
    return tuple(tokens)


_SOUND_ALIKE = str.maketrans({"k": "c", "q": "c", "y": "i", "w": "v", "z": "s", "j": "g", "x": "s"})
_VOWELS_H = frozenset("aeiouh")


@lru_cache(maxsize=131_072)
def sound_key(token: str) -> str:
    """A phonetic key for blocking: first letter, then up to three consonants, doubles collapsed.

    "Rossi", "Rosi" and "Russo" share "rs"; "Ferrari" and "Ferari" share "fr".
    Hand-written (no library) and tuned for Italian and English names: sound-alike letters
    are merged (k/q -> c, z/x -> s, y -> i, w -> v, j -> g) and "ph" reads as "f".
    """
    text = token.replace("ph", "f").translate(_SOUND_ALIKE)
    if not text:
        return ""
    key = [text[0]]
    for ch in text[1:]:
        if ch not in _VOWELS_H and ch != key[-1] and ch.isalpha():
            key.append(ch)
            if len(key) == 4:
                break
    return "".join(key)


def extra_key(address2: str) -> str:
    """The second address line without unit details ("int. 4", "scala B"), which duplicates add or drop."""
    if not address2:
        return ""
    return " ".join(_without_units(fold(_INNER_DOT.sub("", address2.casefold())).split()))


def digits_key(phone: str) -> str:
    """The national digits of an E.164 phone, for telling a one-digit typo from another number."""
    return phone[3:] if phone.startswith("+39") else phone.lstrip("+")
