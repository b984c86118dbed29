"""One finding record: every code the code uses is documented, and findings are stored and shown."""

from __future__ import annotations

import re
from pathlib import Path

from helpers import CALL_FIXTURES, ORDER_FIXTURES, REPO, brief

from codtool.checks.findings import CODES as CHECK_CODES

# A quoted code, not the name of a crash point (`crash_point("import.after_orders")`, codtool/crashpoints.py).
_CODE = re.compile(r"""(?<!crash_point\()["']((?:import|ship|tracking|call|ndr|notify|phone|address)\.[a-z_.]*[a-z_])["']""")
_NOT_FINDINGS = {"crashpoints.py"}
_ROW = re.compile(r"^\| `([a-z_.]+)` \| (error|warning|info) \|", re.M)
SHIP = REPO / "fixtures" / "shipping"


def documented() -> dict[str, str]:
    return dict(_ROW.findall((REPO / "docs" / "findings.md").read_text(encoding="utf-8")))


def used_in_code() -> set[str]:
    found: set[str] = set()
    for path in (REPO / "codtool").rglob("*.py"):
        if path.name not in _NOT_FINDINGS:
            found |= set(_CODE.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_code_in_the_code_is_in_the_table_and_back():
    table, used = documented(), used_in_code()
    assert len(used) > 50  # the pattern still finds the codes
    assert sorted(used - set(table)) == []
    assert sorted(set(table) - used) == []


def test_check_codes_have_the_documented_severity():
    table = documented()
    assert {code: table[code] for code in CHECK_CODES} == {code: s for code, (s, _) in CHECK_CODES.items()}


def test_ship_refusals_are_stored_once_and_shown_with_the_order(cli):
    cli.json("-q", "import", *ORDER_FIXTURES, "--shop", "demo")
    manifest = SHIP / "manifest_brt.csv"
    first = cli.json("ship", manifest, "--courier", "brt", "--shop", "demo")
    assert first["shipped"] == 0 and {f["code"] for f in first["refused"]} == {"ship.not_confirmed",
                                                                          "ship.order_cancelled"}
    cli.json("ship", manifest, "--courier", "brt", "--shop", "demo")
    assert cli.sql("SELECT COUNT(*) FROM findings") == [(len(first["refused"]),)]
    shown = cli.json("orders", "show", "#1001")["findings"]
    assert brief(shown, "source", "line", "code", "severity", "order", "parcel") == [
        {"source": "manifest_brt.csv", "line": 2, "code": "ship.not_confirmed", "severity": "error",
         "order": "#1001", "parcel": "059012300001"}]


def test_call_rejects_are_stored_with_their_lines(cli):
    cli.json("-q", "import", *ORDER_FIXTURES, "--shop", "demo")
    path = CALL_FIXTURES / "outcomes_with_errors.csv"
    data = cli.json("calls", "record", path)
    stored = cli.sql("SELECT line, code FROM findings WHERE source = ? ORDER BY line", Path(path).name)
    assert stored == [(f["line"], f["code"]) for f in data["rejects"]] and len(stored) == 6


def test_batches_show_gives_import_rejects_as_findings(cli, tmp_path):
    out = cli.json("import", ORDER_FIXTURES[0], "--shop", "demo")[0]
    shown = cli.json("batches", "show", str(out["batch_id"]))["rejects"]
    assert brief(shown, "source", "line", "code", "reason") == brief(out["rejects"], "source", "line", "code",
                                                                      "reason")
    assert all(f["code"].startswith("import.") for f in shown) and shown
