"""`remit chase`: reminders to couriers that owe overdue COD money, escalating with age.

The dunning flow of pay-later businesses, applied to couriers: a friendly reminder first, then a
formal request citing the contract's terms, then a final notice. What is overdue is what
reconcile says is overdue (`classify`), less the parcels `remit resolve` disputed or wrote off;
a parcel paid since stops being overdue there, so it leaves the chase by itself.

When is the next step due? Read from the last reminder written to the courier (append-only,
`ledger/chase.py`), never from a mutable state: at least `min_days_between` days after it, and
only once the oldest parcel still chased is old enough for the step (days past its cycle's
payout date, as `remit report` ages them). A chase moves one step at a time; after the final
notice the final notice is repeated at the same spacing. A chase whose last reminder listed none
of the parcels chased today (all paid or decided) is over: the next overdue parcel starts a new
one with a friendly reminder. Re-running on the same day writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from codtool.config import CHASE_STEPS, Config, Terms, chase_setting
from codtool.crashpoints import crash_point
from codtool.ledger import Ledger, Session
from codtool.ledger import chase as store
from codtool.ledger.db import utc_now
from codtool.money import Money
from codtool.output_paths import file_name_part
from codtool.remit.chase_documents import reminder_files, write_reminder
from codtool.remit.reconcile import Reconciled, reconcile_in

STEPS = ("friendly", "formal", "final")
NOT_CHASED = ("dispute", "write_off")  # decisions that stop the chase for a parcel


@dataclass(frozen=True)
class ChaseTerms:
    """A courier's effective chase settings: its overrides, else the [chase] table."""

    after_days: tuple[int, int, int]  # friendly, formal, final: days past the payout date
    min_days_between: int
    language: str


def chase_terms(config: Config, courier: str) -> ChaseTerms:
    terms = config.couriers.get(courier)
    days = tuple(chase_setting(config.chase, terms, key)[1] for key in CHASE_STEPS)
    return ChaseTerms(days, chase_setting(config.chase, terms, "min_days_between")[1],  # type: ignore[arg-type]
                      chase_setting(config.chase, terms, "language")[1])


@dataclass(frozen=True)
class ReminderLine:
    shipment_id: int
    tracking_number: str
    order_ref: str
    delivered_on: date
    payout_due: date
    days_overdue: int
    cod: Money
    amount: Money  # what the courier owes on the parcel: COD - contract fee - what decisions moved

    def to_json(self) -> dict:
        return {"tracking_number": self.tracking_number, "order_id": self.order_ref,
                "delivered_on": self.delivered_on.isoformat(), "payout_due": self.payout_due.isoformat(),
                "days_overdue": self.days_overdue, "cod_minor": self.cod.minor, "amount_minor": self.amount.minor,
                "amount": self.amount.plain}


@dataclass(frozen=True)
class Reminder:
    """One reminder to one courier on one day: its step, language, parcels and the contract it cites."""

    courier: str
    step: str
    as_of: date
    language: str
    currency: str
    lines: tuple[ReminderLine, ...]
    contract: Terms | None
    pay_by: date  # the day the courier is asked to pay by: the earliest day of the next step
    earlier: tuple[tuple[str, date], ...] = ()  # this chase's reminders before this one (step, day)
    operator: str = ""

    @property
    def total(self) -> Money:
        return Money.total((ln.amount for ln in self.lines), self.currency)

    @property
    def cod_total(self) -> Money:
        return Money.total((ln.cod for ln in self.lines), self.currency)

    def file_stem(self) -> str:
        courier = file_name_part(self.courier.lower(), "courier")
        return f"reminder_{courier}_{self.as_of.isoformat()}_{self.step}"

    def to_json(self, files: list[Path] | None = None) -> dict:
        return {"courier": self.courier, "step": self.step, "as_of": self.as_of.isoformat(),
                "language": self.language, "parcels": len(self.lines), "total_minor": self.total.minor,
                "total": self.total.plain, "currency": self.currency, "pay_by": self.pay_by.isoformat(),
                "files": [str(f) for f in files or []], "lines": [ln.to_json() for ln in self.lines]}


@dataclass(frozen=True)
class Waiting:
    """A courier with overdue parcels and no reminder due today: where its chase stands."""

    courier: str
    parcels: int
    total: Money
    last_step: str | None
    last_sent: date | None
    next_step: str
    next_on: date

    def to_json(self) -> dict:
        return {"courier": self.courier, "parcels": self.parcels, "total_minor": self.total.minor,
                "total": self.total.plain, "currency": self.total.currency, "last_step": self.last_step,
                "last_sent": self.last_sent.isoformat() if self.last_sent else None, "next_step": self.next_step,
                "next_on": self.next_on.isoformat()}


@dataclass(frozen=True)
class ChaseRun:
    reminders: list[Reminder]   # one per courier that got a reminder this run (empty when nothing due)
    files: list[Path]           # every file written (PDF, XLSX, TXT)
    overdue_parcels: int        # overdue parcels still chased (after disputes/write-offs are excluded)
    overdue_cents: int          # their total, minor units
    as_of: date | None = None
    currency: str = "EUR"
    waiting: list[Waiting] = field(default_factory=list)

    def to_json(self) -> dict:
        files = {r.courier: [f for f in self.files if f.name.startswith(r.file_stem() + ".")] for r in self.reminders}
        return {"as_of": self.as_of.isoformat() if self.as_of else None, "currency": self.currency,
                "overdue_parcels": self.overdue_parcels, "overdue_minor": self.overdue_cents,
                "overdue": Money(self.overdue_cents, self.currency).plain,
                "reminders": [r.to_json(files[r.courier]) for r in self.reminders],
                "waiting": [w.to_json() for w in self.waiting], "files": [str(f) for f in self.files]}


@dataclass(frozen=True)
class Last:
    """The courier's last reminder, and whether it listed any parcel still chased (the chase goes on)."""

    step: str
    day: date
    continues: bool
    earlier: tuple[tuple[str, date], ...] = ()


def next_step(last: Last | None, terms: ChaseTerms) -> tuple[str, int, int]:
    """(step, days past the payout date it needs, days after the last reminder it needs)."""
    level = min(STEPS.index(last.step) + 1, len(STEPS) - 1) if last is not None and last.continues else 0
    return STEPS[level], terms.after_days[level], terms.min_days_between if last is not None else 0


def due_on(last: Last | None, oldest_days: int, as_of: date, terms: ChaseTerms) -> tuple[str, date]:
    """The next step and the first day it may be written: old enough, and spaced from the last reminder."""
    step, needs_days, spacing = next_step(last, terms)
    by_age = as_of + timedelta(days=max(0, needs_days - oldest_days))
    by_spacing = last.day + timedelta(days=spacing) if last is not None else by_age
    return step, max(by_age, by_spacing)


def run_chase(ledger: Ledger, config: Config, as_of: date, out_dir: Path,
              courier: str | None = None) -> ChaseRun:
    """Write due reminders into out_dir and record them (one transaction); a re-run on the
    same day writes nothing new and returns the already-sent reminders' count as 0.

    out_dir must exist when a reminder is due (the output policy: a typo must not scatter files)."""
    if courier is not None:
        config.courier(courier)
    with ledger.transaction() as session:
        owed = chased(session, reconcile_in(session, config, as_of, courier), as_of)
        history = _history(session, owed)
        reminders, waiting, files = [], [], []
        for name, lines in sorted(owed.items()):
            found = _plan(config, name, lines, history.get(name), as_of)
            if isinstance(found, Waiting):
                waiting.append(found)
                continue
            names = reminder_files(found, out_dir)
            store.insert_reminder(session, _row(found, names), [_line_row(ln) for ln in found.lines])
            write_reminder(found, names)
            reminders.append(found)
            files += names
        crash_point("remit.chase.after_reminders")
    every = [ln for lines in owed.values() for ln in lines]
    return ChaseRun(reminders, files, len(every), sum(ln.amount.minor for ln in every), as_of, config.currency,
                    waiting)


def chased(session: Session, found: Reconciled, as_of: date) -> dict[str, list[ReminderLine]]:
    """Per courier, its overdue parcels as reconcile classified them, less disputed and written-off ones."""
    excluded = store.decided_shipments(session, NOT_CHASED)
    assert found.facts is not None
    parcels = {p.id: p for p in found.facts.parcels}
    owed: dict[str, list[ReminderLine]] = {}
    for _, d in found.open:
        if d.kind != "overdue" or d.subject_id in excluded:
            continue
        p, cycle = parcels[d.subject_id], found.classified.parcel_cycle[d.subject_id]
        assert p.day is not None
        owed.setdefault(d.courier, []).append(ReminderLine(
            p.id, p.tracking, p.order_ref, p.day, cycle.due, (as_of - cycle.due).days, Money(p.cod, d.currency),
            Money(d.amount_minor, d.currency)))
    return {c: sorted(lines, key=lambda ln: (ln.payout_due, ln.delivered_on, ln.tracking_number))
            for c, lines in owed.items()}


def _history(session: Session, owed: dict[str, list[ReminderLine]]) -> dict[str, Last]:
    last = {c: r for c, r in store.last_reminders(session).items() if c in owed}
    listed = store.reminder_shipments(session, [r["id"] for r in last.values()])
    every = {c: store.reminders(session, c) for c in last}
    found = {}
    for name, row in last.items():
        continues = bool(listed[row["id"]] & {ln.shipment_id for ln in owed[name]})
        earlier = _this_chase(every[name]) if continues else ()
        found[name] = Last(row["step"], date.fromisoformat(row["as_of"]), continues, earlier)
    return found


def _this_chase(rows) -> tuple[tuple[str, date], ...]:
    """The reminders of the chase that ends with the last one: back to its friendly reminder."""
    chase: list[tuple[str, date]] = []
    for row in reversed(rows):
        chase.insert(0, (row["step"], date.fromisoformat(row["as_of"])))
        if row["step"] == "friendly":
            break
    return tuple(chase)


def _plan(config: Config, name: str, lines: list[ReminderLine], last: Last | None,
          as_of: date) -> Reminder | Waiting:
    terms = chase_terms(config, name)
    oldest = max(ln.days_overdue for ln in lines)
    step, day = due_on(last, oldest, as_of, terms)
    if day > as_of:
        return Waiting(name, len(lines), Money.total((ln.amount for ln in lines), config.currency),
                       last.step if last else None, last.day if last else None, step, day)
    level = STEPS.index(step)
    nxt = STEPS[min(level + 1, len(STEPS) - 1)]
    pay_by = as_of + timedelta(days=terms.min_days_between)
    if nxt != step:
        pay_by = max(pay_by, as_of + timedelta(days=terms.after_days[level + 1] - oldest))
    return Reminder(name, step, as_of, terms.language, config.currency, tuple(lines), config.couriers.get(name),
                    pay_by, last.earlier if last else (), config.operator)


def _row(r: Reminder, files: list[Path]) -> tuple:
    return (r.courier, r.step, r.as_of.isoformat(), r.language, len(r.lines), r.total.minor, r.currency,
            " ".join(f.name for f in files), utc_now())


def _line_row(ln: ReminderLine) -> tuple:
    return (ln.shipment_id, ln.tracking_number, ln.order_ref, ln.delivered_on.isoformat(), ln.payout_due.isoformat(),
            ln.days_overdue, ln.cod.minor, ln.amount.minor)

