"""The ledger file itself: doctor sees damaged pages, init and doctor keep the file owner-only."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from helpers import fresh_copy, imported_ledger, run


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return imported_ledger(tmp_path_factory.mktemp("ledger_file"))


def _overwrite_page(db: Path, page: int) -> None:
    """What a torn write or a bad sector does: 4 KB of one page replaced by other bytes."""
    with sqlite3.connect(db) as conn:
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        assert conn.execute("PRAGMA page_count").fetchone()[0] > page
    conn.close()
    with db.open("r+b") as raw:
        raw.seek((page - 1) * size)
        raw.write(bytes(range(256)) * (size // 256))


def test_doctor_passes_a_sound_ledger(template, tmp_path):
    db = fresh_copy(template, tmp_path)
    data = json.loads(run(db, "--json", "doctor", "--full").stdout)
    assert (data["physical_check"], data["damage"], data["violations"]) == ("integrity_check", [], [])


@pytest.mark.parametrize("full", [False, True])
def test_doctor_fails_on_an_overwritten_page(template, tmp_path, full):
    db = fresh_copy(template, tmp_path)
    _overwrite_page(db, 6)
    result = run(db, "doctor", *(["--full"] if full else []))
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {db}: the file is damaged"), result.stderr
    assert "Page 6" in lines[0] or "malformed" in lines[0], lines[0]


def test_doctor_tightens_a_ledger_and_its_journal(template, tmp_path):
    db = fresh_copy(template, tmp_path)
    os.chmod(db, 0o644)
    wal = Path(f"{db}-wal")
    wal.touch()
    os.chmod(wal, 0o640)
    data = json.loads(run(db, "--json", "doctor").stdout)
    assert os.stat(db).st_mode & 0o777 == 0o600  # the -wal is checkpointed away on close
    assert data["tightened"] == [f"{db} (0644 -> 0600)", f"{wal} (0640 -> 0600)"]
    assert "Tightened" not in run(db, "doctor").output
