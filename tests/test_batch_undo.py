"""`codtool batches undo ID`: a batch whose orders are all still new is taken back, in the history;
refused, naming the orders, once any moved on; repeating it is a no-op; the file imports again."""

from __future__ import annotations

import pytest
from helpers import ORDER_FIXTURES, connect, dump

import codtool.ledger.batch_undo as undo_store

SHOPIFY = next(p for p in ORDER_FIXTURES if p.name.startswith("shopify"))
GENERIC = next(p for p in ORDER_FIXTURES if p.name.startswith("generic"))


def _import(cli, path):
    [result] = cli.json("import", path, "--shop", "demo")
    return result


def test_undo_removes_the_batch_orders_and_keeps_its_history(cli):
    other = _import(cli, GENERIC)
    batch = _import(cli, SHOPIFY)
    cli.json("check")
    cli.json("dedupe")
    others_before = cli.sql("SELECT id, status FROM orders WHERE batch_id = ? ORDER BY id", other["batch_id"])
    done = cli.json("batches", "undo", str(batch["batch_id"]))
    assert (done["batch"], done["orders_removed"], done["already_undone"]) == (batch["batch_id"], batch["imported"],
                                                                              False)
    assert cli.sql("SELECT COUNT(*) FROM orders WHERE batch_id = ?", batch["batch_id"]) == [(0,)]
    assert cli.sql("SELECT id, status FROM orders WHERE batch_id = ? ORDER BY id", other["batch_id"]) == others_before
    [(undone_at, orders, rejected_rows)] = cli.sql(
        "SELECT b.undone_at, u.orders, (SELECT COUNT(*) FROM rejected_rows r WHERE r.batch_id = b.id) "
        "FROM import_batches b JOIN batch_undos u ON u.batch_id = b.id WHERE b.id = ?", batch["batch_id"])
    assert undone_at == done["undone_at"] and orders == batch["imported"]
    assert rejected_rows == batch["rejected"] + batch["skipped_duplicates"]  # the batch's own record stays
    shown = cli.json("batches", "show", str(batch["batch_id"]))
    assert shown["undone_at"] == done["undone_at"]


def test_the_same_file_imports_again_after_an_undo(cli):
    first = _import(cli, SHOPIFY)
    cli.json("batches", "undo", str(first["batch_id"]))
    again = _import(cli, SHOPIFY)
    assert not again["already_imported"] and again["batch_id"] != first["batch_id"]
    assert (again["imported"], again["rejected"]) == (first["imported"], first["rejected"])
    assert cli.sql("SELECT COUNT(*) FROM orders") == [(first["imported"],)]
    assert _import(cli, SHOPIFY)["already_imported"]  # and, once back, the same file twice changes nothing
    cli.json("batches", "undo", str(again["batch_id"]))  # a second undo of the same file has its own record
    assert cli.sql("SELECT COUNT(*) FROM batch_undos") == [(2,)]


def test_repeated_undo_is_a_no_op_with_exit_0(cli):
    batch = _import(cli, SHOPIFY)
    first = cli.json("batches", "undo", str(batch["batch_id"]))
    before = dump(cli.db)
    result = cli("batches", "undo", str(batch["batch_id"]))
    assert result.exit_code == 0, result.output
    assert "already undone" in result.stdout
    second = cli.json("batches", "undo", str(batch["batch_id"]))
    assert second == first | {"already_undone": True}
    assert dump(cli.db) == before


def test_undo_is_refused_naming_the_orders_that_moved_on(cli):
    batch = _import(cli, SHOPIFY)
    moved = cli.sql("SELECT id, source_id FROM orders WHERE batch_id = ? ORDER BY id LIMIT 2", batch["batch_id"])
    (first_id, first_src), (second_id, second_src) = moved
    with_status(cli, first_id, "confirmed")
    _write(cli, "INSERT INTO call_attempts (order_id, outcome, called_at, call_back_at, agent, note, source_file, "
            "source_line, attempt_key, recorded_at) VALUES (?, 'no_answer', '2026-11-23T09:00', '', 'a', '', "
            "'calls.csv', 2, 'k1', '2026-11-23T09:01:00Z')", second_id)
    before = dump(cli.db)
    result = cli("batches", "undo", str(batch["batch_id"]))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: batch {batch['batch_id']} not undone: 2 order(s) moved on since the import: "
        f"order {first_id} ({first_src}): status confirmed after 1 change(s); "
        f"order {second_id} ({second_src}): 1 call attempt(s)\n")
    assert dump(cli.db) == before


def with_status(cli, order_id: int, status: str) -> None:
    """Move an order as a stage would: the status and its history row."""
    _write(cli, "UPDATE orders SET status = ? WHERE id = ?", status, order_id)
    _write(cli, "INSERT INTO order_status_log (order_id, old_status, new_status, reason, source, changed_at) "
            "VALUES (?, 'new', ?, 'test', 'test', '2026-11-23T09:00:00Z')", order_id, status)


def _write(cli, sql: str, *params) -> None:
    with connect(cli.db) as session:
        session.execute(sql, params)


def test_undo_of_a_batch_that_does_not_exist(cli):
    result = cli("batches", "undo", "99")
    assert result.exit_code == 1
    assert result.stderr == "Error: no batch 99; see codtool batches list\n"


def test_ctrl_c_during_an_undo_leaves_the_batch_as_it_was(cli, monkeypatch):
    batch = _import(cli, SHOPIFY)
    before = dump(cli.db)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(undo_store, "mark_undone", interrupted)
    result = cli("batches", "undo", str(batch["batch_id"]))
    assert result.exit_code == 130
    assert result.stderr == f"Interrupted: the undo was rolled back: batch {batch['batch_id']} is as it was.\n"
    assert dump(cli.db) == before


@pytest.mark.parametrize("column", ["undone_at"])
def test_batches_list_shows_which_batches_were_undone(cli, column):
    batch = _import(cli, SHOPIFY)
    cli.json("batches", "undo", str(batch["batch_id"]))
    [listed] = cli.json("batches", "list")
    assert listed[column] is not None
