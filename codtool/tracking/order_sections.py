"""What `codtool orders show` tells about an order's parcels: shipments, events, NDR decisions."""

from __future__ import annotations

from codtool.ledger import tracking as store
from codtool.order_view import register_section

register_section("shipments", store.order_shipments)
register_section("tracking_events", store.order_tracking)
register_section("ndr_decisions", store.order_ndr_decisions)
