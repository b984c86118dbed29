"""The contract fee rule a courier (or the operator) charges for collecting cash on delivery."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def contract_fee(cod_minor: int, percent: Decimal, fixed_minor: int = 0, minimum_minor: int = 0) -> int:
    """Percent of the COD rounded half-up to the minor unit, plus a fixed part, and at least the minimum.

    Decimal, never float: 1.5% of 10.10 EUR is 15.15 cents, charged as 15; 1.5% of 10.30 EUR is
    15.45 -> 15 while 1.5% of 10.70 is 16.05 -> 16, and exact halves (2% of 0.25 = 0.5 cent) go up.
    Kept as one small function so it can later delegate to the Money type's percent helper.
    """
    share = (Decimal(cod_minor) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return max(int(share) + fixed_minor, minimum_minor)


def courier_fee(cod_minor: int, terms) -> int:
    """The fee a courier's contract (config `[couriers.NAME]`) allows on a parcel's COD."""
    return contract_fee(cod_minor, terms.fee_percent, terms.fee_fixed, terms.fee_min)
