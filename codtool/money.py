"""The one way to make money in codtool: integer minor units plus an ISO 4217 currency.

Floats never enter: amounts arrive as text in Italian ("1.234,50 €") or English
("$1,234.50") notation and are parsed straight to integer minor units.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from codtool.errors import AmountError

# ISO 4217 exponents that are not 2; COD is common in the Gulf, where dinars have 3 decimals.
_EXPONENTS = {
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    "JPY": 0, "KRW": 0, "CLP": 0, "ISK": 0, "VND": 0, "XOF": 0, "XAF": 0, "HUF": 2,
}
_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "₹": "INR", "₨": "PKR", "¥": "JPY", "₺": "TRY"}
_STRIP = re.compile(r"^[A-Za-z]{3}|[A-Za-z]{3}$|[€$£₹₨¥₺\s\u00a0\u202f']")
_DIGITS = re.compile(r"^\d+$")


_CODE = re.compile(r"[A-Za-z]{3}")


def is_currency_code(text: str) -> bool:
    """Three letters, as ISO 4217 writes currencies; the exact list changes too often to pin."""
    return bool(_CODE.fullmatch(text))


def exponent(currency: str) -> int:
    """Decimal places of the currency's minor unit (2 unless ISO 4217 says otherwise)."""
    return _EXPONENTS.get(currency.upper(), 2)


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount: integer minor units (cents for EUR) and a currency code."""

    minor: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.minor, int) or isinstance(self.minor, bool):
            raise TypeError(f"Money needs integer minor units, got {type(self.minor).__name__}")

    def __add__(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise AmountError(f"cannot add {other.currency} to {self.currency}")
        return Money(self.minor + other.minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    @property
    def decimal(self) -> Decimal:
        return Decimal(self.minor).scaleb(-exponent(self.currency))

    def __str__(self) -> str:
        return f"{format_minor(self.minor, self.currency)} {self.currency}"


def format_minor(minor: int, currency: str) -> str:
    """Plain decimal text ("1234.50") for JSON, CSV and tables: exact, locale-free."""
    places = exponent(currency)
    sign = "-" if minor < 0 else ""
    whole, frac = divmod(abs(minor), 10**places)
    return f"{sign}{whole}.{frac:0{places}d}" if places else f"{sign}{whole}"


def currency_from_symbol(text: str) -> str | None:
    """The currency a symbol in an amount cell implies, if any (e.g. "€ 12,00")."""
    for symbol, code in _SYMBOLS.items():
        if symbol in text:
            return code
    return None


@lru_cache(maxsize=65536)
def parse_minor(text: str, currency: str = "EUR") -> int:
    """Parse an amount typed in Italian or English notation to integer minor units.

    The last of "." and "," is the decimal separator when both appear; a single
    separator followed by exactly three digits is a thousands separator unless the
    currency itself has three decimals. Cached: exports repeat the same prices.
    """
    raw = text.strip()
    negative = raw.startswith("-") or raw.endswith("-") or (raw.startswith("(") and raw.endswith(")"))
    body = _STRIP.sub("", raw.strip("()").replace("-", "").replace("+", "").strip())
    if not body:
        raise AmountError(f"no amount in {text!r}")
    whole, frac = _split(body, exponent(currency), text)
    places = exponent(currency)
    if len(frac) > places:
        if frac[places:].strip("0"):
            raise AmountError(f"{text!r} has more than {places} decimals")
        frac = frac[:places]
    value = int(whole or "0") * 10**places + int(frac.ljust(places, "0") or "0")
    return -value if negative else value


def _split(body: str, places: int, text: str) -> tuple[str, str]:
    """Split digits into whole and fraction, checking that thousands groups have 3 digits."""
    dot, comma = body.rfind("."), body.rfind(",")
    if dot >= 0 and comma >= 0:
        decimal_sep = "." if dot > comma else ","
        grouped, _, frac = body.rpartition(decimal_sep)
        groups = grouped.split("," if decimal_sep == "." else ".")
    elif dot >= 0 or comma >= 0:
        parts = body.split("." if dot >= 0 else ",")
        is_thousands = len(parts) > 2 or (len(parts[1]) == 3 and places != 3 and parts[0] != "0")
        groups, frac = (parts, "") if is_thousands else ([parts[0]], parts[1])
    else:
        groups, frac = [body], ""
    grouping_ok = all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= (3 if len(groups) > 1 else 99)
    whole = "".join(groups)
    if not grouping_ok or not _DIGITS.match(whole or "0") or (frac and not _DIGITS.match(frac)):
        raise AmountError(f"cannot read {text!r} as an amount")
    return whole, frac


def parse_money(text: str, currency: str = "EUR") -> Money:
    """Parse text to Money, taking the currency from a symbol in the text when present."""
    code = currency_from_symbol(text) or currency
    return Money(parse_minor(text, code), code)
