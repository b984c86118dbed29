"""Shipping and tracking: which parcel carries which order, and what the courier says happened.

Courier files speak each courier's own vocabulary; `couriers` maps it to codtool's statuses,
`events` derives a parcel's current status from its append-only events, `ndr` lists failed
deliveries that need a decision today and `report` turns outcomes into delivery rates.
"""
