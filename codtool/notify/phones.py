"""The phone to call or message: the checked one when checks ran, else parsed from what was typed.

The fallback is deliberately light (a possible number, not a full validity check): the checks
stage is the authority on validity, and unchecked orders already score for being unchecked.
The line type (needed only for messages) is worked out when someone asks for it.
"""

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
    e164: str                  # '' when the number cannot be read
    checked: bool              # True when it comes from the checks stage
    known_national: str = ""   # as the checks stage stored them
    known_kind: str = ""

    @property
    def national(self) -> str:
        """National format, for dialling from the same country."""
        return self.known_national

    @property
    def kind(self) -> str:
        """mobile | landline | fixed_line_or_mobile | voip | unknown | invalid."""
        if not self.e164:
            return "invalid"
        if self.checked:
            return self.known_kind or "unknown"
        return _kind(self.e164)

    @property
    def can_message(self) -> bool:
        """SMS and WhatsApp need a number that is not a plain landline."""
        return bool(self.e164) and self.kind not in ("landline", "invalid")


def phone_of(row) -> Phone:
    """Checked data wins; otherwise parse the raw phone with the order's country as region."""
    if row["checked"]:
        return Phone(row["phone_e164"], True, row["phone_national"], row["phone_type"])
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
        return Phone("", False)
    if not phonenumbers.is_possible_number(number):
        return Phone("", False)
    return Phone(phonenumbers.format_number(number, PhoneNumberFormat.E164), False,
                 phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL))


@lru_cache(maxsize=65536)
def _kind(e164: str) -> str:
    number = phonenumbers.parse(e164, None)
    kind = _TYPES.get(phonenumbers.number_type(number), "unknown")
    return "invalid" if kind == "unknown" and not phonenumbers.is_valid_number(number) else kind
