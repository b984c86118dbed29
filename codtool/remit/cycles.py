"""Payout cycles: cut by the local calendar day in the configured time zone, never by UTC.

A parcel delivered at 23:30 in Rome on a cycle's last day belongs to that cycle even though it
is already the next day in UTC in summer (22:30Z in winter, 21:30Z in summer). Stored times stay
as they were written; only the day a moment falls on is computed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Cycle:
    start: date
    end: date
    due: date  # the day the courier's payout for this cycle is due

    @property
    def label(self) -> str:
        return f"{self.start.isoformat()}/{self.end.isoformat()}"


def cycle_of(day: date, anchor: date, days: int, lag: int) -> Cycle:
    """The cycle holding `day`: cycles of `days` days counted from `anchor` (before it, too)."""
    index = (day - anchor).days // days
    start = anchor + timedelta(days=index * days)
    end = start + timedelta(days=days - 1)
    return Cycle(start, end, end + timedelta(days=lag))


def courier_cycle(day: date, terms) -> Cycle:
    return cycle_of(day, terms.cycle_anchor, terms.cycle_days, terms.payout_lag_days)


def local_day(stamp: str, zone: ZoneInfo) -> date | None:
    """The local calendar day of a stored time: UTC or offset times are converted to the zone;
    times without an offset (courier scans, as the tracking stage keeps them) are already local."""
    text = stamp.strip().replace(" UTC", "+00:00")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(zone).date()


