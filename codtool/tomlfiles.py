"""Typed TOML files: column mappings, courier mappings, policies and configuration, checked by one schema.

A schema says which keys a file may hold, of what type and within which bounds; `load` reads the
file (at most MAX_BYTES, nested at most as deep as Python can parse) and returns plain dicts whose
every value has been checked, or raises the caller's error class with one line naming the file, the
key (`unreachable.retry_hours[1]`), what was expected and the value found. Callers keep only their
domain rules (a status must be one codtool knows); types, bounds and unknown keys are handled here.

    SCHEMA = Table({"points": Table(values=Integer(0, 1000)), "enabled": Boolean()})
    data = load(path, SCHEMA, PolicyError)
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codtool.errors import CodtoolError
from codtool.input_policy import shorten

MAX_BYTES = 1_000_000
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


class TomlFileError(CodtoolError):
    """A TOML file cannot be read, or a value in it is not what its schema allows."""


class _Mismatch(Exception):
    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}" if key else message)


def _found(value: Any) -> str:
    kind = {bool: "a boolean", int: "a number", float: "a number", str: "text", list: "a list",
            dict: "a table"}.get(type(value), type(value).__name__)
    return f"{kind} {shorten(repr(value))}" if not isinstance(value, dict | list) else kind


class Spec:
    """One value's type and bounds."""

    expected = "a value"

    def check(self, value: Any, key: str) -> Any:
        raise NotImplementedError

    def fail(self, value: Any, key: str) -> _Mismatch:
        return _Mismatch(key, f"expected {self.expected}, got {_found(value)}")


@dataclass(frozen=True)
class Text(Spec):
    max_chars: int = 1_000
    choices: tuple[str, ...] = ()
    non_empty: bool = False

    @property
    def expected(self) -> str:  # type: ignore[override]
        if self.choices:
            return "one of " + ", ".join(self.choices)
        return f"{'non-empty ' if self.non_empty else ''}text of at most {self.max_chars:,} characters"

    def check(self, value: Any, key: str) -> str:
        ok = isinstance(value, str) and len(value) <= self.max_chars and (value or not self.non_empty)
        if not ok or (self.choices and value not in self.choices):
            raise self.fail(value, key)
        return value


@dataclass(frozen=True)
class Integer(Spec):
    minimum: int = 0
    maximum: int = 1_000_000

    @property
    def expected(self) -> str:  # type: ignore[override]
        return f"a whole number from {self.minimum:,} to {self.maximum:,}"

    def check(self, value: Any, key: str) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or not self.minimum <= value <= self.maximum:
            raise self.fail(value, key)
        return value


@dataclass(frozen=True)
class Boolean(Spec):
    expected = "true or false"

    def check(self, value: Any, key: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(value, key)
        return value


@dataclass(frozen=True)
class ListOf(Spec):
    item: Spec
    min_items: int = 0
    max_items: int = 1_000

    @property
    def expected(self) -> str:  # type: ignore[override]
        size = f"{self.min_items} to {self.max_items:,}" if self.min_items else f"at most {self.max_items:,}"
        return f"a list of {size} items, each {self.item.expected}"

    def check(self, value: Any, key: str) -> list:
        if not isinstance(value, list) or not self.min_items <= len(value) <= self.max_items:
            raise self.fail(value, key)
        return [self.item.check(v, f"{key}[{i}]") for i, v in enumerate(value)]


@dataclass(frozen=True)
class OneOf(Spec):
    options: tuple[Spec, ...]

    @property
    def expected(self) -> str:  # type: ignore[override]
        return " or ".join(o.expected for o in self.options)

    def check(self, value: Any, key: str) -> Any:
        for option in self.options:
            try:
                return option.check(value, key)
            except _Mismatch:
                continue
        raise self.fail(value, key)


@dataclass(frozen=True)
class Table(Spec):
    """Named keys with their own specs, and/or free keys (`values`) that all share one spec."""

    fields: Mapping[str, Spec] = field(default_factory=dict)
    values: Spec | None = None
    required: tuple[str, ...] = ()
    max_keys: int = 10_000
    key_chars: int = 200
    expected = "a table"

    def check(self, value: Any, key: str) -> dict:
        if not isinstance(value, dict):
            raise _Mismatch(key, f"expected a table ([{key}]), got {_found(value)}" if key else "expected a table")
        if len(value) > self.max_keys:
            raise _Mismatch(key, f"more than {self.max_keys:,} keys")
        out = {}
        for name, item in value.items():
            shown = name if _BARE_KEY.fullmatch(name) else json.dumps(name)  # "\r" must not break the line
            path = f"{key}.{shown}" if key else shown
            spec = self.fields.get(name, self.values)
            if spec is None:
                known = ", ".join(self.fields) or "none"
                raise _Mismatch("", f"unknown key {shorten(path)} (known: {known})")
            if len(name) > self.key_chars:
                raise _Mismatch(shorten(path), f"key longer than {self.key_chars} characters")
            out[name] = spec.check(item, path)
        missing = [n for n in self.required if n not in value]
        if missing:
            raise _Mismatch(key, f"missing {', '.join(missing)}")
        return out


def load(path: Path, schema: Table, error: type[CodtoolError] = TomlFileError, what: str = "TOML file") -> dict:
    """The file's contents checked against the schema; any problem is one `error` naming file and key."""
    return check(parse(read(path, error, what), str(path), error), schema, str(path), error)


def read(path: Path, error: type[CodtoolError] = TomlFileError, what: str = "TOML file") -> str:
    """The file as text, refusing what is not a small UTF-8 file."""
    try:
        if not path.is_file():
            raise error(f"{path}: no such {what}" if not path.exists() else f"{path}: not a regular file")
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise error(f"{path}: cannot read the {what} ({exc.strerror or exc})") from exc
    if len(data) > MAX_BYTES:
        raise error(f"{path}: larger than {MAX_BYTES:,} bytes, the limit for a {what}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(f"{path}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})") from exc


def parse(text: str, where: str, error: type[CodtoolError] = TomlFileError) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{where}: not a valid TOML file ({exc})") from exc
    except RecursionError as exc:
        raise error(f"{where}: values nested too deeply to read (arrays or tables within each other)") from exc


def check(data: dict, schema: Table, where: str, error: type[CodtoolError] = TomlFileError) -> dict:
    try:
        return schema.check(data, "")
    except _Mismatch as exc:
        raise error(f"{where}: {exc}") from None
