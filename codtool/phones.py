"""Reading phone numbers as customers type them: one cleaning step and one E.164 form for all stages.

Checks classify numbers in detail; dedupe and call lists only need the E.164 key of orders
the checks have not seen yet. All of them start from the same cleaned text, so a checked and
an unchecked order give the same key for the same phone.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

# Labels people put before the number; phonenumbers copes with most other noise itself.
_LABEL = re.compile(r"^\s*(tel|telefono|phone|cell|cellulare|mob|mobile|cel)\b\.?\s*:?\s*", re.IGNORECASE)
# "00" is the international prefix in most of Europe: phonenumbers only knows it for the default region.
_DOUBLE_ZERO = re.compile(r"^\s*00(?=[1-9])")
_PUNCT = re.compile(r"[\s\-./()]+")
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")

LINE_TYPES = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "landline",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "mobile_or_landline",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.PREMIUM_RATE: "premium_rate",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.PERSONAL_NUMBER: "personal",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "uan",
    PhoneNumberType.VOICEMAIL: "voicemail",
}


def clean(raw: str) -> str:
    """The typed number without Excel's apostrophe, a 'tel:' label, or a 00 international prefix."""
    return _DOUBLE_ZERO.sub("+", _LABEL.sub("", raw.strip().lstrip("'")))


def region(country: str) -> str | None:
    """The shipping country as phonenumbers' default region, when it knows the country."""
    code = (country or "").upper()
    return code if code in phonenumbers.SUPPORTED_REGIONS else None


@lru_cache(maxsize=131_072)
def to_e164(raw: str, country: str) -> str:
    """E.164 for a possible number, '' otherwise. Cached: customers and formats repeat."""
    text = clean(raw)
    compact = _PUNCT.sub("", text)
    if _E164.fullmatch(compact):
        return compact  # already international: skip the slow parser
    try:
        number = phonenumbers.parse(text, region(country))
    except NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


@lru_cache(maxsize=131_072)
def national(e164: str) -> str:
    """The national format, for dialling from inside the number's own country."""
    if not e164:
        return ""
    return phonenumbers.format_number(phonenumbers.parse(e164, None), PhoneNumberFormat.NATIONAL)


@lru_cache(maxsize=131_072)
def line_type(e164: str) -> str:
    """mobile, landline, ... as in LINE_TYPES; 'invalid' for a number no operator assigns."""
    if not e164:
        return "invalid"
    number = phonenumbers.parse(e164, None)
    kind = LINE_TYPES.get(phonenumbers.number_type(number), "unknown")
    return "invalid" if kind == "unknown" and not phonenumbers.is_valid_number(number) else kind
