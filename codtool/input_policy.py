"""What codtool accepts from any file or argument it reads: sizes, characters and numbers, bounded.

Every CSV reader goes through `codtool.importing.source`, which enforces the limits below before a
record is kept in memory, so a hostile file fails with the limit's name instead of a MemoryError.
Numbers that name things (quantities, ledger ids, call-sheet ids) are read from ASCII digits only:
`int()` also accepts `٣` and `²`.isdigit() is true, and an unbounded id overflows SQLite's 64 bits.
"""

from __future__ import annotations

import re

from codtool.errors import CodtoolError

MAX_LINE_BYTES = 1_000_000     # one physical line: a file without newlines is refused before it is read
MAX_FIELD_CHARS = 1_000_000    # one cell (a quoted cell may span lines); a long delivery note is 500
MAX_FIELDS = 1_000             # one record: Shopify's export, the widest we know, has about 80 columns
MAX_ID = 2**63 - 1             # SQLite's INTEGER
MAX_QUANTITY = 1_000_000
MAX_NAME_CHARS = 100           # a shop name
SHOWN_CHARS = 80               # of a cell or header echoed in an error message

_ASCII_DIGITS = re.compile(r"[0-9]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class LimitExceeded(CodtoolError):
    """An input is larger than codtool reads: a line, a field or a record of too many fields."""


def shorten(text: str, limit: int = SHOWN_CHARS) -> str:
    """Text echoed in a message: a 10 MB header name must not become a 10 MB error line."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


def ascii_int(text: str, maximum: int = MAX_ID) -> int | None:
    """A whole number written in ASCII digits, 0..maximum; None for anything else."""
    value = text.strip()
    if not _ASCII_DIGITS.fullmatch(value) or len(value) > len(str(maximum)):
        return None
    number = int(value)
    return number if number <= maximum else None


def shop_name(text: str) -> str:
    """A shop name as stored: not blank, one line, bounded."""
    name = text.strip()
    if not name:
        raise ValueError("the shop name is empty")
    if _CONTROL.search(name):
        raise ValueError("the shop name holds control characters")
    if len(name) > MAX_NAME_CHARS:
        raise ValueError(f"the shop name is longer than {MAX_NAME_CHARS} characters")
    return name
