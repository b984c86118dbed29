"""Reading the dates people and programs type: ISO 8601 first, then European day-first forms.

Shop exports, courier files and call sheets all come from European offices, so "03/04/2026"
is the 3rd of April. One reader serves every stage; each decides what to keep (the offset
for order times, local time for courier scans).
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

DAY_FIRST_FORMATS = (
    "%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M %z",
    "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y %H.%M", "%d/%m/%Y",
    "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d-%m-%Y",
    "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y",
    "%Y/%m/%d %H:%M:%S", "%Y/%m/%d",
)


def read_datetime(text: str, formats: tuple[str, ...] = ()) -> datetime | None:
    """The moment a cell names, or None; `formats` (a courier's own) are tried before the usual ones.

    Uncached, for values that rarely repeat (order times); `parse_datetime` caches it for
    courier files, whose event times repeat across lines and re-runs.
    """
    value = " ".join(text.split())
    if not value:
        return None
    for fmt in formats:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(value.replace(" UTC", "+00:00"))
    except ValueError:
        pass
    for fmt in DAY_FIRST_FORMATS:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None


parse_datetime = lru_cache(maxsize=500_000)(read_datetime)


def local_iso(text: str, formats: tuple[str, ...] = ()) -> str | None:
    """Sortable local time text (any offset dropped), as couriers and staff mean it."""
    moment = parse_datetime(text, formats)
    return moment.replace(tzinfo=None).isoformat(timespec="seconds") if moment else None
