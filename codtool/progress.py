"""How long-running library work says how far it got, without knowing who listens.

A stage (import, check, dedupe, ship, track, reconcile, payout run) takes an optional
`progress` callback and calls it once per chunk or item it finishes: how many are done and,
when it knows, of how many. The command line draws a bar from it (`render.Output.progress`);
library code never imports rich, and tests and scripts simply pass nothing.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """`progress(done, total)`: `done` counts up; `total` is None while the stage cannot know it."""

    def __call__(self, done: int, total: int | None = None, /) -> None: ...


def no_progress(done: int, total: int | None = None, /) -> None:
    """The callback for nobody watching."""
