"""Checks for countries without a dedicated module: country code, city, postal-code shape."""

from __future__ import annotations

import re

import phonenumbers

from codtool.checks.address_model import Address, AddressResult, has_street, squash
from codtool.checks.findings import Finding

# Postal-code shapes (UPU / national post formats) with an example for the suggestion.
# Countries missing here are not shape-checked; those in NO_POSTCODES do not use codes.
POSTCODE_SHAPES: dict[str, tuple[str, str]] = {
    "AT": (r"\d{4}", "1010"), "AU": (r"\d{4}", "2000"), "BE": (r"\d{4}", "1000"),
    "BG": (r"\d{4}", "1000"), "CA": (r"[A-Z]\d[A-Z] ?\d[A-Z]\d", "K1A 0B1"), "CH": (r"\d{4}", "8001"),
    "CY": (r"\d{4}", "1010"), "CZ": (r"\d{3} ?\d{2}", "110 00"), "DE": (r"\d{5}", "10115"),
    "DK": (r"\d{4}", "1050"), "EE": (r"\d{5}", "10111"), "EG": (r"\d{5}", "11511"),
    "ES": (r"(0[1-9]|[1-4]\d|5[0-2])\d{3}", "28013"), "FI": (r"\d{5}", "00100"), "FR": (r"\d{5}", "75002"),
    "GB": (r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}", "SW1A 1AA"), "GR": (r"\d{3} ?\d{2}", "105 57"),
    "HR": (r"\d{5}", "10000"), "HU": (r"\d{4}", "1051"), "IE": (r"[A-Z]\d[\dW] ?[A-Z\d]{4}", "D02 X285"),
    "IN": (r"[1-9]\d{2} ?\d{3}", "110001"), "IT": (r"\d{5}", "00184"), "LT": (r"(LT-)?\d{5}", "01100"),
    "LU": (r"(L-)?\d{4}", "1009"), "LV": (r"(LV-)?\d{4}", "LV-1050"), "MA": (r"\d{5}", "20000"),
    "MT": (r"[A-Z]{3} ?\d{4}", "VLT 1117"), "NL": (r"[1-9]\d{3} ?[A-Z]{2}", "1012 AB"), "NO": (r"\d{4}", "0150"),
    "PK": (r"\d{5}", "44000"), "PL": (r"\d{2}-\d{3}", "00-950"), "PT": (r"\d{4}-\d{3}", "1100-148"),
    "RO": (r"\d{6}", "010011"), "SA": (r"\d{5}(-\d{4})?", "11564"), "SE": (r"\d{3} ?\d{2}", "111 22"),
    "SI": (r"(SI-)?\d{4}", "1000"), "SK": (r"\d{3} ?\d{2}", "811 01"), "SM": (r"4789\d", "47890"),
    "TR": (r"\d{5}", "34000"), "US": (r"\d{5}(-?\d{4})?", "10001"), "VA": (r"00120", "00120"),
}
NO_POSTCODES = frozenset({"AE", "QA", "HK", "BH", "YE", "AO", "BS", "BZ", "BO", "FJ", "GH", "JM", "ZW"})


def known_country(code: str) -> bool:
    """ISO 3166 alpha-2 codes that have a telephone plan: every inhabited country does."""
    return code.upper() in phonenumbers.SUPPORTED_REGIONS


def country_finding(address: Address) -> Finding | None:
    if known_country(address.country):
        return None
    shown = address.country or "(empty)"
    return Finding("address.unknown_country", f"country {shown!r} is not an ISO 3166 code",
                   "set the two-letter country code (IT, US, DE...)")


def postcode_findings(country: str, postcode: str) -> list[Finding]:
    """The country's postal-code shape; countries without codes pass with or without one."""
    shape = POSTCODE_SHAPES.get(country)
    if shape is None or country in NO_POSTCODES:
        return []
    if not postcode:
        return [Finding("address.postcode_missing", f"no postal code for {country}",
                        f"ask for the postal code (e.g. {shape[1]})")]
    if re.fullmatch(shape[0], postcode.upper()) is None:
        return [Finding("address.postcode_malformed", f"{postcode!r} is not a {country} postal code",
                        f"a {country} postal code looks like {shape[1]}")]
    return []


def street_findings(address: Address) -> list[Finding]:
    """Checks every country shares: a street line with letters and a city."""
    return [*missing_street(address.address1), *missing_city(address.city)]


def missing_street(address1: str) -> tuple[Finding, ...]:
    if has_street(address1):
        return ()
    return (Finding("address.missing_street", f"address line {address1!r} has no street",
                    "ask for the street and house number"),)


def missing_city(city: str) -> tuple[Finding, ...]:
    return () if squash(city) else (Finding("address.missing_city", "no city", "ask for the city"),)


def check_other(address: Address) -> AddressResult:
    country = address.country.upper()
    postcode = squash(address.postcode).upper()
    findings = street_findings(address)
    unknown = country_finding(address)
    findings += [unknown] if unknown else postcode_findings(country, postcode)
    line = squash(" ".join(p for p in (address.address1, address.address2) if p.strip()))
    return AddressResult(line.casefold(), "", postcode, squash(address.city), squash(address.province),
                         country, tuple(findings))
