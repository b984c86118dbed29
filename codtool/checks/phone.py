"""Phone numbers as customers type them, read with the shipping country as the default region.

"333 123 4567", "+39 333-1234567", "0039 3331234567", "(212) 555-0100 ext. 12" and stray
letters ("tel: 333...") are all accepted; the result keeps E.164 beside what was typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneMetadata, PhoneNumberFormat, PhoneNumberType, ValidationResult
from phonenumbers.phonenumberutil import (
    COUNTRY_CODE_TO_REGION_CODE,
    _number_type_helper,
    _set_italian_leading_zeros_for_phone_number,
)
from phonenumbers.re_util import re_compile

from codtool import phones
from codtool.checks import phone_metadata
from codtool.checks.findings import Finding

# "+39 333 123 4567", "+393331234567", "333-1234567", "06 1234567": most numbers on Italian orders.
_ITALIAN = re.compile(r"(\+39[ .\-]*)?([0-9][0-9 .\-]*)")
_SEPARATORS = re.compile(r"[ .\-]+")
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
    """Read one typed number for an order shipped to `country` (ISO alpha-2).

    Cached by what was typed and the region it is read in: customers order again, and one
    export spells the same number the same way; "it", "IT" and " IT" share an entry.
    """
    typed = raw.strip()
    region = phones.region(country)
    return _checked(typed, region, "" if region else country)


@lru_cache(maxsize=1 << 15)  # repeats are near each other in a day's orders; memory stays flat
def _checked(typed: str, region: str | None, country: str) -> PhoneResult:
    """`country` is only for the message when phonenumbers does not know it ('' otherwise)."""
    if not typed[-1:].isdigit() and not any(ch.isdigit() for ch in typed):  # most numbers end on a digit
        if typed:
            return _fail(Finding("phone.unparsable", f"{typed!r} has no digits", "ask the customer for a phone number"))
        return _fail(Finding("phone.missing", "no phone number on the order", "ask the customer for a phone number"))
    text = phones.clean(typed)
    digits = _italian_digits(text, region)
    if digits is not None and (known := phone_metadata.classify(39, digits)) is not None:
        return _valid(f"+39{digits}", known, region, None)
    try:
        number = parse(text, region)
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
    nsn = phonenumbers.national_significant_number(number)
    e164 = f"+{number.country_code}{nsn}"  # format_number's E.164
    if (known := phone_metadata.classify(number.country_code, nsn)) is not None:
        return _valid(e164, known, region, extension)
    national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    number_region, number_type = region_and_type(number)
    if number_type == PhoneNumberType.UNKNOWN:  # what phonenumbers.is_valid_number says, matched once
        finding = Finding("phone.possible_not_valid", f"{e164} has a plausible length but is not an assigned range",
                          "check the digits with the customer")
        return PhoneResult(e164, national, "unknown", (finding,))
    return _valid(e164, phone_metadata.Classified(number_region, number_type, national), region, extension)


def _valid(e164: str, known: phone_metadata.Classified, region: str | None, extension: str | None) -> PhoneResult:
    """The result for a valid number: its line type, and what staff should know about it."""
    kind = phones.LINE_TYPES.get(known.kind, "unknown")
    national, number_region = known.national, known.region
    findings = []
    if extension:
        findings.append(Finding("phone.extension", f"extension {extension} dropped from {e164}"))
    if kind == "landline":
        findings.append(Finding("phone.landline", f"{national} is a landline",
                                "confirm by a call, or ask for a mobile number"))
    elif kind in _SERVICE:
        findings.append(Finding("phone.service_number", f"{national} is a {kind.replace('_', '-')} number",
                                "ask the customer for a personal number"))
    if region and number_region and number_region != region:
        findings.append(Finding("phone.foreign", f"{e164} is a {number_region} number, shipping to {region}",
                                "make sure the customer can be reached in the shipping country"))
    return PhoneResult(e164, national, kind, tuple(findings))


def region_and_type(number: phonenumbers.PhoneNumber) -> tuple[str | None, int]:
    """phonenumbers' `region_code_for_number` and `number_type`, matching the patterns once.

    `is_valid_number`, `number_type` and `region_code_for_number` each look up the region
    (which, for a country code shared by several regions such as +39 or +1, runs the type
    matcher region by region) and then run the type matcher again: five matchings per number.
    This is the same walk done once; UNKNOWN means `is_valid_number` is False. Tests hold it
    to the public functions on arbitrary input.
    """
    regions = COUNTRY_CODE_TO_REGION_CODE.get(number.country_code)
    if not regions:
        return None, PhoneNumberType.UNKNOWN
    nsn = phonenumbers.national_significant_number(number)
    if len(regions) == 1:
        region = regions[0]
    else:
        region = None
        for candidate in regions:
            metadata = PhoneMetadata.metadata_for_region(candidate.upper(), None)
            if metadata is None:
                continue
            if metadata.leading_digits is not None:
                if re_compile(metadata.leading_digits).match(nsn):
                    region = candidate
                    break
            elif (kind := _number_type_helper(nsn, metadata)) != PhoneNumberType.UNKNOWN:
                return candidate, kind  # the region's own type: what number_type would compute again
        if region is None:
            return None, PhoneNumberType.UNKNOWN
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(number.country_code, region.upper())
    return region, PhoneNumberType.UNKNOWN if metadata is None else _number_type_helper(nsn, metadata)


def parse(text: str, region: str | None) -> phonenumbers.PhoneNumber:
    """phonenumbers.parse, with a shortcut for the plain Italian numbers most orders carry."""
    number = _plain_italian(text, region)
    return number if number is not None else phonenumbers.parse(text, region)


def _plain_italian(text: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    """What phonenumbers.parse returns for digits (and spaces, dots, dashes) that are surely Italian,
    or None to let it decide.

    +39 then digits, or digits read in Italy not starting with 00 (an international prefix) or
    39 (perhaps the country code without its plus). Italy has no national prefix to strip, so
    the national number is the digits; parse adds nothing else here. Tests hold the two equal.
    """
    digits = _italian_digits(text, region)
    if digits is None:
        return None
    number = phonenumbers.PhoneNumber(country_code=39, national_number=int(digits))
    _set_italian_leading_zeros_for_phone_number(digits, number)
    return number


def _italian_digits(text: str, region: str | None) -> str | None:
    """The national digits of a surely Italian number (see _plain_italian), or None."""
    match = _ITALIAN.fullmatch(text)
    if match is None:
        return None
    digits = _SEPARATORS.sub("", match[2])
    if not 3 <= len(digits) <= 17:
        return None
    if match[1] is None and (region != "IT" or digits.startswith(("00", "39"))):
        return None
    return digits
