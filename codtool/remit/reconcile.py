"""`remit reconcile`: post what the facts say to the ledger, then list what does not add up.

When does a delivered COD parcel reach the courier's receivable? Here, at reconcile time, from
the shipments the tracking stage marked delivered: tracking files arrive out of order and may be
re-imported, so deriving the posting from the current facts (and posting only the difference,
see `postings.sync`) is idempotent and self-correcting, where a posting made inside `track`
would need its own undo. The same holds for remittance lines (a line for a parcel that was "in
transit" yesterday settles it once tracking catches up) and bank credits. Reconcile runs every
morning from cron, so the receivable is at most one run behind the tracking files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from codtool.config import Config
from codtool.crashpoints import crash_point
from codtool.ledger import Ledger, Session
from codtool.ledger import remit as store
from codtool.ledger.db import utc_now
from codtool.money import format_minor
from codtool.progress import Progress
from codtool.remit.classify import (
    PARTIAL,
    SETTLES,
    BankLine,
    Classified,
    Discrepancy,
    Line,
    Parcel,
    Remittance,
    classify,
)
from codtool.remit.cycles import local_day
from codtool.remit.postings import Leg, Target, sync


@dataclass
class Facts:
    parcels: list[Parcel]
    lines: list[Line]
    remittances: list[Remittance]
    bank: list[BankLine]
    skipped_currency: int = 0


@dataclass(frozen=True)
class Settlement:
    """A remittance line that pays a delivered parcel, and the bank credit of its remittance if matched:
    what shop payouts need to know when a parcel's cash has really arrived."""

    shipment_id: int
    courier: str
    tracking_number: str
    line_id: int
    remittance_id: int
    net_minor: int
    bank_line_id: int | None
    credited_on: str | None
    credit_exact: bool


@dataclass
class Reconciled:
    """The result: open discrepancies (with their ids), the cycle table, counts, postings made."""

    as_of: date
    currency: str
    classified: Classified
    open: list[tuple[int, Discrepancy]] = field(default_factory=list)
    resolved: int = 0
    new_transactions: int = 0
    courier: str | None = None
    facts: Facts | None = None

    def settlements(self) -> list[Settlement]:
        """Every settling or partial line with its parcel and, when the bank credited it, the credit."""
        assert self.facts is not None
        credit_of = {r: b for b, r in self.classified.matches.items()}
        banks = {b.id: b for b in self.facts.bank}
        totals = {r.id: r.total for r in self.facts.remittances}
        found = []
        for line in self.facts.lines:
            role, pid, _ = self.classified.roles[line.id]
            if role in (SETTLES, PARTIAL):
                bank = banks.get(credit_of.get(line.remittance_id, -1))
                found.append(Settlement(pid, line.courier, line.tracking, line.id, line.remittance_id, line.net,
                                        bank.id if bank else None, bank.day if bank else None,
                                        bool(bank) and bank.amount == totals[line.remittance_id]))
        return found

    def cycles(self):
        rows = sorted(self.classified.cycles.values(), key=lambda r: (r.courier, r.cycle.start))
        return [r for r in rows if self.courier in (None, r.courier)]

    def to_json(self) -> dict:
        counts = dict(sorted(self.classified.counts.items()))
        return {
            "as_of": self.as_of.isoformat(), "currency": self.currency, "courier": self.courier,
            "counts": counts | {"open_discrepancies": len(self.open), "resolved_discrepancies": self.resolved},
            "new_transactions": self.new_transactions,
            "discrepancies": [discrepancy_json(i, d) for i, d in self.open],
            "cycles": [cycle_json(r) for r in self.cycles()],
        }


def discrepancy_json(ident: int, d: Discrepancy) -> dict:
    return {"id": ident, "kind": d.kind, "courier": d.courier, "tracking_number": d.tracking_number,
            "order_id": d.order_id, "bank_reference": d.bank_reference, "amount_minor": d.amount_minor,
            "amount": format_minor(d.amount_minor, d.currency or "EUR"), "currency": d.currency, "cycle": d.cycle,
            "detail": d.detail}


def cycle_json(r) -> dict:
    return {"courier": r.courier, "cycle_start": r.cycle.start.isoformat(), "cycle_end": r.cycle.end.isoformat(),
            "payout_due": r.cycle.due.isoformat(), "parcels": r.parcels, "remitted_parcels": r.remitted_parcels,
            "expected_minor": r.expected, "remitted_minor": r.remitted, "fees_minor": r.fees,
            "difference_minor": r.difference, "currency": r.currency, "status": r.status}


def load_facts(session, config: Config, as_of: date) -> Facts:
    """Everything known on the as-of day: deliveries by local day, lines and credits by their dates."""
    zone, day = config.zone, as_of.isoformat()
    parcels, skipped = [], 0
    for r in store.cod_parcels(session, sorted(config.couriers)):
        if r["currency"] != config.currency:
            skipped += 1
            continue
        delivered = local_day(r["status_at"], zone) if r["status"] == "delivered" else None
        parcels.append(Parcel(r["id"], r["courier"], r["tracking_number"], r["order_ref"].lstrip("#"), r["status"],
                              delivered, r["cod_minor"], r["currency"], r["shop"]))
    lines = [Line(r["id"], r["remittance_id"], r["courier"], r["tracking_number"], r["order_ref"], r["cod_minor"],
                  r["fee_minor"], r["deductions_minor"], r["net_minor"], r["remittance_date"], r["bank_reference"],
                  r["file_name"], r["line"], r["currency"])
             for r in store.all_lines(session) if r["remittance_date"] <= day and r["courier"] in config.couriers]
    remittances = [Remittance(r["id"], r["courier"], r["bank_reference"], r["remittance_date"], r["total_net_minor"],
                              r["currency"])
                   for r in store.all_remittances(session)
                   if r["remittance_date"] <= day and r["courier"] in config.couriers]
    bank = [BankLine(r["id"], r["booking_date"], r["amount_minor"], r["currency"],
                     f"{r['description']} {r['causale']}".strip())
            for r in store.all_bank_lines(session) if r["booking_date"] <= day]
    return Facts(parcels, lines, remittances, bank, skipped)


def reconcile(ledger: Ledger, config: Config, as_of: date, courier: str | None = None,
              progress: Progress | None = None) -> Reconciled:
    """Classify everything, post the differences, give discrepancies their ids; one transaction."""
    if courier is not None:
        config.courier(courier)
    with ledger.transaction() as session:
        result = reconcile_in(session, config, as_of, courier, progress)
        crash_point("remit.reconcile.after_postings")
    return result


def reconcile_in(session: Session, config: Config, as_of: date, courier: str | None = None,
                 progress: Progress | None = None) -> Reconciled:
    """The reconciliation inside the caller's transaction (resolve decides in the same unit)."""
    facts = load_facts(session, config, as_of)
    moved, fee_booked = decided_amounts(session)
    found = classify(facts.parcels, facts.lines, facts.remittances, facts.bank, config.couriers, as_of,
                     moved, fee_booked)
    found.counts["parcels_other_currency"] = facts.skipped_currency
    new = sync(session, targets(facts, found), progress, len(facts.parcels) + len(facts.lines) + len(facts.bank))
    now = utc_now()
    ids = store.record_discrepancies(session, [_row(d, now) for d in found.discrepancies])
    decided = store.decided_keys(session)
    open_ = [(ids[d.key], d) for d in found.discrepancies if d.key not in decided]
    result = Reconciled(as_of, config.currency, found, resolved=len(decided),
                        new_transactions=new, courier=courier, facts=facts)
    result.open = sorted((x for x in open_ if courier in (None, x[1].courier)), key=lambda x: x[0])
    store.record_run(session, as_of.isoformat(), len(result.open), now)
    return result


def decided_amounts(session) -> tuple[dict[int, int], frozenset[int]]:
    """Per parcel, the signed amount decisions moved off its receivable (an over-payment counts negative),
    and the parcels whose contract fee a decision on an overdue parcel booked."""
    moved: dict[int, int] = {}
    fee_booked = set()
    for shipment, kind, amount in store.decided_on_parcels(session):
        moved[shipment] = moved.get(shipment, 0) + (-amount if kind == "over_paid" else amount)
        if kind == "overdue":
            fee_booked.add(shipment)
    return moved, frozenset(fee_booked)


def _row(d: Discrepancy, now: str) -> tuple:
    return (d.key, d.kind, d.courier, d.subject_type, d.subject_id, d.tracking_number, d.order_id, d.bank_reference,
            d.amount_minor, d.currency, d.cycle, d.detail, now)


def targets(facts: Facts, found: Classified):
    """What each delivery, remittance line and bank line should have posted in total."""
    by_id = {p.id: p for p in facts.parcels}
    for pid in found.parcel_cycle:
        p = by_id[pid]
        yield Target("delivery", p.id, p.day.isoformat(), f"{p.courier} {p.tracking} delivered, COD collected",
                     (Leg(f"receivable:{p.courier}", p.cod, p.currency, p.id),
                      Leg(f"payable:{p.shop}", -p.cod, p.currency)))
    for line in facts.lines:
        role, pid, fee = found.roles[line.id]
        yield Target("remittance_line", line.id, line.day, f"{line.courier} {line.tracking} remitted: {role}",
                     _line_legs(line, role, pid, fee))
    courier_of = {r.id: r.courier for r in facts.remittances}
    for b in facts.bank:
        remittance = found.matches.get(b.id)
        other = f"in_transit:{courier_of[remittance]}" if remittance is not None else "suspense"
        yield Target("bank_line", b.id, b.day, f"bank {b.day}: {b.description[:60]}",
                     (Leg("bank", b.amount, b.currency), Leg(other, -b.amount, b.currency)))


def _line_legs(line: Line, role: str, pid: int | None, fee: int) -> tuple[Leg, ...]:
    currency, c = line.currency, line.courier
    transit = Leg(f"in_transit:{c}", line.net, currency)
    if role == SETTLES:
        return (transit, Leg(f"fees:{c}", fee, currency), Leg(f"receivable:{c}", -(line.net + fee), currency, pid))
    if role == PARTIAL:
        return (transit, Leg(f"receivable:{c}", -line.net, currency, pid))
    return (transit, Leg("suspense", -line.net, currency))
