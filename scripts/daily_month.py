"""A month of `codtool daily` input folders: orders, call sheets, manifests, tracking, NDR, remittances, bank.

    python scripts/daily_month.py OUT [--orders-per-day 200] [--days 30] [--start 2026-11-02] [--seed 13]

Writes OUT/config.toml and OUT/brt_mapping.toml (the contracts and BRT's remittance layout of
scripts/remit_month.py), and one folder per day, OUT/in/YYYY-MM-DD/, in the layout of docs/daily.md.
Each day's folder holds what arrives that morning, consistent with the days before:

- orders/<shop>/orders_DAY.csv: the day's orders (generic profile; Italian phones and addresses)
- calls/calls_DAY.csv: yesterday's orders, confirmed by phone (a few cancelled)
- manifests/<courier>/manifest_DAY.csv: yesterday's confirmed orders, shipped today
- tracking/<courier>/status_DAY.csv: yesterday's events (in transit; delivered, refused or a failed
  attempt the day after shipping; the retried parcels delivered two days after their decision)
- ndr/decisions_DAY.csv: a re-attempt for each failed delivery reported yesterday
- remittances/<courier>/<courier>_DAY.csv: on each five-day cycle's payout day, the cycle's deliveries
  (one parcel paid 1.00 short, once a month, so the reconciliation has a discrepancy to report)
- bank/export_novembre.csv: the next day, the credits of yesterday's remittances

Run a month with `codtool daily --in OUT/in/DAY --out OUT/out --as-of DAY` for each day in turn
(tests/test_daily_month.py, bench/bench_daily.py).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from remit_month import (  # noqa: E402 - the month's contracts and money writers, shared
    ANCHOR,
    BRT_MAPPING,
    CONFIG,
    COURIERS,
    SHOPS,
    Remit,
    _dot,
    _write_plain_statement,
    _write_remittance,
    fee_of,
)

from codtool.remit.cycles import cycle_of  # noqa: E402

START = date(2026, 11, 2)
FIRST = ("Giulia", "Marco", "Francesca", "Luca", "Chiara", "Alessandro", "Sara", "Matteo", "Valentina", "Davide",
         "Elena", "Simone", "Martina", "Andrea", "Federica", "Lorenzo", "Silvia", "Stefano", "Paola", "Giorgio")
LAST = ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco",
        "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti")
CITIES = (("Roma", "00184", "RM"), ("Milano", "20121", "MI"), ("Torino", "10121", "TO"), ("Napoli", "80133", "NA"),
          ("Firenze", "50123", "FI"), ("Bologna", "40121", "BO"), ("Bari", "70121", "BA"), ("Genova", "16121", "GE"))
STREETS = ("Via Roma", "Via Garibaldi", "Corso Italia", "Via Mazzini", "Via Dante", "Via Verdi", "Viale Europa")
MOBILE = ("320", "328", "333", "335", "338", "339", "340", "347", "348", "349", "380", "388", "389", "392", "393")
ITEMS = (("CRM-050", "Crema viso 50ml", 2490), ("TSH-BLK-M", "T-shirt nera M", 1990), ("LMP-01", "Lampada LED", 3990),
         ("CUF-BT", "Cuffie bluetooth", 5990), ("ZAI-20", "Zaino 20L", 4490), ("PRF-100", "Profumo 100ml", 8900))
ORDER_HEADER = ["order_id", "created_at", "customer_name", "phone", "email", "address1", "address2", "city",
                "postcode", "province", "country", "payment_method", "cod_amount", "currency", "sku", "item_name",
                "quantity", "item_price", "notes"]
STATUS_TEXT = {"in_transit": "IN TRANSITO", "delivered": "CONSEGNATA", "refused": "RIFIUTATA",
               "failed": "IN GIACENZA"}


@dataclass
class Order:
    ref: str
    shop: str
    day: date
    cod: int
    courier: str
    tracking: str
    outcome: str  # confirmed | cancelled
    fate: str  # delivered | refused | failed (then delivered after a re-attempt)


@dataclass
class Month:
    root: Path
    config: Path
    days: list[date]
    orders: list[Order] = field(default_factory=list)

    def folder(self, day: date) -> Path:
        return self.root / "in" / day.isoformat()


def build(root: Path, orders_per_day: int = 200, days: int = 30, start: date = START, seed: int = 13) -> Month:
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "brt_mapping.toml").write_text(BRT_MAPPING, encoding="utf-8")
    config = root / "config.toml"
    config.write_text(CONFIG.format(mapping="brt_mapping.toml"), encoding="utf-8")
    month = Month(root, config, [start + timedelta(days=i) for i in range(days)])
    for day in month.days:
        month.folder(day).mkdir(parents=True, exist_ok=True)
        todays = [_order(rng, day, i) for i in range(orders_per_day)]
        month.orders += todays
        _write_orders(month, day, todays, rng)
    for day in month.days:
        _write_day(month, day)
    _write_money(month, rng)
    return month


def _order(rng: random.Random, day: date, i: int) -> Order:
    courier = rng.choice(tuple(COURIERS))
    fate = rng.choices(("delivered", "refused", "failed"), (90, 4, 6))[0]
    return Order(f"D{day:%m%d}-{i:06d}", rng.choice(SHOPS), day, 0, courier,
                 f"{courier.upper()}{day:%m%d}{i:07d}", "cancelled" if rng.random() < 0.02 else "confirmed", fate)


def _write_orders(month: Month, day: date, orders: list[Order], rng: random.Random) -> None:
    for shop in SHOPS:
        folder = month.folder(day) / "orders" / shop
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / f"orders_{day}.csv").open("w", encoding="utf-8", newline="") as handle:
            w = csv.writer(handle)
            w.writerow(ORDER_HEADER)
            for o in orders:
                if o.shop == shop:
                    w.writerow(_order_row(rng, o))


def _order_row(rng: random.Random, o: Order) -> list[str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    city, cap, province = rng.choice(CITIES)
    sku, name, price = rng.choice(ITEMS)
    quantity = rng.choice((1, 1, 1, 2))
    o.cod = price * quantity + 490  # shipping
    phone = f"+39 {rng.choice(MOBILE)} {rng.randrange(1000000, 9999999)}"
    return [o.ref, f"{o.day} {rng.randint(8, 22):02d}:{rng.choice((0, 15, 30, 45)):02d}", f"{first} {last}", phone,
            f"{first.lower()}.{last.lower().replace(' ', '')}{rng.randrange(100, 999)}@example.it",
            f"{rng.choice(STREETS)} {rng.randint(1, 180)}", "", city, cap, province, "IT", "cod", _dot(o.cod), "EUR",
            sku, name, str(quantity), _dot(price), ""]


def _rows(path: Path, header: list[str], rows: list[list[str]], delimiter: str = ",") -> None:
    if not rows:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        w = csv.writer(handle, delimiter=delimiter)
        w.writerow(header)
        w.writerows(rows)


def _write_day(month: Month, day: date) -> None:
    """What arrives on `day` about orders of earlier days: calls, manifests, tracking, NDR decisions."""
    folder, yesterday = month.folder(day), day - timedelta(days=1)
    called = [o for o in month.orders if o.day == yesterday]
    _rows(folder / "calls" / f"calls_{day}.csv", ["order", "shop", "outcome", "called_at", "agent"],
          [[o.ref, o.shop, o.outcome, f"{day} 09:{i % 60:02d}", "Chiara"] for i, o in enumerate(called)])
    shipped = {c: [o for o in called if o.courier == c and o.outcome == "confirmed"] for c in COURIERS}
    for courier, parcels in shipped.items():
        _rows(folder / "manifests" / courier / f"manifest_{day}.csv",
              ["order_id", "tracking_number", "ship_date", "cod_amount"],
              [[o.ref, o.tracking, day.isoformat(), _dot(o.cod)] for o in parcels])
    for courier in COURIERS:
        _rows(folder / "tracking" / courier / f"status_{day}.csv",
              ["Numero spedizione", "Data evento", "Stato", "Motivo"], _events(month, courier, day), ";")
    failed = [o for o in month.orders if o.fate == "failed" and _ship_day(o) + timedelta(days=2) == yesterday]
    _rows(folder / "ndr" / f"decisions_{day}.csv",
          ["tracking_number", "courier", "action", "decided_by", "decided_at", "note"],
          [[o.tracking, o.courier, "reattempt", "marco.ops", f"{day} 09:30", "secondo tentativo"] for o in failed])


def _ship_day(o: Order) -> date:
    return o.day + timedelta(days=1)


def delivered_on(o: Order) -> date | None:
    """The day the parcel was delivered (None: refused or cancelled)."""
    if o.outcome != "confirmed" or o.fate == "refused":
        return None
    return _ship_day(o) + timedelta(days=1 if o.fate == "delivered" else 3)


def _events(month: Month, courier: str, day: date) -> list[list[str]]:
    """Events that happened yesterday, in the file that arrives today."""
    yesterday, rows = day - timedelta(days=1), []
    for o in month.orders:
        if o.courier != courier or o.outcome != "confirmed":
            continue
        ship = _ship_day(o)
        if ship == yesterday:
            rows.append([o.tracking, f"{ship:%d/%m/%Y} 20:10", STATUS_TEXT["in_transit"], ""])
        if ship + timedelta(days=1) == yesterday:
            reason = "DESTINATARIO ASSENTE" if o.fate == "failed" else ""
            rows.append([o.tracking, f"{yesterday:%d/%m/%Y} 11:20", STATUS_TEXT[o.fate], reason])
        if o.fate == "failed" and ship + timedelta(days=3) == yesterday:
            rows.append([o.tracking, f"{yesterday:%d/%m/%Y} 16:40", STATUS_TEXT["delivered"], ""])
    return rows


def _write_money(month: Month, rng: random.Random) -> None:
    """Remittances on each cycle's payout day, their bank credits the day after (one line short)."""
    cycles: dict[tuple[str, date], list[Order]] = {}
    for o in month.orders:
        day = delivered_on(o)
        if day is not None:
            cycle = cycle_of(day, ANCHOR, 5, 2)
            cycles.setdefault((o.courier, cycle.due), []).append(o)
    credits: dict[date, list] = {}
    short = True
    for (courier, due), parcels in sorted(cycles.items()):
        if due not in month.days:
            continue
        lines = []
        for o in parcels:
            fee = fee_of(courier, o.cod)
            net = o.cod - fee - (100 if short else 0)
            short = False
            lines.append({"tracking": o.tracking, "order": o.ref, "cod": o.cod, "fee": fee, "net": net,
                          "deduction": 0})
        remit = Remit(courier, f"{rng.randrange(10**10, 10**11)}", due, lines)
        _write_remittance(month.folder(due), remit)
        credits.setdefault(due + timedelta(days=1), []).append(
            (due + timedelta(days=1), remit.total,
             f"BONIFICO A VOSTRO FAVORE DA {courier.upper()} SPA TRN 0306909{remit.reference} DISTINTA CONTRASSEGNI",
             "48"))
    for day, movements in credits.items():
        if day in month.days:
            (month.folder(day) / "bank").mkdir(parents=True, exist_ok=True)
            _write_plain_statement(month.folder(day), movements)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--orders-per-day", type=int, default=200)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--start", type=date.fromisoformat, default=START)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    month = build(args.out, args.orders_per_day, args.days, args.start, args.seed)
    print(json.dumps({"days": len(month.days), "orders": len(month.orders), "first": str(month.days[0]),
                      "config": str(month.config)}))


if __name__ == "__main__":
    main()
