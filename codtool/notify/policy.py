"""The confirmation policy: when an order needs no call, how calls are spaced, when to give up.

Operators tune these per client without code: an optional TOML file given with --policy
overrides the defaults below; unknown keys are errors so a typo never silently does nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from codtool.errors import AmountError, CodtoolError
from codtool.money import Money, is_currency_code, read_amount
from codtool.tomlfiles import Boolean, Integer, ListOf, OneOf, Table, Text, load

GIVE_UP_ACTIONS = ("unreachable", "cancel", "confirm")

DEFAULT_POINTS = {
    "high_amount": 30,        # COD amount at or above the currency's threshold
    "first_time": 10,         # no delivered order yet for this phone
    "finding_error": 40,      # each error from checks (phone, address)
    "finding_warning": 15,    # each warning from checks
    "unchecked": 20,          # checks have not run on the order yet
    "bad_phone": 40,          # unchecked and the raw phone cannot be parsed
    "duplicate": 35,          # member of an open duplicate cluster
    "past_refusal": 25,       # each earlier refused or returned parcel (up to 3)
    "unanswered": 10,         # each earlier call without answer
}
DEFAULT_HIGH_AMOUNT = {"EUR": "100.00", "USD": "120.00", "GBP": "90.00", "AED": "500.00", "PKR": "15000"}


class PolicyError(CodtoolError):
    """The policy file is missing, not TOML, or holds an unknown or invalid setting."""


@dataclass(frozen=True)
class Policy:
    """Every knob the call stage reads; defaults suit a small Italian COD operator."""

    points: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_POINTS))
    high_amount: dict[str, Money] = field(default_factory=lambda: _thresholds(DEFAULT_HIGH_AMOUNT, "defaults"))
    auto_confirm: bool = True
    auto_confirm_max_score: int = 10
    max_attempts: int = 3
    give_up: str = "unreachable"
    retry_hours: tuple[int, ...] = (2, 4, 24)
    source: str = "defaults"

    def retry_after(self, unanswered: int) -> int:
        """Hours to wait after the n-th unanswered call (the last spacing repeats)."""
        return self.retry_hours[min(max(unanswered, 1), len(self.retry_hours)) - 1]


def _thresholds(table: dict[str, Any], where: str) -> dict[str, Money]:
    out = {}
    for currency, text in table.items():
        if not is_currency_code(currency.upper()):
            raise PolicyError(f"{where}: high_amount: {currency!r} is not an ISO 4217 currency code such as EUR")
        try:
            out[currency.upper()] = read_amount(str(text), currency.upper())
        except AmountError as exc:
            raise PolicyError(f"{where}: high_amount.{currency}: {exc}") from exc
    return out


MAX_POINTS = 1_000
SCHEMA = Table({
    "points": Table({name: Integer(0, MAX_POINTS) for name in DEFAULT_POINTS}),
    "high_amount": Table(values=OneOf((Text(max_chars=32), Integer(0, 10**12)))),
    "auto_confirm": Table({"enabled": Boolean(), "max_score": Integer(0, 100 * MAX_POINTS)}),
    "unreachable": Table({"max_attempts": Integer(1, 100), "action": Text(choices=GIVE_UP_ACTIONS),
                          "retry_hours": ListOf(Integer(0, 24 * 366), min_items=1, max_items=100)}),
})


def load_policy(path: Path | None) -> Policy:
    """The defaults, overridden by the TOML file when one is given (types and bounds by SCHEMA)."""
    if path is None:
        return Policy()
    data = load(path, SCHEMA, PolicyError, "policy file")
    policy = Policy(source=str(path))
    auto, unreachable = data.get("auto_confirm", {}), data.get("unreachable", {})
    changes: dict[str, Any] = {
        "points": policy.points | data.get("points", {}),
        "high_amount": policy.high_amount | _thresholds(data.get("high_amount", {}), str(path)),
        "auto_confirm": auto.get("enabled", policy.auto_confirm),
        "auto_confirm_max_score": auto.get("max_score", policy.auto_confirm_max_score),
        "max_attempts": unreachable.get("max_attempts", policy.max_attempts),
        "give_up": unreachable.get("action", policy.give_up),
        "retry_hours": tuple(unreachable.get("retry_hours", policy.retry_hours)),
    }
    return replace(policy, **changes)
