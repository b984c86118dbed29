"""CSV files for staff to open in a spreadsheet, safe from formula injection.

Customer-typed text such as `=HYPERLINK(...)` or `@SUM(...)` would run as a formula in Excel
or LibreOffice; such cells get a leading apostrophe (OWASP's advice). A phone number such as
`+39 333 1234567` has no letters or operators to run, so it is left as typed for the people
and dialers that read it.
"""

from __future__ import annotations

import csv
import errno
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PHONE = re.compile(r"\+[0-9][0-9 ().]*")


def safe_cell(value: Any) -> str:
    """The cell as text, with an apostrophe in front when a spreadsheet would read a formula."""
    text = "" if value is None else str(value)
    if _PHONE.fullmatch(text):
        return text
    if text.startswith(_TRIGGERS) or text.lstrip(" ").startswith(_TRIGGERS):
        return "'" + text
    return text


def write_csv(path: str | os.PathLike[str], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write atomically (temp file then rename) with owner-only permissions; returns the row count.

    UTF-8 with a byte-order mark so Excel shows accented names correctly.
    """
    target = Path(path)
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a directory, not a file name", str(target))
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:  # name the file the user asked for, not our temporary one
        raise OSError(exc.errno, exc.strerror, str(target)) from exc
    count = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([safe_cell(c) for c in columns])
            for row in rows:
                writer.writerow([safe_cell(v) for v in row])
                count += 1
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return count
