"""One finding record for every stage: what is wrong, where it was read, and what it concerns.

Import rejects, check findings, ship refusals, tracking issues, call-outcome rejects and NDR
rejects all come back (and are stored) in this one shape, the way beancount's stages return
`(entries, errors)`. Codes are listed, with their meaning, in docs/findings.md.
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITIES = (ERROR, WARNING, INFO)


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem a stage found: `source` is a file name or a command, `line` None when there is none."""

    source: str
    line: int | None
    code: str
    message: str
    severity: str = ERROR
    order: str = ""            # the order as the input names it ('#1001'), '' when none
    parcel: str = ""           # the tracking number it concerns, '' when none
    order_id: int | None = None  # the ledger order, when one is known
    suggestion: str = ""       # what staff should do, where the stage knows (checks)

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")

    def to_json(self) -> dict:
        """The machine shape every command returns; `reason` repeats `message` for older scripts."""
        return {"source": self.source, "line": self.line, "code": self.code, "severity": self.severity,
                "message": self.message, "reason": self.message, "order": self.order, "parcel": self.parcel,
                "order_id": self.order_id, "suggestion": self.suggestion}
