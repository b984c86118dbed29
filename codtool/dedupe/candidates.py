"""What dedupe knows about one order: its time, status and normalised fields.

A Candidate carries only what scoring and blocking need, shared where orders repeat it: its
blocking keys as hashes (the text is rebuilt on demand as `keys`), amounts and postcodes shared
between orders, and no creation time as text (`time` says it). Even so it takes some 1.7 KB with
the objects it alone holds, and the finder's window can hold a fifth of a six-week batch; so
the window keeps each order `pack`ed (about 230 bytes of marshal data) and `unpack`s it only
when a pair must be scored.
"""

from __future__ import annotations

import marshal
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from operator import attrgetter
from typing import NamedTuple

from codtool.dedupe.blocking import block_hashes, blocking_keys
from codtool.dedupe.keys import (
    address_key,
    checked_contact,
    email_key,
    extra_key,
    fallback_contact,
    items_key,
    name_key,
    name_tokens,
    products_of,
    source_key,
)
from codtool.ledger.dedupe import CandidateRow
from codtool.money import Money


@dataclass(slots=True)
class Candidate:
    """One order prepared for comparison; `target` orders are the ones this run checks."""

    id: int
    time: float
    target: bool
    settled: bool          # no longer open (shipped or later): it must be the one kept
    name: str
    phone: str
    email: str
    address: str           # postcode (or city), street and number in one key: "" when too little is known
    source: str
    items: tuple[tuple[str, int], ...]
    total: Money
    street: str = ""
    number: str = ""
    postcode: str = ""
    city: str = ""
    extra: str = ""        # second address line without unit details
    tokens: tuple[str, ...] = ()
    blocks: tuple[int, ...] = ()   # `block_hashes`: the blocking keys as the finder's window holds them
    products: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if not self.tokens:
            self.tokens = name_tokens(self.name)
        self.products = products_of(self.items)
        self.blocks = block_hashes(self)

    @property
    def keys(self) -> tuple[str, ...]:
        """The blocking keys' text (`blocking.blocking_keys`), for tests and diagnostics."""
        return blocking_keys(self)

    @property
    def complete(self) -> bool:
        """Enough to deliver and call: the order worth keeping when two look alike."""
        return bool(self.name and self.phone and self.address and self.items)

    def brief(self) -> Brief:
        return Brief(self.id, self.time, self.settled, self.complete)


_PACKED = attrgetter("id", "time", "target", "settled", "name", "phone", "email", "address", "source", "items",
                     "total.minor", "total.currency", "street", "number", "postcode", "city", "extra", "tokens",
                     "products")


def pack(c: Candidate) -> bytes:
    """What scoring and choosing the order to keep read of a Candidate, as bytes: marshal writes
    plain tuples, strings and numbers compactly and reads them back in a microsecond or two."""
    return marshal.dumps(_PACKED(c))


def unpack(data: bytes | memoryview) -> Candidate:
    """The Candidate `pack` wrote, but for its blocking keys: it is only scored, and hashing the keys
    again (by `__init__`) would cost more than the rest. Made by `__new__`, fields set one by one."""
    (oid, time, target, settled, name, phone, email, address, source, items, minor, currency, street, number,
     postcode, city, extra, tokens, products) = marshal.loads(data)
    c = Candidate.__new__(Candidate)
    c.id, c.time, c.target, c.settled, c.name, c.phone, c.email, c.address = \
        oid, time, target, settled, name, phone, email, address
    c.source, c.items, c.total, c.street, c.number, c.postcode, c.city, c.extra = \
        source, items, _money(minor, currency), street, number, postcode, city, extra
    c.tokens, c.blocks, c.products = tokens, (), products
    return c


class Brief(NamedTuple):
    """What the clusters need of a matched order (which one to keep, how far apart in time): the
    finder keeps this, not the whole Candidate, for every matched order of the batch."""

    id: int
    time: float
    settled: bool
    complete: bool


def epoch(created_at: str) -> float:
    """Seconds since 1970; dates without an offset are taken as UTC. (Not cached: almost every
    order has its own creation time, so a cache would only hold memory.)"""
    moment = datetime.fromisoformat(created_at)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def candidate(row: CandidateRow, target: bool, settled: bool) -> Candidate:
    """Build from an order row joined with its `order_normalised` row (n_* columns, may be NULL).
    Unpacked and passed by position: this runs once per order of the window, a million times a day."""
    (oid, _, source_id, created_at, customer_name, phone, email, address1, address2, postcode, city, country,
     total_minor, currency, items, _, n_checked, n_phone, n_address, n_house_number, n_postcode, n_city) = row
    if n_checked:
        contact = checked_contact(n_phone, n_address, n_house_number, n_postcode, n_city)
    else:
        contact = fallback_contact(phone, country, address1, postcode, city)
    return Candidate(oid, epoch(created_at), target, settled, name_key(customer_name), contact.phone,
                     email_key(email), address_key(contact), source_key(source_id), items_key(items),
                     _money(total_minor, currency), contact.street, contact.house_number,
                     sys.intern(contact.postcode), contact.city, extra_key(address2))


@lru_cache(maxsize=4_096)
def _money(minor: int, currency: str) -> Money:
    """One Money per amount seen often (baskets repeat their prices); Money is immutable, so shared safely."""
    return Money(minor, currency)
