"""The ledger file on disk: owner-only permissions, and a clear word when it cannot be written.

The ledger holds customers' names, phones and addresses. A file created by codtool is 0600 from
the start; a file that existed before (touched by a script, copied from a backup) keeps its mode,
so `init` and `doctor` tighten it, and SQLite's companions (-wal, -shm, which SQLite creates with
the main file's mode), and say so. A PostgreSQL ledger has no file of ours: both are no-ops there
(the server's own files and roles govern access).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from codtool.errors import LedgerError
from codtool.ledger.url import parse_url

PRIVATE = 0o600
COMPANIONS = ("", "-wal", "-shm", "-journal")


def _sqlite_file(db: str | os.PathLike[str]) -> Path | None:
    """The ledger file behind --db, or None for a server (PostgreSQL) ledger."""
    url = parse_url(db)
    return url.path if url.backend == "sqlite" else None


def make_private(db: str | os.PathLike[str]) -> list[str]:
    """chmod 0600 the ledger and its companions where group or others have any access; what changed."""
    path = _sqlite_file(db)
    if path is None:
        return []
    changed = []
    for suffix in COMPANIONS:
        target = Path(f"{path}{suffix}")
        try:
            info = target.lstat()
        except FileNotFoundError:
            continue
        if stat.S_ISREG(info.st_mode) and info.st_mode & 0o077:
            os.chmod(target, PRIVATE)
            changed.append(f"{target} ({stat.S_IMODE(info.st_mode):04o} -> {PRIVATE:04o})")
    return changed


def check_writable(db: str | os.PathLike[str]) -> None:
    """Before opening: SQLite's own message for a read-only folder is 'unable to open database file'."""
    path = _sqlite_file(db)
    if path is None:
        return
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        return  # open_ledger names the missing folder
    if _read_only_fs(folder):
        raise LedgerError(f"{path}: the folder {folder} is on a read-only file system; codtool writes the "
                          "ledger and its journal (-wal) there, so copy the ledger to a writable folder")
    if path.exists() and not os.access(path, os.W_OK):
        raise LedgerError(f"{path}: no permission to write the ledger file")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise LedgerError(f"{path}: no permission to create files in {folder} (the ledger's journal lives there)")


def _read_only_fs(folder: Path) -> bool:
    return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
