"""A generated month: every injected discrepancy is reported once with its exact amount, and nothing else;
re-importing every file changes nothing; doctor passes."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from conftest import Cli
from remit_month import AS_OF, KINDS, build_month
from remit_world import key


@pytest.fixture(scope="module")
def month(backend, tmp_path_factory):
    root = tmp_path_factory.mktemp("month")
    world = build_month(root, count=12_000, seed=11, db=backend.new(root, "ledger"))
    cli = Cli(world.db)
    for courier, files in world.remittance_files.items():
        result = cli("-q", "--config", world.config, "remit", "import", *files, "--courier", courier)
        assert result.exit_code == 0, result.output + result.stderr
    result = cli("-q", "--config", world.config, "remit", "bank", *world.bank_files)
    assert result.exit_code == 0, result.output + result.stderr
    data = cli.json("--config", world.config, "remit", "reconcile", "--as-of", AS_OF.isoformat())
    return world, cli, data


def test_every_kind_is_injected(month):
    world, _, _ = month
    assert {kind for kind, _, _ in world.expected} == set(KINDS)


def test_each_injected_discrepancy_reported_once_with_its_amount_and_nothing_else(month):
    world, _, data = month
    expected = Counter(tuple(e) for e in json.loads((world.root / "expected.json").read_text()))
    found = Counter(key(d) for d in data["discrepancies"])
    assert found - expected == Counter()  # nothing reported that was not injected
    assert expected - found == Counter()  # nothing injected that was not reported
    assert sum(found.values()) == len(data["discrepancies"])


def test_reimporting_every_file_changes_nothing(month):
    world, cli, data = month
    before = cli.sql("SELECT (SELECT COUNT(*) FROM remit_lines), (SELECT COUNT(*) FROM bank_lines), "
                     "(SELECT COUNT(*) FROM postings)")
    for courier, files in world.remittance_files.items():
        again = cli.json("--config", world.config, "remit", "import", *files, "--courier", courier)
        assert all(r["already_imported"] for r in (again if isinstance(again, list) else [again]))
    assert all(r["already_imported"] for r in cli.json("--config", world.config, "remit", "bank", *world.bank_files))
    rerun = cli.json("--config", world.config, "remit", "reconcile", "--as-of", AS_OF.isoformat())
    assert rerun["new_transactions"] == 0
    assert rerun["discrepancies"] == data["discrepancies"]
    assert cli.sql("SELECT (SELECT COUNT(*) FROM remit_lines), (SELECT COUNT(*) FROM bank_lines), "
                   "(SELECT COUNT(*) FROM postings)") == before


def test_doctor_passes_and_cycles_add_up(month):
    world, cli, data = month
    assert cli.json("doctor")["violations"] == []
    for cycle in data["cycles"]:
        assert cycle["difference_minor"] == cycle["expected_minor"] - cycle["remitted_minor"]
    report = cli.json("--config", world.config, "remit", "report", "--as-of", AS_OF.isoformat())
    assert report["aging_total_minor"] == sum(a["total_minor"] for a in report["aging"])


def test_payouts_put_every_credited_parcel_on_one_statement_with_its_fee(month):
    """Shop payouts over the same month: run last, as it mutates the ledger."""
    from remit_month import SHOP_FEES

    from codtool.config import load_config
    from codtool.ledger import open_ledger
    from codtool.remit.reconcile import reconcile

    world, cli, _ = month
    run = cli.json("--config", world.config, "payout", "run", "--as-of", AS_OF.isoformat())
    assert run["shops_without_contract"] == []
    with open_ledger(world.db) as ledger:  # the reference: issue 11's settlements (line, parcel, bank credit)
        settled = reconcile(ledger, load_config(world.config), AS_OF).settlements()
    paid: dict[int, int] = {}
    for s in settled:
        if s.credited_on or s.net_minor < 0:
            paid[s.shipment_id] = paid.get(s.shipment_id, 0) + s.net_minor
    payable = {sid for sid, net in paid.items() if net > 0}
    rows = cli.sql("SELECT i.shipment_id, s.shop, i.cod_minor, i.fee_minor, i.net_minor FROM payout_items i "
                   "JOIN payout_statements s ON s.id = i.statement_id WHERE i.kind IN ('parcel', 'adjustment') "
                   "ORDER BY i.id")
    assert sorted(r[0] for r in rows) == sorted(payable)  # each credited parcel once, nothing else
    for _, shop, cod, fee, net in rows:
        tenths, per_parcel, minimum = SHOP_FEES[shop]
        assert fee == max((cod * tenths + 500) // 1000 + per_parcel, minimum) and net == cod - fee
    owner = dict(cli.sql("SELECT s.id, sh.name FROM shipments s JOIN orders o ON o.id = s.order_id "
                         "JOIN shops sh ON sh.id = o.shop_id"))
    assert all(owner[sid] == shop for sid, shop, *_ in rows)  # on a statement of its own shop
    statements = cli.json("payout", "list")["statements"]
    assert len({s["shop"] for s in statements}) == 3
    for s in statements:  # totals equal their lines, to the cent
        lines = cli.json("payout", "statement", str(s["id"]))
        assert s["net_minor"] == sum(x["net_minor"] for x in lines["lines"]) + sum(
            a["amount_minor"] for a in lines["adjustments"])
        assert s["fees_minor"] == sum(x["fee_minor"] for x in lines["lines"])
    again = cli.json("--config", world.config, "payout", "run", "--as-of", AS_OF.isoformat())
    assert (again["new_items"], again["new_transactions"]) == ({}, 0)
    assert cli.json("payout", "list")["statements"] == statements
    assert cli.json("doctor")["violations"] == []


def test_chase_reminds_each_courier_of_exactly_the_injected_overdue_parcels(month, tmp_path):
    world, cli, _ = month
    data = cli.json("--config", world.config, "remit", "chase", "--as-of", AS_OF.isoformat(), "--out", tmp_path)
    injected = sorted(tuple(e) for e in json.loads((world.root / "expected.json").read_text()) if e[0] == "overdue")
    chased = sorted(("overdue", ln["tracking_number"], ln["amount_minor"])
                    for r in data["reminders"] for ln in r["lines"])
    assert injected and chased == injected
    assert data["overdue_minor"] == sum(amount for _, _, amount in injected)
    assert all(r["step"] == "friendly" for r in data["reminders"])  # no earlier reminder: every chase starts here
    assert len(data["files"]) == 3 * len(data["reminders"])
