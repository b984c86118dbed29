"""How alike two orders are, as a score from 0 to 100 with reasons a reviewer can read.

A likely duplicate needs three things: a shared contact (phone, email or address), a similar
name, and the same goods (items or amount). The score is the name similarity, lowered a
little when the contact or goods evidence is partial; exact duplicates score 100.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from codtool.dedupe.candidates import Candidate

EXACT = "exact"
LIKELY = "likely"
_ONE_CONTACT = 0.97
_OVERLAPPING_ITEMS = 0.97
_SAME_AMOUNT_ONLY = 0.93
_VOWELS = frozenset("aeio")


@dataclass(frozen=True, slots=True)
class Match:
    """A pair of orders that look like one purchase (order_a < order_b)."""

    order_a: int
    order_b: int
    score: float
    kind: str
    reasons: str


def name_similarity(a: str, b: str) -> float:
    """0-100, tolerant of typos, swapped names, initials and missing middle names.

    Italian given names that differ only in the final vowel (Mario/Maria, Francesco/Francesca)
    are different people of one family, so they score 0.
    """
    if a == b:
        return 100.0
    ta, tb = a.split(), b.split()
    if not ta or not tb or _gender_variants(ta, tb):
        return 0.0
    ta, tb = _expand_initials(ta, tb), _expand_initials(tb, ta)
    left, right = " ".join(ta), " ".join(tb)
    score = fuzz.token_sort_ratio(left, right, processor=None)
    if min(len(ta), len(tb)) >= 2:  # a lone surname must not match a whole family
        score = max(score, fuzz.token_set_ratio(left, right, processor=None))
    return float(score)


def _gender_variants(ta: list[str], tb: list[str]) -> bool:
    only_a, only_b = set(ta) - set(tb), set(tb) - set(ta)
    stems = {w[:-1] for w in only_a if len(w) >= 4 and w[-1] in _VOWELS}
    return any(len(w) >= 4 and w[-1] in _VOWELS and w[:-1] in stems for w in only_b)


def _expand_initials(tokens: list[str], other: list[str]) -> list[str]:
    """"g rossi" against "giulia rossi" reads the initial as the full name."""
    return [next((o for o in other if len(o) > 1 and o[0] == t), t) if len(t) == 1 else t for t in tokens]


def compare(a: Candidate, b: Candidate, threshold: float) -> Match | None:
    """The pair as a Match when it scores at least `threshold`, else None."""
    low, high = (a, b) if a.id < b.id else (b, a)
    same_amount = a.total == b.total  # equal minor units and currency; never an error across currencies
    if a.name == b.name and a.address and a.address == b.address and a.items == b.items and same_amount:
        return Match(low.id, high.id, 100.0, EXACT, "identical customer, address and items")
    name = name_similarity(a.name, b.name)
    contacts = _shared_contacts(a, b)
    if a.source and a.source == b.source and same_amount and name >= 90 and contacts:
        return Match(low.id, high.id, 100.0, EXACT, f"same source order {a.source}, {contacts[0]}")
    goods, goods_reason = _same_goods(a, b, same_amount)
    if not contacts or not goods:
        return None
    score = round(name * (1.0 if len(contacts) > 1 else _ONE_CONTACT) * goods, 1)
    if score < threshold:
        return None
    reasons = ", ".join([*contacts, _name_reason(a.name, b.name, name), goods_reason])
    return Match(low.id, high.id, score, LIKELY, reasons)


def _name_reason(a: str, b: str, similarity: float) -> str:
    if a == b:
        return "same name"
    words_a, words_b = set(a.split()), set(b.split())
    if sorted(a.split()) == sorted(b.split()):
        return "same name, words swapped"
    if words_a < words_b or words_b < words_a:
        return "same name, a middle name missing"
    return f"name {similarity:.0f}% similar"


def _shared_contacts(a: Candidate, b: Candidate) -> list[str]:
    found = []
    if a.phone and a.phone == b.phone:
        found.append(f"same phone {a.phone}")
    if a.email and a.email == b.email:
        found.append(f"same email {a.email}")
    if a.address and a.address == b.address:
        found.append("same address")
    return found


def _same_goods(a: Candidate, b: Candidate, same_amount: bool) -> tuple[float, str]:
    """(factor, reason) for the goods evidence; (0, "") when the orders buy different things."""
    if a.items and b.items:  # both lists known: the amount cannot stand in for other products
        if a.items == b.items:
            return 1.0, "same items"
        if {p for p, _ in a.items} & {p for p, _ in b.items}:
            return _OVERLAPPING_ITEMS, "overlapping items"
        return 0.0, ""
    if same_amount and a.total.minor > 0:
        return _SAME_AMOUNT_ONLY, f"same amount {a.total}"
    return 0.0, ""
