"""An address as typed, and what a check makes of it; shared by the per-country checks."""

from __future__ import annotations

import re
from dataclasses import dataclass

from codtool.checks.findings import Finding

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Address:
    """The shipping fields of an order exactly as the customer typed them."""

    address1: str
    address2: str
    city: str
    postcode: str
    province: str
    country: str


@dataclass(frozen=True, slots=True)
class AddressResult:
    """A normalised form kept beside the raw address (which is never overwritten)."""

    line: str
    house_number: str
    postcode: str
    city: str
    province: str
    country: str
    findings: tuple[Finding, ...]


def squash(text: str) -> str:
    """Trim and collapse runs of whitespace (exports are full of double spaces)."""
    return _SPACES.sub(" ", text).strip()


def has_street(line: str) -> bool:
    """A street needs letters: "12" or "-" alone is not an address line."""
    return any(ch.isalpha() for ch in line)
