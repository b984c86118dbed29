"""Command-line conventions (issue 16): one JSON shape per command, global options anywhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import ORDER_FIXTURES, REPO
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
