"""A whole order day, CSV to call list, as a user runs it: import, check, dedupe, calls list --out.

    python bench/bench_day.py [--rows 1000000] [--seed 7] [--keep]

Generates a Shopify-style orders export of N rows (one row per line item, as Shopify writes
it: about 1.6 rows per order) and runs each stage as its own `codtool` process on one SQLite
ledger, printing every stage's wall time, CPU time (user + system of the child) and peak
memory (the child's max RSS), and the total. Beside them, in the same run on the same file:
sqlite3's own `.import` (the floor for import) and `bench/check_baseline.py`, the plain loop
doing the same phonenumbers and CAP work as `codtool check` (the reference for check).

The data is varied like real orders so that caches and dedupe blocks see realistic sizes:
customers drawn from 115 first names x 155 surnames with middle names and accents, living in
any of the ~7,900 comuni of the offline table (its real CAPs and province sigle, 3% with a
typo'd CAP), on 60 street names x 1-300 house numbers; mobile numbers from the whole 3xx
range typed five ways, 8% landlines and a few unreadable; orders spread over six weeks; 18% of
orders come from returning customers (same phone, name and address, sometimes typed
differently) and 1% are double submissions of the same cart minutes apart.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_import import HEADER, SKUS  # noqa: E402  (the same export layout as the import benchmark)

BENCH = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # as installed: with bytecode
LAST_DAY = datetime(2026, 11, 23, 20, 0)
WEEKS = 6


def _words(text: str, sep: str | None = None) -> list[str]:
    return [w.replace("_", " ") for w in text.split(sep)]


FIRST = _words(
    "Giulia Marco Anna Luca Sara Francesco Elena Davide Martina Giuseppe Maria Alessandro Chiara Matteo "
    "Federica Lorenzo Alessia Andrea Valentina Simone Francesca Gabriele Silvia Riccardo Laura Stefano "
    "Paola Antonio Roberta Giovanni Elisa Paolo Ilaria Fabio Monica Roberto Claudia Daniele Cristina "
    "Emanuele Serena Nicola Veronica Massimo Barbara Vincenzo Alice Salvatore Giorgia Michele Beatrice "
    "Pietro Camilla Tommaso Noemi Filippo Aurora Leonardo Sofia Emma Ginevra Edoardo Mattia Christian "
    "Niccolò Ludovica Raffaele Carmela Gennaro Rosaria Domenico Concetta Angelo Teresa Carlo Lucia Enrico "
    "Marta Alberto Rita Franco Patrizia Luigi Daniela Sergio Manuela Claudio Sabrina Bruno Simona Mario "
    "Anna-Maria Gianluca Debora Cristiano Arianna Ivan Asia Samuele Greta Jacopo Nicole Diego Rebecca "
    "Mirko Irene Fabrizio Caterina Ettore Margherita Ilenia Cosimo Benedetta Giacomo Vittoria")
LAST = _words(
    "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti De_Luca "
    "Mancini Costa Giordano Rizzo Lombardi Moretti Barbieri Fontana Santoro Mariani Rinaldi Caruso Ferrara "
    "Galli Martini Leone Longo Gentile Martinelli Vitale Lombardo Serra Coppola De_Santis D'Angelo "
    "Marchetti Parisi Villa Conte Ferraro Ferri Fabbri Bianco Marini Grasso Valentini Messina Sala De_Angelis "
    "Gatti Pellegrini Palumbo Sanna Farina Rizzi Monti Cattaneo Morelli Amato Silvestri Mazza Testa Grassi "
    "Pellegrino Carbone Giuliani Benedetti Barone Rossetti Caputo Montanari Guerra Palmieri Bernardi "
    "Martino Fiore De_Rosa Ferretti Bellini Basile Riva Donati Piras Vitali Battaglia Sartori Neri Costantini "
    "Milani Pagano Ruggiero Sorrentino D'Amico Orlando Damico Negri Fumagalli Cirillo Mele Ruggeri "
    "Bellucci Zanetti Ferrante Cristiani Pace Fiorentino Colonna Mazzoni Ricciardi Guidi Bassi "
    "Zanella Sanfilippo Cocco Marras Pinna Melis Deiana Mura Porcu Fadda Loi Lai Cossu Zedda Murgia Atzeni "
    "Piccolo Mazzola Fabbro Tedesco Nocera Cuomo Izzo Gargiulo Iovine Landi Lucchesi Nardi Poli Rocchi "
    "Sacchi Tosi Volpe Zani Bertolini Boschi Cappelli Dal_Molin Zanon Bortolotti")
STREETS = _words(
    "Via Roma|Via Garibaldi|Via Mazzini|Via Cavour|Via Dante Alighieri|Via Verdi|Via Marconi|"
    "Via XX Settembre|Via Matteotti|Via Vittorio Emanuele II|Corso Italia|C.so Umberto I|Piazza Duomo|"
    "P.zza della Repubblica|Viale Europa|V.le dei Mille|Via Manzoni|Via Kennedy|Via San Francesco|"
    "Via Gramsci|Via Leopardi|Via Carducci|Via Pascoli|Via Puccini|Via Colombo|Via Galilei|"
    "Via Torino|Via Milano|Via Napoli|Via Firenze|Via Venezia|Via Bologna|Via Genova|Via Trieste|"
    "Via Nazionale|Via Aurelia|Via Emilia|Via Appia Nuova|Via del Corso|Via Nuova|Via Vecchia|"
    "Via della Libertà|Via dei Pini|Via delle Rose|Via dei Tigli|Via San Giovanni Bosco|Via Don Minzoni|"
    "Via Cesare Battisti|Via Fratelli Bandiera|Via IV Novembre|Via II Giugno|Via Papa Giovanni XXIII|"
    "Via Aldo Moro|Via Falcone e Borsellino|Loc. Case Sparse|Fraz. San Pietro|Contrada Piano|"
    "Strada Provinciale 12|Vicolo Stretto|Largo Augusto", "|")

def _phone(rnd: random.Random) -> str:
    """A number as customers type it: mostly mobiles, five spellings, some landlines and junk."""
    roll = rnd.random()
    if roll < 0.08:
        return f"0{rnd.randint(2, 99)} {rnd.randint(100000, 9999999)}"
    if roll < 0.085:
        return rnd.choice(["non ho telefono", "333", "tel: 12", ""])
    mobile = f"3{rnd.randint(20, 99)}{rnd.randint(1000000, 9999999)}"
    return rnd.choice([f"'+39 {mobile[:3]} {mobile[3:]}", mobile, f"+39{mobile}", f"0039 {mobile}",
                       f"{mobile[:3]}-{mobile[3:]}"])


def _customer(rnd: random.Random, comuni: list) -> dict:
    first = rnd.choice(FIRST) + (f" {rnd.choice(FIRST)}" if rnd.random() < 0.08 else "")
    comune = rnd.choice(comuni)
    cap = rnd.choice(comune.caps)
    if rnd.random() < 0.03:
        cap = cap[:-1] + str((int(cap[-1]) + 1) % 10)
    street = rnd.choice(STREETS)
    number = "snc" if street.startswith(("Loc.", "Fraz.")) else str(rnd.randint(1, 300))
    return {"name": f"{first} {rnd.choice(LAST)}", "address1": f"{street} {number}", "city": comune.name,
            "zip": f"'{cap}", "province": comune.sigla, "phone": _phone(rnd),
            "email": f"{first.split()[0].lower()}.{rnd.randint(1, 10**6)}@example.it"}


def _retyped(rnd: random.Random, c: dict) -> dict:
    """A returning customer: same person, sometimes written another way."""
    again = dict(c)
    if rnd.random() < 0.3:
        again["name"] = again["name"].upper() if rnd.random() < 0.5 else " ".join(reversed(again["name"].split()))
    if rnd.random() < 0.3:
        again["address1"] = again["address1"].replace("Via ", "V. ").replace("Piazza ", "P.za ")
    return again


def generate(path: Path, rows: int, seed: int = 7) -> tuple[int, int]:
    """Write the export; returns (data rows, orders)."""
    from codtool.checks import italy_data

    rnd = random.Random(seed)
    comuni = [c for c in italy_data._table() if c.caps]
    col = {name: i for i, name in enumerate(HEADER)}
    seen: list[dict] = []
    written = orders = 0
    span = WEEKS * 7 * 24 * 3600
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        while written < rows:
            roll = rnd.random()
            customer = _retyped(rnd, rnd.choice(seen)) if seen and roll < 0.18 else _customer(rnd, comuni)
            if len(seen) < 200_000:
                seen.append(customer)
            created = LAST_DAY - timedelta(seconds=rnd.randrange(span))
            items = [rnd.choice(SKUS) for _ in range(1 if rnd.random() < 0.6 else rnd.randint(2, 3))]
            for repeat in range(2 if rnd.random() < 0.01 else 1):  # a double submission, minutes apart
                when = created + timedelta(minutes=3 * repeat)
                written += _write_order(writer, col, rnd, 100000 + orders, customer, items, when)
                orders += 1
    return written, orders


def _write_order(writer, col: dict, rnd: random.Random, number: int, c: dict, items: list, when: datetime) -> int:
    cod = rnd.random() < 0.85
    for i, (sku, item, price) in enumerate(items):
        row = [""] * len(HEADER)
        row[col["Name"]] = f"#{number}"
        row[col["Created at"]] = when.strftime("%Y-%m-%d %H:%M:%S +0100")
        row[col["Lineitem quantity"]] = str(rnd.randint(1, 3))
        row[col["Lineitem name"]], row[col["Lineitem price"]], row[col["Lineitem sku"]] = item, price, sku
        if i == 0:
            for field, value in {
                "Email": c["email"], "Financial Status": "pending" if cod else "paid", "Currency": "EUR",
                "Total": f"{rnd.randint(10, 400)}.{rnd.randint(0, 99):02d}", "Shipping Name": c["name"],
                "Shipping Address1": c["address1"], "Shipping City": c["city"], "Shipping Zip": c["zip"],
                "Shipping Province": c["province"], "Shipping Country": "IT", "Shipping Phone": c["phone"],
                "Billing Name": c["name"],
                "Payment Method": "Cash on Delivery (COD)" if cod else "Shopify Payments",
            }.items():
                row[col[field]] = value
        writer.writerow(row)
    return len(items)


def generate_apart(path: Path, rows: int, seed: int) -> tuple[int, int]:
    """`generate` in a child process, so this one stays small: a child's peak RSS (ru_maxrss) never
    reads below the RSS of the process that forked it, and generating a million rows holds some
    100 MiB (the returning customers), which every stage's figure would otherwise include."""
    done = subprocess.run([sys.executable, __file__, "--generate-only", str(path), "--rows", str(rows),
                           "--seed", str(seed)], env=ENV, check=True, capture_output=True, text=True)
    written, orders = map(int, done.stdout.split())
    return written, orders


def run(cmd: list[str], stdin: str | None = None) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS in MiB of one child process."""
    with tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=ENV, stdin=subprocess.PIPE if stdin else None,
                                stdout=subprocess.DEVNULL, stderr=err, text=True)
        if stdin:
            proc.stdin.write(stdin)
            proc.stdin.close()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status):
            err.seek(0)
            sys.exit(f"{' '.join(cmd[:5])} failed: {err.read().strip()[-500:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--through", choices=STAGES, default=STAGES[-1],
                        help="stop after this stage (check: import, the plain loop and check only)")
    parser.add_argument("--generate-only", type=Path, help=argparse.SUPPRESS)  # the child of `generate_apart`
    args = parser.parse_args()
    if args.generate_only:
        print(*generate(args.generate_only, args.rows, args.seed))
        return
    work = Path(tempfile.mkdtemp(prefix="codtool-day-"))
    try:
        report(work, args.rows, args.seed, STAGES[:STAGES.index(args.through) + 1])
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work)


RESULTS: dict[str, tuple[float, float, float]] = {}
STAGES = ("import", "check", "dedupe", "calls")


def report(work: Path, rows: int, seed: int, stages: tuple[str, ...] = STAGES) -> None:
    export = work / "orders_export.csv"
    start = time.perf_counter()
    written, orders = generate_apart(export, rows, seed)
    print(f"generated {written:,} rows, {orders:,} orders, {export.stat().st_size / 2**20:.0f} MiB "
          f"in {time.perf_counter() - start:.1f} s; machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    db = str(work / "day.db")
    codtool = [str(BIN / "codtool"), "--db", db, "-q"]
    results = RESULTS
    if shutil.which("sqlite3"):
        results["sqlite3 .import (reference)"] = run(["sqlite3", str(work / "plain.db")],
                                                     f".mode csv\n.import {export} orders\n")
    run([*codtool, "init"])
    results["import"] = run([*codtool, "import", str(export), "--shop", "bench"])
    if "check" in stages:
        results["plain-loop check (reference)"] = run([sys.executable, str(BENCH / "check_baseline.py"), db])
        results["check"] = run([*codtool, "check"])
    if "dedupe" in stages:
        results["dedupe"] = run([*codtool, "dedupe"])
    if "calls" in stages:
        next_day = (LAST_DAY + timedelta(days=1)).date().isoformat()
        results["calls list --out"] = run([*codtool, "calls", "list", "--date", next_day,
                                           "--out", str(work / "calls.csv")])
    print(f"{'stage':30} {'wall s':>8} {'cpu s':>8} {'peak MiB':>9} {'orders/s':>10}")
    total = [0.0, 0.0, 0.0]
    for name, (wall, cpu, peak) in results.items():
        print(f"{name:30} {wall:8.2f} {cpu:8.2f} {peak:9.0f} {orders / wall:10,.0f}")
        if "reference" not in name:
            total = [total[0] + wall, total[1] + cpu, max(total[2], peak)]
    print(f"{'total (codtool stages)':30} {total[0]:8.2f} {total[1]:8.2f} {total[2]:9.0f}")
    ratio("import", "sqlite3 .import (reference)", "import / sqlite3 .import", "goal <= 2.5x")
    ratio("plain-loop check (reference)", "check", "check speed / plain loop", "goal >= 2x")
    print("(on a busy machine wall time follows the load: compare the CPU ratios)")


def ratio(a: str, b: str, label: str, goal: str) -> None:
    """Quotient of stage a over stage b, wall and CPU, when both ran."""
    if a in RESULTS and b in RESULTS:
        (wall_a, cpu_a, _), (wall_b, cpu_b, _) = RESULTS[a], RESULTS[b]
        print(f"{label}: {wall_a / wall_b:.2f}x wall, {cpu_a / cpu_b:.2f}x CPU ({goal})")


if __name__ == "__main__":
    main()
