"""Browsing the ledger: the browse_* views (both backends), Datasette's metadata and canned queries
through Datasette's own test client (no live server), and `codtool browse`."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import iso4217
import pytest
from helpers import CALL_FIXTURES, ORDER_FIXTURES, REPO, connect, run

from codtool import browse
from codtool.money import format_minor

SHIP = REPO / "fixtures" / "shipping"
REMIT = REPO / "fixtures" / "remit"
MONEY = ["--config", str(REMIT / "codtool.toml")]
DAY = (  # a COD day that fills every browse view
    ["import", *map(str, ORDER_FIXTURES), "--shop", "demo"],
    ["check"],
    ["calls", "record", str(CALL_FIXTURES / "outcomes_2026-11-23.csv")],
    ["calls", "confirm", "--date", "2026-11-23"],
    ["ship", str(SHIP / "manifest_brt.csv"), "--courier", "brt", "--shop", "demo", "--force"],
    ["track", str(SHIP / "brt_status_2026-11-25.csv"), "--courier", "brt"],
    ["track", str(SHIP / "brt_status_2026-11-27.csv"), "--courier", "brt"],
    [*MONEY, "remit", "import", str(REMIT / "remittance_brt_2026-11-28.csv"), "--courier", "brt"],
    [*MONEY, "remit", "bank", str(REMIT / "bank_2026-11-30.csv")],
    [*MONEY, "remit", "reconcile", "--as-of", "2026-12-10"],
    [*MONEY, "payout", "run", "--as-of", "2026-12-10"],
)
# Each view's amount columns, named by the minor-unit column they show in currency units.
AMOUNTS = {
    "browse_orders": {"cod_minor": "cod_amount", "total_minor": "total_amount"},
    "browse_shipments": {"cod_minor": "cod_amount"},
    "browse_open_ndr": {"cod_minor": "cod_amount"},
    "browse_flagged_orders": {"cod_minor": "cod_amount"},
    "browse_remittances": {"total_net_minor": "total_net_amount"},
    "browse_discrepancies": {"amount_minor": "amount"},
    "browse_payouts": {"cod_minor": "cod_amount", "fee_minor": "fee_amount", "net_minor": "net_amount",
                       "paid_minor": "paid_amount"},
}


@pytest.fixture(scope="module")
def day(backend, tmp_path_factory):
    folder = tmp_path_factory.mktemp("browse")
    db = backend.new(folder)
    assert run(db, "-q", "init").exit_code == 0
    for args in DAY:
        result = run(db, "-q", *args)
        assert result.exit_code == 0, f"{args}: {result.output}"
    return db


def rows(db, view: str) -> list[dict]:
    with connect(db) as session:
        return session.dicts(f"SELECT * FROM {view} ORDER BY 1", ())


@pytest.mark.parametrize("view", sorted(AMOUNTS))
def test_every_view_has_rows_and_amounts_equal_to_the_money_formatter(day, view):
    found = rows(day, view)
    assert found, f"{view} is empty: the day should fill it"
    for row in found:
        for minor, amount in AMOUNTS[view].items():
            assert type(row[minor]) is int and row[amount] == format_minor(row[minor], row["currency"]), row


def test_views_agree_with_the_tables_they_describe(day):
    with connect(day) as session:
        assert session.scalar("SELECT COUNT(*) FROM orders") == len(rows(day, "browse_orders"))
        assert session.scalar("SELECT COUNT(*) FROM shipments WHERE status = 'failed_attempt'") == len(
            rows(day, "browse_open_ndr"))
        net = session.scalar("SELECT SUM(net_minor) FROM payout_items")
    assert sum(r["net_minor"] for r in rows(day, "browse_payouts")) == net
    assert {r["status"] for r in rows(day, "browse_discrepancies")} == {"open"}
    assert {r["severity"] for r in rows(day, "browse_flagged_orders")} <= {"error", "warning"}


@pytest.mark.parametrize(("currency", "minors"), [
    ("EUR", [0, 5, 99, 100, 5680, -1, -440, 10**15 + 7]),
    ("JPY", [0, 1500, -3]),
    ("KWD", [7, 1000, -1001]),
    ("CLF", [12345]),
])
def test_amounts_keep_every_currency_s_decimals_and_sign(day, ledgers, currency, minors):
    db = ledgers.copy(day)
    with connect(db) as session:
        ids = [r[0] for r in session.execute("SELECT id FROM orders ORDER BY id")][:len(minors)]
        for order_id, minor in zip(ids, minors, strict=True):
            session.execute("UPDATE orders SET total_minor = ?, currency = ? WHERE id = ?", (minor, currency, order_id))
        shown = {r["id"]: r["total_amount"] for r in session.dicts("SELECT id, total_amount FROM browse_orders", ())}
    assert [shown[i] for i in ids] == [format_minor(m, currency) for m in minors]


def test_currency_divisors_are_iso_4217s_minor_units(day):
    """Every ISO code whose minor unit is not the cent is listed, with 10^exponent; no other code is."""
    odd = {c.code: 10 ** c.exponent for c in iso4217.Currency if c.exponent not in (2, None)}
    with connect(day) as session:
        listed = {r[0]: r[1] for r in session.execute("SELECT currency, divisor FROM currency_divisors")}
    assert listed == odd


# --- Datasette, through its own test client -------------------------------------------------------

def get(ds, path: str):
    response = asyncio.run(ds.client.get(path))
    assert response.status_code == 200, (path, response.text[:500])
    return response


@pytest.fixture(scope="module")
def datasette(day, backend):
    pytest.importorskip("datasette", reason="Datasette is the optional extra codtool[browse]")
    if backend.name != "sqlite":
        pytest.skip("Datasette reads SQLite ledgers only")
    return browse.app(day)


def test_datasette_serves_the_views_with_amounts(datasette, day):
    name = day.stem
    shown = get(datasette, f"/{name}/browse_payouts.json?_shape=array").json()
    assert shown == rows(day, "browse_payouts")
    assert get(datasette, f"/{name}.json").json()["views"]  # listed as views of the database


def test_datasette_shows_the_shipped_descriptions(datasette, day):
    metadata = get(datasette, "/-/metadata.json").json()
    shipped = json.loads((REPO / "codtool" / "browse" / "metadata.json").read_text(encoding="utf-8"))
    served, ours = metadata["databases"][day.stem], shipped["databases"]["ledger"]
    assert served["tables"] == ours["tables"] and served["description"] == ours["description"]
    assert {name: q["sql"] for name, q in served["queries"].items()} == {n: q["sql"] for n, q in ours["queries"].items()}
    page = get(datasette, f"/{day.stem}/browse_orders").text
    assert shipped["databases"]["ledger"]["tables"]["browse_orders"]["description"] in page
    with connect(day) as session:  # every described table and column exists in the ledger
        for table, about in shipped["databases"]["ledger"]["tables"].items():
            columns = {d[0] for d in session.execute(f"SELECT * FROM {table} LIMIT 0").description}
            assert set(about.get("columns", {})) <= columns, table


def test_every_canned_query_runs(datasette, day):
    queries = browse.metadata_for(day)["databases"][day.stem]["queries"]
    assert len(queries) >= 4
    for name in queries:
        get(datasette, f"/{day.stem}/{name}.json?_shape=array&order=%231001")


def test_canned_queries_answer_from_the_ledger(datasette, day):
    story = get(datasette, f"/{day.stem}/order_story.json?_shape=array&order=%231001").json()
    assert [r["new_status"] for r in story][-1] == "delivered" and {r["order_ref"] for r in story} == {"#1001"}
    open_cod = get(datasette, f"/{day.stem}/open_cod_by_shop.json?_shape=array").json()
    expected: dict[tuple[str, str], int] = {}
    for r in rows(day, "browse_orders"):
        if r["is_cod"] and r["status"] in ("new", "confirmed", "unreachable", "shipped"):
            key = (r["shop"], r["currency"])
            expected[key] = expected.get(key, 0) + r["cod_minor"]
    assert {(r["shop"], r["currency"]): r["cod_minor"] for r in open_cod} == expected
    assert all(r["cod_amount"] == format_minor(r["cod_minor"], r["currency"]) for r in open_cod)


# --- codtool browse ---------------------------------------------------------------------------------

def test_browse_without_datasette_says_how_to_install_it(day, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "datasette", None)  # import datasette -> ImportError
    result = run(day, "browse")
    assert result.exit_code == 1
    assert result.output.strip() == "Error: codtool browse needs Datasette, an optional extra: " \
                                    "pip install 'codtool[browse]'"


def test_browse_refuses_postgresql_and_missing_ledgers(tmp_path, monkeypatch):
    pytest.importorskip("datasette")
    monkeypatch.setattr(browse, "run_datasette", lambda args: pytest.fail("must not start Datasette"))
    pg = run("postgresql://codtool:secret@db.example/ledger", "browse")
    assert pg.exit_code == 1 and "SQLite ledgers only" in pg.output and "secret" not in pg.output
    missing = run(tmp_path / "typo.db", "browse")
    assert missing.exit_code == 1 and "no ledger at" in missing.output
    assert not (tmp_path / "typo.db").exists()


def test_browse_starts_datasette_on_the_ledger_with_the_metadata(day, monkeypatch, backend):
    pytest.importorskip("datasette")
    if backend.name != "sqlite":
        pytest.skip("Datasette reads SQLite ledgers only")
    started = {}

    def fake_datasette(args):
        metadata = args[args.index("--metadata") + 1]
        started.update(args=args, metadata=json.loads(Path(metadata).read_text(encoding="utf-8")))
        return 0

    monkeypatch.setattr(browse, "run_datasette", fake_datasette)
    result = run(day, "browse", "--port", "8123", "--open")
    assert result.exit_code == 0, result.output
    assert started["args"][:2] == ["serve", str(day)]
    assert started["args"][-5:] == ["--host", "127.0.0.1", "--port", "8123", "--open"]
    assert started["metadata"] == browse.metadata_for(day)


def test_datasette_s_own_command_line_accepts_what_browse_passes(day, backend):
    pytest.importorskip("datasette")
    if backend.name != "sqlite":
        pytest.skip("Datasette reads SQLite ledgers only")
    assert browse.run_datasette(["serve", str(day), "--get", "/-/versions.json"]) == 0
    assert browse.run_datasette(["serve", str(day), "--port", "nope"]) == 2
