"""The order lifecycle shared by every stage, and which moves between statuses are allowed.

An order is imported `new`; checks, dedupe and calls move it to `confirmed` (ready to ship),
`cancelled`, `duplicate` or `unreachable`; shipping and tracking take it to `shipped`,
`delivered`, `returned` or `lost`. Prepaid orders keep their status but `is_cod = 0`.
"""

from __future__ import annotations

NEW = "new"
CONFIRMED = "confirmed"
UNREACHABLE = "unreachable"
CANCELLED = "cancelled"
DUPLICATE = "duplicate"
SHIPPED = "shipped"
DELIVERED = "delivered"
RETURNED = "returned"
LOST = "lost"

ALL = (NEW, CONFIRMED, UNREACHABLE, CANCELLED, DUPLICATE, SHIPPED, DELIVERED, RETURNED, LOST)
OPEN = (NEW, CONFIRMED, UNREACHABLE)  # not shipped, not dead: still the operator's to act on
NEVER_SHIP = (CANCELLED, DUPLICATE)

_ALLOWED = {
    NEW: {CONFIRMED, UNREACHABLE, CANCELLED, DUPLICATE, SHIPPED},
    UNREACHABLE: {CONFIRMED, CANCELLED, DUPLICATE, NEW, SHIPPED},
    CONFIRMED: {CANCELLED, DUPLICATE, SHIPPED, NEW},
    DUPLICATE: {NEW},  # a reviewer may undo a duplicate decision
    CANCELLED: set(),
    SHIPPED: {DELIVERED, RETURNED, LOST},
    DELIVERED: set(),
    RETURNED: set(),
    LOST: {DELIVERED, RETURNED},
}


def can_move(old: str, new: str) -> bool:
    """True for a permitted change; setting the same status again is a harmless no-op."""
    return old == new or new in _ALLOWED.get(old, set())
