"""Cell-level readers for dates, countries, payment methods and order states.

Each is cached: exports repeat the same few thousand values across a million rows.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pycountry

from codtool.dates import read_datetime

_COD = re.compile(
    r"\bcod\b|cash.?on.?delivery|contrassegno|contra.?reembolso|nachnahme|"
    r"paiement (à|a) la livraison|pagamento (alla|in) consegna|pay(ment)? on delivery|"
    r"cash_on_delivery|cashondelivery|pagamento in contanti",
    re.IGNORECASE,
)
_CANCELLED = {
    "cancelled", "canceled", "refunded", "voided", "failed", "annullato", "annullata",
    "rimborsato", "rimborsata", "wc-cancelled", "wc-refunded", "wc-failed", "trash",
}
_COUNTRIES = {
    "italia": "IT", "italy": "IT", "france": "FR", "francia": "FR", "germany": "DE",
    "germania": "DE", "deutschland": "DE", "spain": "ES", "spagna": "ES", "españa": "ES",
    "espana": "ES", "austria": "AT", "österreich": "AT", "switzerland": "CH",
    "svizzera": "CH", "schweiz": "CH", "united states": "US", "stati uniti": "US",
    "usa": "US", "united states of america": "US", "united kingdom": "GB",
    "regno unito": "GB", "uk": "GB", "portugal": "PT", "portogallo": "PT",
    "netherlands": "NL", "paesi bassi": "NL", "belgium": "BE", "belgio": "BE",
    "greece": "GR", "grecia": "GR", "poland": "PL", "polonia": "PL", "romania": "RO",
    "san marino": "SM", "vatican city": "VA", "città del vaticano": "VA",
    "united arab emirates": "AE", "emirati arabi uniti": "AE", "saudi arabia": "SA",
    "pakistan": "PK", "india": "IN", "egypt": "EG", "morocco": "MA", "marocco": "MA",
}


def is_cod(method: str) -> bool:
    """Shops name the COD gateway in many ways; all of them say cash at the door."""
    return bool(_COD.search(method))


def is_cancelled(state: str) -> bool:
    return state.strip().casefold() in _CANCELLED


@lru_cache(maxsize=4096)
def country_code(text: str) -> str:
    """ISO 3166 alpha-2 for a code or a common English/Italian name; unknown text is kept."""
    value = text.strip()
    if len(value) == 2 and value.isalpha():
        return value.upper()
    return _COUNTRIES.get(value.casefold(), value)


@lru_cache(maxsize=512)
def is_country_code(code: str) -> bool:
    """An ISO 3166-1 alpha-2 code, from pycountry's maintained list (not a hand-kept one)."""
    return len(code) == 2 and code.isascii() and code.isupper() and pycountry.countries.get(alpha_2=code) is not None


def iso_datetime(text: str) -> str | None:
    """Order dates as ISO 8601 text, keeping the shop's UTC offset when the export gives one."""
    moment = read_datetime(text)  # uncached: the importer reads each distinct cell once per
    # chunk, and order times are nearly all distinct, so a cache would only grow with the file
    if moment is None:
        return None
    # The same text either way when there are no microseconds, and the plain form is twice as fast
    return moment.isoformat() if moment.microsecond == 0 else moment.isoformat(timespec="seconds")


# Order times as Shopify and most shops write them: "2026-11-19 15:51:52 +0100", or without the offset.
# Their ISO form is a fixed rearrangement of fixed positions, so whole columns are checked and
# rearranged as byte arrays; any cell of another shape, or out of range, goes to `iso_datetime`.
_DIGITS_WITH_OFFSET = (0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 21, 22, 23, 24)
_MARKS_WITH_OFFSET = ((4, b"-"), (7, b"-"), (10, b" "), (13, b":"), (16, b":"), (19, b" "))
_DAYS_IN_MONTH = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def iso_datetimes(values: list[str]) -> list[str | None]:
    """`iso_datetime` of every cell, the common shapes read a column at a time (same results, tested)."""
    found: list[str | None] = [None] * len(values)
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    done = np.zeros(len(values), dtype=bool)
    for width, reader in ((25, _with_offset), (19, _without_offset)):
        rows = np.flatnonzero(lengths == width)
        if len(rows):
            texts = [values[i] for i in rows]
            ok, iso = reader(np.frombuffer("".join(texts).encode("ascii", "replace"), np.uint8).reshape(-1, width))
            for i, text in zip(rows[ok].tolist(), iso, strict=True):
                found[i] = text
            done[rows[ok]] = True
    slow: dict[str, str | None] = {}
    for i in np.flatnonzero(~done).tolist():
        text = values[i]
        found[i] = slow[text] if text in slow else slow.setdefault(text, iso_datetime(text))
    return found


def _with_offset(cells: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Rows of "YYYY-MM-DD HH:MM:SS +HHMM" that name a real moment, and their ISO text."""
    plus, minus = cells[:, 20] == ord("+"), cells[:, 20] == ord("-")
    hours, minutes = _number(cells, 21, 23), _number(cells, 23, 25)
    ok = _shape(cells, _DIGITS_WITH_OFFSET, _MARKS_WITH_OFFSET) & (plus | minus) & _real_moment(cells)
    ok &= (hours <= 23) & (minutes <= 59) & ~(minus & (hours == 0) & (minutes == 0))  # -0000 reads as +00:00
    picked = cells[ok]
    out = np.empty((len(picked), 26), dtype=np.uint8)
    out[:, :10], out[:, 10], out[:, 11:19] = picked[:, :10], ord("T"), picked[:, 11:19]
    out[:, 19:22], out[:, 22], out[:, 23:25], out[:, 25] = picked[:, 20:23], ord(":"), picked[:, 23:25], ord("\n")
    return ok, _lines(out)


def _without_offset(cells: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Rows of "YYYY-MM-DD HH:MM:SS" that name a real moment, and their ISO text."""
    ok = _shape(cells, _DIGITS_WITH_OFFSET[:14], _MARKS_WITH_OFFSET[:5]) & _real_moment(cells)
    picked = cells[ok]
    out = np.empty((len(picked), 20), dtype=np.uint8)
    out[:, :10], out[:, 10], out[:, 11:19], out[:, 19] = picked[:, :10], ord("T"), picked[:, 11:19], ord("\n")
    return ok, _lines(out)


def _shape(cells: np.ndarray, digits: tuple[int, ...], marks: tuple[tuple[int, bytes], ...]) -> np.ndarray:
    part = cells[:, list(digits)]
    ok = ((part >= ord("0")) & (part <= ord("9"))).all(axis=1)
    for column, mark in marks:
        ok &= cells[:, column] == mark[0]
    return ok


def _number(cells: np.ndarray, start: int, end: int) -> np.ndarray:
    """The decimal number in columns start..end-1 of each row (meaningful where they are digits)."""
    value = cells[:, start].astype("int64") - ord("0")
    for column in range(start + 1, end):
        value = value * 10 + cells[:, column] - ord("0")
    return value


def _real_moment(cells: np.ndarray) -> np.ndarray:
    """Date and time fields in range: a year from 1, a day its month has (leap years too), 23:59:59 at most."""
    year, month, day = _number(cells, 0, 4), _number(cells, 5, 7), _number(cells, 8, 10)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    days = np.asarray(_DAYS_IN_MONTH)[np.clip(month, 0, 12)] + ((month == 2) & leap)
    return ((year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= days)
            & (_number(cells, 11, 13) <= 23) & (_number(cells, 14, 16) <= 59) & (_number(cells, 17, 19) <= 59))


def _lines(out: np.ndarray) -> list[str]:
    """Rows of ASCII bytes, each ending in a newline, as strings."""
    return out.tobytes().decode("ascii").split("\n")[:-1] if len(out) else []
