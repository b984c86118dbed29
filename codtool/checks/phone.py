"""Phone numbers as customers type them, read with the shipping country as the default region.

"333 123 4567", "+39 333-1234567", "0039 3331234567", "(212) 555-0100 ext. 12" and stray
letters ("tel: 333...") are all accepted; the result keeps E.164 beside what was typed.
"""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult

from codtool import phones
from codtool.checks.findings import Finding

_SERVICE = {"toll_free", "premium_rate", "shared_cost", "uan"}
_NOT_POSSIBLE = {
    ValidationResult.TOO_SHORT: "too short",
    ValidationResult.TOO_LONG: "too long",
    ValidationResult.INVALID_LENGTH: "the wrong length",
    ValidationResult.INVALID_COUNTRY_CODE: "an unknown country code",
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "a local number without its area code",
}


@dataclass(frozen=True, slots=True)
class PhoneResult:
    e164: str
    national: str
    kind: str  # mobile | landline | mobile_or_landline | voip | ... | unknown
    findings: tuple[Finding, ...]


def check_phone(raw: str, country: str) -> PhoneResult:
    """Read one typed number for an order shipped to `country` (ISO alpha-2)."""
    typed = raw.strip()
    if not any(ch.isdigit() for ch in typed):
        if typed:
            return _fail(Finding("phone.unparsable", f"{typed!r} has no digits", "ask the customer for a phone number"))
        return _fail(Finding("phone.missing", "no phone number on the order", "ask the customer for a phone number"))
    region = phones.region(country)
    text = phones.clean(typed)
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as exc:
        hint = "" if region else f" (no country prefix, and shipping country {country!r} is unknown)"
        return _fail(Finding("phone.unparsable", f"cannot read {typed!r} as a phone number{hint}: {exc._msg}",
                             "ask the customer for the number with its country prefix"))
    return _classify(typed, number, region)


def _fail(finding: Finding) -> PhoneResult:
    return PhoneResult("", "", "unknown", (finding,))


def _classify(typed: str, number: phonenumbers.PhoneNumber, region: str | None) -> PhoneResult:
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible != ValidationResult.IS_POSSIBLE:
        return _fail(Finding("phone.invalid", f"{typed!r} is {_NOT_POSSIBLE.get(possible, 'not possible')} "
                             f"(+{number.country_code})", "ask the customer to repeat the number"))
    extension, number.extension = number.extension, None  # formats below are for dialling
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    if not phonenumbers.is_valid_number(number):
        finding = Finding("phone.possible_not_valid", f"{e164} has a plausible length but is not an assigned range",
                          "check the digits with the customer")
        return PhoneResult(e164, national, "unknown", (finding,))
    kind = phones.LINE_TYPES.get(phonenumbers.number_type(number), "unknown")
    findings = []
    if extension:
        findings.append(Finding("phone.extension", f"extension {extension} dropped from {e164}"))
    if kind == "landline":
        findings.append(Finding("phone.landline", f"{national} is a landline",
                                "confirm by a call, or ask for a mobile number"))
    elif kind in _SERVICE:
        findings.append(Finding("phone.service_number", f"{national} is a {kind.replace('_', '-')} number",
                                "ask the customer for a personal number"))
    number_region = phonenumbers.region_code_for_number(number)
    if region and number_region and number_region != region:
        findings.append(Finding("phone.foreign", f"{e164} is a {number_region} number, shipping to {region}",
                                "make sure the customer can be reached in the shipping country"))
    return PhoneResult(e164, national, kind, tuple(findings))
