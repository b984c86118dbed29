"""Exports describe the ledger's state: the demo run twice writes the same files.

The demo's `codtool ...` lines are run in-process (on each backend), from scripts/demo.sh itself,
so the test follows the script as it changes.
"""

from __future__ import annotations

import glob
import shlex
from pathlib import Path

from helpers import run
from openpyxl import load_workbook

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "scripts" / "demo.sh"


def demo_commands(out: Path) -> list[list[str]]:
    """Every codtool call in the demo, with its globs expanded and $OUT pointing at `out`."""
    commands = []
    for line in DEMO.read_text(encoding="utf-8").splitlines():
        if not line.startswith("codtool "):
            continue
        words = shlex.split(line.replace('"$OUT', f'"{out}'), comments=True)[1:]
        expanded = []
        for word in words:
            matches = sorted(glob.glob(str(REPO / word))) if "*" in word else []
            expanded.extend(matches or [word])
        commands.append([str(REPO / w) if w.startswith("fixtures/") else w for w in expanded])
    return commands


def _cells(path: Path) -> list:
    book = load_workbook(path)
    return [(ws.title, [[(c.value, c.number_format, c.data_type) for c in row] for row in ws.iter_rows()])
            for ws in book.worksheets]


def _snapshot(out: Path) -> dict[str, object]:
    files = {}
    for path in sorted(out.iterdir()):
        # CSV and PDF must be the same bytes; an XLSX carries its save time, so its cells are compared.
        files[path.name] = _cells(path) if path.suffix == ".xlsx" else path.read_bytes()
    return files


def test_demo_twice_writes_identical_files(ledgers, tmp_path):
    db = ledgers.new("demo")
    out = tmp_path / "files"
    out.mkdir()
    commands = demo_commands(out)
    assert any(c[:2] == ["orders", "export"] for c in commands)
    snapshots = []
    for _ in range(2):
        for command in commands:
            result = run(db, *command)
            assert result.exit_code == 0, (command, result.output)
        snapshots.append(_snapshot(out))
    first, second = snapshots
    assert {"demo-flagged.csv", "demo-calls.xlsx", "demo-orders.xlsx", "demo-ndr.xlsx"} <= set(first)
    flagged = first["demo-flagged.csv"].decode("utf-8").splitlines()
    assert len(flagged) > 2  # a work list, not just the orders the last run touched
    for name in first:
        assert second[name] == first[name], name
