-- Duplicate-order detection: clusters of orders that look like one purchase, and decisions.
-- A "suspected duplicate" is a member with role 'duplicate' in a cluster whose status is 'open'.
CREATE TABLE dedupe_clusters (
    id INTEGER PRIMARY KEY,
    cluster_key TEXT NOT NULL UNIQUE,      -- stable content key (sorted member ids) so re-runs do not repeat
    status TEXT NOT NULL CHECK (status IN ('open', 'resolved', 'not_duplicate')),
    keep_order_id INTEGER NOT NULL REFERENCES orders(id),
    score REAL NOT NULL,                   -- best pair score, 0..100 (a similarity, not money)
    kind TEXT NOT NULL,                    -- exact | likely
    created_at TEXT NOT NULL,
    decided_at TEXT,
    decided_by TEXT
);

CREATE TABLE dedupe_members (
    cluster_id INTEGER NOT NULL REFERENCES dedupe_clusters(id),
    order_id INTEGER NOT NULL REFERENCES orders(id),
    role TEXT NOT NULL CHECK (role IN ('keep', 'duplicate', 'not_duplicate')),
    PRIMARY KEY (cluster_id, order_id)
);
CREATE INDEX dedupe_members_order ON dedupe_members(order_id);

CREATE TABLE dedupe_pairs (
    cluster_id INTEGER NOT NULL REFERENCES dedupe_clusters(id),
    order_a INTEGER NOT NULL REFERENCES orders(id),
    order_b INTEGER NOT NULL REFERENCES orders(id),
    score REAL NOT NULL,
    reasons TEXT NOT NULL,                 -- human-readable, e.g. "same phone +39333..., name 91% similar"
    kind TEXT NOT NULL DEFAULT 'likely',   -- exact | likely (added by the dedupe stage)
    PRIMARY KEY (cluster_id, order_a, order_b)
);

-- Pairs a reviewer declared distinct: never proposed again (order_a < order_b).
CREATE TABLE dedupe_not_duplicate (
    order_a INTEGER NOT NULL REFERENCES orders(id),
    order_b INTEGER NOT NULL REFERENCES orders(id),
    decided_at TEXT NOT NULL,
    PRIMARY KEY (order_a, order_b)
);
