"""Normalised parcel statuses and how a parcel's current status follows from its events.

Events are append-only and may arrive out of order (files cross in the mail, couriers resend
yesterday's file), so the current status is always recomputed from every event, sorted by the
courier's event time, never taken from the newest file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

SHIPPED = "shipped"  # a shipment's status before the courier reports anything
IN_TRANSIT = "in_transit"
OUT_FOR_DELIVERY = "out_for_delivery"
FAILED_ATTEMPT = "failed_attempt"
REFUSED = "refused"
RTO_IN_TRANSIT = "rto_in_transit"
DELIVERED = "delivered"
RTO_DELIVERED = "rto_delivered"
LOST = "lost"
DAMAGED = "damaged"

# Lifecycle order: also breaks ties between events stamped with the same minute.
STATUSES = (IN_TRANSIT, OUT_FOR_DELIVERY, FAILED_ATTEMPT, REFUSED, RTO_IN_TRANSIT, DAMAGED, LOST,
            DELIVERED, RTO_DELIVERED)
_RANK = {s: i for i, s in enumerate(STATUSES)}

# Why a delivery failed (NDR). 'unknown' keeps a courier reason we have no mapping for.
REASONS = ("customer_absent", "refused", "wrong_address", "phone_unreachable", "rescheduled",
           "cod_not_ready", "premises_closed", "out_of_area", "damaged", "other", "unknown")

# What a parcel outcome means for the order (codtool.statuses).
ORDER_OUTCOME = {DELIVERED: "delivered", RTO_DELIVERED: "returned", LOST: "lost"}
FINAL = (DELIVERED, RTO_DELIVERED)

# Events that cannot follow a status: the parcel's story contradicts itself and a person must look.
_IMPOSSIBLE_AFTER = {
    DELIVERED: set(STATUSES) - {DELIVERED},
    RTO_DELIVERED: set(STATUSES) - {RTO_DELIVERED},
    RTO_IN_TRANSIT: {OUT_FOR_DELIVERY, FAILED_ATTEMPT, DELIVERED},
}


@dataclass(frozen=True)
class Event:
    """One stored tracking event, as the derivation needs it."""

    id: int
    event_at: str
    status: str
    source_file: str
    source_line: int
    event_key: str


@dataclass
class Derived:
    """A parcel's current status and the events that could not have happened after it."""

    status: str
    status_at: str
    impossible: list[tuple[Event, str]] = field(default_factory=list)


def is_impossible(previous: str, new: str) -> bool:
    return new in _IMPOSSIBLE_AFTER.get(previous, set())


def in_order(events: Iterable[Event]) -> list[Event]:
    """By event time; same-minute events in lifecycle order, so arrival order never matters."""
    return sorted(events, key=lambda e: (e.event_at, _RANK[e.status], e.id))


def derive(events: Iterable[Event], ship_date: str) -> Derived:
    """Fold events in time order; an impossible event is kept on record but moves nothing."""
    state = Derived(SHIPPED, ship_date)
    for event in in_order(events):
        if is_impossible(state.status, event.status):
            state.impossible.append((event, state.status))
            continue
        state.status, state.status_at = event.status, event.event_at
    return state
