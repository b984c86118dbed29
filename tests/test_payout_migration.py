"""Migration 0007 rebuilds the money tables (to widen their cause types): a ledger with remittance money
on schema 6 keeps every transaction and posting, with their ids, and takes payouts after the upgrade."""

from __future__ import annotations

from conftest import Cli
from remit_world import build

import codtool.ledger.db as ledger_db
import codtool.ledger.invariants as invariants


def test_money_written_on_schema_6_survives_the_upgrade(ledgers, tmp_path, monkeypatch):
    every = ledger_db._migrations()
    monkeypatch.setattr(ledger_db, "_migrations", lambda: [m for m in every if m[0] <= 6])
    scoped = invariants.SCOPED  # the codtool of schema 6 checked no batch undo (migration 0011) on writes
    monkeypatch.setattr(invariants, "SCOPED", {k: v for k, v in scoped.items() if "undone_at" not in v})
    cli = Cli(ledgers.new(empty=True))
    assert cli("init").exit_code == 0  # a ledger made by a codtool that stopped at schema 6
    config = build(cli, tmp_path)
    cli.json("--config", config, "remit", "reconcile", "--as-of", "2026-10-11")
    query = ("SELECT t.id, t.txn_key, t.cause_type, p.id, p.account_id, p.shipment_id, p.amount_minor, p.currency "
             "FROM money_transactions t JOIN postings p ON p.transaction_id = t.id ORDER BY p.id")
    before = cli.sql(query)
    assert len(before) > 20 and cli.sql("SELECT MAX(version) FROM schema_migrations") == [(6,)]
    monkeypatch.setattr(ledger_db, "_migrations", lambda: every)
    monkeypatch.setattr(invariants, "SCOPED", scoped)
    assert cli.json("doctor")["violations"] == []  # opening migrates to 7
    assert cli.sql("SELECT MAX(version) FROM schema_migrations") == [(max(m[0] for m in every),)]
    assert cli.sql(query) == before
    config.write_text(config.read_text(encoding="utf-8") + '\n[shops.bellezza]\nfee_per_parcel = "1.00"\n'
                      'payout_cycle_anchor = "2026-10-01"\n', encoding="utf-8")
    run = cli.json("--config", config, "payout", "run", "--as-of", "2026-10-11")
    assert run["new_transactions"] > 0
    new_ids = cli.sql("SELECT id FROM money_transactions WHERE cause_type = 'payout_item' ORDER BY id")
    assert new_ids[0][0] == max(r[0] for r in before) + 1  # ids continue after the copied rows
    assert cli.json("doctor")["violations"] == []
