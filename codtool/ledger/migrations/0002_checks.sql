-- Order checks: normalised contact data beside what the customer typed, and findings.
-- Later stages (dedupe, call lists, risk, tracking history) read these tables.
CREATE TABLE order_normalised (
    order_id INTEGER PRIMARY KEY REFERENCES orders(id),
    phone_e164 TEXT NOT NULL,        -- '' when the phone could not be parsed
    phone_national TEXT NOT NULL,    -- national format for dialling, '' when unknown
    phone_type TEXT NOT NULL,        -- mobile | landline | voip | unknown | ...
    address_line TEXT NOT NULL,      -- normalised street line (abbreviations expanded, case folded)
    house_number TEXT NOT NULL,      -- '' when missing, 'snc' when none by design
    postcode TEXT NOT NULL,
    city TEXT NOT NULL,
    province TEXT NOT NULL,          -- sigla for Italy, state code for the US
    country TEXT NOT NULL,
    checked_at TEXT NOT NULL
);
CREATE INDEX order_normalised_phone ON order_normalised(phone_e164);

CREATE TABLE order_findings (
    id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES orders(id),
    check_name TEXT NOT NULL,        -- phone | address | ...
    code TEXT NOT NULL,              -- e.g. phone.landline, address.it.cap_mismatch
    severity TEXT NOT NULL CHECK (severity IN ('error', 'warning', 'info')),
    message TEXT NOT NULL,
    suggestion TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX order_findings_order ON order_findings(order_id);
CREATE INDEX order_findings_code ON order_findings(code);

-- One finding per code per order: re-runs and overlapping runs add nothing twice.
CREATE UNIQUE INDEX order_findings_order_code ON order_findings(order_id, code);
