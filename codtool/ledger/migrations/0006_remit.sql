-- The money side: a double-entry ledger (accounts, transactions, postings), courier remittance
-- files and lines, bank statements and lines, discrepancies and the decisions taken on them.
-- Money is integer minor units beside its currency; dates are 'YYYY-MM-DD' text, times UTC text.
-- Append-only: transactions and postings are never updated or deleted; corrections are new
-- transactions linked to the same cause. Each transaction's postings sum to zero per currency
-- (checked by the posting code before insert and by `codtool doctor`).
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,             -- e.g. receivable:brt, payable:bellezza, bank, fees:brt
    kind TEXT NOT NULL,                    -- receivable, payable, bank, fees, in_transit, write_offs,
                                           -- suspense, disputed, adjustments
    party TEXT NOT NULL,                   -- the courier or shop; '' for the operator's own accounts
    created_at TEXT NOT NULL
);

CREATE TABLE money_transactions (
    id INTEGER PRIMARY KEY,
    txn_key TEXT NOT NULL UNIQUE,          -- cause plus sequence: re-running a step posts nothing twice
    cause_type TEXT NOT NULL CHECK (cause_type IN ('delivery', 'remittance_line', 'bank_line', 'decision')),
    cause_id INTEGER NOT NULL,             -- shipments.id, remit_lines.id, bank_lines.id, remit_decisions.id
    effective_date TEXT NOT NULL,
    memo TEXT NOT NULL,
    posted_at TEXT NOT NULL
);
CREATE INDEX money_transactions_cause ON money_transactions(cause_type, cause_id);

CREATE TABLE postings (
    id INTEGER PRIMARY KEY,
    transaction_id INTEGER NOT NULL REFERENCES money_transactions(id),
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    shipment_id INTEGER REFERENCES shipments(id),   -- the parcel an open item belongs to, if any
    amount_minor INTEGER NOT NULL,         -- debit positive, credit negative
    currency TEXT NOT NULL
);
CREATE INDEX postings_transaction ON postings(transaction_id);
CREATE INDEX postings_account ON postings(account_id, shipment_id);

CREATE TABLE remit_files (
    id INTEGER PRIMARY KEY,
    courier TEXT NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    encoding TEXT NOT NULL,
    delimiter TEXT NOT NULL,
    lines INTEGER NOT NULL,
    imported INTEGER NOT NULL,
    rejected INTEGER NOT NULL,
    imported_at TEXT NOT NULL,
    UNIQUE (courier, sha256)
);

CREATE TABLE remittances (
    id INTEGER PRIMARY KEY,
    file_id INTEGER NOT NULL REFERENCES remit_files(id),
    courier TEXT NOT NULL,
    bank_reference TEXT NOT NULL,
    remittance_date TEXT NOT NULL,
    total_net_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    lines INTEGER NOT NULL,
    UNIQUE (file_id, bank_reference, remittance_date)
);
CREATE INDEX remittances_courier ON remittances(courier);

CREATE TABLE remit_lines (
    id INTEGER PRIMARY KEY,
    remittance_id INTEGER NOT NULL REFERENCES remittances(id),
    courier TEXT NOT NULL,
    line INTEGER NOT NULL,
    tracking_number TEXT NOT NULL,
    order_ref TEXT NOT NULL,
    cod_minor INTEGER NOT NULL,
    fee_minor INTEGER NOT NULL,
    deductions_minor INTEGER NOT NULL,     -- freight, return charges, reversals named by the mapping
    net_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    remittance_date TEXT NOT NULL
);
CREATE INDEX remit_lines_remittance ON remit_lines(remittance_id);
CREATE INDEX remit_lines_tracking ON remit_lines(courier, tracking_number);

CREATE TABLE remit_rejects (
    id INTEGER PRIMARY KEY,
    file_id INTEGER NOT NULL REFERENCES remit_files(id),
    line INTEGER NOT NULL,
    reason TEXT NOT NULL,
    raw TEXT NOT NULL
);

CREATE TABLE bank_statements (
    id INTEGER PRIMARY KEY,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    layout TEXT NOT NULL,                  -- dare_avere (two columns) | signed (one amount)
    lines INTEGER NOT NULL,
    imported INTEGER NOT NULL,
    already_known INTEGER NOT NULL,
    rejected INTEGER NOT NULL,
    closing_balance_minor INTEGER,         -- the 'Saldo finale' trailer, when the file has one
    currency TEXT NOT NULL,
    imported_at TEXT NOT NULL
);

CREATE TABLE bank_lines (
    id INTEGER PRIMARY KEY,
    statement_id INTEGER NOT NULL REFERENCES bank_statements(id),
    line INTEGER NOT NULL,
    booking_date TEXT NOT NULL,
    value_date TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,         -- credit positive, debit negative
    currency TEXT NOT NULL,
    description TEXT NOT NULL,
    causale TEXT NOT NULL,
    line_key TEXT NOT NULL UNIQUE          -- content plus occurrence: overlapping exports add nothing
);

CREATE TABLE bank_rejects (
    id INTEGER PRIMARY KEY,
    statement_id INTEGER NOT NULL REFERENCES bank_statements(id),
    line INTEGER NOT NULL,
    reason TEXT NOT NULL,
    raw TEXT NOT NULL
);

-- A discrepancy gets an id the first time reconcile sees it; its key holds kind, subject and
-- amount, so a changed amount is a new discrepancy and the old one simply stops being open.
CREATE TABLE remit_discrepancies (
    id INTEGER PRIMARY KEY,
    disc_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    courier TEXT NOT NULL,
    subject_type TEXT NOT NULL,            -- shipment, remit_line, remittance, bank_line
    subject_id INTEGER NOT NULL,
    tracking_number TEXT NOT NULL,
    order_ref TEXT NOT NULL,
    bank_reference TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    cycle TEXT NOT NULL,
    detail TEXT NOT NULL,
    first_seen_at TEXT NOT NULL
);

CREATE TABLE remit_decisions (
    id INTEGER PRIMARY KEY,
    discrepancy_id INTEGER NOT NULL UNIQUE REFERENCES remit_discrepancies(id),
    decision TEXT NOT NULL CHECK (decision IN ('write_off', 'dispute', 'accept')),
    note TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL
);

CREATE TABLE remit_runs (
    id INTEGER PRIMARY KEY,
    as_of TEXT NOT NULL,
    open_discrepancies INTEGER NOT NULL,
    run_at TEXT NOT NULL
);
