"""Whether two orders are one purchase: exact duplicates, then evidence weighed field by field.

Exact duplicates (identical customer, address and items, or a re-exported shop order with the
same contact) score 100. Every other pair is scored by `scoring`: name parts, street, house
number, postcode, locality, second address line, phone, email and items each add their
weight, and the sum becomes a probability from 0 to 100. The reasons list every field's level
and weight, so a reviewer sees why. Other products bought two hours or more later (`new_purchase_hours`)
are a new purchase whatever else agrees.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz.distance import DamerauLevenshtein

from codtool.dedupe.candidates import Candidate
from codtool.dedupe.keys import digits_key, street_of
from codtool.dedupe.scoring import (
    DEFAULT_WEIGHTS,
    NO_FREQUENCIES,
    Evidence,
    Frequencies,
    Weights,
    code_level,
    name_evidence,
    probability,
    text_level,
)

EXACT = "exact"
LIKELY = "likely"
DISTINCT = "distinct"  # would match but for a man's and a woman's given name: two people, never one cluster
HOUR = 3_600


@dataclass(frozen=True, slots=True)
class Match:
    """A pair of orders that look like one purchase (order_a < order_b)."""

    order_a: int
    order_b: int
    score: float
    kind: str
    reasons: str
    weight: float = 0.0   # the summed evidence: ranks pairs whose score is capped at 99.9


def compare(a: Candidate, b: Candidate, threshold: float, weights: Weights = DEFAULT_WEIGHTS,
            freq: Frequencies = NO_FREQUENCIES) -> Match | None:
    """The pair as a Match when it scores at least `threshold`, else None."""
    match = judge(a, b, threshold, weights, freq)
    return None if match is None or match.kind == DISTINCT else match


def judge(a: Candidate, b: Candidate, threshold: float, weights: Weights = DEFAULT_WEIGHTS,
          freq: Frequencies = NO_FREQUENCIES) -> Match | None:
    """Like `compare`, and also a DISTINCT match for two people alike in all but a clearly different given name."""
    if _new_purchase(a, b, weights):
        return None
    low, high = (a, b) if a.id < b.id else (b, a)
    same_amount = a.total == b.total  # equal minor units and currency; never an error across currencies
    if a.name == b.name and a.address and a.address == b.address and a.items == b.items and same_amount:
        return Match(low.id, high.id, 100.0, EXACT, "identical customer, address and items")
    evidence = pair_evidence(a, b, weights, freq)
    if evidence is None:
        return None
    names_agree = all(e.level in ("exact", "close") for e in evidence if e.field in ("surname", "given name"))
    if a.source and a.source == b.source and same_amount and names_agree and _shared_contact(a, b):
        return Match(low.id, high.id, 100.0, EXACT, f"same source order {a.source}, " + _reasons(evidence))
    total = sum(e.weight for e in evidence)
    score = min(99.9, round(probability(total, weights), 1))  # 100 means exact
    if score >= threshold:
        return Match(low.id, high.id, score, LIKELY, _reasons(evidence), total)
    # a man and a woman are never one cluster, even through a third order; two names of one gender only
    # weigh against their own pair (Febrl re-submissions retype a name, and their chains would break)
    penalty = sum(e.weight for e in evidence if e.field == "given name" and e.level == "different")
    if penalty and probability(total - penalty, weights) >= threshold:
        return Match(low.id, high.id, score, DISTINCT, _reasons(evidence), total)
    return None


def pair_evidence(a: Candidate, b: Candidate, w: Weights, freq: Frequencies) -> list[Evidence] | None:
    """Every field's evidence, strongest first; None when the orders are clearly two purchases."""
    if _new_purchase(a, b, w):
        return None
    found = name_evidence(a.tokens, b.tokens, freq, w)
    contact = _contact(a, b, w, freq)
    if any(e.field == "email" and e.level == "different" for e in contact):
        found = [_own_mailbox(e, w) for e in found]
    found += contact
    found.append(_goods(a, b, w))
    if any(e.field in _NAMES and e.level in ("same gender", "different") for e in found) \
            and _all_else_agrees(a, b, found, w):
        found = [_retyped(e, w) for e in found]
    if a.source and a.source == b.source and a.total == b.total:
        found.append(Evidence("shop order", "exact", w.source_same, a.source))
    return sorted(found, key=lambda e: -abs(e.weight))


def _own_mailbox(e: Evidence, w: Weights) -> Evidence:
    """A given name typed over with another word, and an email of each one's own: two people of a
    family, as sure as two known distinct names (`name_different`)."""
    if e.field == "given name" and e.level in ("replaced", "same gender"):
        return Evidence(e.field, "different", w.name_different, f"{e.detail}, each with an own email")
    return e


_NAMES = ("given name", "surname")  # the fields whose two given names may read as retyped
# what must agree for a given name of one gender to count as retyped: the levels each field may take
_AGREE = {"phone": ("exact",), "street": ("exact", "close"), "number": ("exact",), "postcode": ("exact", "close"),
          "items": ("same", "overlap")}


def _all_else_agrees(a: Candidate, b: Candidate, found: list[Evidence], w: Weights) -> bool:
    """One phone, one address (street, house number, postcode) and the same products within
    `retyped_hours`, and either no email on both orders or the same one: a given name of one gender
    typed over it is then likelier a re-submission than a sister or a parent, who would mostly give
    an email of their own. (A phone missing on one side is not enough: without phones and emails a
    sister's order of the same products would pass; a man's and a woman's names never do.)"""
    if abs(a.time - b.time) >= w.retyped_hours * HOUR or a.email != b.email:
        return False
    levels = {e.field: e.level for e in found}
    return all(levels.get(field) in agree for field, agree in _AGREE.items())


def _retyped(e: Evidence, w: Weights) -> Evidence:
    """Two given names of one gender, wherever they stand (both orders surname first put them in the
    surname's place: "Esposito Anna", "Esposito Lucia"), as retyped; a man's and a woman's only as far
    as `couple_retyped` says (by default not at all: a husband and wife sharing one phone and basket)."""
    if e.field not in _NAMES:
        return e
    detail = f"{e.detail}, all else agrees"
    if e.level == "same gender" and e.weight == w.name_same_gender:
        return Evidence(e.field, "retyped", w.name_retyped, detail)
    if e.level == "different" and e.weight == w.name_different and w.couple_retyped > e.weight:
        return Evidence(e.field, "retyped", w.couple_retyped, detail)
    return e


def _reasons(evidence: list[Evidence]) -> str:
    return ", ".join(str(e) for e in evidence if e.weight or e.level != "missing")


def _shared_contact(a: Candidate, b: Candidate) -> bool:
    return bool((a.phone and a.phone == b.phone) or (a.email and a.email == b.email)
                or (a.address and a.address == b.address))


def _contact(a: Candidate, b: Candidate, w: Weights, freq: Frequencies) -> list[Evidence]:
    found = []
    if a.phone and b.phone:
        level = code_level(digits_key(a.phone), digits_key(b.phone))
        found.append(Evidence("phone", level, _pick(w, "phone", level), a.phone if level == "exact" else ""))
    if a.email and b.email:
        level = "exact" if a.email == b.email else _email_level(a.email, b.email)
        found.append(Evidence("email", level, _pick(w, "email", level)))
    place = []
    for field, x, y in (("postcode", a.postcode, b.postcode), ("city", a.city, b.city)):
        if x and y:
            level = code_level(x, y) if field == "postcode" else text_level(x, y)
            detail = f"{x}/{y}" if field == "postcode" and level != "exact" else ""
            place.append(Evidence(field, level, _pick(w, field, level), detail))
    # Via Roma 1 is in every town, but not with the same building or farm's name on the second line
    elsewhere = len(place) == 2 and all(e.level == "different" for e in place) and not (a.extra and a.extra == b.extra)
    street_a, number_a, street_b, number_b, moved = _lines(a, b)
    if street_a and street_b:
        level = text_level(street_a, street_b)
        if level == "different" and (_alike(street_a, b.extra) or _alike(a.extra, street_b)):
            level, moved = "close", True  # the street typed on the second line, a building's name on the first
        weight = freq.street_weight(street_a, w) if level == "exact" else _pick(w, "street", level)
        detail = street_a if level == "exact" else "on the other line" if moved else ""
        found.append(_in_town(Evidence("street", level, weight, detail), elsewhere))
    if number_a and number_b:
        level = code_level(number_a, number_b)
        found.append(_in_town(Evidence("number", level, _pick(w, "number", level), "" if level == "exact"
                                       else f"{number_a}/{number_b}"), elsewhere))
    found += place
    if a.extra and b.extra and not moved:
        level = text_level(a.extra, b.extra)
        found.append(Evidence("address line 2", level, _pick(w, "extra", level)))
    return found


def _alike(x: str, y: str) -> bool:
    return bool(x and y) and text_level(x, y) != "different"


def _lines(a: Candidate, b: Candidate) -> tuple[str, str, str, str, bool]:
    """(street a, number a, street b, number b, moved): each order's street and house number, and
    whether one order typed its street alone on the second line (nothing but perhaps the number
    above "Via Trieste 150"), which is then read as its street and not compared as a second line."""
    if a.street or b.street:
        for x, y, flip in ((a, b, False), (b, a, True)):
            if not x.street and x.extra and y.street:
                street, number = street_of(x.street, x.number, x.extra)
                if _alike(street, y.street):
                    return (y.street, y.number, street, number, True) if flip else \
                        (street, number, y.street, y.number, True)
    return a.street, a.number, b.street, b.number, False


def _in_town(e: Evidence, elsewhere: bool) -> Evidence:
    """A street and house number agreeing in another town (postcode and locality both different)
    are no evidence: Via Roma 1 is in every town. (An equal second line, "Residenza I Pini", makes the
    address one place again: `_contact` does not call it elsewhere then.)"""
    if elsewhere and e.weight > 0:
        return Evidence(e.field, e.level, 0.0, ", ".join(filter(None, [e.detail, "in another town"])))
    return e


def _pick(w: Weights, field: str, level: str) -> float:
    return getattr(w, f"{field}_{level}")


def _email_level(a: str, b: str) -> str:
    user_a, _, domain_a = a.partition("@")
    user_b, _, domain_b = b.partition("@")
    close = domain_a == domain_b and DamerauLevenshtein.distance(user_a, user_b, score_cutoff=2) <= 1
    return "close" if close else "different"


def _new_purchase(a: Candidate, b: Candidate, w: Weights) -> bool:
    """Other products (both item lists known, none shared) bought `new_purchase_hours` or more apart."""
    return (bool(a.products) and bool(b.products) and abs(a.time - b.time) >= w.new_purchase_hours * HOUR
            and a.products.isdisjoint(b.products))


def _goods(a: Candidate, b: Candidate, w: Weights) -> Evidence:
    if a.items and b.items:  # both lists known: the amount cannot stand in for other products
        if a.items == b.items:
            return Evidence("items", "same", w.items_same)
        if not a.products.isdisjoint(b.products):
            return Evidence("items", "overlap", w.items_overlap)
        return Evidence("items", "other", w.items_other)
    if a.total == b.total and a.total.minor > 0:
        return Evidence("amount", "same", w.amount_same, str(a.total))
    return Evidence("items", "unknown", 0.0)
