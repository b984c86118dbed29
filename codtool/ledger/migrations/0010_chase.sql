-- `remit chase`: the reminders written to couriers that owe overdue COD money, and the parcels
-- each one listed. Append-only: a reminder is never updated or deleted; the next step of the
-- chase is decided from the last one written (see codtool/remit/chase.py).
CREATE TABLE chase_reminders (
    id INTEGER PRIMARY KEY,
    courier TEXT NOT NULL,
    step TEXT NOT NULL CHECK (step IN ('friendly', 'formal', 'final')),
    as_of TEXT NOT NULL,                   -- the day the reminder speaks for (YYYY-MM-DD)
    language TEXT NOT NULL,                -- it | en
    parcels INTEGER NOT NULL,
    total_minor INTEGER NOT NULL,          -- the sum of its lines' amounts
    currency TEXT NOT NULL,
    files TEXT NOT NULL,                   -- the file names written, space-separated
    written_at TEXT NOT NULL,
    UNIQUE (courier, as_of)                -- at most one reminder per courier and day
);

CREATE TABLE chase_reminder_lines (
    reminder_id INTEGER NOT NULL REFERENCES chase_reminders(id),
    shipment_id INTEGER NOT NULL REFERENCES shipments(id),
    tracking_number TEXT NOT NULL,
    order_ref TEXT NOT NULL,
    delivered_on TEXT NOT NULL,
    payout_due TEXT NOT NULL,
    days_overdue INTEGER NOT NULL,         -- days past the payout date on the reminder's day
    cod_minor INTEGER NOT NULL,
    amount_minor INTEGER NOT NULL,         -- what the courier owes on it: COD - contract fee - decided
    PRIMARY KEY (reminder_id, shipment_id)
);
CREATE INDEX chase_reminder_lines_shipment ON chase_reminder_lines(shipment_id);
