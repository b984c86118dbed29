"""`--strict` on the money side's file commands: any rejected line rolls every file of the run back."""

from __future__ import annotations

import json

from remit_world import build

REMIT_HEADER = "tracking_number,cod_amount,fee,net_amount,remittance_date,bank_reference\n"


def _remittance_with_a_bad_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(REMIT_HEADER + "T9,10.00,1.50,8.50,2026-10-07,R9\nT10,dieci,1.50,8.50,2026-10-07,R9\n",
                   encoding="utf-8")
    return bad


def _statement_with_a_bad_line(tmp_path):
    bad = tmp_path / "bad_bank.csv"
    bad.write_text("date,amount,description\n2026-10-12,50.00,BONIFICO BRT\n2026-10-12,cinquanta,BONIFICO GLS\n",
                   encoding="utf-8")
    return bad


def _counts(cli, *tables: str) -> dict[str, int]:
    return {t: cli.sql(f"SELECT COUNT(*) FROM {t}")[0][0] for t in tables}


def test_strict_remit_import_rolls_back_every_file(cli, tmp_path):
    config = build(cli, tmp_path, bank=False)
    good = tmp_path / "good.csv"
    good.write_text(REMIT_HEADER + "T8,10.00,1.50,8.50,2026-10-08,R8\n", encoding="utf-8")
    before = _counts(cli, "remit_files", "remit_lines", "remit_rejects", "remittances")
    result = cli("--strict", "--config", config, "remit", "import", good, _remittance_with_a_bad_line(tmp_path),
                 "--courier", "brt")
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: ") and "rolled back, nothing recorded" in result.stderr
    assert _counts(cli, "remit_files", "remit_lines", "remit_rejects", "remittances") == before
    again = cli("--strict", "--config", config, "remit", "import", _remittance_with_a_bad_line(tmp_path),
                "--courier", "brt")
    assert again.exit_code == 1, again.output  # not "already imported": nothing of it was kept
    lenient = cli("--config", config, "remit", "import", _remittance_with_a_bad_line(tmp_path), "--courier", "brt")
    assert lenient.exit_code == 0, lenient.output
    assert _counts(cli, "remit_files")["remit_files"] == before["remit_files"] + 1


def test_strict_remit_bank_rolls_back(cli, tmp_path):
    config = build(cli, tmp_path, bank=False)
    result = cli("--strict", "--config", config, "remit", "bank", tmp_path / "bank.csv",
                 _statement_with_a_bad_line(tmp_path))
    assert result.exit_code == 1, result.output
    assert "rolled back, nothing recorded" in result.stderr
    assert _counts(cli, "bank_statements", "bank_lines", "bank_rejects") == {
        "bank_statements": 0, "bank_lines": 0, "bank_rejects": 0}
    assert cli("--strict", "--config", config, "remit", "bank", tmp_path / "bank.csv").exit_code == 0
    assert _counts(cli, "bank_statements")["bank_statements"] == 1


def test_strict_json_still_prints_what_would_have_been_imported(cli, tmp_path):
    config = build(cli, tmp_path, bank=False)
    result = cli("--json", "--strict", "--config", config, "remit", "bank", _statement_with_a_bad_line(tmp_path))
    assert result.exit_code == 1
    [data] = json.loads(result.stdout)
    assert [r["line"] for r in data["rejected"]] == [3]
