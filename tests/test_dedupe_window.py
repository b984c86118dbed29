"""The finder's compact window: hashed blocking keys, rows read by position, matched orders kept as briefs."""

from __future__ import annotations

from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from codtool.dedupe.blocking import block_hashes, blocking_keys, key_with_hash
from codtool.dedupe.candidates import Candidate, candidate, epoch
from codtool.dedupe.clusters import keep_choice
from codtool.dedupe.keys import (
    address_key,
    checked_contact,
    email_key,
    extra_key,
    fallback_contact,
    items_key,
    name_key,
    source_key,
)
from codtool.ledger.dedupe import CandidateRow
from codtool.money import Money

# Few letters, so that keys of two orders often coincide; postcodes (read as typed) may hold the
# "|" and ":" that join a key's text, the other parts are folded text as `keys` makes them.
folded = st.lists(st.text("ab1", min_size=1, max_size=2), max_size=2).map(" ".join)
typed = st.text("ab1|:", max_size=3)
orders = st.builds(SimpleNamespace, phone=typed, email=typed, street=folded, extra=folded,
                   number=st.text("1a", max_size=2), postcode=typed, city=folded,
                   tokens=st.lists(st.text("ab", min_size=1, max_size=2), max_size=3).map(tuple))


@settings(max_examples=300)
@given(orders, orders)
def test_two_keys_share_a_hash_exactly_when_they_share_their_text(a, b) -> None:
    """The window compares orders by `block_hashes`; `blocking_keys` (the text) defines the rules."""
    for key_a, hash_a in zip(blocking_keys(a), block_hashes(a), strict=True):
        assert key_with_hash(a, hash_a) == key_a
        for key_b, hash_b in zip(blocking_keys(b), block_hashes(b), strict=True):
            assert (key_a == key_b) == (hash_a == hash_b)


ROW = CandidateRow(id=41, batch_id=3, source_id="#0042", created_at="2026-11-20T10:15:00+01:00",
                   customer_name="Sig. Giulia De Luca", phone="333 123 4567", email=" Giulia@Example.it ",
                   address1="P.zza Garibaldi 3/B", address2="scala B int. 4 Palazzo Rosa", postcode="00184",
                   city="Roma", country="IT", total_minor=2990, currency="EUR",
                   items='[{"sku": "CRM-050", "qty": 2}]', status="new", n_checked=0, n_phone=None, n_address=None,
                   n_house_number=None, n_postcode=None, n_city=None)


def _by_name(row: CandidateRow, contact) -> Candidate:
    """The Candidate built field by field, by keyword, as `candidate` once did."""
    return Candidate(
        id=row.id, time=epoch(row.created_at), target=True, settled=False, name=name_key(row.customer_name),
        phone=contact.phone, email=email_key(row.email), address=address_key(contact),
        source=source_key(row.source_id), items=items_key(row.items), total=Money(row.total_minor, row.currency),
        street=contact.street, number=contact.house_number, postcode=contact.postcode, city=contact.city,
        extra=extra_key(row.address2))


def test_a_row_read_by_position_gives_every_field_its_own_value() -> None:
    unchecked = ROW
    checked = ROW._replace(n_checked=1, n_phone="+393331234567", n_address="Piazza Garibaldi 3", n_house_number="3/B",
                           n_postcode="00184", n_city="Roma")
    for row, contact in ((unchecked, fallback_contact(ROW.phone, ROW.country, ROW.address1, ROW.postcode, ROW.city)),
                         (checked, checked_contact(checked.n_phone, checked.n_address, checked.n_house_number,
                                                   checked.n_postcode, checked.n_city))):
        made = candidate(row, target=True, settled=False)
        assert made == _by_name(row, contact)
        assert made.keys == blocking_keys(made) and made.blocks == block_hashes(made)


@given(st.lists(st.tuples(st.booleans(), st.booleans(), st.integers(0, 3)), min_size=1, max_size=6))
def test_a_matched_order_kept_as_a_brief_chooses_the_same_order_to_keep(rows) -> None:
    cands = [Candidate(id=i + 1, time=float(t), target=True, settled=settled, name="giulia rossi",
                       phone="+393331234567" if complete else "", email="", address="00184|via roma|12", source="",
                       items=(("crm-050", 1),), total=Money(2990, "EUR"))
             for i, (settled, complete, t) in enumerate(rows)]
    assert keep_choice([c.brief() for c in cands]) == keep_choice(cands)
