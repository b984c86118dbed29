"""Where codtool may write a file: one policy for every export, sheet, statement, reminder and log.

- the suffix must be one the format allows (`check --export /etc/passwd` is refused: no `.csv`);
- the folder must exist (a typo must not scatter files), and the target, if present, must be a
  regular file: a directory, symlink, device or FIFO is refused;
- an existing file is replaced only with --force. codtool does not try to recognise "its own"
  earlier output: the files it writes are opened and edited by people (a call sheet gets its
  outcomes typed in, then is read back by `calls record`), so a marker inside the file would
  still match after a day of someone's work, and a marker outside it (a list of written files)
  cannot tell either. Cron jobs that rewrite the same name every day pass --force;
- the file is written under a temporary owner-only (0600) name beside the target, flushed to
  disk, and renamed over it, so a reader never sees half a file and a failure leaves no litter.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from codtool.errors import CodtoolError

T = TypeVar("T")


class OutputRefused(CodtoolError):
    """An output file cannot be written where or how it was asked for."""


def check_output(path: str | os.PathLike[str], formats: Sequence[str], replace: bool = False) -> str:
    """The target's format (its suffix), or OutputRefused saying why codtool will not write there.

    Commands call this before long work, so a bad --out fails first, not last."""
    target = Path(path)
    suffix = target.suffix.lower()
    if target.is_dir():
        raise OutputRefused(f"{target}: is a directory; give a file name for the output")
    if suffix not in formats:
        raise OutputRefused(f"{target}: write {' or '.join(formats)}, not {suffix or 'a file without extension'}")
    if not target.parent.is_dir():
        raise OutputRefused(f"{target}: the folder {target.parent} does not exist")
    try:
        info = target.lstat()
    except FileNotFoundError:
        return suffix
    if stat.S_ISDIR(info.st_mode):
        raise OutputRefused(f"{target}: is a directory; give a file name for the output")
    if not stat.S_ISREG(info.st_mode):
        kind = "a symbolic link" if stat.S_ISLNK(info.st_mode) else "not a regular file"
        raise OutputRefused(f"{target}: is {kind}; codtool writes only regular files")
    if not replace:
        raise OutputRefused(f"{target}: already exists; use --force to replace it")
    return suffix


def write_atomic(path: str | os.PathLike[str], write: Callable[[Path], T], formats: Sequence[str],
                 replace: bool = False) -> T:
    """Run `write` on a private temporary file beside the target, then rename it into place."""
    target = Path(path)
    check_output(target, formats, replace)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OutputRefused(f"{target}: cannot write here ({exc.strerror or exc})") from exc
    os.close(fd)
    tmp = Path(name)
    try:
        result = write(tmp)
        _flush(tmp)
        check_output(target, formats, replace)  # nothing appeared at the name while we wrote
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return result


def _flush(tmp: Path) -> None:
    """On disk before the rename, so a crash cannot leave the new name pointing at an empty file."""
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def file_name_part(name: str, fallback: str) -> str:
    """A shop's or courier's name as part of a file name codtool makes: letters, digits, '-' and '_'
    only (anything else becomes '_'), at most 60 characters, `fallback` when nothing is left."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name)[:60] or fallback
