"""The configuration file (TOML): timezone, currency, couriers' and shops' contract terms.

Found via `--config FILE`, else `CODTOOL_CONFIG`, else `config.toml` in the user's config
directory (platformdirs); with none of them every key keeps its default. The schema is data
(key -> kind and bounds) so validation and `config show` read one table; unknown sections and
keys are refused, because a misspelt `fee_minimum` silently ignored would cost real money.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from codtool import tomlfiles
from codtool.errors import AmountError, CodtoolError
from codtool.money import is_currency_code, read_amount

ENV = "CODTOOL_CONFIG"
# Courier codes that are acronyms: those with a built-in mapping (codtool/data/couriers) and other
# couriers common in Italy. Customers read "BRT", not "brt".
KNOWN_COURIER_CODES = frozenset({"brt", "gls", "sda", "dhl", "ups", "tnt"})


class ConfigError(CodtoolError):
    """The configuration file is missing, unreadable or holds a bad key or value."""


@dataclass(frozen=True)
class Key:
    """One key of the schema: its kind ('int', 'date', 'percent', 'money', 'tz', 'currency', 'text',
    'choice'), its default (as TOML would write it) and, for numbers, inclusive bounds."""

    kind: str
    default: Any
    low: int | Decimal | None = None
    high: int | Decimal | None = None
    choices: tuple[str, ...] = ()


TOP = {"timezone": Key("tz", "Europe/Rome"), "currency": Key("currency", "EUR"),
       "operator": Key("text", ""),  # the operator's name, printed on shop statements
       # `codtool daily`: its action log (--log, --log-level override) and the call policy file
       "log_file": Key("text", ""), "log_level": Key("choice", "info", choices=("info", "debug")),
       "call_policy": Key("text", "")}
COURIER = {
    "cycle_days": Key("int", 5, 1, 366),
    "cycle_anchor": Key("date", "2026-01-01"),
    "payout_lag_days": Key("int", 2, 0, 366),
    "grace_days": Key("int", 3, 0, 366),
    "fee_percent": Key("percent", "0", Decimal(0), Decimal(100)),
    "fee_fixed": Key("money", "0.00"),
    "fee_min": Key("money", "0.00"),
    "remittance_mapping": Key("text", ""),
    "tracking_mapping": Key("text", ""),
    "display_name": Key("text", ""),  # as customers read it ("BRT"); default: see Config.courier_name
    # `remit chase` overrides for this courier; unset (None) means the [chase] value
    "chase_friendly_after_days": Key("int", None, 0, 3660),
    "chase_formal_after_days": Key("int", None, 0, 3660),
    "chase_final_after_days": Key("int", None, 0, 3660),
    "chase_min_days_between": Key("int", None, 1, 366),
    "chase_language": Key("choice", None, choices=("it", "en")),
}
CHASE = {  # `remit chase`: days past the payout date before each step, and the spacing of steps
    "friendly_after_days": Key("int", 0, 0, 3660),
    "formal_after_days": Key("int", 10, 0, 3660),
    "final_after_days": Key("int", 20, 0, 3660),
    "min_days_between": Key("int", 5, 1, 366),
    "language": Key("choice", "it", choices=("it", "en")),
}
CHASE_STEPS = ("friendly_after_days", "formal_after_days", "final_after_days")
SHOP = {
    "payout_cycle_days": Key("int", 5, 1, 366),
    "payout_cycle_anchor": Key("date", "2026-01-01"),
    "fee_per_parcel": Key("money", "0.00"),
    "fee_percent": Key("percent", "0", Decimal(0), Decimal(100)),
    "fee_min": Key("money", "0.00"),
    "rto_fee": Key("money", "0.00"),
    "pay_on": Key("choice", "bank_credit", choices=("bank_credit", "remittance")),
    "display_name": Key("text", ""),  # the shop's name in customer messages; default: its ledger name
    "orders_mapping": Key("text", ""),  # `codtool daily`: the --mapping for orders/<shop>/ files
}
SECTIONS = {"couriers": COURIER, "shops": SHOP}


@dataclass(frozen=True)
class Terms:
    """A courier's or shop's validated values: typed (int, date, Decimal, minor units, str)."""

    name: str
    values: dict[str, Any]

    def __getattr__(self, key: str) -> Any:
        try:
            return self.values[key]
        except KeyError:
            raise AttributeError(key) from None


@dataclass(frozen=True)
class Config:
    """The effective configuration and where each value came from (a file or 'default')."""

    path: Path | None
    timezone: str = "Europe/Rome"
    currency: str = "EUR"
    couriers: dict[str, Terms] = field(default_factory=dict)
    shops: dict[str, Terms] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    operator: str = ""
    log_file: str = ""
    log_level: str = "info"
    call_policy: str = ""
    chase: dict[str, Any] = field(default_factory=dict)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def file(self, text: str) -> Path | None:
        """A file the configuration names: relative paths are read from the configuration's folder."""
        if not text:
            return None
        path = Path(text).expanduser()
        return path if path.is_absolute() or self.path is None else self.path.parent / path

    def shop_name(self, shop: str) -> str:
        """The shop as its customers know it: `display_name` in [shops.NAME], else the ledger's name."""
        terms = self.shops.get(shop.lower())
        return (terms.display_name if terms else "") or shop

    def courier_name(self, courier: str) -> str:
        """The courier as customers know it: `display_name` in [couriers.NAME], else a known
        acronym in capitals (brt -> BRT), else the code as stored."""
        terms = self.couriers.get(courier.lower())
        if terms and terms.display_name:
            return terms.display_name
        return courier.upper() if courier.lower() in KNOWN_COURIER_CODES else courier

    def courier(self, name: str) -> Terms:
        if name not in self.couriers:
            where = self.path or f"a configuration file (--config or {ENV})"
            raise ConfigError(f"courier {name!r} has no [couriers.{name}] section in {where}: "
                              "its cycle and fee terms are needed")
        return self.couriers[name]


def find_config(explicit: Path | None) -> Path | None:
    """--config, else $CODTOOL_CONFIG, else the user config dir's config.toml if it exists."""
    if explicit is not None:
        return explicit
    if os.environ.get(ENV):
        return Path(os.environ[ENV])
    try:
        from platformdirs import user_config_dir
    except ImportError:  # pragma: no cover - platformdirs is a dependency; stay usable without it
        return None
    candidate = Path(user_config_dir("codtool")) / "config.toml"
    return candidate if candidate.is_file() else None


def load_config(explicit: Path | None = None) -> Config:
    path = find_config(explicit)
    data = _read(path) if path is not None else {}
    return build_config(data, path)


def _read(path: Path) -> dict[str, Any]:
    """Read through tomlfiles: a size limit, exact UTF-8 and TOML errors, deep nesting refused."""
    return tomlfiles.parse(tomlfiles.read(path, ConfigError, "configuration file"), str(path), ConfigError)


def build_config(data: dict[str, Any], path: Path | None) -> Config:
    """Validate every key against the schema; the first bad one is refused with file, key and reason."""
    where = str(path) if path else "configuration"
    for key in data:
        if key not in TOP and key not in SECTIONS and key != "chase":
            raise ConfigError(f"{where}: unknown key {key!r} (known: {', '.join([*TOP, 'chase', *SECTIONS])})")
    origins: dict[str, str] = {}
    top = _values(where, "", TOP, {k: v for k, v in data.items() if k in TOP}, origins, "EUR")
    currency = top["currency"]
    sections = {}
    for section, schema in SECTIONS.items():
        entries = data.get(section, {})
        if not isinstance(entries, dict):
            raise ConfigError(f"{where}: [{section}] must be a table of named sections")
        entries = data[section] = {name.lower(): values for name, values in entries.items()}
        sections[section] = {}
        for name, values in entries.items():
            if not isinstance(values, dict):
                raise ConfigError(f"{where}: {section}.{name}: expected a [{section}.{name}] table, found {values!r}")
            typed = _values(where, f"{section}.{name}.", schema, values, origins, currency)
            sections[section][name] = Terms(name, typed)
    if not isinstance(data.get("chase", {}), dict):
        raise ConfigError(f"{where}: [chase] must be a table")
    chase = _values(where, "chase.", CHASE, data.get("chase", {}), origins, currency)
    _check_chase_order(where, chase, sections["couriers"])
    return Config(path, top["timezone"], currency, sections["couriers"], sections["shops"], origins, data,
                  operator=top["operator"], log_file=top["log_file"], log_level=top["log_level"],
                  call_policy=top["call_policy"], chase=chase)


def chase_setting(config_chase: dict[str, Any], terms: Terms | None, key: str) -> tuple[str, Any]:
    """A courier's effective `remit chase` value and the key it came from: its override, else [chase]."""
    values = config_chase or {k: spec.default for k, spec in CHASE.items()}
    own = terms.values.get(f"chase_{key}") if terms is not None else None
    return (f"couriers.{terms.name}.chase_{key}", own) if own is not None else (f"chase.{key}", values[key])


def _check_chase_order(where: str, chase: dict[str, Any], couriers: dict[str, Terms]) -> None:
    """Each courier's effective reminder thresholds must rise: friendly, then formal, then final."""
    for terms in [None, *couriers.values()]:
        days = [chase_setting(chase, terms, key) for key in CHASE_STEPS]
        for (before, low), (key, high) in zip(days, days[1:], strict=False):
            if high <= low:
                raise ConfigError(f"{where}: {key}: expected more days than {before} ({low}), found {high}")


def _values(where: str, prefix: str, schema: dict[str, Key], data: dict[str, Any], origins: dict[str, str],
            currency: str) -> dict[str, Any]:
    for key in data:
        if key not in schema:
            raise ConfigError(f"{where}: unknown key {prefix}{key} (known: {', '.join(schema)})")
    typed = {}
    for key, spec in schema.items():
        given = key in data
        value = data[key] if given else spec.default
        typed[key] = None if value is None else _convert(f"{where}: {prefix}{key}", spec, value, currency)
        origins[prefix + key] = where if given else "default"
    return typed


def _convert(label: str, spec: Key, value: Any, currency: str) -> Any:
    """One value to its type, or ConfigError naming the key, what was expected and what was found."""
    converter = _CONVERTERS[spec.kind]
    try:
        result = converter(value, spec, currency)
    except (ValueError, TypeError, InvalidOperation, AmountError, ZoneInfoNotFoundError) as exc:
        raise ConfigError(f"{label}: expected {_EXPECTED[spec.kind](spec)}, found {value!r}") from exc
    if spec.low is not None and spec.high is not None and not spec.low <= result <= spec.high:
        raise ConfigError(f"{label}: expected a value from {spec.low} to {spec.high}, found {value!r}")
    return result


def _int(value: Any, spec: Key, currency: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(value)
    return value


def _date(value: Any, spec: Key, currency: str) -> date:
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise TypeError(value)
    return date.fromisoformat(value)


def _percent(value: Any, spec: Key, currency: str) -> Decimal:
    """Percentages as text ("1.5") or integers: a TOML float 1.5 is refused, floats are not exact."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise TypeError(value)
    result = Decimal(str(value).strip())
    if not result.is_finite():
        raise ValueError(value)
    return result


def _money(value: Any, spec: Key, currency: str) -> int:
    if not isinstance(value, str):
        raise TypeError(value)
    minor = read_amount(value, currency).minor
    if minor < 0:
        raise ValueError(value)
    return minor


def _tz(value: Any, spec: Key, currency: str) -> str:
    if not isinstance(value, str) or not value:
        raise TypeError(value)
    ZoneInfo(value)
    return value


def _currency(value: Any, spec: Key, currency: str) -> str:
    if not isinstance(value, str) or not is_currency_code(value):
        raise TypeError(value)
    return value.upper()


def _text(value: Any, spec: Key, currency: str) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    return value


def _choice(value: Any, spec: Key, currency: str) -> str:
    if value not in spec.choices:
        raise ValueError(value)
    return value


_CONVERTERS = {"int": _int, "date": _date, "percent": _percent, "money": _money, "tz": _tz,
               "currency": _currency, "text": _text, "choice": _choice}
_EXPECTED = {
    "int": lambda s: f"a whole number from {s.low} to {s.high}",
    "date": lambda s: "a date as \"YYYY-MM-DD\"",
    "percent": lambda s: f"a percentage as text, e.g. \"1.5\" (from {s.low} to {s.high})",
    "money": lambda s: "a non-negative amount as text, e.g. \"1.50\"",
    "tz": lambda s: "an IANA time zone such as \"Europe/Rome\"",
    "currency": lambda s: "a three-letter ISO 4217 code such as \"EUR\"",
    "text": lambda s: "text",
    "choice": lambda s: "one of " + ", ".join(repr(c) for c in s.choices),
}


def effective_values(config: Config) -> list[tuple[str, str, str]]:
    """(key, value as TOML would show it, where it came from) for `codtool config show`."""
    rows = []
    for key in TOP:
        rows.append((key, str(getattr(config, key)), config.origins.get(key, "default")))
    for key, spec in CHASE.items():
        value = config.raw.get("chase", {}).get(key, spec.default)
        rows.append((f"chase.{key}", str(value), config.origins.get(f"chase.{key}", "default")))
    for section in SECTIONS:
        for name in getattr(config, section):
            raw = config.raw.get(section, {}).get(name, {})
            for key, spec in SECTIONS[section].items():
                value = raw.get(key, spec.default)
                shown = "" if value is None else str(value)  # an unset chase override: [chase] applies
                rows.append((f"{section}.{name}.{key}", shown, config.origins[f"{section}.{name}.{key}"]))
    return rows
