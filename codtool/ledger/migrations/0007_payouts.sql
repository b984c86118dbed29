-- Shop payouts: five-day statements per client shop, their items (parcels, RTO charges,
-- adjustments, carried balances) and the bank payments recorded against them.
-- Items are append-only: a closed statement gets no new item; a late remittance, a reversal or a
-- correction is an adjustment item on the shop's next open statement.
--
-- Payout transactions join the money ledger, so money_transactions' cause_type check is widened
-- (cause types are now checked by codtool.remit.postings.CAUSES before insert). SQLite cannot
-- alter a CHECK, so the two money tables are rebuilt with their rows and ids, in this migration's
-- one transaction.
CREATE TABLE money_transactions_v7 (
    id INTEGER PRIMARY KEY,
    txn_key TEXT NOT NULL UNIQUE,
    cause_type TEXT NOT NULL,              -- delivery, remittance_line, bank_line, decision, payout_item,
                                           -- payout_payment
    cause_id INTEGER NOT NULL,
    effective_date TEXT NOT NULL,
    memo TEXT NOT NULL,
    posted_at TEXT NOT NULL
);
INSERT INTO money_transactions_v7 (id, txn_key, cause_type, cause_id, effective_date, memo, posted_at)
    SELECT id, txn_key, cause_type, cause_id, effective_date, memo, posted_at FROM money_transactions;

CREATE TABLE postings_v7 (
    id INTEGER PRIMARY KEY,
    transaction_id INTEGER NOT NULL REFERENCES money_transactions_v7(id),
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    shipment_id INTEGER REFERENCES shipments(id),
    amount_minor INTEGER NOT NULL,         -- debit positive, credit negative
    currency TEXT NOT NULL
);
INSERT INTO postings_v7 (id, transaction_id, account_id, shipment_id, amount_minor, currency)
    SELECT id, transaction_id, account_id, shipment_id, amount_minor, currency FROM postings;

DROP TABLE postings;
DROP TABLE money_transactions;
ALTER TABLE money_transactions_v7 RENAME TO money_transactions;
ALTER TABLE postings_v7 RENAME TO postings;
CREATE INDEX money_transactions_cause ON money_transactions(cause_type, cause_id);
CREATE INDEX postings_transaction ON postings(transaction_id);
CREATE INDEX postings_account ON postings(account_id, shipment_id);

CREATE TABLE payout_statements (
    id INTEGER PRIMARY KEY,
    shop TEXT NOT NULL,
    cycle_start TEXT NOT NULL,
    cycle_end TEXT NOT NULL,
    currency TEXT NOT NULL,
    closed_at TEXT,                        -- set once, when the cycle is closed; never edited after
    created_at TEXT NOT NULL,
    UNIQUE (shop, cycle_start)
);

CREATE TABLE payout_items (
    id INTEGER PRIMARY KEY,
    statement_id INTEGER NOT NULL REFERENCES payout_statements(id),
    item_key TEXT NOT NULL UNIQUE,         -- what and which time: a re-run adds nothing twice
    kind TEXT NOT NULL CHECK (kind IN ('parcel', 'rto', 'adjustment', 'carried')),
    shipment_id INTEGER REFERENCES shipments(id),
    courier TEXT NOT NULL,
    tracking_number TEXT NOT NULL,
    order_ref TEXT NOT NULL,
    delivered_at TEXT NOT NULL,            -- the local delivery (or return) day, '' for carried balances
    cod_minor INTEGER NOT NULL,
    fee_minor INTEGER NOT NULL,
    net_minor INTEGER NOT NULL,            -- cod - fee: what the item adds to the shop's statement
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CHECK (net_minor = cod_minor - fee_minor)
);
CREATE INDEX payout_items_statement ON payout_items(statement_id);
CREATE INDEX payout_items_shipment ON payout_items(shipment_id);

CREATE TABLE payout_payments (
    id INTEGER PRIMARY KEY,
    statement_id INTEGER NOT NULL REFERENCES payout_statements(id),
    bank_reference TEXT NOT NULL,
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    paid_on TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX payout_payments_statement ON payout_payments(statement_id);

CREATE TABLE payout_watermarks (
    shop TEXT PRIMARY KEY,
    closed_through TEXT NOT NULL           -- last day of the shop's last closed cycle
);
