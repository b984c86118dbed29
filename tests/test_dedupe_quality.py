"""Dedupe on the hard Italian labelled set (bench/labelled_orders.py): re-submitted orders are found,
family members at one address, namesakes elsewhere and later re-orders are not merged.

The re-submissions carry typos in every field (sometimes two, or on the first letter), dropped
given names, house numbers, postcodes and localities, the street on the second line, the CAP in
the locality, and changed or missing phones, so the recall floor is well below 1 and can fail."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from bench_dedupe_quality import codtool_pairs, prf, true_pairs  # noqa: E402
from labelled_orders import italian_orders  # noqa: E402

from codtool.dedupe.candidates import Candidate  # noqa: E402
from codtool.dedupe.given_names import GIVEN_NAMES, gender, nicknames, unisex  # noqa: E402
from codtool.dedupe.scoring import DEFAULT_WEIGHTS, name_levels  # noqa: E402
from codtool.dedupe.similarity import compare  # noqa: E402
from codtool.money import Money  # noqa: E402


@pytest.mark.parametrize("phones", [True, False])
def test_resubmitted_orders_are_found_and_look_alikes_are_not(phones: bool) -> None:
    orders, labels, kinds = italian_orders(600, seed=3, phones=phones)
    truth = true_pairs(labels)
    found, _ = codtool_pairs(orders, threshold=85.0, window=7)
    wrong = {kinds[labels[a - 1]] if kinds[labels[a - 1]] != "original" else kinds[labels[b - 1]]
             for a, b in found - truth}
    assert "family" not in wrong and "namesake" not in wrong and "reorder" not in wrong
    precision, recall, _ = prf(found, truth)
    assert recall >= 0.95, f"recall {recall:.3f}"  # measured 0.972 with phones, 0.964 without
    assert precision >= 0.99, f"precision {precision:.3f}"
    families = [label for label, kind in kinds.items() if kind == "family"]
    assert len(families) >= 40  # the set really holds families at one address


# Hand-made Febrl-style cases (rare surnames, no phones on the re-submissions of kind B), late in a
# generated batch, so that name and street frequencies are counted as in a real run.
_SURNAMES = ("Zanotelli", "Brambillasca", "Quartararo", "Scognamiglio", "Dellacasa", "Pozzecco", "Tagliaferri",
             "Vendramin", "Frigerio", "Boscolo")
_SAME_GENDER = (("Luca", "Marco"), ("Anna", "Paola"), ("Giorgio", "Sergio"), ("Laura", "Silvia"), ("Matteo", "Pietro"))
_STREETS = (("Via Garibaldi", "Via Garibbaldi"), ("Corso Cavour", "Corso Cavoru"), ("Via Mazzini", "Via Mazzinni"),
            ("Viale Europa", "Viale Euorpa"), ("Via Dante Alighieri", "Via Dante Aligheri"))


def _hand_made(start: int) -> tuple[list[dict], list[str], set[str]]:
    """(orders, labels, labels of family members) for three kinds of pair, one customer each per row:
    A, a given name typed over with another of the same gender, all else the same (one purchase);
    B, no phone, the street misspelt, the house number dropped and the given name replaced by a word
    that is not a name (one purchase); C, a husband and wife at
    one address sharing the phone and the products, one name not on codtool's list (two people)."""
    orders, labels, families = [], [], set()

    def add(label: str, name: str, address: str, cap: str, phone: str, minute: int) -> None:
        orders.append({"created_at": f"2026-04-{20 + minute // 600}T{10 + minute // 60 % 10}:{minute % 60:02d}:00",
                       "customer_name": name, "phone": phone, "email": "", "address1": address, "address2": "",
                       "city": "Bergamo", "postcode": cap, "province": "", "country": "IT",
                       "items": [{"sku": f"HM-{label}", "name": "x", "qty": 1, "price_minor": 1990}], "label": label})
        labels.append(label)

    for i, surname in enumerate(_SURNAMES[:5]):
        first, other = _SAME_GENDER[i]
        street, _ = _STREETS[i]
        add(f"A{i}", f"{first} {surname}", f"{street} {10 + i}", "24121", f"+39 347 10{start + i:05d}", 20 * i)
        add(f"A{i}", f"{other} {surname}", f"{street} {10 + i}", "24121", f"+39 347 10{start + i:05d}", 20 * i + 9)
    for i, surname in enumerate(_SURNAMES[5:]):
        street, misspelt = _STREETS[i]
        add(f"B{i}", f"Giulia {surname}", f"{street} {30 + i}", "24122", "", 200 + 20 * i)
        add(f"B{i}", f"Tarnee {surname}", misspelt, "24122", "", 200 + 20 * i + 9)
    spouses = (("Brando", "Maria"), ("Marco", "Nausicaa"), ("Zeno", "Laura"))
    for i, ((him, her), surname) in enumerate(zip(spouses, ("Ottolenghi", "Pellizzari", "Zuccala"), strict=True)):
        add(f"C{i}", f"{him} {surname}", f"Via Tasso {50 + i}", "24123", f"+39 348 20{start + i:05d}", 400 + 20 * i)
        add(f"C{i}-f", f"{her} {surname}", f"Via Tasso {50 + i}", "24123", f"+39 348 20{start + i:05d}", 400 + 20 * i + 9)
        families.add(f"C{i}-f")
    return orders, labels, families


def test_replaced_same_gender_names_and_misspelt_streets_are_found_and_spouses_are_not() -> None:
    """Fails on the scoring before the gender rule and the street-sound blocking key: it found none of
    kinds A and B, and merged the spouses of kind C whose given name is not on codtool's list."""
    background, _, _ = italian_orders(1000, seed=11, phones=False)
    made, made_labels, families = _hand_made(len(background))
    orders = sorted(background + made, key=lambda o: o["created_at"])
    labels = [o["label"] for o in orders]
    found, _ = codtool_pairs(orders, threshold=85.0, window=7)
    hand = {i + 1 for i, o in enumerate(orders) if o in made}
    truth = {p for p in true_pairs(labels) if p[0] in hand}
    mine = {p for p in found if p[0] in hand or p[1] in hand}
    wrong = {labels[b - 1] if labels[b - 1] in families else labels[a - 1] for a, b in mine - truth}
    assert not wrong & families, f"spouses merged: {sorted(wrong)}"
    assert mine <= truth
    recall = len(mine & truth) / len(truth)
    assert recall >= 0.9, f"recall {recall:.2f} on {len(truth)} hand-made pairs"


_LISTED = sorted(GIVEN_NAMES)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_LISTED), st.sampled_from(_LISTED), st.sampled_from(["rossi", "tiefenbach"]))
def test_a_man_and_a_woman_are_two_people_whichever_order_they_are_typed_in(a: str, b: str, surname: str) -> None:
    """Two listed names of the other gender are never weaker than two of one gender, and the level of
    a pair does not depend on which order came first."""
    ab, ba = name_levels((a, surname), (b, surname)), name_levels((b, surname), (a, surname))
    assert [x[:2] for x in ab] == [x[:2] for x in ba]
    given_level = dict(x[:2] for x in ab)["given name"]
    if a != b and gender(a) and gender(b) and gender(a) != gender(b) and b not in nicknames(a):
        assert given_level == "different", (a, b, ab)


_UNISEX = [n for n in _LISTED if unisex(n)]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(_UNISEX), st.sampled_from(_LISTED), st.booleans())
def test_a_name_given_to_boys_and_girls_alike_is_never_read_as_a_man_and_a_woman(name: str, other: str,
                                                                                 first: bool) -> None:
    """Jordan against Henry or against Sophie may be two brothers, two sisters or a couple: at most two
    people of one gender (retyped when all else agrees), never the husband-and-wife level; Andrea, a man
    in Italy and a woman in England, is not unisex and keeps its reading."""
    a, b = (name, other) if first else (other, name)
    level = dict(x[:2] for x in name_levels((a, "rossi"), (b, "rossi")))["given name"]
    assert level != "different", (a, b)
    assert not unisex("andrea") and dict(x[:2] for x in name_levels(("andrea", "rossi"), ("laura", "rossi"))
                                         )["given name"] == "different"


def _order(oid: int, given: str, minutes: float, email: str = "") -> Candidate:
    return Candidate(id=oid, time=minutes * 60, target=True, settled=False, name=f"{given} rossi",
                     phone="+393331234567", email=email, address="00184|via roma|12", source=f"{oid}",
                     items=(("crm-050", 1),), total=Money(2990, "EUR"), street="via roma", number="12",
                     postcode="00184", city="roma")


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_LISTED), st.sampled_from(_LISTED), st.floats(0, 23 * 60))
def test_only_one_gender_is_ever_retyped_and_a_man_and_a_woman_stay_two_people(a: str, b: str, minutes: float) -> None:
    """Everything but the given name agrees, within a day and without emails: two listed names of one
    gender are a retyped name (merged at the default bar); a man's and a woman's never are, and an own
    email for each keeps one gender apart too."""
    levels = dict(x[:2] for x in name_levels((a, "rossi"), (b, "rossi")))
    first, second = _order(1, a, 0), _order(2, b, minutes)
    match = compare(first, second, 85)
    if levels.get("given name") == "different":
        assert match is None, (a, b)
        # a policy that reads a couple so agreeing as one name retyped (`couple_retyped`), unless each
        # has an own email
        policy = replace(DEFAULT_WEIGHTS, couple_retyped=-8.0)
        retyped = compare(first, second, 85, policy)
        assert retyped is not None and f"retyped {a}/{b}, all else agrees (-8.0)" in retyped.reasons, (a, b)
        own = _order(1, a, 0, f"{a}@libero.it"), _order(2, b, minutes, f"casa.{b}.rossi@gmail.com")
        assert compare(*own, 85, policy) is None, (a, b)
    if levels.get("given name") == "same gender":
        assert match is not None and "retyped" in match.reasons, (a, b)
        # Each her own, unalike address: "lina@x.it" and "linda@x.it" would read as one address retyped.
        own = _order(1, a, 0, f"{a}@libero.it"), _order(2, b, minutes, f"casa.{b}.rossi@gmail.com")
        assert compare(*own, 85) is None, (a, b)
