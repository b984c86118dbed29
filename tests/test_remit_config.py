"""Configuration: where it is found, what `config show` prints, and bad keys refused with file, key and reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from remit_world import CONFIG

from codtool.config import ConfigError, build_config, load_config


def write(tmp_path, text):
    path = tmp_path / "codtool.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_show_prints_values_and_their_source(cli, tmp_path):
    path = write(tmp_path, CONFIG)
    data = cli.json("--config", path, "config", "show")
    values = {v["key"]: (v["value"], v["source"]) for v in data["values"]}
    assert values["timezone"] == ("Europe/Rome", str(path))
    assert values["couriers.brt.fee_min"] == ("1.50", str(path))
    assert values["couriers.brt.remittance_mapping"] == ("", "default")


def test_env_variable_names_the_file(cli, tmp_path, monkeypatch):
    path = write(tmp_path, 'timezone = "Europe/London"\n')
    monkeypatch.setenv("CODTOOL_CONFIG", str(path))
    data = cli.json("config", "show")
    assert data["file"] == str(path)
    assert {"key": "timezone", "value": "Europe/London", "source": str(path)} in data["values"]


def test_no_file_means_defaults(cli, tmp_path, monkeypatch):
    monkeypatch.delenv("CODTOOL_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "empty"))
    data = cli.json("config", "show")
    assert data["file"] is None
    assert {"key": "currency", "value": "EUR", "source": "default"} in data["values"]


@pytest.mark.parametrize(("text", "message"), [
    ('timezone = "Mars/Olympus"\n', "timezone: expected an IANA time zone such as \"Europe/Rome\", found 'Mars/Olympus'"),
    ("[couriers.brt]\nfee_percent = 1.5\n", "couriers.brt.fee_percent: expected a percentage as text, e.g. \"1.5\""),
    ("[couriers.brt]\ncycle_days = 0\n", "couriers.brt.cycle_days: expected a value from 1 to 366, found 0"),
    ('[couriers.brt]\nfee_min = "-1.00"\n', "couriers.brt.fee_min: expected a non-negative amount as text"),
    ('[couriers.brt]\ncycle_anchor = "01/10/2026"\n', "couriers.brt.cycle_anchor: expected a date as \"YYYY-MM-DD\""),
    ('[couriers.brt]\nfee_minimum = "1.00"\n', "unknown key couriers.brt.fee_minimum"),
    ('[shops.x]\npay_on = "cash"\n', "shops.x.pay_on: expected one of 'bank_credit', 'remittance', found 'cash'"),
    ('[payments]\nx = 1\n', "unknown key 'payments'"),
    ("currency = \"euro\"\n", "currency: expected a three-letter ISO 4217 code"),
])
def test_bad_values_name_file_key_and_reason(cli, tmp_path, text, message):
    path = write(tmp_path, text)
    result = cli("--config", path, "config", "show")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path}: ")
    assert message in result.stderr


def test_missing_and_broken_files(tmp_path):
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_config(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="not a valid TOML file"):
        load_config(write(tmp_path, "timezone = \n"))


def test_typed_terms():
    config = build_config({"couriers": {"BRT": {"fee_percent": "1.5", "fee_min": "1,50", "cycle_anchor": "2026-10-01"}}},
                          None)
    brt = config.courier("brt")
    assert (brt.fee_min, brt.cycle_days, str(brt.fee_percent), brt.cycle_anchor.isoformat()) == (
        150, 5, "1.5", "2026-10-01")
    with pytest.raises(ConfigError, match=r"courier 'gls' has no \[couriers.gls\] section"):
        config.courier("gls")


def test_files_named_by_the_config_are_relative_to_it(tmp_path):
    path = write(tmp_path, '[couriers.brt]\nremittance_mapping = "maps/brt.toml"\n')
    config = load_config(path)
    assert config.file(config.courier("brt").remittance_mapping) == tmp_path / "maps" / "brt.toml"
    assert config.file("/etc/x.toml") == Path("/etc/x.toml")
    assert config.file("") is None
