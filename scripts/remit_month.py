"""A realistic month of COD money, with every discrepancy kind injected at a known amount.

    python scripts/remit_month.py OUT_DIR [--parcels 30000] [--seed 7] [--db URL]

Writes OUT_DIR/config.toml, OUT_DIR/ledger.db (shops, orders and shipments as the shipping
stage would leave them), OUT_DIR/remittances/<courier>/*.csv (one file per payout, BRT in an
Italian layout with a mapping and a freight-deduction column), OUT_DIR/bank/*.csv (an Italian
Dare/Avere export with preamble and 'Saldo finale', and a plain CSV), and OUT_DIR/expected.json:
the discrepancies a correct reconcile must report, each as (kind, key, amount_minor).

Tests and the benchmark import `build_month` and `seed_parcels` from here. The ledger rows
stand for what earlier stages (import, ship, track) store; they are written through the
ledger API, so `--db` may be a PostgreSQL URL.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from codtool.ledger import open_ledger, orders, tracking  # noqa: E402
from codtool.money import Money  # noqa: E402
from codtool.remit.cycles import cycle_of  # noqa: E402
from codtool.remit.fees import contract_fee  # noqa: E402

ROME = ZoneInfo("Europe/Rome")
ANCHOR = date(2026, 10, 1)
AS_OF = date(2026, 11, 10)
NOW = "2026-11-10T06:00:00Z"
COURIERS = {  # percent, fixed, minimum (minor units)
    "brt": ("1.5", 0, 150),
    "gls": ("2.0", 50, 200),
    "sda": ("0", 300, 0),
}
SHOPS = ("bellezza", "casa-verde", "tech-outlet")
SHOP_FEES = {  # percent in tenths, per parcel, minimum (minor units): the [shops.*] contracts below
    "bellezza": (20, 120, 0), "casa-verde": (15, 90, 150), "tech-outlet": (0, 200, 0)}
KINDS = ("short_paid", "over_paid", "fee_differs", "duplicate_line", "remitted_not_delivered", "unknown_parcel",
         "overdue", "not_credited", "credit_differs", "unmatched_credit")

CONFIG = """timezone = "Europe/Rome"
currency = "EUR"

[couriers.brt]
cycle_days = 5
cycle_anchor = "2026-10-01"
payout_lag_days = 2
grace_days = 3
fee_percent = "1.5"
fee_fixed = "0.00"
fee_min = "1.50"
remittance_mapping = "{mapping}"

[couriers.gls]
cycle_days = 5
cycle_anchor = "2026-10-01"
payout_lag_days = 2
grace_days = 3
fee_percent = "2.0"
fee_fixed = "0.50"
fee_min = "2.00"

[couriers.sda]
cycle_days = 5
cycle_anchor = "2026-10-01"
payout_lag_days = 2
grace_days = 3
fee_percent = "0"
fee_fixed = "3.00"
fee_min = "0.00"

[shops.bellezza]
payout_cycle_days = 5
payout_cycle_anchor = "2026-10-01"
fee_per_parcel = "1.20"
fee_percent = "2.0"

[shops.casa-verde]
payout_cycle_days = 5
payout_cycle_anchor = "2026-10-01"
fee_per_parcel = "0.90"
fee_percent = "1.5"
fee_min = "1.50"

[shops.tech-outlet]
payout_cycle_days = 7
payout_cycle_anchor = "2026-09-28"
fee_per_parcel = "2.00"
rto_fee = "3.00"
"""

BRT_MAPPING = """# BRT's "distinta contrassegni" export, as an Italian back office receives it
deductions = ["Spese trasporto"]

[columns]
tracking_number = "Spedizione"
order_id = "Rif. mittente"
cod_amount = "Importo contrassegno"
fee = "Commissione"
net_amount = "Netto accreditato"
remittance_date = "Data distinta"
bank_reference = "CRO"
"""


def fee_of(courier: str, cod: int) -> int:
    from decimal import Decimal

    percent, fixed, minimum = COURIERS[courier]
    return contract_fee(cod, Decimal(percent), fixed, minimum)


@dataclass
class P:
    id: int
    courier: str
    tracking: str
    order: str
    shop: str
    cod: int
    status: str
    status_at: str
    day: date | None


@dataclass
class World:
    root: Path
    db: str | Path
    config: Path
    remittance_files: dict[str, list[Path]] = field(default_factory=dict)
    bank_files: list[Path] = field(default_factory=list)
    expected: list[tuple[str, str, int]] = field(default_factory=list)
    parcels: int = 0
    lines: int = 0


def seed_parcels(db: str | Path, parcels: list[tuple]) -> None:
    """(courier, tracking, order ref, shop, cod_minor, status, status_at) rows as shipments of COD orders.

    Written through the ledger API (one batch per shop, orders, shipments), so the same world
    seeds a SQLite file or a PostgreSQL database."""
    order_status = {"delivered": "delivered", "rto_delivered": "returned", "lost": "lost"}
    with open_ledger(str(db)) as ledger, ledger.transaction() as session:
        for shop in sorted({p[3] for p in parcels}):
            mine = [p for p in parcels if p[3] == shop]
            shop_id = orders.shop_id(session, shop)
            batch = orders.create_batch(session, shop_id, f"{shop}.csv", f"seed-{shop}-{uuid.uuid4().hex}",
                                        "generic", "utf-8", ",")
            orders.insert_orders(session, [
                (shop_id, batch, p[2], i + 2, NOW, "Cliente", "", "", "Via Roma 1", "", "Roma", "00100", "RM", "IT",
                 "cod", 1, p[4], p[4], "EUR", "", "", "new") for i, p in enumerate(mine)])
            orders.finish_batch(session, batch, dict.fromkeys(("rows", "orders", "imported"), len(mine))
                                | {"rejected": 0, "skipped_duplicates": 0})
            found = tracking.orders_by_source(session, shop, [p[2] for p in mine])
            ids = {ref: rows[0]["id"] for ref, rows in found.items()}
            tracking.insert_shipments(session, [
                (ids[p[2]], p[0], p[1], p[6][:10], Money(p[4], "EUR"), p[5], p[6], "manifest.csv", i + 2, NOW)
                for i, p in enumerate(mine)])
            # Each order moves through the lifecycle with its history, as ship and track would move it.
            for target in ("shipped", "final"):
                orders.set_statuses(session, [
                    orders.StatusMove(ids[p[2]], order_status.get(p[5], "shipped") if target == "final" else target,
                                      "seeded month", "remit_month.py") for p in mine])


def _local_stamp(rng: random.Random, day: date, as_utc: bool) -> str:
    moment = datetime(day.year, day.month, day.day, rng.randint(8, 23), rng.choice((0, 15, 30, 45)), tzinfo=ROME)
    if as_utc:
        return moment.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.replace(tzinfo=None).isoformat(timespec="seconds")


def _make_parcels(rng: random.Random, count: int) -> list[P]:
    parcels = []
    for i in range(count):
        courier = rng.choice(tuple(COURIERS))
        day = ANCHOR + timedelta(days=rng.randrange(30))
        if i % 25 == 0:
            day = date(2026, 11, 6) + timedelta(days=rng.randrange(4))  # delivered in a cycle not yet due
        status = rng.choices(("delivered", "refused", "rto_delivered", "in_transit", "lost"), (86, 5, 5, 3, 1))[0]
        cod = rng.choice((1990, 2450, 3900, 4990, 5680, 8900, 12000, 15990, 1015, 1030, 1070)) + rng.randrange(0, 3)
        stamp = _local_stamp(rng, day, as_utc=i % 3 == 0)
        parcels.append(P(i + 1, courier, f"{courier.upper()}{100000000 + i}", f"{5000 + i}", rng.choice(SHOPS), cod,
                         status, stamp, day if status == "delivered" else None))
    return parcels


def build_month(root: Path, count: int = 30_000, seed: int = 7, db: str | Path | None = None) -> World:
    """Write the month under `root`; the ledger is `db` (a path or postgresql:// URL), else root/ledger.db."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "brt_mapping.toml").write_text(BRT_MAPPING, encoding="utf-8")
    world = World(root, db or root / "ledger.db", root / "config.toml")
    world.config.write_text(CONFIG.format(mapping="brt_mapping.toml"), encoding="utf-8")  # relative to the config
    parcels = _make_parcels(rng, count)
    seed_parcels(world.db, [(p.courier, p.tracking, p.order, p.shop, p.cod, p.status, p.status_at) for p in parcels])
    world.parcels = len(parcels)
    remittances = _remittances(rng, parcels, world)
    _bank(rng, remittances, world)
    (root / "expected.json").write_text(json.dumps(world.expected, indent=0), encoding="utf-8")
    return world


@dataclass
class Remit:
    courier: str
    reference: str
    day: date
    lines: list[dict]

    @property
    def total(self) -> int:
        return sum(ln["net"] for ln in self.lines)


def _remittances(rng: random.Random, parcels: list[P], world: World) -> list[Remit]:
    """One payout per courier and due cycle; injected parcel-level discrepancies along the way."""
    by_cycle: dict[tuple[str, date], list[P]] = {}
    for p in parcels:
        if p.day is not None:
            cycle = cycle_of(p.day, ANCHOR, 5, 2)
            by_cycle.setdefault((p.courier, cycle.start), []).append(p)
    undelivered = [p for p in parcels if p.status in ("refused", "rto_delivered", "lost")]
    rng.shuffle(undelivered)
    remits, unknown = [], 0
    for (courier, start), members in sorted(by_cycle.items()):
        cycle = cycle_of(start, ANCHOR, 5, 2)
        if cycle.due + timedelta(days=3) >= AS_OF:
            continue  # not due yet: counted, not listed
        reference = f"{rng.randrange(10**10, 10**11)}"
        lines = []
        for p in members:
            fee = fee_of(courier, p.cod)
            line = {"tracking": p.tracking, "order": p.order, "cod": p.cod, "fee": fee, "net": p.cod - fee,
                    "deduction": 0}
            roll = rng.random()
            if roll < 0.004:
                world.expected.append(("overdue", p.tracking, p.cod - fee))
                continue
            if roll < 0.008:
                k = rng.randint(1, 900)
                line["net"] -= k
                if courier == "brt" and rng.random() < 0.5:
                    line["deduction"] = k  # a freight charge netted against the COD
                world.expected.append(("short_paid", p.tracking, k))
            elif roll < 0.011:
                k = rng.randint(1, 900)
                line["net"] += k
                world.expected.append(("over_paid", p.tracking, k))
            elif roll < 0.015:
                k = rng.randint(1, 300)
                line["fee"] += k
                line["net"] -= k
                world.expected.append(("fee_differs", p.tracking, k))
            lines.append(line)
            if roll > 0.996:
                lines.append(dict(line))
                world.expected.append(("duplicate_line", p.tracking, line["net"]))
        for _ in range(2):
            if undelivered:
                p = undelivered.pop()
                if p.courier == courier:
                    fee = fee_of(courier, p.cod)
                    lines.append({"tracking": p.tracking, "order": p.order, "cod": p.cod, "fee": fee,
                                  "net": p.cod - fee, "deduction": 0})
                    world.expected.append(("remitted_not_delivered", p.tracking, p.cod - fee))
        unknown += 1
        ghost = f"{courier.upper()}9{unknown:08d}"
        lines.append({"tracking": ghost, "order": "", "cod": 3000, "fee": fee_of(courier, 3000),
                      "net": 3000 - fee_of(courier, 3000), "deduction": 0})
        world.expected.append(("unknown_parcel", ghost, 3000 - fee_of(courier, 3000)))
        rng.shuffle(lines)  # couriers do not sort their files our way
        remits.append(Remit(courier, reference, cycle.due, lines))
    for r in remits:
        world.remittance_files.setdefault(r.courier, []).append(_write_remittance(world.root, r))
        world.lines += len(r.lines)
    return remits


def _euro(minor: int) -> str:
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(minor), 100)
    return f"{sign}{whole:,}".replace(",", ".") + f",{cents:02d}"


def _write_remittance(root: Path, r: Remit) -> Path:
    folder = root / "remittances" / r.courier
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{r.courier}_{r.day.isoformat()}.csv"
    if r.courier == "brt":  # Italian: ';', decimal comma, day-first dates, cp1252
        with path.open("w", encoding="cp1252", newline="") as handle:
            w = csv.writer(handle, delimiter=";")
            w.writerow(["Spedizione", "Rif. mittente", "Importo contrassegno", "Commissione", "Spese trasporto",
                        "Netto accreditato", "Data distinta", "CRO"])
            for ln in r.lines:
                w.writerow([ln["tracking"], ln["order"], _euro(ln["cod"]), _euro(ln["fee"]), _euro(ln["deduction"]),
                            _euro(ln["net"]), r.day.strftime("%d/%m/%Y"), r.reference])
    else:
        with path.open("w", encoding="utf-8", newline="") as handle:
            w = csv.writer(handle)
            w.writerow(["tracking_number", "order_id", "cod_amount", "fee", "net_amount", "remittance_date",
                        "bank_reference"])
            for ln in r.lines:
                w.writerow([ln["tracking"], ln["order"], _dot(ln["cod"]),
                            _dot(ln["fee"]), _dot(ln["net"]), r.day.isoformat(), r.reference])
    return path


def _dot(minor: int) -> str:
    sign = "-" if minor < 0 else ""
    return f"{sign}{abs(minor) // 100}.{abs(minor) % 100:02d}"


def _bank(rng: random.Random, remits: list[Remit], world: World) -> None:
    """Credits for the payouts (one missing, one short), courier-unrelated debits, one unknown credit."""
    movements = []
    skip = {rng.randrange(len(remits))}
    short = rng.choice([i for i in range(len(remits)) if i not in skip])
    for i, r in enumerate(remits):
        if i in skip:
            world.expected.append(("not_credited", r.reference, r.total))
            continue
        amount = r.total
        if i == short:
            k = rng.randint(100, 5000)
            amount -= k
            world.expected.append(("credit_differs", r.reference, k))
        trn = f"0306909{r.reference}{rng.randrange(10**11, 10**12)}"
        movements.append((r.day + timedelta(days=1), amount,
                          f"BONIFICO A VOSTRO FAVORE DA {r.courier.upper()} SPA TRN {trn} DISTINTA CONTRASSEGNI",
                          "48"))
    totals = {r.total for r in remits}
    for n in range(8):
        movements.append((date(2026, 10, 3 + 3 * n), -rng.randint(5000, 90000), "ADDEBITO SDD FORNITORE", "50"))
    stray = 777_77
    while stray in totals:
        stray += 1
    movements.append((date(2026, 10, 20), stray, "BONIFICO DA CLIENTE ROSSI MARIO RIF 4411", "48"))
    world.expected.append(("unmatched_credit", "", stray))
    movements.sort(key=lambda m: m[0])
    half = len(movements) // 2
    world.bank_files.append(_write_italian_statement(world.root, movements[:half + 2]))  # overlaps the next file
    world.bank_files.append(_write_plain_statement(world.root, movements[half:]))


def _write_italian_statement(root: Path, movements) -> Path:
    folder = root / "bank"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "intesa_ottobre.csv"
    with path.open("w", encoding="cp1252", newline="") as handle:
        w = csv.writer(handle, delimiter=";")
        w.writerow(["Intestatario: Momoka Logistica S.r.l."])
        w.writerow(["IBAN: IT60X0542811101000000123456"])
        w.writerow(["Periodo: 01/10/2026 - 31/10/2026"])
        w.writerow([])
        w.writerow(["Data contabile", "Data valuta", "Dare", "Avere", "Descrizione", "Causale"])
        balance = 1_000_000
        for day, amount, text, causale in movements:
            balance += amount
            w.writerow([day.strftime("%d/%m/%Y"), day.strftime("%d/%m/%Y"), _euro(-amount) if amount < 0 else "",
                        _euro(amount) if amount > 0 else "", text, causale])
        w.writerow(["Saldo finale", "", "", _euro(balance), "", ""])
    return path


def _write_plain_statement(root: Path, movements) -> Path:
    path = root / "bank" / "export_novembre.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        w = csv.writer(handle)
        w.writerow(["date", "amount", "description"])
        for day, amount, text, _ in movements:
            w.writerow([day.isoformat(), _dot(amount), text])
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--parcels", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", help="the ledger to seed (a path or postgresql:// URL); default OUT/ledger.db")
    args = parser.parse_args()
    world = build_month(args.out, args.parcels, args.seed, args.db)
    counts: dict[str, int] = {}
    for kind, _, _ in world.expected:
        counts[kind] = counts.get(kind, 0) + 1
    print(json.dumps({"parcels": world.parcels, "remittance_lines": world.lines, "injected": counts}))


if __name__ == "__main__":
    main()
