"""The phone to call or message: the checked one when checks ran, else parsed from what was typed.

The fallback is deliberately light (a possible number, not a full validity check): the checks
stage is the authority on validity, and unchecked orders already score for being unchecked.
The line type (needed only for messages) is worked out when someone asks for it.
"""

from __future__ import annotations

from typing import NamedTuple

from codtool.phones import line_type, national, to_e164


class Phone(NamedTuple):
    """A named tuple, not a frozen dataclass: a day's call list makes one per open order."""

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
        """A line type from codtool.phones.LINE_TYPES, 'unknown' or 'invalid'."""
        if not self.e164:
            return "invalid"
        if self.checked:
            return self.known_kind or "unknown"
        return line_type(self.e164)

    @property
    def can_message(self) -> bool:
        """SMS and WhatsApp need a number that is not a plain landline."""
        return bool(self.e164) and self.kind not in ("landline", "invalid")


def phone_of(row) -> Phone:
    """Checked data wins; otherwise parse the raw phone with the order's country as region."""
    if row["checked"]:
        return Phone(row["phone_e164"], True, row["phone_national"], row["phone_type"])
    return parse_phone(row["phone"], row["country"])


def parse_phone(raw: str, country: str) -> Phone:
    """The fallback for unchecked orders: a possible number is enough to call it."""
    e164 = to_e164(raw, country)
    return Phone(e164, False, national(e164))
