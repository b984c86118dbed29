"""The ledger: the one storage module. Every SQL statement in codtool lives in this package.

The embedded default is a local SQLite file; the statements are kept to portable SQL
(`ON CONFLICT ... DO NOTHING`, no SQLite-only functions outside `db.py`) so that a server
database can be added behind the same functions.
"""

from codtool.ledger.db import Ledger, open_ledger

__all__ = ["Ledger", "open_ledger"]
