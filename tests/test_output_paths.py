"""The one output-path policy: suffix, folder, regular file, --force to replace, atomic and 0600."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from backends import Location
from helpers import imported_ledger, run

from codtool.output_paths import OutputRefused, check_output, write_atomic

COMMANDS = {  # every command that writes a file, with its output option
    "check": (["check", "--export"], ".csv"),
    "calls list": (["calls", "list", "--date", "2026-11-23", "--out"], ".csv"),
    "notify export": (["notify", "export", "--kind", "confirm", "--out"], ".xlsx"),
    "ndr list": (["ndr", "list", "--out"], ".csv"),
    "report delivery": (["report", "delivery", "--out"], ".xlsx"),
}


@pytest.fixture(scope="module")
def template(backend, tmp_path_factory) -> Location:
    return imported_ledger(backend, tmp_path_factory.mktemp("outputs"))


@pytest.fixture
def db(template, ledgers) -> Location:
    return ledgers.copy(template)


def test_check_export_refuses_a_system_file(db, tmp_path):
    passwd = tmp_path / "passwd"  # stands for /etc/passwd: no suffix, someone else's content
    passwd.write_text("root:x:0:0:root:/root:/bin/bash\n")
    os.chmod(passwd, 0o644)
    result = run(db, "check", "--export", str(passwd), "--force")
    assert result.exit_code == 1 and result.stderr == f"Error: {passwd}: write .csv, not a file without extension\n"
    assert passwd.read_text() == "root:x:0:0:root:/root:/bin/bash\n" and os.stat(passwd).st_mode & 0o777 == 0o644


@pytest.mark.parametrize("command", COMMANDS)
def test_an_existing_file_is_replaced_only_with_force(db, tmp_path, command):
    args, suffix = COMMANDS[command]
    target = tmp_path / f"out{suffix}"
    target.write_text("someone's work\n")
    refused = run(db, *args, str(target))
    assert refused.exit_code == 1, refused.output
    assert refused.stderr == f"Error: {target}: already exists; use --force to replace it\n"
    assert target.read_text() == "someone's work\n"
    replaced = run(db, *args, str(target), "--force")
    assert replaced.exit_code == 0, replaced.output
    assert target.read_bytes() != b"someone's work\n" and os.stat(target).st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "ledger.db") == [target.name]  # no litter


@pytest.mark.parametrize("command", COMMANDS)
def test_a_wrong_suffix_is_refused(db, tmp_path, command):
    args, _ = COMMANDS[command]
    result = run(db, *args, str(tmp_path / "out.txt"))
    assert result.exit_code in (1, 2) and "write .csv" in result.output
    assert not (tmp_path / "out.txt").exists()


def test_targets_that_are_not_regular_files_are_refused(tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("x")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    for target, why in ((link, "is a symbolic link"), (fifo, "is not a regular file"), (folder, "is a directory")):
        with pytest.raises(OutputRefused, match=why):
            check_output(target, (".csv",), replace=True)
    with pytest.raises(OutputRefused, match="does not exist"):
        check_output(tmp_path / "missing" / "x.csv", (".csv",))
    assert real.read_text() == "x"


def test_a_failed_write_leaves_the_old_file_and_no_litter(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")

    def write(tmp: Path) -> None:
        tmp.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_atomic(target, write, (".csv",), replace=True)
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["out.csv"]
