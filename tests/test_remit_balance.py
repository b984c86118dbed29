"""The ledger balances over random histories: deliveries, remittances with duplicates and reversals,
bank credits, re-runs and decisions; and the receivable agrees with what reconcile reports."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from remit_world import CONFIG, seed_parcels

from codtool.config import load_config
from codtool.ledger import open_ledger
from codtool.ledger import remit as store
from codtool.ledger.invariants import check_invariants
from codtool.remit.bank import import_statement
from codtool.remit.files import import_remittance
from codtool.remit.reconcile import reconcile
from codtool.remit.resolve import Decision, resolve

SHOP = """
[shops.shop]
payout_cycle_days = 5
payout_cycle_anchor = "2026-10-01"
fee_per_parcel = "1.20"
fee_percent = "2.0"
fee_min = "1.50"
rto_fee = "4.00"
"""
CODS = (5680, 12000, 20000, 8900, 1010)
START = date(2026, 10, 1)

line = st.tuples(st.integers(0, 7), st.integers(-300, 300), st.booleans(), st.booleans())  # parcel, delta, dup, reversal
op = st.one_of(
    st.tuples(st.just("deliver"), st.integers(0, 7), st.integers(0, 20)),
    st.tuples(st.just("remit"), st.lists(line, min_size=1, max_size=6), st.integers(0, 25)),
    st.tuples(st.just("bank"), st.integers(-5000, 50000), st.booleans()),
    st.tuples(st.just("reconcile"), st.integers(0, 40)),
    st.tuples(st.just("resolve"), st.integers(0, 50), st.sampled_from(("write_off", "dispute", "accept"))),
    st.tuples(st.just("payout"), st.integers(0, 40), st.booleans()),
)


def _fee(cod: int) -> int:
    return max(int((cod * 15 + 500) // 1000), 150)  # 1.5% half-up, at least 1.50 (cods are positive)


PARCELS = [("brt", f"P{i}", f"{i}", "shop", CODS[i % len(CODS)], "in_transit", "2026-10-01T09:00:00")
           for i in range(8)]


@pytest.fixture(scope="module")
def seeded(backend, tmp_path_factory):
    """Eight parcels in transit, seeded once per backend; each history starts from a copy."""
    db = backend.new(tmp_path_factory.mktemp("balance"), "seeded")
    seed_parcels(db, PARCELS)
    return db


class History:
    def __init__(self, root: Path, db) -> None:
        self.root = root
        (root / "c.toml").write_text(CONFIG + SHOP, encoding="utf-8")
        self.config = load_config(root / "c.toml")
        self.db = db
        self.ledger = open_ledger(self.db)
        self.files = 0
        self.remitted: list[tuple[str, int]] = []

    def deliver(self, parcel: int, day: int) -> None:
        stamp = f"{(START + timedelta(days=day)).isoformat()}T12:00:00"
        self.ledger.session.execute(
            "UPDATE shipments SET status = 'delivered', status_at = ? WHERE tracking_number = ?", (stamp, f"P{parcel}"))

    def remit(self, lines, day: int) -> None:
        when, ref = (START + timedelta(days=day)).isoformat(), f"REF{self.files:08d}"
        rows = []
        for parcel, delta, dup, reversal in lines:
            cod = CODS[parcel % len(CODS)]
            net = -(cod - _fee(cod)) if reversal else cod - _fee(cod) + delta
            rows += [f"P{parcel},{cod / 100:.2f},{_fee(cod) / 100:.2f},{net / 100:.2f},{when},{ref}"] * (2 if dup else 1)
        self._file("r", "tracking_number,cod_amount,fee,net_amount,remittance_date,bank_reference", rows)
        import_remittance(self.ledger, self.root / f"r{self.files}.csv", "brt", "EUR")
        total = sum(int(round(float(r.split(",")[3]) * 100)) for r in rows)
        self.remitted.append((ref, total))

    def bank(self, amount: int, for_remittance: bool) -> None:
        text = "BONIFICO"
        if for_remittance and self.remitted:
            ref, amount = self.remitted[-1]
            text = f"BONIFICO BRT {ref}"
        if amount:
            self._file("b", "date,amount,description", [f"2026-10-20,{amount / 100:.2f},{text} {self.files}"])
            import_statement(self.ledger, self.root / f"b{self.files}.csv", "EUR")

    def _file(self, prefix: str, header: str, rows: list[str]) -> None:
        self.files += 1
        (self.root / f"{prefix}{self.files}.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")

    def parcels(self):
        from codtool.remit.reconcile import load_facts

        return load_facts(self.ledger.session, self.config, START + timedelta(days=40)).parcels

    def reconcile(self, day: int):
        return reconcile(self.ledger, self.config, START + timedelta(days=day))

    def payout(self, day: int, pay: bool) -> None:
        """A payout run; with `pay`, the oldest due statement is paid in full."""
        from codtool.payouts.record import Payment, record_payment
        from codtool.payouts.run import run_payouts
        from codtool.payouts.statements import list_statements

        as_of = START + timedelta(days=day)
        run_payouts(self.ledger, self.config, as_of)
        due = list_statements(self.ledger.session, status="due")
        if pay and due:
            record_payment(self.ledger, Payment(due[0].id, "TRN", due[0].due, as_of))

    def resolve(self, index: int, decision: str) -> None:
        result = self.reconcile(40)
        if result.open:
            ident, _ = result.open[index % len(result.open)]
            resolve(self.ledger, self.config, Decision(ident, decision, "property test", "hypothesis"),
                    START + timedelta(days=40))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(op, max_size=12))
def test_every_history_balances_and_the_receivable_matches_the_report(seeded, backend, ops):
    with tempfile.TemporaryDirectory() as tmp:
        db = backend.copy(seeded, Path(tmp), "history")
        history = History(Path(tmp), db)
        try:
            for name, *args in ops:
                getattr(history, name)(*args)
            result = history.reconcile(40)
            conn = history.ledger.session
            assert store.unbalanced_transactions(conn) == []
            assert check_invariants(conn) == []
            totals = {}
            for row in store.balances(conn):
                totals[row["currency"]] = totals.get(row["currency"], 0) + row["balance"]
            assert all(v == 0 for v in totals.values())
            assert history.reconcile(40).new_transactions == 0  # re-running posts nothing
            _receivable_agrees(history, result)
            _payouts_agree(history)
        finally:
            history.ledger.close()
            backend.drop(db)


def _payouts_agree(history: History) -> None:
    """A payout run then its re-run: the re-run adds nothing, each parcel is paid on statements at most
    once (its items add up to its COD or to nothing), and the ledger still balances."""
    from codtool.ledger import payouts as payout_store
    from codtool.payouts.run import run_payouts

    run_payouts(history.ledger, history.config, START + timedelta(days=40))
    again = run_payouts(history.ledger, history.config, START + timedelta(days=40))
    assert (dict(again.items), again.closed, again.new_transactions) == ({}, [], 0)
    placed: dict[int, int] = {}
    for shipment, _kind, _net, cod, _fee in payout_store.shipment_items(history.ledger.session):
        placed[shipment] = placed.get(shipment, 0) + cod
    cods = dict(history.ledger.session.query("SELECT id, cod_minor FROM shipments"))
    assert all(total in (0, cods[shipment]) for shipment, total in placed.items()), placed
    assert check_invariants(history.ledger.session) == []


def _receivable_agrees(history: History, result) -> None:
    """Per settled parcel, decided on or not: the receivable holds exactly the signed open amount reported."""
    conn = history.ledger.session
    open_amount = {}
    for _, d in result.open:
        if d.kind in ("short_paid", "fee_differs"):
            open_amount[d.tracking_number] = d.amount_minor
        elif d.kind == "over_paid":
            open_amount[d.tracking_number] = -d.amount_minor
    tracking_of = {p.id: p.tracking for p in history.parcels()}
    settled = {pid for role, pid, _ in result.classified.roles.values() if role == "settles"}
    for pid in settled:
        tracking = tracking_of[pid]
        assert store.parcel_balance(conn, "receivable:brt", pid) == open_amount.get(tracking, 0), tracking
