"""STUB — replaced at integration by the real `remit chase` (another engineer builds it in parallel).

=====================================================================================================
THIS FILE IS A PLACEHOLDER with exactly the agreed signature (docs: the interface between
`codtool daily` and `remit chase`), so that `codtool daily` runs end to end on the `daily` branch.
It writes nothing and records nothing. The integrator replaces this whole file with the chase
engineer's `codtool/remit/chase.py`; nothing else in `daily` needs to change.
=====================================================================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from codtool.config import Config
from codtool.ledger.db import Ledger

STUB = True  # the real module has no such name; tests of daily skip chase-specific checks while it is here


@dataclass(frozen=True)
class Reminder:
    """STUB: the real Reminder (courier, level, parcels, files) comes with the chase module."""

    courier: str
    level: str
    parcels: int
    amount_minor: int

    def to_json(self) -> dict:
        return {"courier": self.courier, "level": self.level, "parcels": self.parcels,
                "amount_minor": self.amount_minor}


@dataclass(frozen=True)
class ChaseRun:
    reminders: list[Reminder] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    overdue_parcels: int = 0
    overdue_cents: int = 0

    def to_json(self) -> dict:
        return {"reminders": [r.to_json() for r in self.reminders], "files": [str(f) for f in self.files],
                "overdue_parcels": self.overdue_parcels, "overdue_cents": self.overdue_cents}


def run_chase(ledger: Ledger, config: Config, as_of: date, out_dir: Path,
              courier: str | None = None) -> ChaseRun:
    """STUB: writes and records nothing; returns an empty run."""
    return ChaseRun()
