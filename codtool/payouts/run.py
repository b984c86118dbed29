"""`payout run`: reconcile, add what became payable to the shops' statements, close ended cycles, post.

One transaction for the whole run, the reconciliation included: statements, items and their balanced postings are stored
together or not at all. Re-running for the same day adds nothing (each parcel's state on the
statements is compared with what it should be), and a closed statement never gets a new item.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from codtool.config import Config
from codtool.crashpoints import crash_point
from codtool.ledger import Ledger, Session
from codtool.ledger import payouts as store
from codtool.ledger.db import utc_now
from codtool.payouts import reasons
from codtool.payouts.plan import NewItem, OnStatements, Payable, Return, next_cycle, plan, shop_cycle
from codtool.progress import Progress
from codtool.remit.cycles import Cycle, local_day
from codtool.remit.postings import Leg, Txn, post
from codtool.remit.reconcile import Reconciled, reconcile_in


@dataclass
class RunResult:
    as_of: date
    items: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    closed: list[int] = field(default_factory=list)
    shops_without_contract: list[str] = field(default_factory=list)
    new_transactions: int = 0

    def to_json(self) -> dict:
        return {"as_of": self.as_of.isoformat(), "new_items": dict(sorted(self.items.items())),
                "closed_statements": self.closed, "shops_without_contract": self.shops_without_contract,
                "new_transactions": self.new_transactions}


def run_payouts(ledger: Ledger, config: Config, as_of: date, progress: Progress | None = None) -> RunResult:
    result = RunResult(as_of)
    with ledger.transaction() as session:  # the reconciliation too: a run is whole or nothing
        reconciled = reconcile_in(session, config, as_of, progress=progress)
        payables, returns, result.shops_without_contract = _facts(session, config, reconciled, as_of)
        closed = {shop: date.fromisoformat(day) for shop, day in store.watermarks(session).items()}
        new = plan(config.shops, payables, returns, _placed(session), closed, as_of, config.currency)
        ids = store.statement_ids(session)
        result.new_transactions += _store(session, new, ids, config.currency, as_of)
        for item in new:
            result.items[item.kind] += 1
        crash_point("payout.after_items")
        for shop in sorted(config.shops):
            result.closed += _close(session, shop, config, ids, as_of, result)
        crash_point("payout.after_close")
    return result


def _facts(session: Session, config: Config, reconciled: Reconciled, as_of: date):
    """Payable parcels (from the reconciliation's settlements) and returned parcels, of shops with a contract."""
    assert reconciled.facts is not None
    parcels = {p.id: p for p in reconciled.facts.parcels}
    line_day = {ln.id: ln.day for ln in reconciled.facts.lines}
    by_parcel: dict[int, list] = defaultdict(list)
    for s in reconciled.settlements():
        by_parcel[s.shipment_id].append(s)
    payables, missing = [], set()
    for pid in sorted(reconciled.classified.parcel_cycle):
        p = parcels[pid]
        if p.shop not in config.shops:
            missing.add(p.shop)
            continue
        mine = by_parcel.get(pid, [])
        day = _paid_day(mine, line_day, config.shops[p.shop].pay_on)
        reversals = [date.fromisoformat(line_day[s.line_id]) for s in mine if s.net_minor < 0]
        payables.append(Payable(pid, p.shop, p.courier, p.tracking, p.order_ref, p.day, p.cod, day,
                                max(reversals, default=None)))
    placed_parcels = {pid for pid in _placed(session)}
    for pid in placed_parcels - set(reconciled.classified.parcel_cycle):  # on a statement, no longer delivered
        p = parcels.get(pid)
        if p is not None and p.shop in config.shops:
            payables.append(Payable(pid, p.shop, p.courier, p.tracking, p.order_ref, p.day or as_of, p.cod, None))
    returns = []
    for r in store.returned_parcels(session, sorted(config.couriers)):
        day = local_day(r["status_at"], config.zone)
        if r["shop"] in config.shops and day is not None and r["currency"] == config.currency:
            returns.append(Return(r["id"], r["shop"], r["courier"], r["tracking_number"],
                                  r["order_ref"].lstrip("#"), day))
    return payables, returns, sorted(missing)


def _paid_day(settlements: list, line_day: dict[int, str], pay_on: str) -> date | None:
    """The day the parcel's cash counts as arrived, or None while what was paid and counted is not positive.
    Reversals (negative lines) count once declared; payments once credited (or remitted, by contract)."""
    counted = [s for s in settlements if s.net_minor < 0 or _day(s, line_day, pay_on)]
    if sum(s.net_minor for s in counted) <= 0:
        return None
    return min(_day(s, line_day, pay_on) for s in counted if s.net_minor > 0)


def _day(s, line_day: dict[int, str], pay_on: str) -> date | None:
    text = s.credited_on if pay_on == "bank_credit" else line_day.get(s.line_id)
    return date.fromisoformat(text) if text else None


def _placed(session: Session) -> dict[int, OnStatements]:
    found: dict[int, OnStatements] = {}
    for shipment, kind, _net, cod, fee in store.shipment_items(session):
        now = found.setdefault(shipment, OnStatements())
        if kind == "rto":
            now.rto_charged = True
        else:
            now.cod, now.fee, now.items = now.cod + cod, now.fee + fee, now.items + 1
    return found


def _statement(session: Session, ids: dict, shop: str, cycle: Cycle, currency: str) -> int:
    key = (shop, cycle.start.isoformat())
    if key not in ids:
        ids[key] = store.create_statement(session, shop, cycle.start.isoformat(), cycle.end.isoformat(), currency,
                                          utc_now())
    return ids[key]


def _store(session: Session, new: list[NewItem], ids: dict, currency: str, as_of: date) -> int:
    now = utc_now()
    for item in sorted(new, key=lambda i: (i.cycle.start, i.shop)):  # statement ids follow the cycles
        _statement(session, ids, item.shop, item.cycle, currency)
    rows = [(_statement(session, ids, i.shop, i.cycle, currency), i.key, i.kind, i.shipment_id, i.courier,
             i.tracking, i.order_ref, i.day, i.cod, i.fee, i.net, i.reason, now) for i in new]
    item_ids = store.insert_items(session, rows)
    return post(session, [_txn(item_ids[i.key], i.shop, i.kind, i.cod, i.fee, currency, as_of, i.reason)
                          for i in new])


def _txn(item_id: int, shop: str, kind: str, cod: int, fee: int, currency: str, as_of: date, memo: str) -> Txn:
    """Payable (COD owed to the shop since delivery) moves to what is due on its statements, less the fee."""
    income = f"rto_income:{shop}" if kind == "rto" else f"fee_income:{shop}"
    legs = [Leg(f"payable:{shop}", cod, currency), Leg(f"shop_due:{shop}", -(cod - fee), currency),
            Leg(income, -fee, currency)]
    return Txn(f"payout_item:{item_id}", "payout_item", item_id, as_of.isoformat(), memo[:120],
               tuple(g for g in legs if g.amount))


def _close(session: Session, shop: str, config: Config, ids: dict, as_of: date, result: RunResult) -> list[int]:
    """Close the shop's statements whose cycle ended before as-of, oldest first; a negative total is
    carried to the next cycle's statement as what the shop owes."""
    terms = config.shops[shop]
    last_ended = shop_cycle(as_of, terms).start - timedelta(days=1)
    closed = []
    while True:  # re-read each time: closing one may carry a balance onto a new, also ended, statement
        pending = [r for r in store.statements(session, shop)
                   if r["closed_at"] is None and r["cycle_end"] <= last_ended.isoformat()]
        if not pending:
            break
        row = pending[0]
        store.close_statement(session, row["id"], utc_now())
        closed.append(row["id"])
        if row["net"] < 0:
            _carry(session, ids, shop, row, terms, config.currency, result)
    store.set_watermark(session, shop, last_ended.isoformat())
    return closed


def _carry(session: Session, ids: dict, shop: str, row, terms, currency: str, result: RunResult) -> None:
    cycle = next_cycle(shop_cycle(date.fromisoformat(row["cycle_start"]), terms))
    target = _statement(session, ids, shop, cycle, currency)
    reason = reasons.carried(row["id"], row["cycle_start"], row["cycle_end"])
    store.insert_items(session, [(target, f"carried:{row['id']}", "carried", None, "", "", "", "", row["net"], 0,
                                  row["net"], reason, utc_now())])
    result.items["carried"] += 1
