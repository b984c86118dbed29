"""One entry point for address checks: the shipping country picks the rules."""

from __future__ import annotations

from codtool.checks.address_it import check_italy
from codtool.checks.address_model import Address, AddressResult
from codtool.checks.address_other import check_other
from codtool.checks.address_us import check_us

_BY_COUNTRY = {"IT": check_italy, "US": check_us}


def check_address(address: Address) -> AddressResult:
    """Never raises on bad input: every problem comes back as a finding."""
    return _BY_COUNTRY.get(address.country.strip().upper(), check_other)(address)
