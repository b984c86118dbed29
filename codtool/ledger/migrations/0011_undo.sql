-- Undoing an import batch (`codtool batches undo ID`), allowed while every order of the batch is
-- still `new` with nothing recorded about it but what a re-run makes again (check results, open
-- dedupe proposals). The batch row stays, with its rejected rows, marked undone; its orders are
-- removed; one batch_undos row records who, when and which orders went (append-only history).
--
-- An undone batch gives its content key up so the same file can be imported again: its sha256
-- becomes 'undone:<batch id>:<sha256>' and batch_undos keeps the original. (SQLite cannot drop
-- the column's UNIQUE constraint without rebuilding every table that references import_batches.)
ALTER TABLE import_batches ADD COLUMN undone_at TEXT;

CREATE TABLE batch_undos (
    id INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL UNIQUE REFERENCES import_batches(id),
    sha256 TEXT NOT NULL,                  -- the file's content hash before the undo
    orders INTEGER NOT NULL,               -- how many orders were removed
    removed TEXT NOT NULL,                 -- JSON list of [ledger id, shop's order id] removed
    undone_by TEXT NOT NULL,
    undone_at TEXT NOT NULL
);
