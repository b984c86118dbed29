"""A big check run drops the phone index and builds it once at the end: the same rows stored, and
the ledger keeps its index after Ctrl-C, an error, or (from the next run on) a kill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest
from helpers import connect
from test_check_workers import _check, _interrupt_third_store, _ledger_with, _orders, _stored

from codtool.checks import runner
from codtool.ledger import StorageError
from codtool.ledger import checks as store
from codtool.ledger.db import dicts


def phone_index(location) -> str | None:
    with connect(location) as session:
        return _phone_index(session)


def _phone_index(session) -> str | None:
    """The phone index's definition as the database keeps it, None when there is none."""
    if session.dialect.name == "postgresql":
        sql = "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND indexname = ?"
    else:
        sql = "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?"
    row = session.execute(sql, (store.PHONE_INDEX,)).fetchone()
    return None if row is None else row[0]


def has_phone_index(location) -> bool:
    return phone_index(location) is not None


@pytest.fixture
def orders_ledger(ledgers):
    template = ledgers.new("template")
    _ledger_with(template, _orders(900, seed=11))
    return lambda name: ledgers.copy(template, name)


@pytest.fixture
def drops(monkeypatch):
    """Every run counts as big, and the drops are counted."""
    monkeypatch.setattr(runner, "REBUILD_INDEX_FROM", 0)
    real, made = store.drop_phone_index, []

    def counted(conn):
        made.append(1)
        real(conn)

    monkeypatch.setattr(store, "drop_phone_index", counted)
    return made


def test_the_rebuilt_index_is_the_one_the_migration_made(orders_ledger):
    """`ensure_phone_index` restates migration 0002's index (migrations are fixed history): they must not drift."""
    location = orders_ledger("rebuilt")
    made = phone_index(location)
    with connect(location) as session:
        store.drop_phone_index(session)
        assert _phone_index(session) is None
        store.ensure_phone_index(session)
    assert made is not None and phone_index(location) == made


def test_a_rebuilt_index_stores_what_a_kept_one_stores(orders_ledger, drops, monkeypatch):
    rebuilt, kept = orders_ledger("rebuilt"), orders_ledger("kept")
    summary = _check(rebuilt, workers=1, chunk_size=200)
    assert drops == [1]  # in the first slice only
    assert has_phone_index(rebuilt)
    monkeypatch.setattr(runner, "REBUILD_INDEX_FROM", 10**9)
    assert _check(kept, workers=1, chunk_size=200) == summary
    assert drops == [1]
    assert _stored(rebuilt) == _stored(kept)
    assert summary["by_code"].get(runner.SHARED_CODE)  # the ledger-wide pass read the rebuilt index


def test_a_recheck_of_everything_rebuilds_it_too(orders_ledger, drops):
    location = orders_ledger("recheck")
    first = _check(location, workers=1, chunk_size=300)
    before = _stored(location)
    assert _check(location, workers=1, chunk_size=300, recheck=True) == first
    assert drops == [1, 1]
    assert _stored(location) == before
    assert has_phone_index(location)


def test_ctrl_c_mid_run_leaves_the_index_and_a_rerun_completes(orders_ledger, drops, monkeypatch):
    location, clean = orders_ledger("interrupted"), orders_ledger("clean")
    real = _interrupt_third_store(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        _check(location, workers=1, chunk_size=200)
    assert drops == [1]
    assert len(_stored(location)[0]) == 400  # two slices committed, the third rolled back
    assert has_phone_index(location)
    monkeypatch.setattr(store, "insert_findings", real)
    assert _check(location, workers=1, chunk_size=200)["checked"] == 500
    _check(clean, workers=1)
    assert _stored(location) == _stored(clean)
    assert has_phone_index(location)


def test_an_error_rebuilding_after_ctrl_c_does_not_hide_the_interrupt(orders_ledger, drops, monkeypatch):
    location = orders_ledger("failing")

    def interrupted(conn, rows):
        raise KeyboardInterrupt

    def refused(conn):
        raise StorageError("ledger: disk I/O error")

    monkeypatch.setattr(store, "insert_findings", interrupted)
    monkeypatch.setattr(store, "ensure_phone_index", refused)
    with pytest.raises(KeyboardInterrupt):
        _check(location, workers=1, chunk_size=200)


def test_the_index_is_kept_when_the_run_is_small_beside_the_ledger(orders_ledger, monkeypatch):
    location = orders_ledger("small")
    monkeypatch.setattr(runner, "REBUILD_INDEX_FROM", 0)
    _check(location, workers=1)
    with connect(location) as session:  # one order new since: 1 written beside 899 kept
        session.execute("DELETE FROM order_findings WHERE order_id = (SELECT MAX(id) FROM orders)")
        session.execute("DELETE FROM order_normalised WHERE order_id = (SELECT MAX(id) FROM orders)")
    monkeypatch.setattr(store, "drop_phone_index", lambda conn: pytest.fail("dropped for a small run"))
    assert _check(location, workers=1)["checked"] == 1


@pytest.mark.parametrize(("in_scope", "kept", "batch", "recheck", "expected"), [
    (625_000, 0, None, False, True),          # the first check of a big import
    (1_250_000, 625_000, None, False, True),  # as many new as already checked
    (1_000_000, 625_000, None, False, False),  # 375,000 new beside 625,000
    (40_000, 0, None, False, False),           # under REBUILD_INDEX_FROM: inserting costs less
    (80_000, 1_000_000, 3, False, False),      # a day's batch on a big ledger
    (700_000, 700_000, None, True, True),      # recheck --all: every row written again
    (80_000, 1_000_000, 3, True, False),       # recheck of one batch
])
def test_when_a_run_rebuilds_the_index(monkeypatch, in_scope, kept, batch, recheck, expected):
    monkeypatch.setattr(store, "sizes", lambda conn, asked: (in_scope, kept) if asked == batch else None)
    ledger = type("Ledger", (), {"session": None})()
    assert runner._rebuild_phone_index(ledger, runner.CheckRequest(batch=batch, recheck=recheck)) is expected


def test_sizes_count_the_scope_and_the_checked_rows(orders_ledger):
    location = orders_ledger("sizes")
    with connect(location) as session:
        assert store.sizes(session, None) == (900, 0)
        batch = dicts(session, "SELECT MIN(batch_id) AS b FROM orders")[0]["b"]
        assert store.sizes(session, batch) == (900, 0)
        assert store.sizes(session, batch + 1) == (0, 0)
    _check(location, workers=1)
    with connect(location) as session:
        assert store.sizes(session, None) == (900, 900)


def test_a_kill_between_slices_is_mended_by_the_next_run(ledgers, tmp_path, backend):
    """SIGKILL leaves no time to rebuild: the ledger is consistent without the index (it only speeds
    the shared-phone pass up), and the next run builds it before that pass."""
    if backend.name != "sqlite":
        pytest.skip("about a killed process on the ledger file (as test_crash_points)")
    location, clean = ledgers.new("killed"), ledgers.new("clean")
    _ledger_with(location, _orders(900, seed=11))
    _ledger_with(clean, _orders(900, seed=11))
    script = textwrap.dedent(f"""
        from codtool.checks import runner
        from codtool.ledger import open_ledger
        runner.REBUILD_INDEX_FROM = 0
        runner.run_checks(open_ledger({str(location)!r}), runner.CheckRequest(workers=1, chunk_size=200))
    """)
    env = os.environ | {"CODTOOL_CRASH_AT": "check.between_passes"}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert len(_stored(location)[0]) == 200 and not has_phone_index(location)
    assert _check(location, workers=1)["checked"] == 700  # under REBUILD_INDEX_FROM: kept up, built first
    assert has_phone_index(location)
    _check(clean, workers=1)
    assert _stored(location) == _stored(clean)
