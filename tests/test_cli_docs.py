"""Every command explains itself in --help and is introduced in the README."""

from __future__ import annotations

from pathlib import Path

import typer

from codtool.cli import app

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def commands(group, prefix: str = "codtool") -> list[tuple[str, object]]:
    found = []
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        found.append((path, command))
        if hasattr(command, "commands"):  # a group of sub-commands
            found.extend(commands(command, path))
    return found


ALL = commands(typer.main.get_command(app))


def test_there_are_commands_to_check():
    assert len(ALL) >= 15


def test_every_command_has_help_text():
    missing = [path for path, command in ALL if not (command.help or "").strip()]
    assert missing == []


def test_every_command_is_in_the_readme():
    missing = [path for path, _ in ALL if f"`{path}" not in README]
    assert missing == []
