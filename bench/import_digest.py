"""A digest of what `codtool import` stored in a SQLite ledger: for speed work on the importer.

Prints a SHA-256 of every order (ledger id and every column), every rejected row (id, line, kind,
reason, raw cells, code) and every batch's counts, in id order, with the row counts. Import the
same files into fresh ledgers with the code before and after a change (for the code before, a
`git archive` copy; note that an editable install's finder comes before PYTHONPATH, so run that
copy with the finder removed from `sys.meta_path`): the digests must be equal. Order dates left
empty in the file are stored as the import's time, so compare files that give every date.

    .venv/bin/python bench/import_digest.py LEDGER.db
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3

_TABLES = (
    ("orders", "SELECT * FROM orders ORDER BY id"),
    ("rejected rows", "SELECT * FROM rejected_rows ORDER BY id"),
    ("batches", "SELECT id, shop_id, file_name, sha256, profile, encoding, delimiter, rows, orders, imported, "
                "rejected, skipped_duplicates FROM import_batches ORDER BY id"),
)


def digest(path: str) -> tuple[str, dict[str, int]]:
    """The SHA-256 of the tables' rows as JSON lines, and how many rows each table has."""
    sha, counts = hashlib.sha256(), {}
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        for name, sql in _TABLES:
            counts[name] = 0
            for row in conn.execute(sql):
                sha.update(json.dumps(row, ensure_ascii=False).encode() + b"\n")
                counts[name] += 1
    return sha.hexdigest(), counts


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ledger")
    found, sizes = digest(parser.parse_args().ledger)
    print(found, ", ".join(f"{n:,} {name}" for name, n in sizes.items()))
