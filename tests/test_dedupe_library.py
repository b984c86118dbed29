"""The dedupe library: keys, name similarity, blocking and clusters, with invariants checked by hypothesis."""

from __future__ import annotations

import gc
import math
import re
import unicodedata
from dataclasses import replace
from itertools import combinations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from codtool.dedupe.blocking import BLOCK_CAP, street_sound
from codtool.dedupe.candidates import Candidate
from codtool.dedupe.clusters import build_clusters, keep_choice
from codtool.dedupe.finder import DAY, find_matches
from codtool.dedupe.keys import (
    fallback_contact,
    fold,
    items_key,
    name_key,
    name_tokens,
    phone_key,
    postcode_in_city,
    sound_key,
    source_key,
    street_of,
    street_parts,
)
from codtool.dedupe.scoring import (
    DEFAULT_WEIGHTS,
    NO_FREQUENCIES,
    Frequencies,
    WeightsError,
    load_weights,
    name_evidence,
)
from codtool.dedupe.similarity import compare, pair_evidence
from codtool.money import Money


@pytest.mark.parametrize(("typed", "expected"), [
    ("Via Roma 12", ("via roma", "12")),
    ("via roma, n. 12", ("via roma", "12")),
    ("C.so Vittorio Emanuele II 45", ("corso vittorio emanuele ii", "45")),
    ("Corso Vittorio Emanuele II, 45", ("corso vittorio emanuele ii", "45")),
    ("P.zza Garibaldi 3/B", ("piazza garibaldi", "3b")),
    ("Piazza Garibaldi 3 / b", ("piazza garibaldi", "3b")),
    ("V.le Europa 10 int. 4", ("viale europa", "10")),
    ("Loc. Case Sparse snc", ("localita case sparse", "snc")),
    ("123 Main St", ("main street", "123")),
    ("Mariahilfer Straße 20", ("mariahilfer strasse", "20")),
])
def test_street_parts_fold_abbreviations_and_units(typed: str, expected: tuple[str, str]) -> None:
    assert street_parts(typed) == expected


@pytest.mark.parametrize("typed", ["+39 333 123 4567", "333 1234567", "0039 333 123 4567", "+39-333-123-4567",
                                   "(+39) 333 123 4567"])
def test_phone_key_reads_every_italian_form(typed: str) -> None:
    assert phone_key(typed, "IT") == "+393331234567"


def test_phone_key_is_empty_when_unreadable() -> None:
    assert phone_key("non ho telefono", "IT") == ""
    assert phone_key("", "IT") == ""


@pytest.mark.parametrize(("street", "number", "extra", "expected"), [
    ("via roma", "1", "scala b", ("via roma", "1")),        # a street on the first line is the street
    ("", "", "v trieste 150", ("via trieste", "150")),     # nothing above the second line: its street
    ("", "12", "residenza i pini", ("residenza i pini", "12")),  # the first line's number when the second has none
    ("", "", "", ("", "")),
])
def test_the_street_of_an_order_is_on_its_first_line_or_else_its_second(street: str, number: str, extra: str,
                                                                        expected: tuple[str, str]) -> None:
    assert street_of(street, number, extra) == expected


@pytest.mark.parametrize(("postcode", "city", "expected"), [
    ("", "73100 Lecce", ("73100", "Lecce")),
    ("", "Lecce, 73100", ("73100", "Lecce")),
    ("", "20121-Milano", ("20121", "Milano")),
    ("", "2135 westfield", ("2135", "westfield")),
    ("", "00184", ("00184", "")),
    ("", "Roma", ("", "Roma")),
    ("", "Via 5 Giornate", ("", "Via 5 Giornate")),   # a number inside the name is not a postcode
    ("00184", "73100 Lecce", ("00184", "73100 Lecce")),  # a postcode given is never replaced
])
def test_a_postcode_typed_into_the_locality_is_taken_from_it(postcode: str, city: str,
                                                             expected: tuple[str, str]) -> None:
    assert postcode_in_city(postcode, city) == expected


@given(st.text(max_size=30), st.sampled_from(["", "00184"]))
def test_a_postcode_read_from_any_locality_is_four_or_five_ascii_digits_typed_there(city: str, given: str) -> None:
    postcode, town = postcode_in_city(given, city)
    if given or postcode == "":
        assert (postcode, town) == (given, city)
    else:
        assert re.fullmatch(r"[0-9]{4,5}", postcode) and postcode in city and town in city


@given(st.from_regex(r"[0-9]{5}", fullmatch=True), st.from_regex(r"[A-Za-zàèéìòù' ]{0,20}", fullmatch=True),
       st.booleans())
def test_a_postcode_in_the_locality_gives_the_contact_of_one_typed_apart(cap: str, town: str, before: bool) -> None:
    """Unchecked orders with the CAP in the locality, before or after it, and with the CAP in its own field
    have one postcode and one locality, so they block and score alike."""
    apart = fallback_contact("", "IT", "Via Roma 1", cap, town)
    typed = fallback_contact("", "IT", "Via Roma 1", "", f"{cap} {town}" if before else f"{town}, {cap}")
    assert typed == apart


def test_name_key_drops_titles_accents_and_punctuation() -> None:
    assert name_key("Sig.ra Maria Grazia D'Amico") == "maria grazia d amico"
    assert name_key("NICCOLÒ  Mancini") == "niccolo mancini"


def test_items_key_counts_products_by_sku_or_name() -> None:
    typed = ('[{"sku": "CRM-050", "name": "Crema", "qty": 1, "price_minor": 2990},'
             ' {"sku": "", "name": "Crème Mani", "qty": 2, "price_minor": 100},'
             ' {"sku": "crm-050", "name": "Crema", "qty": 1, "price_minor": 2990}]')
    assert items_key(typed) == (("creme mani", 2), ("crm-050", 2))
    assert items_key("not json") == ()


def test_source_key_ignores_hash_and_leading_zeros() -> None:
    assert source_key("#01001") == source_key("1001") == "1001"


def levels(a: str, b: str) -> dict[str, str]:
    found = name_evidence(name_tokens(name_key(a)), name_tokens(name_key(b)), NO_FREQUENCIES, DEFAULT_WEIGHTS)
    return {e.field: e.level for e in found}


@pytest.mark.parametrize(("a", "b", "expected"), [
    ("Giulia Rossi", "Rossi Giulia", {"surname": "exact", "given name": "exact"}),          # surname first
    ("Niccolò Mancini", "Niccolo Mancni", {"surname": "close", "given name": "exact"}),     # one typo
    ("Maria Grazia De Luca", "Maria De Luca", {"surname": "exact", "given name": "exact"}),  # middle name missing
    ("De Luca Maria", "Maria de luca", {"surname": "exact", "given name": "exact"}),        # particle glued
    ("G. Rossi", "Giulia Rossi", {"surname": "exact", "given name": "initial"}),
    ("Mario Rossi", "Maria Rossi", {"surname": "exact", "given name": "different"}),        # brother and sister
    ("Luca Bruno", "Lucia Bruno", {"surname": "exact", "given name": "different"}),         # two real names
    ("Carlo Messina", "Carrla Messina", {"surname": "exact", "given name": "different"}),   # a typo of Carla
    ("Anna Esposito", "Lucia Esposito", {"surname": "exact", "given name": "same gender"}),  # sisters, or typed over
    ("Marco Esposito", "Laura Esposito", {"surname": "exact", "given name": "different"}),  # husband and wife
    ("Rossi", "Mario Rossi", {"surname": "exact", "given name": "missing"}),
    ("Giuseppe Russo", "Peppe Russo", {"surname": "exact", "given name": "nickname"}),  # a listed short form
    ("Alessandro Bruno", "Ale Bruno", {"surname": "exact", "given name": "nickname"}),  # a prefix
    ("Giulia Rossi", "Giuliana Rossi", {"surname": "exact", "given name": "same gender"}),  # a prefix, but two names
    ("Niccolò Bianchi", "Nicolò Bianchi", {"surname": "exact", "given name": "close"}),  # one name, two spellings
    ("Gianni White", "Tarnee White", {"surname": "exact", "given name": "replaced"}),  # not a known name
    ("Marco Coppola", "Mariasole Coppola", {"surname": "exact", "given name": "different"}),  # Maria-: a woman
    ("Anna Coppola", "Mariasole Coppola", {"surname": "exact", "given name": "same gender"}),  # not a typo
    ("Mariasole Coppola", "Gianmaria Coppola", {"surname": "exact", "given name": "different"}),  # Gian-: a man
    ("Brando Coppola", "Maria Coppola", {"surname": "exact", "given name": "different"}),  # a man and a woman by ending
    ("Andrea Palumbo", "Nausicaa Palumbo", {"surname": "exact", "given name": "different"}),  # Andrea is either
    ("Laura Coppola", "Nausicaa Coppola", {"surname": "exact", "given name": "same gender"}),  # one by its ending
    ("Brando Coppola", "Zeno Coppola", {"surname": "exact", "given name": "replaced"}),  # neither listed
    ("Rossi Mario", "Rossi Maria", {"given name": "exact", "surname": "different"}),  # both surname first
    ("Carmine Esposito", "Carmela Esposito", {"surname": "exact", "given name": "different"}),  # -e: a man, listed
])
def test_name_levels(a: str, b: str, expected: dict[str, str]) -> None:
    assert levels(a, b) == expected


names = st.lists(st.sampled_from(["anna", "maria", "mario", "rossi", "de", "luca", "g", "esposito", "giulia"]),
                 max_size=4).map(" ".join)


@given(names, names)
def test_name_evidence_is_symmetric(a: str, b: str) -> None:
    assert sorted(e.level for e in name_evidence(name_tokens(a), name_tokens(b), NO_FREQUENCIES, DEFAULT_WEIGHTS)) \
        == sorted(e.level for e in name_evidence(name_tokens(b), name_tokens(a), NO_FREQUENCIES, DEFAULT_WEIGHTS))


ADDRESSES = {"roma": ("via roma", "12", "00184", "roma"), "roma21": ("via roma", "21", "00184", "roma"),
             "po": ("via po", "1", "20121", "milano"), "": ("", "", "", ""),
             "torino": ("via roma", "12", "10121", "torino")}


def order(oid: int, address: str = "roma", **fields) -> Candidate:
    street, number, postcode, city = ADDRESSES[address]
    base = dict(id=oid, time=0.0, target=True, settled=False, name="giulia rossi",
                phone="+393331234567", email="", source=f"{oid}", items=(("crm-050", 1),), total=Money(2990, "EUR"),
                street=street, number=number, postcode=postcode, city=city,
                address=f"{postcode}|{street}|{number}" if street else "")
    return Candidate(**(base | fields))


def test_other_products_hours_later_are_a_new_purchase_even_at_the_same_price() -> None:
    assert compare(order(1), order(2, items=(("srm-030", 1),), time=3 * 3600.0), 50) is None


def test_other_products_within_the_hour_weigh_against_but_do_not_veto() -> None:
    match = compare(order(1), order(2, items=(("srm-030", 1),), time=600.0), 50)
    assert match is not None
    assert "items other (-3.0)" in match.reasons


def test_same_amount_stands_in_when_items_are_unknown() -> None:
    match = compare(order(1, items=()), order(2, items=(), address=""), 50)
    assert match is not None
    assert "amount same 29.90 EUR (+1.0)" in match.reasons
    assert "phone exact +393331234567 (+10.0)" in match.reasons


def test_a_shared_source_number_alone_is_not_enough() -> None:
    """Every Shopify shop has an order #1001: the number must come with a shared contact."""
    a = order(1, source="1001", phone="+393331111111", address="roma", name="giulia rossi")
    b = order(2, source="1001", phone="+393332222222", address="po", name="mario bianchi")
    assert compare(a, b, 50) is None


def test_a_retyped_duplicate_without_phone_is_found_and_explained() -> None:
    """The phone dropped, the house number retyped, surname first: the rest of the evidence carries it."""
    a = order(1, name="giulia rossi")
    b = order(2, name="rossi giulia", phone="", address="roma21", email="")
    match = compare(a, b, 85)
    assert match is not None and match.kind == "likely"
    assert "number different 12/21" not in match.reasons  # one transposition is a typo
    assert "number close 12/21 (+0.5)" in match.reasons
    assert "words swapped" in match.reasons


def test_family_at_one_address_sharing_phone_and_products_is_not_a_duplicate() -> None:
    assert compare(order(1, name="mario rossi"), order(2, name="maria rossi"), 50) is None
    assert compare(order(1, name="marco rossi"), order(2, name="laura rossi"), 50) is None  # husband and wife
    # two sisters (one gender) are weaker evidence of another person: apart at the default bar when a day
    # apart or with their own emails, not at any bar
    later = 25 * 3600.0
    assert compare(order(1, name="anna esposito"), order(2, name="lucia esposito", time=later), 85) is None
    assert compare(order(1, name="anna esposito"), order(2, name="lucia esposito", time=later), 50) is not None


def test_a_given_name_of_one_gender_retyped_on_an_order_alike_in_all_else_is_a_resubmission() -> None:
    """Same phone, address and products within a day, no email on either: the given name counts as retyped
    (Febrl's re-submissions); each change that a relative's own order would show keeps them apart."""
    anna = order(1, name="anna esposito")
    match = compare(anna, order(2, name="lucia esposito", time=3600.0), 85)
    assert match is not None and "given name retyped anna/lucia, all else agrees (-8.0)" in match.reasons
    for apart in (dict(time=24 * 3600.0), dict(phone=""), dict(phone="+393339999999"), dict(address="roma21"),
                  dict(items=(("srm-030", 1),)), dict(email="lucia@example.it")):
        assert compare(anna, order(2, name="lucia esposito", **apart), 85) is None, apart
    surname_first = compare(order(1, name="esposito anna"), order(2, name="esposito lucia", time=3600.0), 85)
    assert surname_first is not None and "retyped anna/lucia" in surname_first.reasons
    # a man's and a woman's names stay two people however much else agrees
    assert compare(order(1, name="marco rossi"), order(2, name="laura rossi", time=60.0), 50) is None
    # one email on both orders: the same mailbox, retyped as well
    same = compare(order(1, name="anna esposito", email="a@x.it"), order(2, name="lucia esposito", email="a@x.it"), 85)
    assert same is not None and "retyped" in same.reasons


@pytest.mark.parametrize(("split", "joined"), [("Maria Grazia Rossi", "Mariagrazia Rossi"),
                                                ("Rossi Gian Luca", "Gianluca Rossi"),
                                                ("Anna Maria Esposito", "Esposito Annamaria")])
def test_a_compound_given_name_typed_in_two_words_or_one_is_one_name(split: str, joined: str) -> None:
    """Maria Grazia, typed in two words, against Mariagrazia: one name, where word by word "maria" and
    "mariagrazia", both listed names of one gender, would read as two sisters (-23)."""
    assert levels(split, joined) == levels(joined, split) == {"surname": "exact", "given name": "exact"}
    assert levels("Maria Rossi", "Mariagrazia Rossi")["given name"] != "exact"


def test_only_names_are_read_as_retyped_whatever_another_field_weighs() -> None:
    """A policy reading a couple as retyped (`couple_retyped`) with a locality that differs weighing as
    much as another person (-30): the locality stays different; only the given names become retyped."""
    policy = replace(DEFAULT_WEIGHTS, couple_retyped=-8.0, city_different=DEFAULT_WEIGHTS.name_different)
    found = pair_evidence(order(1, name="marco esposito"), order(2, name="laura esposito", time=60.0, city="rho"),
                          policy, NO_FREQUENCIES)
    assert found is not None
    levels = {e.field: (e.level, e.weight) for e in found}
    assert levels["city"] == ("different", -30.0) and levels["given name"] == ("retyped", -8.0)


def test_a_surname_that_is_also_a_given_name_is_not_read_as_a_family_member() -> None:
    """Ryan is a listed given name; Isabella Ryan and Isabella Wang differ by surname, not by person."""
    found = name_evidence(("isabella", "ryan"), ("isabella", "wang"), NO_FREQUENCIES, DEFAULT_WEIGHTS)
    assert [e.weight for e in found if e.field == "surname"] == [DEFAULT_WEIGHTS.surname_different]


def test_surnames_that_differ_in_the_final_vowel_are_a_typo_unless_one_is_a_given_name() -> None:
    """Noble/Nobli is a surname's typo (-6); Rossi Mario/Rossi Maria, both surname first, are two people."""
    typo = name_evidence(("elizabeth", "noble"), ("elizabeth", "nobli"), NO_FREQUENCIES, DEFAULT_WEIGHTS)
    assert [e.weight for e in typo if e.field == "surname"] == [DEFAULT_WEIGHTS.surname_different]
    family = name_evidence(("rossi", "mario"), ("rossi", "maria"), NO_FREQUENCIES, DEFAULT_WEIGHTS)
    assert [e.weight for e in family if e.field == "surname"] == [DEFAULT_WEIGHTS.name_different]


def test_a_given_name_typed_over_with_an_unknown_word_is_weak_evidence_that_the_rest_outweighs() -> None:
    """Febrl-style: the given name replaced, phone, address and items the same: one purchase."""
    match = compare(order(1, name="gianni white"), order(2, name="tarnee white", time=3600.0), 85)
    assert match is not None and "given name replaced gianni/tarnee (-4.0)" in match.reasons


def test_a_replaced_given_name_with_an_own_email_on_each_side_is_another_person() -> None:
    a = order(1, name="gianni white", email="gianni@example.it")
    b = order(2, name="tarnee white", email="tarnee.w@example.it", time=3600.0)
    assert compare(a, b, 50) is None
    assert compare(a, order(2, name="tarnee white", email="gianni@example.it"), 85) is not None


def test_a_street_typed_on_the_second_line_still_agrees() -> None:
    a = order(1, phone="", extra="villa 2")
    b = order(2, name="giulia rosi", phone="", street="villa 2", extra="via roma")
    match = compare(a, b, 50)
    assert match is not None and "street close" in match.reasons


def test_a_street_typed_below_an_empty_first_line_is_the_street() -> None:
    """Nothing on the first line, "V. Roma 12" on the second: the street and its number still agree,
    and a second line alike on both orders (a building's name, no street typed) is only a second line."""
    a = order(1, name="rossi", phone="", items=())
    b = order(2, "", name="rossi", phone="", items=(), postcode="00184", city="roma", extra="v roma 12")
    reasons = compare(a, b, 0.0).reasons
    assert "street exact" in reasons and "number exact" in reasons and "address line 2" not in reasons
    assert compare(a, b, 85.0) is not None
    building = order(3, "", name="rossi", phone="", items=(), postcode="00184", city="roma", extra="residenza i pini")
    reasons = compare(order(4, name="rossi", phone="", items=(), extra="residenza i pini"), building, 0.0).reasons
    assert "street" not in reasons and "address line 2 exact" in reasons


def test_a_street_typed_on_the_other_line_by_one_order_only_is_close() -> None:
    """The street on the second line and a farm's name on the first, against the street on the first
    line and no second line: close, and the second lines are not compared."""
    a = order(1, phone="")
    b = order(2, name="giulia rosi", phone="", street="cascina bianca", extra="via roma 12")
    reasons = compare(a, b, 0.0).reasons
    assert "street close on the other line" in reasons and "address line 2" not in reasons


def test_namesake_in_another_city_is_not_a_duplicate() -> None:
    assert compare(order(1), order(2, address="po", phone="+393339999999"), 50) is None


def test_common_values_weigh_less_than_rare_ones() -> None:
    freq = Frequencies()
    for i in range(1000):
        freq.add(("giulia", "rossi") if i % 10 == 0 else (f"name{i}", f"surname{i}"), "via roma")
    assert freq.name_weight("rossi", DEFAULT_WEIGHTS) < freq.name_weight("surname7", DEFAULT_WEIGHTS)
    assert freq.name_weight("rossi", DEFAULT_WEIGHTS) == pytest.approx(math.log2(0.95 * 1000 / 100))


@given(st.lists(st.sampled_from(["giulia rossi", "rossi giulia", "mario rossi", "g rossi", ""]), min_size=2,
                max_size=2), st.sampled_from(["roma", "po", ""]), st.sampled_from(["+393331234567", ""]))
def test_score_is_symmetric_and_bounded(names_: list[str], address: str, phone: str) -> None:
    a, b = order(1, name=names_[0]), order(2, name=names_[1], address=address, phone=phone)
    ab, ba = compare(a, b, 50), compare(b, a, 50)
    assert (ab is None) == (ba is None)
    if ab is not None and ba is not None:
        assert ab.score == ba.score and 50 <= ab.score <= 100


_LINES = st.sampled_from([("via roma", "12", ""), ("", "", "v roma 12"), ("", "12", "villa rosa"),
                          ("villa rosa", "12", "via roma"), ("via roma", "12", "villa rosa"), ("via po", "1", ""),
                          ("", "", "")])


@given(_LINES, _LINES)
def test_address_lines_weigh_the_same_whichever_order_comes_first(x: tuple[str, str, str],
                                                                   y: tuple[str, str, str]) -> None:
    """Streets on either line, swapped or left out: the evidence does not depend on which order is a."""
    a = order(1, name="rossi", phone="", street=x[0], number=x[1], extra=x[2])
    b = order(2, name="rossi", phone="", street=y[0], number=y[1], extra=y[2])
    ab, ba = compare(a, b, 0.0), compare(b, a, 0.0)
    assert ab.score == ba.score and sorted(ab.reasons.split(", ")) == sorted(ba.reasons.split(", "))


def test_weights_file_overrides_defaults_and_rejects_unknown_names(tmp_path) -> None:
    path = tmp_path / "w.toml"
    path.write_text("[dedupe.weights]\nname_different = -4\noffset = 12\n", encoding="utf-8")
    loaded = load_weights(path)
    assert (loaded.name_different, loaded.offset, loaded.phone_exact) == (-4.0, 12.0, DEFAULT_WEIGHTS.phone_exact)
    path.write_text("name_diferent = -4\n", encoding="utf-8")
    with pytest.raises(WeightsError, match="unknown weight 'name_diferent'"):
        load_weights(path)
    path.write_text("offset = 'high'\n", encoding="utf-8")
    with pytest.raises(WeightsError, match="must be a number"):
        load_weights(path)


def test_keep_prefers_settled_then_complete_then_oldest() -> None:
    assert keep_choice([order(1, time=5.0), order(2, time=1.0)]) == 2
    assert keep_choice([order(1, time=5.0), order(2, time=1.0, phone="")]) == 1
    assert keep_choice([order(1, time=1.0), order(2, time=5.0, settled=True)]) == 2


# Random small order sets: blocking must find exactly what comparing the pairs sharing a key finds.
random_orders = st.lists(
    st.tuples(
        st.integers(0, 20),                                   # day created
        st.sampled_from(["giulia rossi", "rossi giulia", "giulia rosi", "mario bianchi", "lucia rossi"]),
        st.sampled_from(["+393331234567", "+393339999999", ""]),
        st.sampled_from(["", "giulia@example.it"]),
        st.sampled_from(["roma", "po", ""]),
        st.sampled_from([(("crm-050", 1),), (("crm-050", 1), ("srm-030", 1)), (("cap-red", 2),), ()]),
        st.booleans(),                                        # target
    ),
    max_size=25,
)


def build(rows) -> list[Candidate]:
    made = [order(i + 1, time=float(day * DAY), name=name, phone=phone, email=email, address=address,
                  items=items, target=target, source="")
            for i, (day, name, phone, email, address, items, target) in enumerate(rows)]
    return sorted(made, key=lambda c: (c.time, c.id))


@settings(max_examples=150, deadline=None)
@given(random_orders, st.integers(0, 10))
def test_blocking_finds_what_comparing_every_pair_with_a_shared_key_would(rows, window: int) -> None:
    cands = build(rows)
    assert len(cands) < BLOCK_CAP
    found = find_matches(cands, window, 85.0, set())
    brute = set()
    for a, b in combinations(cands, 2):
        if (a.target or b.target) and abs(a.time - b.time) <= window * DAY and set(a.keys) & set(b.keys):
            match = compare(a, b, 85.0)
            if match is not None:
                brute.add((match.order_a, match.order_b))
    assert {(m.order_a, m.order_b) for m in found.matches} == brute


def test_blocking_rules_reach_a_duplicate_whose_phone_and_house_number_changed() -> None:
    a = order(1, name="giulia rossi")
    b = order(2, name="rossi giulia", phone="", address="roma21")
    assert set(a.keys) & set(b.keys)                      # postcode and name sound
    assert sound_key("rossi") == sound_key("rosi") == sound_key("russo")


@settings(max_examples=100, deadline=None)
@given(random_orders)
def test_clusters_partition_the_matched_orders(rows) -> None:
    cands = build(rows)
    found = find_matches(cands, 7, 85.0, set())
    clusters = build_clusters(found.matches, found.orders)
    seen: set[int] = set()
    for cluster in clusters:
        assert not seen & set(cluster.members)
        seen |= set(cluster.members)
        assert cluster.keep in cluster.members
        assert cluster.key == ",".join(map(str, sorted(cluster.members)))
    for match in found.matches:
        assert any({match.order_a, match.order_b} <= set(c.members) for c in clusters)


@settings(max_examples=60, deadline=None)
@given(random_orders)
def test_pairs_declared_distinct_are_never_matched(rows) -> None:
    cands = build(rows)
    first = find_matches(cands, 7, 85.0, set())
    distinct = {(m.order_a, m.order_b) for m in first.matches}
    assert find_matches(cands, 7, 85.0, distinct).matches == []


def test_a_huge_block_is_capped_and_reported() -> None:
    """A placeholder phone on thousands of orders compares each order with at most BLOCK_CAP others."""
    cands = [order(i, time=float(i), name=f"person{i} x{i}", email="", address="", items=((f"sku{i}", 1),))
             for i in range(1, 601)]
    found = find_matches(cands, 7, 85.0, set())
    assert found.compared <= 600 * BLOCK_CAP
    assert found.capped_by_rule() == {"p": 1}


def _compared_by_brute_force(cands: list[Candidate], span: float) -> int:
    """What the sliding window must compare: for each order and each of its keys, the last BLOCK_CAP
    earlier orders with that key, each once, when inside the window and one of the two is a target."""
    compared = 0
    for i, cand in enumerate(cands):
        seen = {cand.id}
        for key in cand.keys:
            for other in [o for o in cands[:i] if key in o.keys][-BLOCK_CAP:]:
                if other.id not in seen:
                    seen.add(other.id)
                    compared += abs(other.time - cand.time) <= span and (other.target or cand.target)
    return compared


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["+393330000001", "+393330000002", ""]), st.integers(0, 4 * DAY),
                          st.booleans()), min_size=1, max_size=140))
@example([("+393330000001", 600 * i, i % 3 > 0) for i in range(300)])  # a capped block sliding over two days
def test_the_window_compares_exactly_what_a_brute_force_scan_does(rows: list[tuple[str, int, bool]]) -> None:
    """Orders leave the blocks when they fall out of the window, and a block keeps its last BLOCK_CAP
    orders: neither may change which pairs are compared (shared phones, capped blocks, gaps of days)."""
    times = sorted(t for _, t, _ in rows)
    cands = [order(i + 1, time=float(t), phone=phone, target=target, name=f"n{i} x", address="",
                   items=((f"s{i}", 1),))
             for i, ((phone, _, target), t) in enumerate(zip(rows, times, strict=True))]
    assert find_matches(cands, 1, 85.0, set()).compared == _compared_by_brute_force(cands, DAY)


def test_the_garbage_collector_is_back_as_it_was_after_a_run_even_a_failed_one() -> None:
    def failing():
        yield order(1)
        raise RuntimeError("the ledger went away")

    assert gc.isenabled()
    find_matches([order(1), order(2, time=60.0)], 7, 85.0, set())
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        find_matches(failing(), 7, 85.0, set())
    assert gc.isenabled()
    gc.disable()
    try:
        find_matches([order(1)], 7, 85.0, set())
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_an_initial_matching_two_people_of_a_family_does_not_make_them_one_cluster() -> None:
    """"G. Rossi" looks like both Giulia and Giulio Rossi at one address: the two stay apart."""
    cands = [order(1, name="giulia rossi"), order(2, name="giulio rossi", time=60.0),
             order(3, name="g rossi", time=120.0)]
    found = find_matches(cands, 7, 85.0, set())
    assert (1, 2) in found.conflicts
    assert {(m.order_a, m.order_b) for m in found.matches} == {(1, 3), (2, 3)}
    clusters = build_clusters(found.matches, found.orders, found.conflicts)
    assert [c.members for c in clusters] == [(2, 3)]  # evidence equal: the pair nearer in time wins
    assert [c.members for c in build_clusters(found.matches, found.orders)] == [(1, 2, 3)]


def test_when_an_initial_matches_two_people_the_pair_with_more_evidence_wins_though_both_score_the_cap() -> None:
    """"G. Rossi" with Giulia's email is Giulia re-submitting, even nearer in time to Giulio's order."""
    cands = [order(1, name="giulia rossi", email="giulia@example.it"), order(2, name="giulio rossi", time=60.0),
             order(3, name="g rossi", time=120.0, email="giulia@example.it")]
    found = find_matches(cands, 7, 85.0, set())
    scores = {(m.order_a, m.order_b): m.score for m in found.matches}
    assert scores[(1, 3)] == scores[(2, 3)] == 99.9
    assert [c.members for c in build_clusters(found.matches, found.orders, found.conflicts)] == [(1, 3)]


def test_street_and_number_in_another_town_are_no_evidence() -> None:
    """Via Roma 21 in Milano and in Torino: the namesake elsewhere is not one customer."""
    here = order(1, phone="", items=())
    there = order(2, "", phone="", items=(), street="via roma", number="12", postcode="10121", city="torino")
    assert compare(here, order(3, phone="", items=()), 85.0) is not None
    assert compare(here, there, 85.0) is None
    reasons = compare(here, there, 0.0).reasons
    assert "street exact" in reasons and "in another town (+0.0)" in reasons


def test_street_number_and_second_line_agreeing_in_another_town_are_one_place() -> None:
    """Via Roma 12, Residenza I Pini, typed with another town's postcode and locality: the building's
    name on the second line makes the address one place, not Via Roma 12 of every town."""
    pines = dict(phone="", items=(), extra="residenza i pini")
    here = order(1, **pines)
    there = order(2, "torino", **pines)
    reasons = compare(here, there, 0.0).reasons
    assert "in another town" not in reasons and "street exact" in reasons
    assert compare(here, there, 85.0) is not None
    assert compare(order(1, phone="", items=(), extra="scala b"), order(2, "torino", phone="", items=(),
                                                                       extra="scala c"), 85.0) is None


@given(st.text())
@example("Niccolò  D'Amico")
@example("STRASSE Straße")
@example("ǅurić Ø")
def test_fold_takes_its_ascii_shortcut_only_where_accents_cannot_be(text: str) -> None:
    """fold skips the NFKD walk for ASCII: it must give what the full walk gives on every text."""
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(ch))
    assert fold(text) == re.sub(r"[^0-9a-z]+", " ", plain).strip()


def test_a_retyped_postcode_and_the_street_on_the_second_line_still_share_the_street_sound_key() -> None:
    """Via Dante 12 in 20121 against "Via Dnte 12" typed on the second line in 20112, both name parts
    retyped: only the street's sound with the house number and the postcode's first two digits (`rs`) or
    the locality brings the two together."""
    here = Candidate(1, 0.0, True, False, "mario rossi", "", "", "20121|via dante|12", "1", (), Money(100, "EUR"),
                     street="via dante", number="12", postcode="20121", city="milano")
    there = Candidate(2, 0.0, True, False, "luigi bianchi", "", "", "", "2", (), Money(100, "EUR"),
                      postcode="20112", city="milano", extra="via dnte 12")
    assert set(here.keys) & set(there.keys) == {"rs:p20|12|dnt", "rs:cmilano|12|dnt"}


def test_typos_late_in_both_name_parts_with_a_retyped_house_number_still_meet_by_name_prefix() -> None:
    """Febrl 4's "george deboar, gungurra crescent 304" against "georgr deoar, gungurra crescent 30", no
    phones: each typo changes its name part's sound and the number changed, so only the postcode, the
    street's sound and the first four letters of a name part (`sf`) bring the two together."""
    def febrl(name: str, number: str, oid: int) -> Candidate:
        return Candidate(oid, 0.0, True, False, name, "", "", "", str(oid), (), Money(100, "EUR"),
                         street="gungurra crescent", number=number, postcode="2430", city="exeter")
    shared = set(febrl("george deboar", "304", 1).keys) & set(febrl("georgr deoar", "30", 2).keys)
    assert shared == {f"sf:2430|{street_sound('gungurra crescent')}|geor"}


@settings(max_examples=200, deadline=None)
@given(street=st.from_regex(r"[b-df-hl-np-tv-z][aeiou][b-df-hl-np-tv-z]{1,2}[aeiou]{1,2}", fullmatch=True),
       number=st.integers(1, 400), postcode=st.from_regex(r"[1-9][0-9]{4}", fullmatch=True),
       retyped=st.from_regex(r"[0-9]{3}", fullmatch=True),
       names=st.tuples(*[st.sampled_from(["mario rossi", "anna bianchi", "luca verdi", "g rossi"])] * 2))
def test_a_street_on_either_line_meets_itself_whatever_the_postcode_after_its_first_two_digits(
        street: str, number: int, postcode: str, retyped: str, names: tuple[str, str]) -> None:
    """The `rs` key: one order's street on the first line, the other's typed on the second line under
    an empty first line, the postcode retyped after its first two digits and any names: they are compared."""
    road = f"via {street}"
    first = Candidate(1, 0.0, True, False, names[0], "", "", "", "1", (), Money(100, "EUR"), street=road,
                      number=str(number), postcode=postcode, city="")
    second = Candidate(2, 0.0, True, False, names[1], "", "", "", "2", (), Money(100, "EUR"),
                       postcode=postcode[:2] + retyped, city="", extra=f"{road} {number}")
    assert f"rs:p{postcode[:2]}|{number}|{street_sound(road)}" in set(first.keys) & set(second.keys)


def test_blocking_keys_of_one_order_worked_out_by_hand() -> None:
    """Every rule's key for a full order whose second line names another street (see blocking.RULES)."""
    order = Candidate(1, 0.0, True, False, "mario rossi", "+393331234567", "m@x.it", "20121|via dante|12", "1", (),
                      Money(100, "EUR"), street="via dante", number="12", postcode="20121", city="milano",
                      extra="piazza duomo")
    expected = ["p:+393331234567", "e:m@x.it", "pn:20121|mr/ro", "pn:20121|rs/ma", "cn:milano|mr/ro",
                "cn:milano|rs/ma", "sp:20|dnt|mr", "sp:20|dnt|rs", "sf:20121|dnt|mari", "sf:20121|dnt|ross",
                "sp:20|dm|mr", "sp:20|dm|rs", "sf:20121|dm|mari", "sf:20121|dm|ross", "sn:via dante|12|m",
                "hs:p2|12|mr", "hs:p2|12|rs", "hs:cm|12|mr", "hs:cm|12|rs", "rs:p20|12|dnt",
                "rs:cmilano|12|dnt"]
    assert list(order.keys) == expected
    assert order.blocks == tuple(hash(tuple(k.replace(":", "|", 1).split("|"))) for k in expected)
