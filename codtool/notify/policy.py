"""The confirmation policy: when an order needs no call, how calls are spaced, when to give up.

Operators tune these per client without code: an optional TOML file given with --policy
overrides the defaults below; unknown keys are errors so a typo never silently does nothing.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from codtool.errors import AmountError, CodtoolError
from codtool.money import Money, read_amount

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
        if isinstance(text, float):  # TOML floats are binary: 0.1 is not exactly a tenth
            raise PolicyError(f'{where}: high_amount.{currency}: write the amount as text, e.g. "100,00"')
        try:
            out[currency.upper()] = read_amount(str(text), currency.upper())
        except AmountError as exc:
            raise PolicyError(f"{where}: high_amount.{currency}: {exc}") from exc
    return out


def load_policy(path: Path | None) -> Policy:
    """The defaults, overridden by the TOML file when one is given."""
    if path is None:
        return Policy()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise PolicyError(f"{path}: no such policy file") from exc
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read the policy file ({exc.strerror or exc})") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{path}: not a valid TOML file ({exc})") from exc
    return _apply(Policy(source=str(path)), data, path)


def _apply(policy: Policy, data: dict[str, Any], path: Path) -> Policy:
    changes: dict[str, Any] = {}
    for section, values in data.items():
        reader = _SECTIONS.get(section)
        if reader is None or not isinstance(values, dict):
            raise PolicyError(f"{path}: unknown section [{section}] (known: {', '.join(_SECTIONS)})")
        changes |= reader(policy, values, path)
    return replace(policy, **changes)


def _read_points(policy: Policy, values: dict[str, Any], path: Path) -> dict[str, Any]:
    points = dict(policy.points)
    for key, value in values.items():
        if key not in points:
            raise PolicyError(f"{path}: unknown signal points.{key} (known: {', '.join(points)})")
        points[key] = _int(value, f"points.{key}", path, minimum=0)
    return {"points": points}


def _read_high_amount(policy: Policy, values: dict[str, Any], path: Path) -> dict[str, Any]:
    return {"high_amount": policy.high_amount | _thresholds(values, str(path))}


def _read_auto_confirm(policy: Policy, values: dict[str, Any], path: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key == "enabled":
            if not isinstance(value, bool):
                raise PolicyError(f"{path}: auto_confirm.enabled must be true or false")
            out["auto_confirm"] = value
        elif key == "max_score":
            out["auto_confirm_max_score"] = _int(value, "auto_confirm.max_score", path, minimum=0)
        else:
            raise PolicyError(f"{path}: unknown setting auto_confirm.{key} (known: enabled, max_score)")
    return out


def _read_unreachable(policy: Policy, values: dict[str, Any], path: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key == "max_attempts":
            out["max_attempts"] = _int(value, "unreachable.max_attempts", path, minimum=1)
        elif key == "action":
            if value not in GIVE_UP_ACTIONS:
                raise PolicyError(f"{path}: unreachable.action must be one of {', '.join(GIVE_UP_ACTIONS)}")
            out["give_up"] = value
        elif key == "retry_hours":
            if not isinstance(value, list) or not value:
                raise PolicyError(f"{path}: unreachable.retry_hours must be a list of hours, e.g. [2, 4, 24]")
            out["retry_hours"] = tuple(_int(v, "unreachable.retry_hours", path, minimum=0) for v in value)
        else:
            raise PolicyError(f"{path}: unknown setting unreachable.{key} (known: max_attempts, action, retry_hours)")
    return out


def _int(value: Any, name: str, path: Path, minimum: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise PolicyError(f"{path}: {name} must be a whole number >= {minimum}, got {value!r}")
    return value


_SECTIONS = {
    "points": _read_points,
    "high_amount": _read_high_amount,
    "auto_confirm": _read_auto_confirm,
    "unreachable": _read_unreachable,
}
