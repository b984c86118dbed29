-- One finding record for the stages whose findings were returned but never stored: ship
-- refusals, call-outcome rejects and NDR rejects (later stages add theirs here too).
-- Import rejects (rejected_rows: the raw line is their evidence), check findings
-- (order_findings: replaced on re-check) and tracking issues (tracking_issues) keep their
-- tables and keys; ledger/findings.py reads all four as the one shape.
CREATE TABLE findings (
    id INTEGER PRIMARY KEY,
    stage TEXT NOT NULL,                   -- ship | calls | ndr | ...
    source TEXT NOT NULL,                  -- file name, or the command when there is no file
    line INTEGER,                          -- NULL when the finding has no input line
    code TEXT NOT NULL,                    -- see docs/findings.md
    severity TEXT NOT NULL CHECK (severity IN ('error', 'warning', 'info')),
    message TEXT NOT NULL,
    order_ref TEXT NOT NULL,               -- the order as the input named it, '' when none
    parcel TEXT NOT NULL,                  -- tracking number, '' when none
    order_id INTEGER REFERENCES orders(id),
    finding_key TEXT NOT NULL UNIQUE,      -- content hash: the same file twice stores nothing new
    created_at TEXT NOT NULL
);
CREATE INDEX findings_order ON findings(order_id);
CREATE INDEX findings_source ON findings(source);

-- Import rejects gain a code like every other finding; older rows read as the generic one.
ALTER TABLE rejected_rows ADD COLUMN code TEXT NOT NULL DEFAULT 'import.invalid_row';
