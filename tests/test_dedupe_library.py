"""The dedupe library: keys, name similarity, blocking and clusters, with invariants checked by hypothesis."""

from __future__ import annotations

from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codtool.dedupe.candidates import Candidate
from codtool.dedupe.clusters import build_clusters, keep_choice
from codtool.dedupe.finder import BLOCK_CAP, DAY, find_matches
from codtool.dedupe.keys import items_key, name_key, phone_key, source_key, street_parts
from codtool.dedupe.similarity import compare, name_similarity
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


@pytest.mark.parametrize(("a", "b", "low", "high"), [
    ("giulia rossi", "rossi giulia", 100, 100),           # swapped
    ("niccolo mancini", "niccolo mancni", 95, 99),        # typo
    ("maria grazia de luca", "maria de luca", 100, 100),  # middle name missing
    ("g rossi", "giulia rossi", 100, 100),                # initial
    ("mario rossi", "maria rossi", 0, 0),                 # brother and sister
    ("francesco russo", "francesca russo", 0, 0),
    ("anna esposito", "lucia esposito", 0, 80),           # another person of the family
    ("rossi", "mario rossi", 0, 70),                      # a lone surname is not a person
])
def test_name_similarity(a: str, b: str, low: float, high: float) -> None:
    assert low <= name_similarity(a, b) <= high


names = st.lists(st.sampled_from(["anna", "maria", "mario", "rossi", "de", "luca", "g", "esposito", "giulia"]),
                 max_size=4).map(" ".join)


@given(names, names)
def test_name_similarity_is_symmetric_and_bounded(a: str, b: str) -> None:
    score = name_similarity(a, b)
    assert score == name_similarity(b, a)
    assert 0 <= score <= 100


def order(oid: int, **fields) -> Candidate:
    base = dict(id=oid, created_at="", time=0.0, target=True, settled=False, name="giulia rossi",
                phone="+393331234567", email="", address="00184|via roma|12", source=f"{oid}",
                items=(("crm-050", 1),), total=Money(2990, "EUR"))
    return Candidate(**(base | fields))


def test_different_products_are_a_new_purchase_even_at_the_same_price() -> None:
    assert compare(order(1), order(2, items=(("srm-030", 1),)), 50) is None


def test_same_amount_stands_in_when_items_are_unknown() -> None:
    match = compare(order(1, items=()), order(2, items=(), address=""), 50)
    assert match is not None
    assert match.reasons == "same phone +393331234567, same name, same amount 29.90 EUR"
    assert match.score == round(100 * 0.97 * 0.93, 1)


def test_a_shared_source_number_alone_is_not_enough() -> None:
    """Every Shopify shop has an order #1001: the number must come with a shared contact."""
    a = order(1, source="1001", phone="+393331111111", address="a")
    b = order(2, source="1001", phone="+393332222222", address="b")
    assert compare(a, b, 50) is None


def test_keep_prefers_settled_then_complete_then_oldest() -> None:
    assert keep_choice([order(1, time=5.0), order(2, time=1.0)]) == 2
    assert keep_choice([order(1, time=5.0), order(2, time=1.0, phone="")]) == 1
    assert keep_choice([order(1, time=1.0), order(2, time=5.0, settled=True)]) == 2


# Random small order sets: blocking must find exactly what comparing all pairs finds.
random_orders = st.lists(
    st.tuples(
        st.integers(0, 20),                                   # day created
        st.sampled_from(["giulia rossi", "rossi giulia", "giulia rosi", "mario bianchi", "lucia rossi"]),
        st.sampled_from(["+393331234567", "+393339999999", ""]),
        st.sampled_from(["", "giulia@example.it"]),
        st.sampled_from(["00184|via roma|12", "20121|via po|1", ""]),
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
def test_blocking_finds_what_all_pairs_would(rows, window: int) -> None:
    cands = build(rows)
    assert len(cands) < BLOCK_CAP
    found = find_matches(cands, window, 85.0, set())
    brute = set()
    for a, b in combinations(cands, 2):
        if (a.target or b.target) and abs(a.time - b.time) <= window * DAY:
            match = compare(a, b, 85.0)
            if match is not None:
                brute.add((match.order_a, match.order_b))
    assert {(m.order_a, m.order_b) for m in found.matches} == brute


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


def test_a_huge_block_is_capped() -> None:
    """A placeholder phone on thousands of orders compares each order with at most BLOCK_CAP others."""
    cands = [order(i, time=float(i), name=f"person {i}", email="", address="", items=((f"sku{i}", 1),))
             for i in range(1, 601)]
    found = find_matches(cands, 7, 85.0, set())
    assert found.compared <= 600 * BLOCK_CAP
