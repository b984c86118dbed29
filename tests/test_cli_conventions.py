"""Command-line conventions (issue 16): one JSON shape per command, global options anywhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import ORDER_FIXTURES, REPO, connect
from typer.testing import CliRunner

from codtool.cli import app, hoist_globals
from codtool.ledger.db import connect as raw_session
from codtool.ledger.url import parse_url

SHIP = REPO / "fixtures" / "shipping"


def test_import_json_is_a_list_for_one_file_and_for_two(cli):
    one = cli.json("import", ORDER_FIXTURES[0], "--shop", "a")
    two = cli.json("import", ORDER_FIXTURES[1], ORDER_FIXTURES[2], "--shop", "a")
    assert isinstance(one, list) and [Path(o["file"]).name for o in one] == [ORDER_FIXTURES[0].name]
    assert [Path(o["file"]).name for o in two] == [ORDER_FIXTURES[1].name, ORDER_FIXTURES[2].name]


def test_track_json_is_a_list_for_one_file_and_for_two(cli):
    cli.json("import", *ORDER_FIXTURES, "--shop", "demo")
    one = cli.json("track", SHIP / "generic_status.csv", "--courier", "generic")
    two = cli.json("track", SHIP / "brt_status_2026-11-25.csv", SHIP / "brt_status_2026-11-27.csv", "--courier", "brt")
    assert isinstance(one, list) and len(one) == 1 and one[0]["courier"] == "generic"
    assert [Path(t["file"]).name for t in two] == ["brt_status_2026-11-25.csv", "brt_status_2026-11-27.csv"]


@pytest.mark.parametrize("where", ["before", "after"])
def test_global_options_work_before_and_after_the_command(cli, where):
    options = ["--db", str(cli.db), "--json", "--strict"]
    args = ["import", str(ORDER_FIXTURES[0]), "--shop", "a"]
    result = CliRunner().invoke(app, options + args if where == "before" else args + options)
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.stdout)
    assert Path(data[0]["file"]).name == ORDER_FIXTURES[0].name


def test_quiet_after_the_command_silences_the_table(cli):
    result = cli("import", ORDER_FIXTURES[0], "--quiet")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


def test_hoisting_keeps_values_and_stops_at_double_dash():
    assert hoist_globals(["import", "a.csv", "--db", "x.db", "--json", "--shop", "s"]) == [
        "--db", "x.db", "--json", "import", "a.csv", "--shop", "s"]
    assert hoist_globals(["import", "--db=x.db", "--", "--json"]) == ["--db=x.db", "import", "--", "--json"]


def test_every_command_is_in_the_json_document():
    from typer.main import get_command

    text = (REPO / "docs" / "json.md").read_text(encoding="utf-8")
    root = get_command(app)
    for name, command in root.commands.items():
        subs = getattr(command, "commands", None) or {}
        names = [f"{name} {sub}" for sub in subs] if subs else [name]
        for full in names:
            assert f"`{full}" in text, f"docs/json.md does not describe {full}"


@pytest.mark.parametrize("command", [["orders", "list"], ["import", str(ORDER_FIXTURES[0])], ["check"], ["doctor"],
                                     ["batches", "list"], ["ndr", "list"]])
def test_commands_other_than_init_refuse_a_missing_ledger(ledgers, backend, command):
    """SQLite: no file (and none is created); PostgreSQL: a database without codtool's schema."""
    db = ledgers.new("typo", empty=True)
    result = CliRunner().invoke(app, ["--db", str(db), *command])
    assert result.exit_code == 1, result.output
    shown = str(parse_url(str(db)))  # the path, or the URL without a password
    assert result.stderr == f"Error: no ledger at {shown}: run `codtool init --db {shown}`\n"
    if backend.name == "sqlite":
        assert not Path(db).exists()
    else:
        with raw_session(parse_url(str(db))) as session:  # not open_ledger: that would migrate
            assert session.one(session.dialect.table_exists, ("schema_migrations",)) is None
    assert CliRunner().invoke(app, ["--db", str(db), "init"]).exit_code == 0
    after_init = CliRunner().invoke(app, ["--db", str(db), *command])
    assert after_init.exit_code == 0, after_init.output


@pytest.mark.parametrize("args, option", [
    (["orders", "list", "--status", "bogus"], "--status"),
    (["import", str(ORDER_FIXTURES[0]), "--profile", "bogus"], "--profile"),
    (["report", "delivery", "--by", "bogus"], "--by"),
    (["notify", "export", "--kind", "bogus", "--out", "x.csv"], "--kind"),
    (["import", str(ORDER_FIXTURES[0]), "--country", "ZZ"], "--country"),
    (["import", str(ORDER_FIXTURES[0]), "--currency", "XYZ"], "--currency"),
])
def test_closed_options_refuse_other_values_with_exit_2(cli, args, option):
    result = cli(*args)
    assert result.exit_code == 2, result.output
    value = args[args.index(option) + 1]
    assert option in result.stderr and value in result.stderr, result.stderr


def test_status_choices_are_listed(cli):
    result = cli("orders", "list", "--status", "bogus")
    assert all(s in result.stderr for s in ("new", "confirmed", "delivered", "lost")), result.stderr


def test_a_row_with_a_country_outside_iso_3166_is_rejected(cli, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("order_id,customer_name,address1,city,country,cod_amount\n"
                    "C1,Anna,Via Roma 1,Roma,ZZ,10.00\nC2,Bea,Via Roma 2,Roma,Italia,10.00\n", encoding="utf-8")
    [out] = cli.json("import", path)
    assert out["imported"] == 1
    assert [(r["line"], r["reason"]) for r in out["rejects"]] == [(2, "country 'ZZ' is not an ISO 3166 code such as IT")]


def _bad_import(tmp_path: Path) -> Path:
    path = tmp_path / "bad.csv"
    path.write_text("order_id,customer_name,address1,city,country,cod_amount\n"
                    "S1,Anna,Via Roma 1,Roma,IT,10.00\nS2,,Via Roma 2,Roma,IT,10.00\n", encoding="utf-8")
    return path


def test_strict_import_rolls_every_file_back(cli, tmp_path):
    result = cli("--strict", "import", ORDER_FIXTURES[0], _bad_import(tmp_path))
    assert result.exit_code == 1, result.output
    assert "rolled back, nothing recorded" in result.stderr
    assert cli.sql("SELECT COUNT(*) FROM orders") == [(0,)]
    assert cli.sql("SELECT COUNT(*) FROM import_batches") == [(0,)]
    again = cli("--strict", "import", ORDER_FIXTURES[0], _bad_import(tmp_path))
    assert again.exit_code == 1, again.output  # not "already imported": nothing was kept
    assert cli("import", ORDER_FIXTURES[0], _bad_import(tmp_path)).exit_code == 0


def test_strict_ship_and_ndr_record_roll_back(cli):
    cli.json("import", *ORDER_FIXTURES, "--shop", "demo")
    result = cli("--strict", "ship", SHIP / "manifest_brt.csv", "--courier", "brt", "--shop", "demo")
    assert result.exit_code == 1, result.output
    assert cli.sql("SELECT COUNT(*) FROM shipments") == [(0,)]
    result = cli("--strict", "track", SHIP / "brt_status_2026-11-27.csv", "--courier", "brt")
    assert result.exit_code == 1, result.output
    assert cli.sql("SELECT COUNT(*) FROM tracking_events") == [(0,)]


def _leaf_commands():
    from typer.main import get_command

    def walk(command, path):
        subs = getattr(command, "commands", None) or {}
        if not subs or getattr(command, "invoke_without_command", False):
            yield path
        for name, sub in subs.items():
            yield from walk(sub, [*path, name])

    return [p for p in walk(get_command(app), []) if p]


@pytest.mark.parametrize("path", _leaf_commands(), ids=" ".join)
def test_every_command_help_has_an_example_and_real_metavars(path):
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Example" in result.output
    for placeholder in ("<bool>", "<str>", "<list[", "[list[", "<path>", "<int>", "{"):
        assert placeholder not in result.output, (path, placeholder)


def test_completion_options_are_typers_own():
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert "--install-completion" in result.output and "--show-completion" in result.output


def test_tables_at_80_columns_keep_money_phones_and_ids_whole(cli, tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("order_id,customer_name,phone,address1,city,country,cod_amount\n"
                    "LONG-ORDER-000000001,Maria Grazia Benedetta De Luca Santangelo,+39 329 456 7788,"
                    "Via della Repubblica Partenopea 1234,San Giovanni in Persiceto,IT,3794160.70\n", encoding="utf-8")
    cli.json("import", path, "--shop", "a-shop-with-a-long-name")
    result = cli("orders", "list", env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(map(len, lines)) <= 80, result.stdout
    assert any("3,794,160.70" in line for line in lines), result.stdout  # whole, with thousands separators
    assert any("LONG-ORDER-000000001" in line for line in lines), result.stdout
    wide = cli("orders", "list", env={"COLUMNS": "200"})
    assert max(map(len, wide.stdout.splitlines())) > 80 and "San Giovanni in Persiceto" in wide.stdout


@pytest.mark.parametrize("as_json, quiet, drawn", [(False, False, True), (True, False, False), (False, True, False)])
def test_progress_is_hidden_by_json_and_quiet(monkeypatch, as_json, quiet, drawn):
    from codtool import render

    made = []

    class Recorder:
        def __init__(self, *args, **kwargs):
            made.append(args)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def add_task(self, *args, **kwargs):
            return 1

        def update(self, *args, **kwargs):
            pass

    monkeypatch.setattr(render, "_terminal", lambda: True)
    monkeypatch.setattr(render, "Progress", Recorder)
    output = render.Output(as_json=as_json, quiet=quiet)
    with output.progress("Checking"):  # no total: the bar pulses
        pass
    with output.progress("Importing", 1) as tick:
        tick(1, 1)
    assert len(made) == (2 if drawn else 0)


def test_ctrl_c_says_what_was_rolled_back_and_exits_130(cli, monkeypatch):
    import codtool.checks.runner as checks  # `check` imports its runner when it runs

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(checks, "run_checks", interrupted)
    result = cli("check")
    assert result.exit_code == 130, result.output
    assert result.stderr.startswith("Interrupted: the slice of orders being checked was rolled back")
    assert len(result.stderr.strip().splitlines()) == 1


def test_orders_show_reads_yes_no_and_reasons_for_people():
    from codtool.commands.orders import readable

    assert readable("is_cod", 1) == "yes" and readable("is_cod", False) == "no"
    assert readable("reasons", '[[10, "first-time customer"], [30, "high COD"]]') == \
        "first-time customer +10; high COD +30"
    assert readable("city", "Roma") == "Roma"


def test_orders_show_prints_yes_not_true(cli):
    cli.json("import", ORDER_FIXTURES[0], "--shop", "a")
    first = cli.json("orders", "list")[0]
    result = cli("orders", "show", str(first["id"]), env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if "is_cod" in line)
    assert "yes" in row or "no" in row.split("is_cod")[1], row
    assert "True" not in result.stdout and "False" not in result.stdout


def test_shops_list_counts_orders_and_open_cod_per_currency(cli, tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("order_id,customer_name,address1,city,country,cod_amount,currency\n"
                    "A1,Anna,Via Roma 1,Roma,IT,1000.50,EUR\nA2,Bea,Via Roma 2,Roma,IT,20.25,EUR\n"
                    "A3,Carl,Main St 3,Boston,US,5.00,USD\n", encoding="utf-8")
    cli.json("import", path, "--shop", "alpha")
    cli.json("import", ORDER_FIXTURES[0], "--shop", "beta")
    with connect(cli.db) as session:
        session.execute("UPDATE orders SET status = 'cancelled' WHERE source_id = 'A2'")
    shops = {s["shop"]: s for s in cli.json("shops", "list")}
    assert shops["alpha"]["orders"] == 3 and shops["alpha"]["last_import"]
    assert shops["alpha"]["cod_open"] == [{"currency": "EUR", "minor": 100050, "amount": "1000.50"},
                                          {"currency": "USD", "minor": 500, "amount": "5.00"}]
    assert shops["beta"]["orders"] == len(cli.json("orders", "list", "--shop", "beta", "--limit", "1000"))
    human = cli("shops", "list", env={"COLUMNS": "80"})
    assert "1,000.50 EUR" in human.stdout, human.stdout


def test_orders_list_offset_pages_through_the_list(cli):
    cli.json("import", *ORDER_FIXTURES, "--shop", "demo")
    every = [o["id"] for o in cli.json("orders", "list", "--limit", "1000")]
    pages = [o["id"] for start in range(0, len(every), 7)
             for o in cli.json("orders", "list", "--limit", "7", "--offset", str(start))]
    assert pages == every and len(every) > 7


def test_a_narrow_table_keeps_its_row_names_and_the_cash_before_the_detail():
    """The first column names the row, so it stays; a table says which columns matter least."""
    from codtool.render import table

    columns = ("group", "currency", "shipments", "lost", "cash_collected")
    rows = [("bartolini-express-nord", "EUR", 12345, 7, "1,234,567.89")]
    narrow = table(None, columns, rows, numeric=columns[2:], drop_first=("lost", "shipments"))
    assert [columns[i] for i in narrow.kept(50)] == ["group", "currency", "cash_collected"]
    assert [columns[i] for i in narrow.kept(20)][0] == "group"
    assert [columns[i] for i in narrow.kept(200)] == list(columns)
