"""Courier vocabularies: each courier's raw status texts mapped to codtool's statuses (TOML).

Defaults ship in codtool/data/couriers/<name>.toml. A user mapping (--mapping FILE) adds to or
overrides the default of the same courier, so a new status text is one line of TOML away.
A raw status with no entry is never guessed: the caller reports it with its line.

Mapping format:
    title = "BRT"
    date_formats = ["%d.%m.%Y %H:%M"]           # tried before the usual day-first forms
    [columns]                                    # header candidates per field
    tracking_number = ["Spedizione"]
    event_at = ["Data evento"]                   # or date = [...] plus time = [...]
    status = ["Evento"]
    reason = ["Causale"]                         # optional
    [statuses]                                   # raw text -> status or "status:reason"
    "CONSEGNATA" = "delivered"
    "LASCIATO AVVISO" = "failed_attempt:customer_absent"
    "IN GIACENZA*" = "failed_attempt"            # trailing * matches any text starting so
    [reasons]                                    # raw NDR reason -> normalised reason
    "DESTINATARIO ASSENTE" = "customer_absent"
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from codtool.tomlfiles import ListOf, OneOf, Table, Text, check, load, parse
from codtool.tracking.errors import CourierMappingError, UnknownCourier
from codtool.tracking.events import FAILED_ATTEMPT, REASONS, REFUSED, STATUSES

COLUMN_FIELDS = ("tracking_number", "event_at", "date", "time", "status", "reason")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
_HEADER = Text(max_chars=1_000, non_empty=True)
MAPPING_SCHEMA = Table({
    "title": Text(max_chars=100),
    "date_formats": ListOf(Text(max_chars=100), max_items=50),
    "columns": Table({f: OneOf((_HEADER, ListOf(_HEADER, min_items=1, max_items=50))) for f in COLUMN_FIELDS}),
    "statuses": Table(values=Text(max_chars=100)),
    "reasons": Table(values=Text(max_chars=100)),
})


def fold_text(text: str) -> str:
    """Couriers vary case and spacing between exports of the same status."""
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class Rule:
    status: str
    reason: str = ""


@dataclass
class Courier:
    """One courier's file layout and vocabulary."""

    name: str
    title: str
    columns: dict[str, tuple[str, ...]]
    date_formats: tuple[str, ...]
    statuses: dict[str, Rule]
    prefixes: list[tuple[str, Rule]]
    reasons: dict[str, str]
    _cache: dict[str, Rule | None] = field(default_factory=dict, repr=False)

    def rule_for(self, raw: str) -> Rule | None:
        """The mapping for a raw status: exact text first, then the longest matching prefix."""
        key = fold_text(raw)
        if key not in self._cache:
            rule = self.statuses.get(key)
            if rule is None:
                rule = next((r for p, r in self.prefixes if key.startswith(p)), None)
            self._cache[key] = rule
        return self._cache[key]

    def reason_for(self, rule: Rule, raw_reason: str) -> str:
        """NDR reason: the courier's reason code if mapped, else the status's own, else 'unknown'."""
        if rule.status not in (FAILED_ATTEMPT, REFUSED):
            return rule.reason
        mapped = self.reasons.get(fold_text(raw_reason)) if raw_reason.strip() else None
        return mapped or rule.reason or ("refused" if rule.status == REFUSED else "unknown")


def builtin_couriers() -> list[str]:
    folder = resources.files("codtool").joinpath("data", "couriers")
    return sorted(e.name.removesuffix(".toml") for e in folder.iterdir() if e.name.endswith(".toml"))


def check_name(name: str) -> str:
    value = name.strip().lower()
    if not _NAME.match(value):
        raise UnknownCourier(f"courier name {name!r} must be letters, digits, '-' or '_' (e.g. brt)")
    return value


def load_courier(name: str, mapping: Path | None = None) -> Courier:
    """The courier's default mapping, extended by the user's mapping file if given."""
    name = check_name(name)
    data: dict[str, Any] = {}
    if name in builtin_couriers():
        text = resources.files("codtool").joinpath("data", "couriers", f"{name}.toml").read_text(encoding="utf-8")
        data = _parse(text, f"built-in mapping {name}.toml")
    elif mapping is None:
        raise UnknownCourier(f"no mapping for courier {name!r}; built-in: {', '.join(builtin_couriers())} "
                             "(give your own with --mapping FILE.toml)")
    if mapping is not None:
        data = _merge(data, load(mapping, MAPPING_SCHEMA, CourierMappingError, "mapping file"))
    return _build(name, data, str(mapping or f"{name}.toml"))


def _parse(text: str, where: str) -> dict[str, Any]:
    return check(parse(text, where, CourierMappingError), MAPPING_SCHEMA, where, CourierMappingError)


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base) | {k: v for k, v in extra.items() if not isinstance(v, dict)}
    for table in ("columns", "statuses", "reasons"):
        merged[table] = dict(base.get(table, {})) | dict(extra.get(table, {}))
    return merged


def _build(name: str, data: dict[str, Any], where: str) -> Courier:
    unknown = set(data) - {"title", "date_formats", "columns", "statuses", "reasons"}
    if unknown:
        raise CourierMappingError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    columns = _columns(data.get("columns", {}), where)
    statuses: dict[str, Rule] = {}
    prefixes: list[tuple[str, Rule]] = []
    for raw, target in _table(data, "statuses", where).items():
        rule = _rule(raw, target, where)
        if raw.rstrip().endswith("*"):
            prefixes.append((fold_text(raw.rstrip()[:-1]), rule))
        else:
            statuses[fold_text(raw)] = rule
    prefixes.sort(key=lambda p: -len(p[0]))
    reasons = {}
    for raw, reason in _table(data, "reasons", where).items():
        if reason not in REASONS:
            raise CourierMappingError(f"{where}: reason {raw!r} maps to {reason!r}; use one of {', '.join(REASONS)}")
        reasons[fold_text(raw)] = reason
    formats = data.get("date_formats", [])
    if not isinstance(formats, list) or not all(isinstance(f, str) for f in formats):
        raise CourierMappingError(f"{where}: date_formats must be a list of strptime formats")
    return Courier(name, str(data.get("title", name)), columns, tuple(formats), statuses, prefixes, reasons)


def _table(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise CourierMappingError(f"{where}: [{key}] must be a table")
    return value


def _columns(table: Any, where: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(table, dict):
        raise CourierMappingError(f"{where}: [columns] must be a table")
    columns = {}
    for key, value in table.items():
        if key not in COLUMN_FIELDS:
            raise CourierMappingError(f"{where}: unknown column field {key!r}; use {', '.join(COLUMN_FIELDS)}")
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            raise CourierMappingError(f"{where}: columns.{key} must be a header name or a list of them")
        columns[key] = tuple(names)
    for needed in ("tracking_number", "status"):
        if needed not in columns:
            raise CourierMappingError(f"{where}: [columns] needs {needed}")
    if "event_at" not in columns and "date" not in columns:
        raise CourierMappingError(f"{where}: [columns] needs event_at (or date and time)")
    return columns


def _rule(raw: str, target: Any, where: str) -> Rule:
    if not isinstance(target, str):
        raise CourierMappingError(f"{where}: status {raw!r} must map to a text like \"delivered\"")
    status, _, reason = target.partition(":")
    if status not in STATUSES:
        raise CourierMappingError(f"{where}: status {raw!r} maps to {status!r}; use one of {', '.join(STATUSES)}")
    if reason and reason not in REASONS:
        raise CourierMappingError(f"{where}: status {raw!r} has reason {reason!r}; use one of {', '.join(REASONS)}")
    return Rule(status, reason)
