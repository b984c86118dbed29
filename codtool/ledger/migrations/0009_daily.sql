-- `codtool daily`: every input file it processed, keyed by its content, written in the same
-- transaction as the file's data, so a killed run leaves either both or neither and a re-run
-- of the same folder skips exactly the files whose data is in the ledger.
CREATE TABLE daily_files (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,                    -- orders | calls | manifests | tracking | ndr | remittances | bank
    scope TEXT NOT NULL,                   -- the shop or courier its folder names, '' when none
    sha256 TEXT NOT NULL,                  -- of the file's bytes: a renamed or moved file is still known
    name TEXT NOT NULL,                    -- where it was first seen, relative to --in
    size INTEGER NOT NULL,
    rejected_lines INTEGER NOT NULL DEFAULT 0,
    processed_at TEXT NOT NULL
);
CREATE UNIQUE INDEX daily_files_content ON daily_files(kind, scope, sha256);
