-- Confirmation calls and customer notices.
-- Call attempts are append-only and keyed by content, so recording the same outcomes file
-- twice adds nothing. Corrected addresses live beside the order, never over what the
-- customer typed. Times staff typed (called_at, call_back_at) are local ISO 8601 text.
CREATE TABLE call_attempts (
    id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES orders(id),
    outcome TEXT NOT NULL CHECK (outcome IN
        ('confirmed', 'cancelled', 'no_answer', 'call_back', 'address_corrected', 'wrong_number')),
    called_at TEXT NOT NULL,
    call_back_at TEXT NOT NULL,            -- '' unless outcome = 'call_back'
    agent TEXT NOT NULL,
    note TEXT NOT NULL,
    source_file TEXT NOT NULL,
    source_line INTEGER NOT NULL,
    attempt_key TEXT NOT NULL UNIQUE,      -- hash of order, outcome, times and new address
    recorded_at TEXT NOT NULL
);
CREATE INDEX call_attempts_order ON call_attempts(order_id, called_at);

-- The address the customer gave on the phone; the latest row per order is the one to ship to.
CREATE TABLE order_address_corrections (
    attempt_key TEXT PRIMARY KEY REFERENCES call_attempts(attempt_key),
    order_id INTEGER NOT NULL REFERENCES orders(id),
    address1 TEXT NOT NULL,
    address2 TEXT NOT NULL,
    postcode TEXT NOT NULL,
    city TEXT NOT NULL,
    province TEXT NOT NULL,
    corrected_at TEXT NOT NULL
);
CREATE INDEX order_address_corrections_order ON order_address_corrections(order_id);

-- Decisions the confirmation policy took on its own (auto-confirm, give up after N attempts),
-- with the score and the signals behind it.
CREATE TABLE call_policy_decisions (
    id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES orders(id),
    action TEXT NOT NULL,                  -- auto_confirmed | unreachable | cancelled | confirmed
    score INTEGER NOT NULL,
    reasons TEXT NOT NULL,                 -- JSON list of [points, reason]
    decided_at TEXT NOT NULL,
    UNIQUE (order_id, action)
);

-- Messages handed to a sender (file export today, a provider later), so a daily export
-- does not message the same customer twice about the same event.
CREATE TABLE notify_messages (
    id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES orders(id),
    kind TEXT NOT NULL CHECK (kind IN ('confirm', 'out_for_delivery', 'failed')),
    event_ref TEXT NOT NULL,               -- '' for confirm; shipment id and status time otherwise
    phone_e164 TEXT NOT NULL,
    language TEXT NOT NULL,
    text TEXT NOT NULL,
    sender TEXT NOT NULL,                  -- e.g. file:/path/to/export.csv
    sent_at TEXT NOT NULL,
    UNIQUE (order_id, kind, event_ref)
);
