"""Ledger invariants: `doctor` names broken rows with expected and found values; writes that would
break one are rolled back whole."""

from __future__ import annotations

import json

import pytest
from helpers import connect, imported_ledger, order_id

from codtool.ledger import open_ledger
from codtool.ledger.invariants import InvariantBroken, check_invariants
from codtool.ledger.orders import create_batch, finish_batch, set_status, shop_id
from codtool.ledger.tracking import insert_shipments
from codtool.money import Money

pytestmark = pytest.mark.broken_ledger  # these tests plant broken rows on purpose


@pytest.fixture(scope="module")
def imported(backend, tmp_path_factory):
    return imported_ledger(backend, tmp_path_factory.mktemp("invariants"))


@pytest.fixture
def db(imported, ledgers):
    return ledgers.copy(imported)


def doctor(db):
    from helpers import run

    return run(db, "--json", "doctor")


def test_doctor_passes_a_clean_ledger(db):
    result = doctor(db)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["violations"] == []


def test_doctor_fails_on_a_hand_made_delivered_status_with_no_shipment_and_no_history(db):
    oid = order_id(db, "#1001")
    with connect(db) as session:
        session.execute("UPDATE orders SET status = 'delivered' WHERE id = ?", (oid,))
    result = doctor(db)
    assert result.exit_code == 1
    broken = {v["invariant"]: v["rows"] for v in json.loads(result.stdout)["violations"]}
    assert broken == {
        "every status change has its history row": [
            {"row": f"order {oid}", "expected": "a status history ending in delivered", "found": "no status history"}],
        "every shipped order has a shipment": [
            {"row": f"order {oid}", "expected": "a shipment (order is delivered)", "found": "none"}],
    }
    assert (f"every shipped order has a shipment: order {oid}: expected a shipment (order is delivered), "
            "found none") in result.stderr


def test_doctor_names_a_shipment_whose_cod_differs_from_its_order(db):
    oid = order_id(db, "#1001")
    with connect(db) as session:
        cod, currency = session.one("SELECT cod_minor, currency FROM orders WHERE id = ?", (oid,))
        session.execute("INSERT INTO shipments (order_id, courier, tracking_number, ship_date, cod_minor, currency, "
                        "status, status_at, source_file, source_line, created_at) VALUES (?, 'brt', 'X1', "
                        "'2026-11-24', ?, ?, 'shipped', '2026-11-24', 'm.csv', 2, '2026-11-24T08:00:00Z')",
                        (oid, cod + 1, currency))
        shipment = session.scalar("SELECT id FROM shipments")
    result = doctor(db)
    assert result.exit_code == 1
    rows = {v["invariant"]: v["rows"] for v in json.loads(result.stdout)["violations"]}["every shipment's COD equals its order's"]
    assert rows == [{"row": f"shipment {shipment} (order {oid})", "expected": f"cod_minor {cod} {currency}",
                     "found": f"cod_minor {cod + 1} {currency}"}]


def test_a_status_move_that_breaks_an_invariant_rolls_the_transaction_back(db):
    oid = order_id(db, "#1001")
    with open_ledger(db) as ledger:
        with pytest.raises(InvariantBroken, match=f"order {oid}: expected a shipment"), \
                ledger.transaction() as session:
            set_status(session, oid, "shipped", "a bug: no shipment written", "test")
        assert ledger.session.scalar("SELECT status FROM orders WHERE id = ?", (oid,)) == "new"
        assert ledger.session.scalar("SELECT COUNT(*) FROM order_status_log") == 0


def test_a_shipment_with_another_cod_is_not_written(db):
    oid = order_id(db, "#1001")
    with open_ledger(db) as ledger:
        cod, currency = ledger.session.one("SELECT cod_minor, currency FROM orders WHERE id = ?", (oid,))
        row = (oid, "brt", "X1", "2026-11-24", Money(cod + 100, currency), "shipped", "2026-11-24", "m.csv", 2, "now")
        with pytest.raises(InvariantBroken, match="every shipment's COD equals its order's"), \
                ledger.transaction() as session:
            insert_shipments(session, [row])
        assert ledger.session.scalar("SELECT COUNT(*) FROM shipments") == 0
        assert check_invariants(ledger.session) == []


def test_a_batch_whose_counts_do_not_add_up_is_not_written(db):
    with open_ledger(db) as ledger:
        before = ledger.session.scalar("SELECT COUNT(*) FROM import_batches")
        with pytest.raises(InvariantBroken, match=r"batch counts add up: batch \d+: expected 0 imported, 2 orders "
                           r"\(imported \+ rejected \+ duplicates\), found 1 imported, 3 orders"), \
                ledger.transaction() as session:
            batch = create_batch(session, shop_id(session, "demo"), "x.csv", "f" * 64, "generic", "utf-8", ",")
            finish_batch(session, batch, {"rows": 3, "orders": 3, "imported": 1, "rejected": 1,
                                          "skipped_duplicates": 0})
        assert ledger.session.scalar("SELECT COUNT(*) FROM import_batches") == before
