"""Blocking rules: which orders are worth comparing at all.

Two orders are compared when they share the key of at least one rule (the candidate set is
the union of the rules), so a duplicate whose phone was dropped is still found through its
name and postcode, and one whose house number was retyped through its phone. Every key is
prefixed with its rule's code. Blocks are capped (`BLOCK_CAP`, applied by the finder's window): a
phone shared by thousands of orders, such as a shop's test number, is reported, not compared in full.

Name keys do not know which word is the surname: each uses the sound of one name part with the
initial of the other, in both directions, so "Rossi Mario" and "Mario Rosi" share a key.

The finder's sliding window holds each key as `block_hashes` gives it, a 64-bit hash of the key's
parts: an int takes 32 bytes where the text took about 75, an order has some 14 keys, and hashing
a tuple of strings already hashed (shared postcodes, sounds, streets) is faster than building the
text. Two keys with one hash (odds about 1 in 10^7 for a million-order run) only make the finder
compare orders that share neither; scoring still decides, so no pair is lost. The text
(`blocking_keys`) is for people: tests, diagnostics, and naming a capped block's rule (`key_with_hash`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Protocol

from codtool.dedupe.keys import sound_key, street_of

BLOCK_CAP = 50  # an order is compared with at most the last 50 orders of the window sharing one of its keys

RULES = {
    "p": "same phone",
    "e": "same email",
    "pn": "postcode and name sound",
    "cn": "locality and name sound",
    "sn": "street, house number and the first initial of the name parts",
    "hs": "house number, the sound of one name part and the postcode's first digit or the locality's initial",
    "sp": "the postcode's first two digits (or the locality), the sound of the street's name (or of the second line) "
          "and of one name part",
    "rs": "the postcode's first two digits or the whole locality, house number and the sound of the street's name "
          "(the second line's street when the first line has none)",
    "sf": "the postcode (or the locality), the sound of the street's name (or of the second line) and the first four "
          "letters of one name part",
}

# Street-type words (after `keys.street_parts` expanded them): the name of the street is the first other word.
_STREET_TYPES = frozenset({"via", "corso", "piazza", "viale", "strada", "largo", "vicolo", "localita", "frazione",
                           "piazzale", "contrada", "borgo", "salita", "the"})


class Blockable(Protocol):
    phone: str
    email: str
    street: str
    extra: str
    number: str
    postcode: str
    city: str
    tokens: tuple[str, ...]


def blocking_keys(c: Blockable) -> tuple[str, ...]:
    """Every rule's key for this order as text, "rule:part|part" (rules without the fields they need give none)."""
    return tuple(map(_text, key_parts(c)))


def key_parts(c: Blockable) -> list[tuple[str, ...]]:
    """Every rule's key for this order as (rule, part, ...): the text of `blocking_keys` before joining.
    Plain loops and appends, not comprehensions: this runs once per order, and on Python 3.11 each
    comprehension is a call and a list of its own; the street sounds are looked up once, not per name part."""
    phone, email, tokens, postcode, city, street, number = c.phone, c.email, c.tokens, c.postcode, c.city, \
        c.street, c.number
    found: list[tuple[str, ...]] = []
    add = found.append
    if phone:
        add(("p", phone))
    if email:
        add(("e", email))
    if tokens:
        sounds, part_sounds, prefixes, initial = _name_parts(tokens)
        if postcode:
            for s in sounds:
                add(("pn", postcode, s))
        if city:
            for s in sounds:
                add(("cn", city, s))
        if postcode or city:  # the street, or the second line when the street was typed there
            area = postcode[:2] or city
            extra = c.extra
            for x in (street, extra) if extra != street else (street,):
                if x:
                    heard = street_sound(x)
                    for s in part_sounds:
                        add(("sp", area, heard, s))
                    for s in prefixes:  # a typo late in both name parts changes their sounds, not this
                        add(("sf", postcode or city, heard, s))
        if number:
            if street:
                add(("sn", street, number, initial))
            for place in _regions(postcode, city):
                for s in part_sounds:
                    add(("hs", place, number, s))
    road, house = street_of(street, number, c.extra)  # the second line's street when the first has none
    if road and house:
        heard = street_sound(road)
        for place in _areas(postcode, city):
            add(("rs", place, house, heard))
    return found


def block_hashes(c: Blockable) -> tuple[int, ...]:
    """The keys as the finder holds them: the hash of each key's parts (see the module's docstring).
    Equal parts give equal text and, as only a postcode may hold the "|" that joins them and every
    other part of its key is fixed in number and free of "|", equal text gives equal parts."""
    return tuple(map(hash, key_parts(c)))


def key_with_hash(c: Blockable, hashed: int) -> str:
    """The key text of `c` behind one of its `block_hashes`, for naming a capped block's rule."""
    return next(_text(parts) for parts in key_parts(c) if hash(parts) == hashed)


def _text(parts: tuple[str, ...]) -> str:
    """A key's parts as text: ("pn", "00184", "rs/ma") -> "pn:00184|rs/ma"."""
    return f"{parts[0]}:{'|'.join(parts[1:])}"


@lru_cache(maxsize=16_384)
def _name_parts(tokens: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], str]:
    """The name's share of the keys, once per distinct name: the two-way sounds (`pn`, `cn`), the
    sound of each outer name part (`hs`, `sp`), their first four letters (`sf`) and the first initial
    of the outer parts (`sn`).
    An entry held some 560 bytes before the prefixes (about 720 with them, 12 MiB in all): 16,384
    of them (full before 200,000 rows) keep 65-69%
    hits on bench_day's 200,000 and 1,000,000 rows; 32,768 kept 78-89% for no CPU time one could
    measure, and were still filling at 200,000 rows."""
    first, last = tokens[0], tokens[-1]
    heard = {sound_key(first), sound_key(last)}
    return (tuple(sorted(name_sounds(tokens))), tuple(sorted(heard)),
            tuple(sorted({first[:4], last[:4]})), min(first[0], last[0]))


def name_sounds(tokens: tuple[str, ...]) -> frozenset[str]:
    """Sound of one name part with the first two letters of the other, both ways: the same for swapped names.
    Not cached itself: `_name_parts`, its one caller, already is once per distinct name."""
    if len(tokens) < 2:
        return frozenset({sound_key(tokens[0])} if tokens else ())
    first, last = tokens[0], tokens[-1]
    return frozenset({f"{sound_key(last)}/{first[:2]}", f"{sound_key(first)}/{last[:2]}"})


def _regions(postcode: str, city: str) -> tuple[str, ...]:
    """Where an order is, roughly: the postcode's first digit and the locality's first letter, each
    when known, so that one of them survives a typo, a drop or the CAP typed into the locality.
    (Not cached: a call costs about 0.3 microseconds, and a cache of 16,384 entries held 3.7 MiB,
    still filling at 200,000 rows.)"""
    town = city.lstrip("0123456789 ")[:1]
    return tuple(x for x in ("p" + postcode[:1] if postcode else "", "c" + town if town else "") if x)


def _areas(postcode: str, city: str) -> tuple[str, ...]:
    """Where a street is, for `rs`: the postcode's first two digits and the whole locality, each when
    known, so that one survives a typo in the other. `_regions`' first digit and initial letter found
    one true pair more on three of the labelled sets but, on bench_day's million rows, 78% more
    pairs to compare (every Via Roma 1 of a region met) and 10 s more; these, 16% and 2 s."""
    return tuple(x for x in ("p" + postcode[:2] if postcode else "", "c" + city if city else "") if x)


@lru_cache(maxsize=16_384)  # streets repeat within towns; ~180 bytes an entry, 3 MiB at most
def street_sound(street: str) -> str:
    """The sound of the street's own name ("via dante alighieri" -> "dnt"), which survives most typos."""
    words = street.split()
    name = next((w for w in words if w not in _STREET_TYPES), words[0])
    return sound_key(name)


def rule_of(key: str) -> str:
    return key.split(":", 1)[0]
