"""The ledger's physical health: doctor sees damaged pages, init and doctor keep the file owner-only.

Page damage and file modes are SQLite only (about the ledger file itself); the sound-ledger check
runs on both backends (PostgreSQL: amcheck when installed, else a plain note, never a failure).
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from backends import Backend
from helpers import connect, imported_ledger, run

from codtool.ledger import StorageError


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """SQLite only: these tests damage and chmod the file."""
    return imported_ledger(Backend("sqlite"), tmp_path_factory.mktemp("ledger_file"))


@pytest.fixture(scope="module")
def any_template(backend, tmp_path_factory):
    return imported_ledger(backend, tmp_path_factory.mktemp("ledger_any"))


def fresh_copy(template: Path, tmp_path: Path) -> Path:
    return Backend("sqlite").copy(template, tmp_path)


def test_doctor_uses_amcheck_on_postgresql_when_installed(any_template, ledgers, backend):
    """PostgreSQL only: with the amcheck extension, the quick check is bt_index_check over every index."""
    if backend.name != "postgresql":
        pytest.skip("PostgreSQL only: amcheck")
    db = ledgers.copy(any_template)
    with connect(db) as session:
        try:
            session.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
        except StorageError as exc:
            pytest.skip(f"amcheck not available on this server: {exc}")
    result = run(db, "--json", "doctor")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["physical_check"], data["damage"], data["physical_note"]) == ("bt_index_check", [], "")


def _overwrite_page(db: Path, page: int) -> None:
    """What a torn write or a bad sector does: 4 KB of one page replaced by other bytes."""
    with sqlite3.connect(db) as conn:
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        assert conn.execute("PRAGMA page_count").fetchone()[0] > page
    conn.close()
    with db.open("r+b") as raw:
        raw.seek((page - 1) * size)
        raw.write(bytes(range(256)) * (size // 256))


@pytest.mark.parametrize("full", [False, True])
def test_doctor_passes_a_sound_ledger(any_template, ledgers, backend, full):
    db = ledgers.copy(any_template)
    result = run(db, "--json", "doctor", *(["--full"] if full else []))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["damage"], data["violations"]) == ([], [])
    if backend.name == "sqlite":
        assert data["physical_check"] == ("integrity_check" if full else "quick_check")
    elif data["physical_check"] == "none":  # no amcheck on this server: said plainly, not a failure
        assert "data checksums" in data["physical_note"]
    else:
        assert data["physical_check"] == ("bt_index_parent_check" if full else "bt_index_check")


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
