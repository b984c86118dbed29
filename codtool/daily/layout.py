"""The input folder's documented layout (docs/daily.md) and the files found in it.

    IN/orders/<shop>/*.csv|xlsx        shop order exports
    IN/calls/*.csv|xlsx                filled call sheets
    IN/manifests/<courier>/*           courier manifests (which order left in which parcel)
    IN/tracking/<courier>/*            courier status files
    IN/ndr/*                           NDR decisions
    IN/remittances/<courier>/*         courier COD remittances
    IN/bank/*                          bank statements

Files stay where they are; order of processing is by path, so a re-run sees the same order.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# kind -> whether its files sit in a sub-folder per shop or courier (the scope)
KINDS: dict[str, bool] = {"orders": True, "calls": False, "manifests": True, "tracking": True, "ndr": False,
                          "remittances": True, "bank": False}
SUFFIXES = (".csv", ".xlsx")


@dataclass(frozen=True)
class InputFile:
    """One file found under --in: what kind, for which shop or courier ('' when the kind has none)."""

    kind: str
    scope: str
    path: Path
    name: str  # relative to --in, with forward slashes: what the summary and the log show


@dataclass
class Found:
    """Everything under --in: files to consider, files misplaced (bad input) and files ignored."""

    files: list[InputFile]
    misplaced: list[tuple[str, str]]  # (name, reason)
    ignored: list[str]

    def of(self, kind: str) -> list[InputFile]:
        return [f for f in self.files if f.kind == kind]


def discover(root: Path) -> Found:
    """Walk the layout's folders; anything else under --in is left alone."""
    found = Found([], [], [])
    for kind, scoped in KINDS.items():
        folder = root / kind
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                _place(found, root, kind, scoped, path)
    return found


def _place(found: Found, root: Path, kind: str, scoped: bool, path: Path) -> None:
    name = path.relative_to(root).as_posix()
    depth = len(path.relative_to(root / kind).parts)
    if path.name.startswith((".", "~$")):
        found.ignored.append(name)  # hidden files, editors' lock files, half-copied uploads (.part)
    elif path.suffix.lower() not in SUFFIXES:
        found.ignored.append(name)
    elif scoped and depth != 2:
        where = "shop" if kind == "orders" else "courier"
        found.misplaced.append((name, f"put {kind} files in {kind}/<{where}>/ (the folder names the {where})"))
    elif not scoped and depth != 1:
        found.misplaced.append((name, f"put {kind} files directly in {kind}/"))
    else:
        found.files.append(InputFile(kind, path.parent.name.lower() if scoped else "", path, name))
