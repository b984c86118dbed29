"""What one daily run did: per step and per file, as data (rendered by the command, or --json)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from codtool.daily import exits

# Step outcomes
OK, FAILED, SKIPPED = "ok", "failed", "skipped"
# File outcomes
PROCESSED, KNOWN, BAD, FILE_FAILED = "processed", "already_processed", "bad", "failed"


@dataclass
class FileReport:
    kind: str
    scope: str
    file: str
    status: str
    counts: dict[str, int] = field(default_factory=dict)
    rejected_lines: int = 0
    reason: str = ""


@dataclass
class StepReport:
    step: str
    status: str = OK
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    error: str = ""
    skipped_because: list[str] = field(default_factory=list)


@dataclass
class DailySummary:
    as_of: date
    in_dir: Path
    out_dir: Path
    steps: list[StepReport] = field(default_factory=list)
    files: list[FileReport] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)
    attention: list[str] = field(default_factory=list)
    holder: dict = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return any(s.status == FAILED for s in self.steps) or any(f.status == FILE_FAILED for f in self.files)

    @property
    def bad_files(self) -> list[FileReport]:
        return [f for f in self.files if f.status == BAD]

    @property
    def exit_code(self) -> int:
        return exits.exit_code(self.failed, bool(self.bad_files), bool(self.attention))

    def step(self, name: str) -> StepReport | None:
        return next((s for s in self.steps if s.step == name), None)

    def to_json(self) -> dict:
        code = self.exit_code
        return {
            "as_of": self.as_of.isoformat(), "in": str(self.in_dir), "out": str(self.out_dir),
            "exit_code": code, "status": exits.MEANING[code],
            "steps": [asdict(s) for s in self.steps],
            "files": [asdict(f) for f in self.files],
            "bad_files": [{"file": f.file, "reason": f.reason} for f in self.bad_files],
            "ignored": self.ignored,
            "attention": self.attention,
            "outputs": [str(p) for p in self.outputs],
            "lock": self.holder,
        }
