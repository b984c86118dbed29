"""docs/json.md is true: every command it lists, run with --json on a worked COD day, prints at least
the keys it documents (nested lists checked on their first element), in the documented shape."""

from __future__ import annotations

import json
import re
from pathlib import Path

from helpers import CALL_FIXTURES, ORDER_FIXTURES, REPO

DOC = REPO / "docs" / "json.md"
SHIP = REPO / "fixtures" / "shipping"
REMIT = REPO / "fixtures" / "remit"
FINDING = ("source", "line", "code", "severity", "message", "reason", "order", "parcel", "order_id", "suggestion")


# --- reading the documentation -----------------------------------------------------------------

def documented() -> dict[str, tuple[str, str]]:
    """command -> (shape column, keys column) for every row of the table."""
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`") and cells[0] != "`command`":
            rows[cells[0].strip("`")] = (cells[1], cells[2])
    return rows


def quoted_outside_parentheses(cell: str) -> str:
    """The `backticked` text of a cell that is not inside a (remark), joined with commas."""
    parts, depth, quoted, current = [], 0, False, ""
    for ch in cell:
        if ch == "`":
            if quoted and depth == 0:
                parts.append(current)
            quoted, current = not quoted, ""
        elif quoted:
            current += ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
    return ", ".join(parts)


def split_top(text: str) -> list[str]:
    items, depth, current = [], 0, ""
    for ch in text:
        depth += ch in "[{"
        depth -= ch in "]}"
        if ch == "," and depth == 0:
            items.append(current.strip())
            current = ""
        else:
            current += ch
    return [i for i in [*items, current.strip()] if i]


def parse_keys(text: str) -> dict[str, tuple[str, ...] | None]:
    """'a, b: [{c, d}], e: [finding + kind], ...' -> {a: None, b: (c, d), e: (source, ..., kind)}."""
    keys: dict[str, tuple[str, ...] | None] = {}
    for item in split_top(text):
        if item == "...":
            continue
        name, _, spec = (part.strip() for part in item.partition(":"))
        assert re.fullmatch(r"[\w-]+", name), f"docs/json.md: cannot read key {item!r}"
        inner = spec.strip("[]{} ")
        if not spec:
            keys[name] = None
        elif inner.startswith("finding"):
            keys[name] = FINDING + (("kind",) if "+ kind" in inner else ())
        else:
            keys[name] = tuple(split_top(inner))
    return keys


def test_the_documentation_table_reads():
    rows = documented()
    assert len(rows) > 30
    for command, (_shape, cell) in rows.items():
        assert parse_keys(quoted_outside_parentheses(cell)), f"{command}: no keys documented"


# --- running every command on one COD day ------------------------------------------------------

def _day(cli, tmp_path: Path) -> dict[str, object]:
    """Run the demo's COD day; return each documented command's --json output."""
    out: dict[str, object] = {}
    config = ("--config", REMIT / "codtool.toml")

    def run(name: str, *args) -> object:
        out[name] = cli.json(*args)
        return out[name]

    def lines_refused(name: str, *args) -> None:
        """A command that rejects some lines of its file: exit 1 only with --strict, JSON either way."""
        result = cli("--json", *args)
        assert result.exit_code == 0, result.output
        out[name] = json.loads(result.stdout)

    run("import FILE...", "import", *ORDER_FIXTURES, "--shop", "demo")
    run("batches list", "batches", "list")
    run("batches show ID", "batches", "show", "1")
    run("orders list", "orders", "list")
    run("shops list", "shops", "list")
    run("orders export --out FILE", "orders", "export", "--out", tmp_path / "orders.csv")
    run("check", "check")
    dedupe = run("dedupe", "dedupe")
    run("dedupe --review", "dedupe", "--review")
    cluster = dedupe["clusters"][0]
    run("dedupe resolve CLUSTER", "dedupe", "resolve", str(cluster["id"]), "--keep", str(cluster["keep_order_id"]))
    run("calls confirm", "calls", "confirm", "--date", "2026-11-23")
    run("calls list", "calls", "list", "--date", "2026-11-23")
    lines_refused("calls record FILE", "calls", "record", CALL_FIXTURES / "outcomes_with_errors.csv")
    run("notify export", "notify", "export", "--kind", "confirm", "--out", tmp_path / "messages.csv")
    run("notify mark-sent FILE", "notify", "mark-sent", tmp_path / "messages.csv")
    run("notify templates", "notify", "templates")
    run("notify templates --show KIND", "notify", "templates", "--show", "confirm", "--lang", "it")
    lines_refused("ship MANIFEST", "ship", SHIP / "manifest_brt.csv", "--courier", "brt", "--shop", "demo", "--force")
    lines_refused("track FILE...", "track", *sorted(SHIP.glob("brt_status_*.csv")), "--courier", "brt")
    run("ndr list", "ndr", "list")
    lines_refused("ndr record FILE", "ndr", "record", SHIP / "ndr_decisions.csv")
    run("report delivery", "report", "delivery")
    run("orders show ORDER", "orders", "show", "#1001")
    run("config show", *config, "config", "show")
    run("remit import FILE...", *config, "remit", "import", REMIT / "remittance_brt_2026-11-28.csv", "--courier", "brt")
    run("remit bank FILE...", *config, "remit", "bank", REMIT / "bank_2026-11-30.csv")
    reconciled = run("remit reconcile", *config, "remit", "reconcile", "--as-of", "2026-12-10")
    run("remit report", *config, "remit", "report", "--as-of", "2026-12-10")
    run("remit resolve ID", *config, "remit", "resolve", str(reconciled["discrepancies"][0]["id"]), "--write-off", "--note", "lost",
        "--as-of", "2026-12-10")
    run("remit balances", *config, "remit", "balances")
    run("remit chase", *config, "remit", "chase", "--as-of", "2026-12-28", "--out", tmp_path)
    run("payout run", *config, "payout", "run", "--as-of", "2026-12-10")
    statements = run("payout list", *config, "payout", "list")["statements"]
    run("payout statement ID", *config, "payout", "statement", str(statements[0]["id"]))
    due = statements[0]["due_minor"]
    run("payout record ID", *config, "payout", "record", str(statements[0]["id"]), "--bank-ref", "CRO1",
        "--amount", f"{due // 100}.{due % 100:02d}", "--date", "2026-12-11")
    run("doctor", "doctor")
    (tmp_path / "in").mkdir()
    daily = cli("--json", *config, "daily", "--in", tmp_path / "in", "--out", tmp_path / "out", "--as-of", "2026-12-11")
    assert daily.exit_code in (0, 3), daily.output  # 3: the worked day leaves discrepancies open
    out["daily"] = json.loads(daily.stdout)
    late = tmp_path / "late.csv"
    late.write_text("order_id,customer_name,address1,city,country,cod_amount\nL1,Anna Rossi,Via Roma 1,Roma,IT,10.00\n",
                    encoding="utf-8")
    [undo_me] = cli.json("import", late, "--shop", "late")
    run("batches undo ID", "batches", "undo", str(undo_me["batch_id"]))
    run("init", "init")
    return out


def _check(command: str, shape: str, cell: str, value: object) -> None:
    keys = parse_keys(quoted_outside_parentheses(cell))
    if "list" in shape:
        assert isinstance(value, list), f"{command}: documented a list, printed {type(value).__name__}"
        assert value, f"{command}: the worked day gives an empty list: nothing to check"
        value = value[0]
    assert isinstance(value, dict), f"{command}: printed {type(value).__name__}, not an object"
    missing = [k for k in keys if k not in value]
    assert not missing, f"{command}: documented keys not printed: {missing} (printed {sorted(value)})"
    for key, inner in keys.items():
        if inner is None:
            continue
        assert isinstance(value[key], list), f"{command}: {key} is documented as a list"
        for item in value[key][:1]:
            lost = [k for k in inner if k != "..." and k not in item]
            assert not lost, f"{command}: {key}[] lacks documented keys {lost} (has {sorted(item)})"


def test_every_documented_command_prints_the_documented_keys(cli, tmp_path):
    printed = _day(cli, tmp_path)
    rows = documented()
    assert sorted(set(rows) - set(printed)) == [], "documented commands this test does not run"
    for command, (shape, cell) in rows.items():
        _check(command, shape, cell, printed[command])
    # the nested findings were there to check: the day rejects import lines and reports tracking issues
    assert any(f["rejects"] for f in printed["import FILE..."])
    assert any(f["issues"] for f in printed["track FILE..."])
