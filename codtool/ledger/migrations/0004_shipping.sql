-- Shipments and courier tracking events. Events are append-only; a shipment's current
-- status is derived from its events by event time and cached here for reports.
CREATE TABLE shipments (
    id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES orders(id),
    courier TEXT NOT NULL,
    tracking_number TEXT NOT NULL,
    ship_date TEXT NOT NULL,
    cod_minor INTEGER NOT NULL CHECK (cod_minor >= 0),
    currency TEXT NOT NULL,
    status TEXT NOT NULL,                  -- normalised: shipped, in_transit, out_for_delivery, delivered,
                                           -- failed_attempt, refused, rto_in_transit, rto_delivered, lost, damaged
    status_at TEXT NOT NULL,
    source_file TEXT NOT NULL,
    source_line INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (courier, tracking_number)
);
CREATE INDEX shipments_order ON shipments(order_id);
CREATE INDEX shipments_status ON shipments(status);

CREATE TABLE tracking_events (
    id INTEGER PRIMARY KEY,
    shipment_id INTEGER NOT NULL REFERENCES shipments(id),
    event_at TEXT NOT NULL,
    status TEXT NOT NULL,                  -- normalised status
    reason TEXT NOT NULL,                  -- normalised NDR reason, '' if none
    raw_status TEXT NOT NULL,              -- the courier's own status text/code
    raw_reason TEXT NOT NULL,
    source_file TEXT NOT NULL,
    source_sha256 TEXT NOT NULL,
    source_line INTEGER NOT NULL,
    event_key TEXT NOT NULL UNIQUE,        -- content hash: replaying a file adds nothing
    imported_at TEXT NOT NULL
);
CREATE INDEX tracking_events_shipment ON tracking_events(shipment_id, event_at);

-- Problems found while importing courier files: unknown statuses, unknown tracking numbers,
-- impossible transitions. Findings are data (file, line, code); the key makes replays add nothing.
CREATE TABLE tracking_issues (
    id INTEGER PRIMARY KEY,
    shipment_id INTEGER REFERENCES shipments(id),   -- NULL when the line names no known parcel
    code TEXT NOT NULL,                    -- tracking.unknown_status | tracking.unknown_parcel | ...
    message TEXT NOT NULL,
    source_file TEXT NOT NULL,
    source_line INTEGER NOT NULL,
    issue_key TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE INDEX tracking_issues_shipment ON tracking_issues(shipment_id);

-- What the operator told the courier about a failed delivery (NDR), with who decided and when,
-- so a disputed re-attempt or return has its evidence. Append-only; the newest decision counts.
CREATE TABLE ndr_decisions (
    id INTEGER PRIMARY KEY,
    shipment_id INTEGER NOT NULL REFERENCES shipments(id),
    action TEXT NOT NULL CHECK (action IN ('reattempt', 'return', 'hold')),
    new_address TEXT NOT NULL,             -- '' when unchanged
    new_phone TEXT NOT NULL,
    new_date TEXT NOT NULL,                -- requested re-attempt date (YYYY-MM-DD) or ''
    note TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    source_file TEXT NOT NULL,
    source_line INTEGER NOT NULL,
    decision_key TEXT NOT NULL UNIQUE,     -- content hash: re-importing the file adds nothing
    imported_at TEXT NOT NULL
);
CREATE INDEX ndr_decisions_shipment ON ndr_decisions(shipment_id, decided_at);
