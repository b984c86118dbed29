"""The ledger: the one storage module. Every SQL statement in codtool lives in this package.

Open one with `open_ledger(url)`: a file path or `sqlite:///path` (the embedded default) or
`postgresql://user@host/db`. Ledger functions (orders.py, checks.py, ...) take a `Session`
and write each statement once, with `?` placeholders and portable SQL; `dialect.py` adapts
it to each backend. No module outside this package imports a database driver.
"""

from codtool.ledger.db import Ledger, open_ledger
from codtool.ledger.session import Row, Session, StorageError
from codtool.ledger.url import LedgerUrl, parse_url

__all__ = ["Ledger", "LedgerUrl", "Row", "Session", "StorageError", "open_ledger", "parse_url"]
