"""The plain-loop reference for `codtool check`: the same phonenumbers and CAP work, row by row.

    python bench/check_baseline.py LEDGER.db

For every order in the ledger: parse the phone in the shipping country, ask phonenumbers
`is_valid_number`, `number_type` and `region_code_for_number` (what a straightforward checker
calls), and for Italian orders look the comune up by name and test the CAP against its
CAPs. No caching, no storing: the loop a reader would write first. Prints orders and
seconds; bench_day.py runs it beside `codtool check` on the same ledger.
"""

from __future__ import annotations

import csv
import sqlite3
import sys
import time
from importlib.resources import files

import phonenumbers


def comuni() -> dict[str, set[str]]:
    """Comune name (case-folded) -> its CAPs, from codtool's own offline table."""
    text = files("codtool.data").joinpath("italy_comuni.csv").read_text(encoding="utf-8")
    table: dict[str, set[str]] = {}
    for row in csv.DictReader(text.splitlines()):
        table.setdefault(row["comune"].casefold(), set()).update(c for c in row["caps"].split() if c)
    return table


def check(phone: str, country: str, city: str, cap: str, caps: dict[str, set[str]]) -> tuple:
    region = country.upper() if country.upper() in phonenumbers.SUPPORTED_REGIONS else None
    try:
        number = phonenumbers.parse(phone.strip().lstrip("'"), region)
        result = (phonenumbers.is_valid_number(number), phonenumbers.number_type(number),
                  phonenumbers.region_code_for_number(number))
    except phonenumbers.NumberParseException:
        result = (False, None, None)
    if country.upper() == "IT":
        known = caps.get(city.strip().casefold())
        result += (known is not None and cap.strip() in known,)
    return result


def main() -> None:
    conn = sqlite3.connect(sys.argv[1])
    start = time.perf_counter()
    caps = comuni()
    n = 0
    for phone, country, city, cap in conn.execute("SELECT phone, country, city, postcode FROM orders ORDER BY id"):
        check(phone or "", country or "", city or "", cap or "", caps)
        n += 1
    seconds = time.perf_counter() - start
    print(f"{n} orders in {seconds:.2f} s ({n / seconds:,.0f} orders/s)")


if __name__ == "__main__":
    main()
