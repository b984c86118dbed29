"""Cell-level readers for dates, countries, payment methods and order states.

Each is cached: exports repeat the same few thousand values across a million rows.
"""

from __future__ import annotations

import re
from functools import lru_cache

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
