"""Where the ledger lives: a file path, `sqlite:///path`, or `postgresql://user@host/db`."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from codtool.errors import LedgerError

Backend = Literal["sqlite", "postgresql"]
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*)://")


@dataclass(frozen=True)
class LedgerUrl:
    """A parsed --db value: which backend, and the file path or the server's connection string."""

    backend: Backend
    target: str  # the file path (SQLite) or the libpq URL (PostgreSQL)

    @property
    def path(self) -> Path:
        return Path(self.target)

    def __str__(self) -> str:
        """What error messages show: the path, or the URL without its password."""
        if self.backend == "sqlite":
            return self.target
        return re.sub(r"(://[^:/@]+):[^@/]*@", r"\1:***@", self.target)


def parse_url(value: str | os.PathLike[str]) -> LedgerUrl:
    """Read --db / CODTOOL_DB. A bare path stays the embedded SQLite default."""
    text = os.fspath(value)
    match = _SCHEME.match(text)
    if match is None:
        return LedgerUrl("sqlite", text)
    scheme = match.group(1).lower()
    if scheme == "sqlite":
        path = text[len("sqlite:///"):] if text.lower().startswith("sqlite:///") else ""
        if not path:
            raise LedgerError(f"{text}: write a SQLite ledger as sqlite:///relative/path or sqlite:////abs/path")
        return LedgerUrl("sqlite", path)
    if scheme in ("postgresql", "postgres"):
        return LedgerUrl("postgresql", text)
    raise LedgerError(f"{text}: unknown ledger URL scheme {scheme!r} (use a file path, sqlite:/// or postgresql://)")
