"""The contract fee rule a courier (or the operator) charges for collecting cash on delivery."""

from __future__ import annotations

from decimal import Decimal

from codtool.money import Money


def contract_fee(cod_minor: int, percent: Decimal, fixed_minor: int = 0, minimum_minor: int = 0,
                 currency: str = "EUR") -> int:
    """Percent of the COD rounded half-up to the minor unit, plus a fixed part, and at least the minimum.

    The percentage is `Money.percent`, the codebase's one rounding rule: 1.5% of 10.10 EUR is
    15.15 cents, charged as 15; 1.5% of 10.70 is 16.05 -> 16; exact halves (2% of 0.25 = 0.5
    cent) go up. Minor units in, minor units out: the rounding is the same for every currency.
    """
    share = Money(cod_minor, currency).percent(percent)
    return max(share.minor + fixed_minor, minimum_minor)


def courier_fee(cod_minor: int, terms, currency: str = "EUR") -> int:
    """The fee a courier's contract (config `[couriers.NAME]`) allows on a parcel's COD."""
    return contract_fee(cod_minor, terms.fee_percent, terms.fee_fixed, terms.fee_min, currency)
