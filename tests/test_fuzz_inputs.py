"""Fuzzing every reader: bytes, and CSV and TOML that are well formed but wrong, never give a traceback.

The contract for any input: processed (rejects are fine, exit 0), or exactly one `Error:` line with
exit 1 and the ledger unchanged. CI runs a few hundred examples in all; for a long run set
CODTOOL_FUZZ_EXAMPLES (examples per reader and kind), e.g. `CODTOOL_FUZZ_EXAMPLES=5000 pytest
tests/test_fuzz_inputs.py`.

SQLite only: each example starts from a file copy of the template (a PostgreSQL copy per example
would dominate CI time); the readers under test are the same on both backends, and the hostile-input
tests (test_hostile_input.py) check the "ledger unchanged" half on PostgreSQL too.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import shutil
from pathlib import Path

import pytest
from backends import Backend
from helpers import REPO, assert_clean, dump, imported_ledger, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codtool.importing.profiles import FIELDS as ORDER_FIELDS
from codtool.notify.outcomes import FIELDS as CALL_FIELDS
from codtool.notify.policy import DEFAULT_POINTS
from codtool.notify.sender import COLUMNS as MESSAGE_COLUMNS
from codtool.tracking.couriers import COLUMN_FIELDS
from codtool.tracking.ndr import DECISION_COLUMNS
from codtool.tracking.shipments import MANIFEST_COLUMNS

EXAMPLES = int(os.environ.get("CODTOOL_FUZZ_EXAMPLES", "20"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize="CODTOOL_FUZZ_EXAMPLES" not in os.environ,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large])
SHIP = REPO / "fixtures" / "shipping"
HUGE = ["99999999999999999999", str(2**63), "-" + str(2**63 + 1), "1" * 400]

READERS = {  # reader: (command before the file, options after it, header names it knows)
    "import": (["import"], ["--shop", "fuzz"], list(ORDER_FIELDS)),
    "track": (["track"], ["--courier", "generic"], ["tracking_number", "event_at", "status", "reason", "date"]),
    "ship": (["ship"], ["--courier", "generic", "--shop", "demo", "--force"], [c[0] for c in MANIFEST_COLUMNS.values()]),
    "calls record": (["calls", "record"], [], list(CALL_FIELDS)),
    "ndr record": (["ndr", "record"], [], [c[0] for c in DECISION_COLUMNS.values()]),
    "notify mark-sent": (["notify", "mark-sent"], [], list(MESSAGE_COLUMNS)),
}
CELLS = st.one_of(
    st.sampled_from(["", "0", "1", "2", "-1", "²", "٣", "1e400", "NaN", "12,50", "1.234,56", "€ 10", "10.00",
                     "=cmd|' /C calc'!A0", "2026-11-23 10:00", "23/11/2026 09:12", "31/02/2026", "2026-13-45T99:00",
                     "#1001", "G-2003", "G-2004", "EU7700000031", "059012300001", "confirmed", "confermato",
                     "no_answer", "call_back", "address_corrected", "cancelled", "delivered", "in transit", "hold",
                     "reattempt", "return", "failed_attempt", "out_for_delivery", "confirm", "+393331234567", "IT", "EUR", "XXX", "cod", "Via Roma 1", '"', "\r",
                     "\x00", "\ufeff", "\u202e", " " * 3, *HUGE]),
    st.text(max_size=24),
)


@st.composite
def csv_files(draw, names: list[str]) -> bytes:
    """A CSV that parses as a table: known and unknown headers, hostile cells, any delimiter and encoding."""
    header = draw(st.lists(st.one_of(st.sampled_from(names), st.text(max_size=12)), min_size=1, max_size=12))
    rows = draw(st.lists(st.lists(CELLS, max_size=len(header) + 2), max_size=8))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=draw(st.sampled_from([",", ";", "\t", "|"])),
                        quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])))
    writer.writerows([header, *rows])
    data = buffer.getvalue().encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"])),
                                    errors="replace")
    if draw(st.booleans()):  # a stray byte or three somewhere
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=3)) + data[at:]
    return data


def toml_value(value) -> str:
    """TOML text for a value, so the fuzzer can write any type where a file expects another."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(map(toml_value, value)) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


VALUES = st.recursive(
    st.one_of(st.integers(-5, 100), st.sampled_from([2**63, -(2**63) - 1, 10**20]), st.booleans(),
              st.floats(), st.text(max_size=16), st.sampled_from(["delivered", "order_id", "%d/%m/%Y", "100.00"])),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=3),
    max_leaves=6)


@st.composite
def toml_files(draw, sections: dict[str, list[str]]) -> bytes:
    """TOML with the file's own sections and keys (and some others) holding values of any type."""
    lines = []
    for section in draw(st.lists(st.sampled_from([*sections, "extra"]), max_size=4, unique=True)):
        keys = sections.get(section, []) or ["x"]
        pairs = draw(st.dictionaries(st.one_of(st.sampled_from(keys), st.text(min_size=1, max_size=6)), VALUES,
                                     max_size=4))
        if draw(st.booleans()):
            lines.append(f"[{json.dumps(section)}]")
            lines += [f"{json.dumps(k)} = {toml_value(v)}" for k, v in pairs.items()]
        else:
            lines.insert(0, f"{json.dumps(section)} = {toml_value(pairs)}")
    data = "\n".join(lines).encode()
    if draw(st.booleans()):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=4)) + data[at:]
    return data


TOMLS = {  # file option: (command, sections and keys the file knows)
    "import --mapping": (["import", "{orders}", "--shop", "fuzz", "--profile", "generic", "--mapping"],
                         {"columns": list(ORDER_FIELDS)}),
    "track --mapping": (["track", str(SHIP / "generic_status.csv"), "--courier", "generic", "--mapping"],
                        {"columns": list(COLUMN_FIELDS), "statuses": ["delivered", "x*"], "reasons": ["absent"],
                         "title": [], "date_formats": []}),
    "calls --policy": (["calls", "list", "--date", "2026-11-23", "--policy"],
                       {"points": list(DEFAULT_POINTS), "high_amount": ["EUR", "USD"],
                        "auto_confirm": ["enabled", "max_score"],
                        "unreachable": ["max_attempts", "action", "retry_hours"]}),
}


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> tuple[Path, Path]:
    """A template ledger (fixture orders, generic manifest shipped) and a folder for each example."""
    template = imported_ledger(Backend("sqlite"), tmp_path_factory.mktemp("fuzz_template"))
    result = run(template, "ship", str(SHIP / "manifest_generic.csv"), "--courier", "generic", "--shop", "demo",
                 "--force")
    assert result.exit_code == 0, result.output
    return template, tmp_path_factory.mktemp("fuzz")


def _check(work: tuple[Path, Path], args: list[str], name: str, data: bytes) -> None:
    template, folder = work
    db, path = folder / "ledger.db", folder / name
    shutil.copy(template, db)
    path.write_bytes(data)
    before = dump(db)
    assert_clean(run(db, *[a.replace("{file}", str(path)) for a in args]), db, before)


@pytest.mark.parametrize("reader", READERS)
@FUZZ
@given(data=st.data())
def test_no_csv_reader_gives_a_traceback(work, reader, data):
    command, options, names = READERS[reader]
    content = data.draw(st.one_of(st.binary(max_size=600), csv_files(names)), label="file")
    _check(work, [*command, "{file}", *options], "input.csv", content)


@pytest.mark.parametrize("option", TOMLS)
@FUZZ
@given(data=st.data())
def test_no_toml_reader_gives_a_traceback(work, option, data):
    command, sections = TOMLS[option]
    content = data.draw(st.one_of(st.binary(max_size=300), toml_files(sections)), label="toml")
    orders = work[1] / "orders.csv"
    orders.write_text("order_id,customer_name,address1,city,country,cod_amount\nF1,Anna,Via Roma 1,Roma,IT,10.00\n")
    args = [a.replace("{orders}", str(orders)) for a in command]
    _check(work, [*args, "{file}"], "input.toml", content)
