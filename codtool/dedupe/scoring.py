"""Fellegi-Sunter evidence for one pair of orders: a comparison level per field, a weight per level.

Each field is compared to a level (exact, close, typo, different, missing) and each level
carries a weight, the log2 of how much likelier that level is between two orders of one
purchase than between two unrelated orders (m/u). Weights add up; the sum, less `offset`
(the prior odds against a random pair being a match), is turned into a probability from 0 to
100 and compared with `--threshold`. The defaults below were set by hand from the m and u
rates of the labelled sets in `bench/` (no training at run time); a TOML file with the same
names overrides them (see docs/dedupe.md).

Two given names far apart count as another person (`name_different`) only on positive evidence:
both are known names (`given_names`), a gender pair, or a typo nearer another known name; any
other word typed over the name is `replaced`, weak evidence that the other fields outweigh.

Exact agreement on a common value is weaker evidence than on a rare one: for name words and
streets the exact weight is log2(m / share of orders with that value), counted over the orders
of the run itself (`Frequencies`), within bounds, once enough orders have been seen.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler
from rapidfuzz.fuzz import token_set_ratio

from codtool.dedupe.given_names import GIVEN_NAMES, either_gender, gender, nicknames, unisex
from codtool.errors import CodtoolError

_M = 0.95          # share of true duplicates that agree exactly on a field, for term-frequency weights
_MIN_SEEN = 500    # below this many orders the batch is too small to estimate frequencies
_VOWELS = frozenset("aeio")
_DOUBLED = re.compile(r"(.)\1")


class WeightsError(CodtoolError):
    """A weights file names an unknown weight or gives a value that is not a number."""


@dataclass(frozen=True)
class Weights:
    """log2 Bayes factors per field and level (positive: evidence of one purchase)."""

    offset: float = 10.0            # prior: a pair needs this much evidence to reach 50%
    name_exact: float = 7.0         # per name part, when no frequency is known yet
    name_exact_max: float = 10.0    # term-frequency bounds for an exact name part
    name_exact_min: float = 2.0
    name_close: float = 3.0         # one typo (Jaro-Winkler >= 0.92 or one edit)
    name_typo: float = -1.0         # two typos, still recognisably the same word
    name_initial: float = 1.0       # "G." against "Giulia"
    name_nickname: float = 2.0      # "Peppe" against "Giuseppe", "Ale" against "Alessandro"
    name_different: float = -30.0   # two known distinct given names of a man and a woman (Mario/Maria): another person
    name_same_gender: float = -23.0  # two known names of one gender (Luca/Marco): a sibling, or the name typed over
    name_retyped: float = -8.0      # the same, with phone, address and products all agreeing within `retyped_hours`
    couple_retyped: float = -30.0   # a man's and a woman's names so agreeing: off (-30, another person) unless a
                                    # policy says a shop's households do not share one phone and basket (-8)
    name_replaced: float = -4.0     # a word unlike the other that is not a known distinct name: weak evidence
    surname_different: float = -6.0  # same given name, another surname: a married or maiden name, or a typo
    name_missing: float = -1.0      # one order has a name part the other lacks
    street_exact: float = 5.0
    street_exact_max: float = 7.0
    street_exact_min: float = 1.0
    street_close: float = 4.0
    street_different: float = -3.0
    number_exact: float = 3.0
    number_close: float = 0.5
    number_different: float = -4.0
    postcode_exact: float = 4.0
    postcode_close: float = 1.0
    postcode_different: float = -4.0
    city_exact: float = 3.0
    city_close: float = 2.0
    city_different: float = -3.0
    extra_exact: float = 1.5
    extra_close: float = 0.5
    extra_different: float = -0.5
    phone_exact: float = 10.0
    phone_close: float = 4.0        # one digit off
    phone_different: float = -3.0   # a third of re-submitted orders change or drop the phone
    email_exact: float = 10.0
    email_close: float = 4.0
    email_different: float = -1.0
    items_same: float = 3.0
    items_overlap: float = 1.0
    items_other: float = -3.0       # other products within `new_purchase_hours`: a changed mind
    amount_same: float = 1.0        # when one export has no item lines
    source_same: float = 6.0        # the same shop order number and amount (a re-export)
    new_purchase_hours: float = 2.0  # other products this long apart are a new purchase, never a duplicate
    retyped_hours: float = 24.0     # a same-gender given name within this long of an order alike in all else: retyped


DEFAULT_WEIGHTS = Weights()


def load_weights(path: Path) -> Weights:
    """Defaults overridden by the numbers in a TOML file's top level or its [dedupe.weights] table."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise WeightsError(f"{path}: cannot read weights: {exc}") from None
    table = data.get("dedupe", {}).get("weights", data)
    known = {f.name for f in fields(Weights)}
    for name, value in table.items():
        if name not in known:
            raise WeightsError(f"{path}: unknown weight {name!r} (known: {', '.join(sorted(known))})")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise WeightsError(f"{path}: weight {name} must be a number, not {value!r}")
    return replace(DEFAULT_WEIGHTS, **{k: float(v) for k, v in table.items()})


class Frequencies:
    """How often each name word and street occurs among the orders of this run so far."""

    def __init__(self) -> None:
        self.seen = 0
        self.names: Counter[str] = Counter()
        self.streets: Counter[str] = Counter()

    def add(self, tokens: tuple[str, ...], street: str) -> None:
        self.seen += 1
        for token in tokens:
            self.names[token] += 1
        if street:
            self.streets[street] += 1

    def name_weight(self, token: str, w: Weights) -> float:
        return self._weight(self.names[token], w.name_exact, w.name_exact_min, w.name_exact_max)

    def street_weight(self, street: str, w: Weights) -> float:
        return self._weight(self.streets[street], w.street_exact, w.street_exact_min, w.street_exact_max)

    def _weight(self, count: int, default: float, low: float, high: float) -> float:
        if self.seen < _MIN_SEEN or count == 0:
            return default
        return min(high, max(low, math.log2(_M * self.seen / count)))


NO_FREQUENCIES = Frequencies()


class Evidence(NamedTuple):
    """One field's comparison: its level, its weight and what a reviewer should read."""

    field: str
    level: str
    weight: float
    detail: str = ""

    def __str__(self) -> str:
        detail = f" {self.detail}" if self.detail else ""
        return f"{self.field} {self.level}{detail} ({self.weight:+.1f})"


def probability(total: float, w: Weights) -> float:
    """0-100: the match probability implied by the summed weights and the prior."""
    x = total - w.offset
    if x > 60:
        return 100.0
    return 100.0 / (1.0 + 2.0 ** -x)


def name_evidence(ta: tuple[str, ...], tb: tuple[str, ...], freq: Frequencies, w: Weights) -> list[Evidence]:
    """Best-matching name parts first (the anchor, usually the surname), then the best of the rest.

    Word order is not trusted (surname-first orders are common), middle names are ignored, and
    two given names that clearly differ, or differ only in the final vowel, mean another person.
    """
    return [_weighed(field, level, a, b, note, freq, w) for field, level, a, b, note in name_levels(ta, tb)]


@lru_cache(maxsize=2_048)  # 2% hits on bench_day's data at 8,192 entries as at 2,048: small, so full early
def name_levels(ta: tuple[str, ...], tb: tuple[str, ...]) -> tuple[tuple[str, str, str, str, str], ...]:
    """(field, level, word a, word b, note) of each name part: the part of `name_evidence` that needs
    no weights, cached per distinct pair of names (a dense batch compares the same names often)."""
    if not ta or not tb:
        return () if not ta and not tb else (("name", "missing", "", "", ""),)
    ta, tb = _joined(ta, tb), _joined(tb, ta)
    i, j = _best_pair(ta, tb, range(len(ta)), range(len(tb)))
    last_a, last_b = len(ta) - 1, len(tb) - 1
    swapped = len(ta) > 1 and len(tb) > 1 and (i == last_a) != (j == last_b)
    anchor_is_surname = i == last_a if swapped else (i == last_a or j == last_b)
    first_field, second_field = ("surname", "given name") if anchor_is_surname else ("given name", "surname")
    found = [(first_field, _part_level(ta[i], tb[j]), ta[i], tb[j], "words swapped" if swapped else "")]
    rest_a = [k for k in range(len(ta)) if k != i]
    rest_b = [k for k in range(len(tb)) if k != j]
    if rest_a and rest_b:
        k, m = _best_pair(ta, tb, rest_a, rest_b)
        found.append((second_field, _part_level(ta[k], tb[m]), ta[k], tb[m], ""))
    elif rest_a or rest_b:
        found.append((second_field, "missing", "", "", ""))
    return tuple(found)


def _joined(ta: tuple[str, ...], tb: tuple[str, ...]) -> tuple[str, ...]:
    """`ta` with two adjacent words that `tb` writes as one joined ("maria grazia" against "mariagrazia",
    "gian luca" against "gianluca"): one name spelt two ways, not two listed names of one gender."""
    for k in range(len(ta) - 1):
        if ta[k] + ta[k + 1] in tb:
            return (*ta[:k], ta[k] + ta[k + 1], *ta[k + 2:])
    return ta


def _best_pair(ta: tuple[str, ...], tb: tuple[str, ...], rows, cols) -> tuple[int, int]:
    """The most similar pair of words; ties go to a pair with an order's last word (its surname), then
    to the alphabetically first pair of words, so that comparing b with a picks the same words."""
    best, pair, words = (-1.0, False), (0, 0), ("", "")
    last_a, last_b = len(ta) - 1, len(tb) - 1
    for i in rows:
        for j in cols:
            s = 2.0 if ta[i] == tb[j] else JaroWinkler.similarity(ta[i], tb[j])
            key = (s, i == last_a or j == last_b)
            both = (ta[i], tb[j]) if ta[i] <= tb[j] else (tb[j], ta[i])
            if key > best or (key == best and both < words):
                best, pair, words = key, (i, j), both
    return pair


def _weighed(field: str, level: str, a: str, b: str, note: str, freq: Frequencies, w: Weights) -> Evidence:
    if level == "missing":
        return Evidence(field, "missing", 0.0 if field == "name" else w.name_missing)
    if level == "exact":
        return Evidence(field, "exact", freq.name_weight(a, w), ", ".join(filter(None, [a, note])))
    if level in ("different", "same gender"):
        if field == "surname" and not _two_people(a, b):
            weight = w.surname_different
        else:
            weight = w.name_different if level == "different" else w.name_same_gender
    elif level == "replaced":
        weight = w.surname_different if field == "surname" else w.name_replaced
    else:
        weight = getattr(w, f"name_{level}")
    return Evidence(field, level, weight, f"{a}/{b}")


def _part_level(a: str, b: str) -> str:
    """exact, initial, nickname, close, typo, different (a man's and a woman's given names), same gender
    (two given names of one gender) or replaced (far apart, but not two known distinct names: a word
    typed over the other, weak evidence either way)."""
    if a == b:
        return "exact"
    if (len(a) == 1 or len(b) == 1) and a[0] == b[0]:
        return "initial"
    if b in nicknames(a) or _shortened(a, b):
        return "nickname"
    if _DOUBLED.sub(r"\1", a) == _DOUBLED.sub(r"\1", b):
        return "close"  # Niccolò/Nicolò, Gabriella/Gabriela: one name spelt two ways
    if _family_names(a, b):
        return "same gender" if _one_gender(a, b) or _unisex(a, b) else "different"
    edits = DamerauLevenshtein.distance(a, b, score_cutoff=3)
    similar = JaroWinkler.similarity(a, b)
    if similar >= 0.92 or (edits <= 1 and min(len(a), len(b)) >= 4):
        return "close"
    if abs(len(a) - len(b)) <= 2 and (similar >= 0.8 or edits <= 1 or (edits <= 2 and min(len(a), len(b)) >= 5)):
        return "typo"
    return _far_apart(a, b)


def _shortened(a: str, b: str) -> bool:
    """"Ale" for "Alessandro", "Cate" for "Caterina": a prefix of three letters or more, unless both
    are known names (Giulia is not short for Giuliana)."""
    short, full = (a, b) if len(a) < len(b) else (b, a)
    return len(short) >= 3 and full.startswith(short) and not (short in GIVEN_NAMES and full in GIVEN_NAMES)


def _family_names(a: str, b: str) -> bool:
    """Two names of one family's people (Mario/Maria, Luca/Lucia): never a typo, whatever the field."""
    return _gender_variants(a, b) or _two_names(a, b)


def _far_apart(a: str, b: str) -> str:
    """Two words far apart, at most one of them a listed name. A man's name and a woman's, one of them or
    both not on the list but told by its ending (Brando, Nausicaa), or a listed name given to both (Andrea)
    against a name told by its ending, are another person (`different`), as a husband and wife are; a
    listed name against one of its gender told by its ending (Marco/Brando) is `same gender`; anything
    else is a word typed over the name (`replaced`)."""
    ga, gb = _gender_read(a), _gender_read(b)
    if ga and gb and ga != gb:
        return "different"
    if ga and ga == gb and (a in GIVEN_NAMES or b in GIVEN_NAMES):
        return "same gender"
    return "replaced"


def _gender_read(word: str) -> str:
    return "mf" if either_gender(word) else gender(word)


def _one_gender(a: str, b: str) -> bool:
    """Two names of one gender (Luca/Marco), a typo read as its nearest listed name: weaker evidence of
    another person than a man's and a woman's name (a husband and wife), as a sibling or a parent
    is rarer at one address than a partner, and a re-submission may type another name over it."""
    ga, gb = gender(_as_listed(a)), gender(_as_listed(b))
    return bool(ga) and ga == gb


def _unisex(a: str, b: str) -> bool:
    """One of the two names (or the listed name it is a typo of) is given to boys and girls alike
    (Jordan/Henry, Jayden read as Hayden): not surely a man and a woman, so at most two of one gender."""
    return unisex(_as_listed(a)) or unisex(_as_listed(b))


def _as_listed(word: str) -> str:
    if word in GIVEN_NAMES:
        return word
    near = _nearest_name(word)
    return near[0] if near is not None else word


def _two_people(a: str, b: str) -> bool:
    """In the surname's place (both orders surname first: "Rossi Mario", "Rossi Maria"), only two listed
    names, or a gender pair of which one is listed, count as two people; Ryan and Wang are surnames that
    differ, and so are Noble and Nobli (a typo of the final vowel: neither is a given name)."""
    known_a, known_b = a in GIVEN_NAMES, b in GIVEN_NAMES
    return (known_a and known_b) or ((known_a or known_b) and _gender_variants(a, b))


def _gender_variants(a: str, b: str) -> bool:
    """Mario/Maria, Francesco/Francesca: a family's two people, not a typo."""
    return (len(a) == len(b) >= 4 and a[:-1] == b[:-1] and a[-1] in _VOWELS and b[-1] in _VOWELS
            and a[-1] != b[-1])


def _two_names(a: str, b: str) -> bool:
    """Two real given names (Luca/Lucia), or a typo of one real name against another (Carrla/Carlo)."""
    known_a, known_b = a in GIVEN_NAMES, b in GIVEN_NAMES
    if known_a and known_b:
        return True
    if known_a == known_b:
        return False
    known, typed = (a, b) if known_a else (b, a)
    near = _nearest_name(typed)
    return near is not None and near[0] != known and near[1] < DamerauLevenshtein.distance(typed, known)


_NAME_LIST = sorted(GIVEN_NAMES)


@lru_cache(maxsize=65_536)
def _nearest_name(word: str) -> tuple[str, int] | None:
    """The listed given name fewest edits (at most 2) away from `word`."""
    found = process.extractOne(word, _NAME_LIST, scorer=DamerauLevenshtein.distance, score_cutoff=2)
    return (found[0], int(found[1])) if found else None


@lru_cache(maxsize=4_096)  # pairs come near in time: 44-46% hits on bench_day as at 32,768 (48%), full early
def text_level(a: str, b: str, close_at: float = 0.9) -> str:
    """exact / close (Jaro-Winkler, or same words in another order or with one dropped) / different."""
    if a == b:
        return "exact"
    if JaroWinkler.similarity(a, b) >= close_at or token_set_ratio(a, b) >= 90:
        return "close"
    return "different"


@lru_cache(maxsize=4_096)  # as text_level's: 31-33% hits against 35-36% at 32,768
def code_level(a: str, b: str) -> str:
    """House numbers, postcodes, phone digits: exact / close (one edit, or 12 against 12b) / different."""
    if a == b:
        return "exact"
    if DamerauLevenshtein.distance(a, b, score_cutoff=2) <= 1:
        return "close"
    return "different"
