"""One phone number, different customer names: a reseller, a fake order, or a family to confirm.

Names are compared loosely so that "Rossi Giulia", "GIULIA ROSSI", "Giulia Maria Rossi" and a
one-letter typo count as the same person; anything further apart is a different name.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from itertools import groupby

from rapidfuzz.distance import Indel

from codtool.checks.findings import Finding

_NON_LETTERS = re.compile(r"[^a-z\s]+")
_SAME_NAME_SIMILARITY = 0.92
_SHOWN = 3


@lru_cache(maxsize=1 << 14)  # the same customer's orders come together (grouped by number): a small cache is full early
def name_key(name: str) -> str:
    """Case, accents, punctuation and word order do not make a different name."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name.casefold()) if not unicodedata.combining(c))
    return " ".join(sorted(_NON_LETTERS.sub(" ", plain).split()))


def same_person(a: str, b: str) -> bool:
    """Compare two name keys: equal, one name contained in the other, or a typo apart."""
    if a == b:
        return True
    words_a, words_b = set(a.split()), set(b.split())
    if words_a and words_b and (words_a <= words_b or words_b <= words_a):
        return True
    return Indel.normalized_similarity(a, b) >= _SAME_NAME_SIMILARITY


def shared_phone_findings(rows: Iterable[tuple[str, int, str, str]]) -> dict[int, Finding]:
    """rows: (e164, order id, shop order id, customer name), sorted by number. Returns order id -> finding."""
    found: dict[int, Finding] = {}
    for e164, group in groupby(rows, key=lambda r: r[0]):
        by_key: dict[str, list[tuple[str, str]]] = {}
        members: list[tuple[int, str]] = []
        for _, oid, source, name in group:
            key = name_key(name)
            by_key.setdefault(key, []).append((source, name))
            members.append((oid, key))
        if len(by_key) < 2:
            continue
        per_key = {}  # one finding per distinct name: a number on 10,000 orders stays linear
        for key in by_key:
            others = [order for other, orders in by_key.items() if not same_person(key, other) for order in orders]
            per_key[key] = _finding(e164, others) if others else None
        found.update((oid, per_key[key]) for oid, key in members if per_key[key] is not None)
    return found


def _finding(e164: str, others: list[tuple[str, str]]) -> Finding:
    shown = ", ".join(f"{source} ({name})" for source, name in others[:_SHOWN])
    more = f" and {len(others) - _SHOWN} more" if len(others) > _SHOWN else ""
    return Finding("phone.shared_other_name", f"same phone {e164} as order {shown}{more}",
                   "confirm by phone who the customer is before shipping")
