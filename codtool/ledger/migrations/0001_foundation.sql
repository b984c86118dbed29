-- Foundation: shops, import batches, orders and the rows we could not import.
-- Money is integer minor units beside an ISO 4217 currency; identifiers are TEXT.
CREATE TABLE shops (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE import_batches (
    id INTEGER PRIMARY KEY,
    shop_id INTEGER NOT NULL REFERENCES shops(id),
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    profile TEXT NOT NULL,
    encoding TEXT NOT NULL,
    delimiter TEXT NOT NULL,
    rows INTEGER NOT NULL,
    orders INTEGER NOT NULL,
    imported INTEGER NOT NULL,
    rejected INTEGER NOT NULL,
    skipped_duplicates INTEGER NOT NULL,
    imported_at TEXT NOT NULL
);

CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    shop_id INTEGER NOT NULL REFERENCES shops(id),
    batch_id INTEGER NOT NULL REFERENCES import_batches(id),
    source_id TEXT NOT NULL,
    source_line INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    customer_name TEXT NOT NULL,
    phone TEXT NOT NULL,
    email TEXT NOT NULL,
    address1 TEXT NOT NULL,
    address2 TEXT NOT NULL,
    city TEXT NOT NULL,
    postcode TEXT NOT NULL,
    province TEXT NOT NULL,
    country TEXT NOT NULL,
    payment_method TEXT NOT NULL,
    is_cod INTEGER NOT NULL CHECK (is_cod IN (0, 1)),
    cod_minor INTEGER NOT NULL CHECK (cod_minor >= 0),
    total_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    items TEXT NOT NULL,
    notes TEXT NOT NULL,
    status TEXT NOT NULL,
    CHECK (is_cod = 1 OR cod_minor = 0),
    UNIQUE (shop_id, source_id)
);
CREATE INDEX orders_batch ON orders(batch_id);



CREATE TABLE rejected_rows (
    id INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES import_batches(id),
    line INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('rejected', 'duplicate')),
    reason TEXT NOT NULL,
    raw TEXT NOT NULL
);
CREATE INDEX rejected_rows_batch ON rejected_rows(batch_id);

-- Every status change with who/what made it, so a parcel's story can be told later.
CREATE TABLE order_status_log (
    id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES orders(id),
    old_status TEXT NOT NULL,
    new_status TEXT NOT NULL,
    reason TEXT NOT NULL,
    source TEXT NOT NULL,
    changed_at TEXT NOT NULL
);
CREATE INDEX order_status_log_order ON order_status_log(order_id);
