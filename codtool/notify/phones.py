"""The phone to call or message: the checked one when checks ran, else parsed from what was typed."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

_TYPES = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "landline",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
    PhoneNumberType.VOIP: "voip",
}


@dataclass(frozen=True)
class Phone:
    e164: str          # '' when the number cannot be read
    national: str      # national format, for dialling from the same country
    kind: str          # mobile | landline | ... | unknown | invalid
    checked: bool      # True when it comes from the checks stage

    @property
    def can_message(self) -> bool:
        """SMS and WhatsApp need a number that is not a plain landline."""
        return bool(self.e164) and self.kind not in ("landline", "invalid")


def phone_of(row) -> Phone:
    """Checked data wins; otherwise parse the raw phone with the order's country as region."""
    if row["checked"] and row["phone_e164"]:
        return Phone(row["phone_e164"], row["phone_national"], row["phone_type"] or "unknown", True)
    if row["checked"]:
        return Phone("", "", "invalid", True)
    return parse_phone(row["phone"], row["country"])


@lru_cache(maxsize=65536)
def parse_phone(raw: str, country: str) -> Phone:
    """Cached: the same customers and formats repeat across a day's orders."""
    text = raw.strip().lstrip("'")
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, (country or "").upper() or None)
    except NumberParseException:
        return Phone("", "", "invalid", False)
    if not phonenumbers.is_valid_number(number):
        return Phone("", "", "invalid", False)
    return Phone(
        phonenumbers.format_number(number, PhoneNumberFormat.E164),
        phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL),
        _TYPES.get(phonenumbers.number_type(number), "unknown"),
        False,
    )
