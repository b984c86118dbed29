"""The action log: one line per action (time, step, file, counts, duration), for operators and auditors.

Lines carry counts, step and file names, never row content: no phone, name or address at any
level. `debug` adds order ids (the shop's references and ledger ids), which a support person
needs to follow one order through a night. Reasons quoted from input files are redacted
(anything in quotes may be a cell's content).
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from pathlib import Path

LEVELS = {"info": logging.INFO, "debug": logging.DEBUG}
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


class _UtcFormatter(logging.Formatter):
    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 (logging's name)
        return datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class ActionLog:
    """Writes to FILE when given (appending: cron runs add to one log), else nowhere."""

    def __init__(self, path: Path | None, level: str = "info") -> None:
        self.logger = logging.getLogger(f"codtool.daily.{id(self)}")
        self.logger.propagate = False
        self.logger.setLevel(LEVELS[level])
        self.handler: logging.Handler = logging.NullHandler()  # else logging's last resort prints to stderr
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.handler = logging.FileHandler(path, encoding="utf-8")
            self.handler.setFormatter(_UtcFormatter("%(asctime)s %(levelname)s %(message)s"))
        self.logger.addHandler(self.handler)

    def action(self, step: str, action: str, seconds: float | None = None, file: str = "",
               **counts: int | str) -> None:
        self.logger.info(_line(step, action, file, seconds, counts))

    def problem(self, step: str, action: str, reason: str, file: str = "") -> None:
        self.logger.warning(_line(step, action, file, None, {"reason": redact(reason)}))

    def orders(self, step: str, what: str, refs: list[object]) -> None:
        """Debug only: which orders an action touched, by id (never by customer)."""
        if self.logger.isEnabledFor(logging.DEBUG) and refs:
            self.logger.debug(_line(step, what, "", None, {"orders": " ".join(str(r) for r in refs)}))

    def close(self) -> None:
        self.handler.close()
        self.logger.removeHandler(self.handler)


def redact(text: str) -> str:
    """Quoted input (a cell, a header, a value) replaced by '…': the reason's shape stays readable."""
    return _QUOTED.sub("'…'", " ".join(text.split()))


def _line(step: str, action: str, file: str, seconds: float | None, fields: dict) -> str:
    parts = [f"step={step}", f"action={action}"]
    if file:
        parts.append(f"file={_quote(file)}")
    parts += [f"{k}={_quote(str(v))}" for k, v in fields.items()]
    if seconds is not None:
        parts.append(f"duration={seconds:.3f}s")
    return " ".join(parts)


def _quote(value: str) -> str:
    return value if value and not any(c.isspace() or c in "\"=" for c in value) else '"' + value.replace(
        '"', "'") + '"'
