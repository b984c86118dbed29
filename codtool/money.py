"""The one way to make money in codtool: integer minor units plus an ISO 4217 currency.

Floats never enter: amounts arrive as text and go through `read_amount`, the one strict reader
of Italian ("1.234,50 €") and English ("1,234.50 EUR") notation, straight to integer minor
units. `Money` does arithmetic only within one currency. Currency codes and their minor-unit
exponents come from the ISO 4217 list (the `iso4217` package, republished with each amendment),
so JPY has 0 decimals and the Gulf and North-African dinars have 3.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from functools import lru_cache
from typing import TYPE_CHECKING

from codtool.errors import AmountError

if TYPE_CHECKING:  # numpy loads only when a column of amounts is read
    import numpy as np

MAX_MINOR = 10**12  # ten billion euros: anything larger in a COD file is a misread, not an amount
# "12.50", "12,5", "1299", "0.99": what almost every cell of an export holds. One or two decimals
# after a lone mark can only be decimals, so these skip the general reader (same result, tested).
_PLAIN = re.compile(r"(0|[1-9][0-9]{0,8})(?:[.,]([0-9]{1,2}))?")


@lru_cache(maxsize=512)
def _iso_exponent(code: str) -> int | None:
    """The ISO 4217 minor-unit exponent, or None for an unknown code or one without minor units (XAU)."""
    from iso4217 import Currency  # parses its XML table on import: only when an amount is read

    entry = Currency.__members__.get(code)
    return None if entry is None or entry.code != code else entry.exponent  # the enum has lower-case aliases


def is_currency_code(text: str) -> bool:
    """An upper-case ISO 4217 code of a currency with a minor unit (so not gold, XDR or XXX)."""
    return isinstance(text, str) and _iso_exponent(text) is not None


def exponent(currency: str) -> int:
    """Decimal places of the currency's minor unit, as ISO 4217 sets them."""
    places = _iso_exponent(currency.upper())
    if places is None:
        raise AmountError(f"{currency!r} is not an ISO 4217 currency code")
    return places


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount: integer minor units (cents for EUR) and an ISO 4217 currency code.

    Arithmetic and ordering work within one currency only: adding or comparing EUR with USD is
    an AmountError, never a silent mix. Floats (and Decimals) are refused with a TypeError.
    """

    minor: int
    currency: str

    def __post_init__(self) -> None:
        if type(self.minor) is not int:
            raise TypeError(f"Money needs integer minor units, got {type(self.minor).__name__}")
        if not is_currency_code(self.currency):
            raise AmountError(f"{self.currency!r} is not an ISO 4217 currency code")

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def total(cls, amounts: Iterable[Money], currency: str) -> Money:
        """The sum of `amounts`; the currency is required so an empty sum still has one."""
        result = cls.zero(currency)
        for amount in amounts:
            result = result + amount
        return result

    def _same(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise AmountError(f"cannot combine {other.currency} with {self.currency}")
        return other

    def __add__(self, other: Money) -> Money:
        return Money(self.minor + self._same(other).minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.minor - self._same(other).minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def __abs__(self) -> Money:
        return Money(abs(self.minor), self.currency)

    def __mul__(self, times: int) -> Money:
        if type(times) is not int:
            raise TypeError(f"Money can be multiplied by an int only, not {type(times).__name__}")
        return Money(self.minor * times, self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        return self.minor < self._same(other).minor

    def __le__(self, other: Money) -> bool:
        return self.minor <= self._same(other).minor

    def __gt__(self, other: Money) -> bool:
        return self.minor > self._same(other).minor

    def __ge__(self, other: Money) -> bool:
        return self.minor >= self._same(other).minor

    def percent(self, rate: Decimal | int, rounding: str = ROUND_HALF_UP) -> Money:
        """`rate` percent of this amount, rounded to the minor unit (half away from zero unless told).

        Couriers' contracts state fees as "1.5% of the COD"; pass the rate as a Decimal so that
        1.5 is exactly 1.5. Another rounding (e.g. decimal.ROUND_HALF_EVEN) may be given.
        """
        if isinstance(rate, bool) or not isinstance(rate, Decimal | int):
            raise TypeError(f"a percentage must be a Decimal or an int, not {type(rate).__name__}")
        with localcontext() as ctx:
            ctx.prec = 60
            exact = Decimal(self.minor) * Decimal(rate) / 100
            return Money(int(exact.quantize(Decimal(1), rounding=rounding)), self.currency)

    @property
    def decimal(self) -> Decimal:
        return Decimal(self.minor).scaleb(-exponent(self.currency))

    @property
    def plain(self) -> str:
        """Machine text ("1234.50"): what JSON and CSV carry beside the `*_minor` integer."""
        return format_minor(self.minor, self.currency)

    def display(self, style: str = "en") -> str:
        """For people: "1.234,50 €" in Italian-facing files ("it"), "1,234.50 EUR" in English ones."""
        if style == "it":
            return f"{grouped(self, '.', ',')} {'€' if self.currency == 'EUR' else self.currency}"
        if style == "en":
            return f"{grouped(self, ',', '.')} {self.currency}"
        raise ValueError(f"unknown display style {style!r}")

    def __str__(self) -> str:
        return f"{self.plain} {self.currency}"


def format_minor(minor: int, currency: str) -> str:
    """The machine formatter: plain decimal text ("1234.50") for JSON, CSV and tables, locale-free."""
    if type(minor) is not int:
        raise TypeError(f"minor units must be an int, got {type(minor).__name__}")
    places = exponent(currency)
    sign = "-" if minor < 0 else ""
    whole, frac = divmod(abs(minor), 10**places)
    return f"{sign}{whole}.{frac:0{places}d}" if places else f"{sign}{whole}"


def grouped(money: Money, thousands: str, decimal: str) -> str:
    """The number with thousands grouped and the given decimal mark ("-1.234,50"), no currency."""
    whole, _, frac = format_minor(abs(money.minor), money.currency).partition(".")
    sign = "-" if money.minor < 0 else ""
    number = f"{int(whole):,}".replace(",", thousands)
    return f"{sign}{number}{decimal}{frac}" if frac else f"{sign}{number}"


# --- the one amount reader ----------------------------------------------------------------------

# Symbols people put in amount cells, and the currencies each can stand for.
_SYMBOLS = {
    "€": {"EUR"}, "£": {"GBP"}, "₹": {"INR"}, "₺": {"TRY"}, "¥": {"JPY", "CNY"}, "₨": {"PKR", "LKR", "NPR"},
    "$": {"USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN", "ARS", "CLP", "COP"},
}
_WORDS = {"EURO": {"EUR"}}  # "12 euro" in hand-typed Italian sheets
_SIGNS = {"-": -1, "−": -1, "+": 1}  # ASCII hyphen-minus, the Unicode minus sign, a plus
_GROUP_MARKS = (".", ",", " ", "\u00a0", "\u202f", "'")  # thousands separators seen in exports
_DECIMAL_MARKS = (".", ",")


@dataclass(frozen=True)
class AmountFormat:
    """What a source's amount cells may contain beyond the plain notations.

    `parentheses`: accountants' "(5,00)" means -5.00 (bank and remittance files, not orders).
    `unicode_digits`: read Arabic-Indic and other decimal digits as 0-9 (off: a stray "²" or "٣"
    in an order file is more likely a typing or encoding slip than an amount).
    """

    parentheses: bool = False
    unicode_digits: bool = False


ORDERS = AmountFormat()
STATEMENTS = AmountFormat(parentheses=True)  # courier remittance files and bank statements


def read_amount(text: str, currency: str, fmt: AmountFormat = ORDERS) -> Money:
    """Read an amount cell of a row in `currency`, or raise AmountError saying why not.

    Accepts `1.234,50`, `1,234.50`, `1 234,50`, `1234`, `12,5`, `-5,00`, a currency symbol or
    code before or after the number when it is the row's own (`€ 12,00`, `12.00 EUR`), and
    `(5,00)` as -5.00 when the format allows it. The last of "." and "," is the decimal mark
    when both appear; a lone separator followed by exactly three digits groups thousands
    unless the currency itself has three decimals. Anything else is refused, never guessed.
    """
    places = exponent(currency)
    return Money(_read(text, currency.upper(), places, fmt), currency.upper())


@lru_cache(maxsize=65536)
def _read(text: str, currency: str, places: int, fmt: AmountFormat) -> int:
    """Cached: exports repeat the same prices thousands of times."""
    plain = _PLAIN.fullmatch(text) if isinstance(text, str) else None
    if plain and len(plain[2] or "") <= places:
        return int(plain[1]) * 10**places + int((plain[2] or "").ljust(places, "0") or "0")
    return _read_any(text, currency, places, fmt)


_PLAIN_WIDTH = 12  # the longest cell `_PLAIN` takes: nine whole digits, a mark and two decimals


def read_plain_column(texts: Sequence[str], places: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """`_read`'s plain branch for a whole column at once: an order file's totals are nearly all distinct,
    so a per-value cache does not help. `places` is each row's currency exponent (negative when the row
    has no currency). Returns (read, minor): the rows in plain notation and their minor units; every
    other row is for `read_amount` (same results, tested).

    The cells are read as one byte buffer, one line each, so every test is a numpy operation."""
    import numpy as np

    size = len(texts)
    if not size:
        return np.zeros(0, dtype=bool), np.zeros(0, dtype=np.int64)
    if max(map(len, texts)) > _PLAIN_WIDTH:  # never plain: left out, so the buffer stays small whatever the cells
        texts = [t if len(t) <= _PLAIN_WIDTH else "" for t in texts]
    joined = "\n".join(texts)
    if joined.count("\n") != size - 1:  # a cell with a line break in it (never plain) would shift the rest
        joined = "\n".join(t.replace("\n", "?") for t in texts)
    cells = np.frombuffer((joined + "\n").encode("ascii", "replace"), np.uint8)
    ends = np.flatnonzero(cells == ord("\n"))
    starts = np.r_[0, ends[:-1] + 1].astype(np.int64)
    width, exp = ends - starts, np.asarray(places, dtype=np.int64)
    digit, mark = (cells >= ord("0")) & (cells <= ord("9")), (cells == ord(".")) | (cells == ord(","))
    other = ~(digit | mark)
    other[ends] = False
    decimals = np.where((width >= 3) & mark[np.maximum(ends - 3, 0)], 2,
                        np.where((width >= 2) & mark[np.maximum(ends - 2, 0)], 1, 0))  # a mark, then 1 or 2 digits
    whole = width - decimals - (decimals > 0)
    read = ((exp >= 0) & (np.add.reduceat(other, starts) == 0) & (np.add.reduceat(mark, starts) == (decimals > 0))
            & (whole >= 1) & (whole <= 9) & ((cells[starts] != ord("0")) | (whole == 1)) & (decimals <= exp))
    row = np.repeat(np.arange(size), width + 1)
    counted = np.cumsum(digit)
    after = np.where(read[row], counted[ends][row] - counted, 0)  # digits after each position in its cell
    number = np.add.reduceat(np.where(digit & read[row], cells - ord("0"), 0).astype(np.int64) * 10 ** after, starts)
    minor = np.where(read, number * 10 ** np.clip(exp - decimals, 0, None), 0)
    return read, minor


def _read_any(text: str, currency: str, places: int, fmt: AmountFormat) -> int:
    """The general reader: signs, symbols, grouping marks, parentheses, refusals with reasons."""
    if not isinstance(text, str):
        raise TypeError(f"amounts are read from text, not {type(text).__name__}")
    if not any(ch.isdigit() for ch in text):
        raise AmountError(f"no amount in {text!r}" if text.strip() else "empty amount")
    body, sign = _outer(text, fmt)
    body = _strip_currency(body, text, currency)
    if body[:1] in _SIGNS:  # "€ -5,00": the sign after the currency
        if sign is not None:
            raise AmountError(f"{text!r}: more than one sign")
        sign, body = _SIGNS[body[0]], body[1:].lstrip()
    whole, frac = _split(_ascii_digits(body, text, fmt), places, text)
    return (sign or 1) * _to_minor(whole, frac, places, text, currency)


def _to_minor(whole: str, frac: str, places: int, text: str, currency: str) -> int:
    """Digits to minor units; extra decimals must be zeros, and the bound is checked before int()."""
    if frac[places:].strip("0"):
        raise AmountError(f"{text!r}: more than {places} decimals for {currency}")
    too_big = AmountError(f"{text!r}: beyond the largest amount codtool accepts ({MAX_MINOR} minor units)")
    if len(whole.lstrip("0")) > len(str(MAX_MINOR)):
        raise too_big
    minor = int(whole) * 10**places + int(frac[:places].ljust(places, "0") or "0")
    if minor > MAX_MINOR:
        raise too_big
    return minor


def _outer(text: str, fmt: AmountFormat) -> tuple[str, int | None]:
    """Strip spaces, accountants' parentheses and a leading sign; return the rest and the sign seen."""
    body = text.strip()
    if not body:
        raise AmountError("empty amount")
    if body.startswith("(") or body.endswith(")"):
        if not (body.startswith("(") and body.endswith(")")) or len(body) < 2:
            raise AmountError(f"{text!r}: a parenthesis must enclose the whole amount")
        if not fmt.parentheses:
            raise AmountError(f"{text!r}: parentheses for negative amounts are not accepted in this file")
        inner = body[1:-1].strip()
        if inner[:1] in _SIGNS or inner[-1:] in _SIGNS or "(" in inner or ")" in inner:
            raise AmountError(f"{text!r}: a sign inside parentheses")
        return inner, -1
    if body[0] in _SIGNS:
        return body[1:].lstrip(), _SIGNS[body[0]]
    return body, None


def _strip_currency(body: str, text: str, currency: str) -> str:
    """Remove one currency marker at either end; refuse one that names another currency."""
    for marker, rest in _marker_candidates(body):
        code = marker.upper()
        known = _SYMBOLS.get(marker) or _WORDS.get(code) or ({code} if is_currency_code(code) else None)
        if known is None:
            raise AmountError(f"{text!r}: unexpected text {marker!r}")
        if currency not in known:
            raise AmountError(f"{text!r}: currency {marker!r} differs from the row's {currency}")
        if any(ch.isalpha() or ch in _SYMBOLS for ch in rest):
            raise AmountError(f"{text!r}: a currency named more than once")
        return rest
    return body


def _marker_candidates(body: str) -> Iterable[tuple[str, str]]:
    """(marker, rest) for a run of letters or a symbol at the start or the end of `body`."""
    for at_start in (True, False):
        chars = body if at_start else body[::-1]
        n = 1 if chars[:1] in _SYMBOLS else next((i for i, ch in enumerate(chars) if not ch.isalpha()), len(chars))
        if n:
            marker = chars[:n] if at_start else chars[:n][::-1]
            rest = body[n:] if at_start else body[:-n]
            yield marker, rest.strip()


def _ascii_digits(body: str, text: str, fmt: AmountFormat) -> str:
    """The number part, with non-ASCII digits refused (or mapped to 0-9 when the format says so)."""
    if not body:
        raise AmountError(f"no amount in {text!r}")
    out = []
    for ch in body:
        if "0" <= ch <= "9" or ch in _GROUP_MARKS:
            out.append(ch)
        elif fmt.unicode_digits and unicodedata.decimal(ch, None) is not None:
            out.append(str(unicodedata.decimal(ch)))
        elif ch.isdigit() or ch.isnumeric():
            raise AmountError(f"{text!r}: non-ASCII digit {ch!r}")
        else:
            raise AmountError(f"{text!r}: unexpected character {ch!r}")
    return "".join(out)


def _split(body: str, places: int, text: str) -> tuple[str, str]:
    """Whole and fraction digits, checking that every thousands group has exactly 3 digits."""
    marks = [ch for ch in body if not ch.isdigit()]
    decimal_mark = _decimal_mark(body, marks, places)
    grouped_part, frac = (body.rsplit(decimal_mark, 1) if decimal_mark else (body, ""))
    separators = {ch for ch in grouped_part if not ch.isdigit()}
    if len(separators) > 1:
        raise AmountError(f"{text!r}: mixed thousands separators")
    groups = grouped_part.split(separators.pop()) if separators else [grouped_part]
    well_grouped = 1 <= len(groups[0]) <= (3 if len(groups) > 1 else len(groups[0])) and all(
        len(g) == 3 for g in groups[1:])
    if not well_grouped or not all(g.isdigit() for g in groups) or (decimal_mark and not frac.isdigit()):
        raise AmountError(f"cannot read {text!r} as an amount")
    return "".join(groups), frac


def _decimal_mark(body: str, marks: list[str], places: int) -> str:
    """Which separator, if any, is the decimal mark (see `read_amount`)."""
    decimals = [m for m in marks if m in _DECIMAL_MARKS]
    if not decimals:
        return ""
    last = decimals[-1]
    if len(set(decimals)) > 1 or any(m not in _DECIMAL_MARKS for m in marks):
        return last  # "1.234,50", "1 234,50": the last dot or comma is the decimal mark
    if decimals.count(last) > 1:
        return ""  # "1.234.567": thousands only
    whole, _, after = body.rpartition(last)
    lone_thousands = len(after) == 3 and places != 3 and whole.lstrip("0") != ""
    return "" if lone_thousands else last
