-- Views for browsing the ledger (Datasette, any SQL client): each amount in currency units
-- beside its integer minor units. Amounts are TEXT with exactly the currency's decimals
-- ("1234.50", "-4.40", "1500" for JPY), built by integer arithmetic so no float ever shows a
-- wrong cent; sort and add up by the *_minor column beside them. Plain SQL that SQLite and
-- PostgreSQL both run; read-only, so nothing here changes what the ledger holds.

-- ISO 4217 currencies whose minor unit is not the cent (every other code has 100 per unit).
-- tests/test_browse.py checks this list against the iso4217 package codtool's money uses.
CREATE VIEW currency_divisors AS
    SELECT 'BHD' AS currency, 1000 AS divisor
    UNION ALL
    SELECT 'BIF' AS currency, 1 AS divisor
    UNION ALL
    SELECT 'CLF' AS currency, 10000 AS divisor
    UNION ALL
    SELECT 'CLP' AS currency, 1 AS divisor
    UNION ALL
    SELECT 'DJF' AS currency, 1 AS divisor
    UNION ALL
    SELECT 'GNF' AS currency, 1 AS divisor
    UNION ALL
    SELECT 'IQD' AS currency, 1000 AS divisor
    UNION ALL
    SELECT 'ISK' AS currency, 1 AS divisor
    UNION ALL
    SELECT 'JOD' AS currency, 1000 AS divisor
    UNION ALL
    SELECT 'JPY' AS currency, 1 AS divisor
    UNION ALL
    SELECT 'KMF' AS currency, 1 AS divisor
    UNION ALL
    SELECT 'KRW' AS currency, 1 AS divisor
    UNION ALL
    SELECT 'KWD' AS currency, 1000 AS divisor
    UNION ALL
    SELECT 'LYD' AS currency, 1000 AS divisor
    UNION ALL
    SELECT 'OMR' AS currency, 1000 AS divisor
    UNION ALL
    SELECT 'PYG' AS currency, 1 AS divisor
    UNION ALL
    SELECT 'RWF' AS currency, 1 AS divisor
    UNION ALL
    SELECT 'TND' AS currency, 1000 AS divisor
    UNION ALL
    SELECT 'UGX' AS currency, 1 AS divisor
    UNION ALL
    SELECT 'UYI' AS currency, 1 AS divisor
    UNION ALL
    SELECT 'UYW' AS currency, 10000 AS divisor
    UNION ALL
    SELECT 'VND' AS currency, 1 AS divisor
    UNION ALL
    SELECT 'VUV' AS currency, 1 AS divisor
    UNION ALL
    SELECT 'XAF' AS currency, 1 AS divisor
    UNION ALL
    SELECT 'XOF' AS currency, 1 AS divisor
    UNION ALL
    SELECT 'XPF' AS currency, 1 AS divisor;

-- One row per order: its shop, customer, status and COD, amounts in units.
CREATE VIEW browse_orders AS
SELECT x.id, s.name AS shop, x.source_id AS order_ref, x.created_at, x.status, x.customer_name, x.phone,
    x.city, x.postcode, x.province, x.country, x.payment_method, x.is_cod,
    x.cod_minor, CASE WHEN x.cod_minor < 0 THEN '-' ELSE '' END || CAST(ABS(x.cod_minor) / x.d AS TEXT)
        || CASE WHEN x.d > 1 THEN '.' || SUBSTR(CAST(x.d + ABS(x.cod_minor) - ABS(x.cod_minor) / x.d * x.d AS TEXT), 2) ELSE '' END AS cod_amount,
    x.total_minor, CASE WHEN x.total_minor < 0 THEN '-' ELSE '' END || CAST(ABS(x.total_minor) / x.d AS TEXT)
        || CASE WHEN x.d > 1 THEN '.' || SUBSTR(CAST(x.d + ABS(x.total_minor) - ABS(x.total_minor) / x.d * x.d AS TEXT), 2) ELSE '' END AS total_amount,
    x.currency, x.batch_id
FROM (SELECT t.*, COALESCE(u.divisor, 100) AS d FROM orders t
      LEFT JOIN currency_divisors u ON u.currency = t.currency) x
JOIN shops s ON s.id = x.shop_id;

-- One row per parcel: its order, courier, tracking number, current status and COD.
CREATE VIEW browse_shipments AS
SELECT x.id, x.order_id, o.source_id AS order_ref, s.name AS shop, x.courier, x.tracking_number, x.ship_date,
    x.status, x.status_at, x.cod_minor, CASE WHEN x.cod_minor < 0 THEN '-' ELSE '' END || CAST(ABS(x.cod_minor) / x.d AS TEXT)
        || CASE WHEN x.d > 1 THEN '.' || SUBSTR(CAST(x.d + ABS(x.cod_minor) - ABS(x.cod_minor) / x.d * x.d AS TEXT), 2) ELSE '' END AS cod_amount, x.currency,
    x.source_file, x.source_line
FROM (SELECT t.*, COALESCE(u.divisor, 100) AS d FROM shipments t
      LEFT JOIN currency_divisors u ON u.currency = t.currency) x
JOIN orders o ON o.id = x.order_id
JOIN shops s ON s.id = o.shop_id;

-- Parcels whose current status is a failed delivery attempt, with the latest decision ('' when none).
CREATE VIEW browse_open_ndr AS
SELECT x.id AS shipment_id, x.courier, x.tracking_number, o.source_id AS order_ref, s.name AS shop,
    o.customer_name, o.phone, x.status_at AS last_attempt_at,
    (SELECT COUNT(*) FROM tracking_events e WHERE e.shipment_id = x.id AND e.status = 'failed_attempt') AS attempts,
    COALESCE((SELECT e.reason FROM tracking_events e WHERE e.shipment_id = x.id AND e.status = 'failed_attempt'
              ORDER BY e.event_at DESC, e.id DESC LIMIT 1), '') AS reason,
    COALESCE(d.action, '') AS action, COALESCE(d.decided_by, '') AS decided_by, COALESCE(d.decided_at, '') AS decided_at,
    x.cod_minor, CASE WHEN x.cod_minor < 0 THEN '-' ELSE '' END || CAST(ABS(x.cod_minor) / x.d AS TEXT)
        || CASE WHEN x.d > 1 THEN '.' || SUBSTR(CAST(x.d + ABS(x.cod_minor) - ABS(x.cod_minor) / x.d * x.d AS TEXT), 2) ELSE '' END AS cod_amount, x.currency
FROM (SELECT t.*, COALESCE(u.divisor, 100) AS d FROM shipments t
      LEFT JOIN currency_divisors u ON u.currency = t.currency) x
JOIN orders o ON o.id = x.order_id
JOIN shops s ON s.id = o.shop_id
LEFT JOIN ndr_decisions d ON d.id = (SELECT d2.id FROM ndr_decisions d2 WHERE d2.shipment_id = x.id
                                     ORDER BY d2.decided_at DESC, d2.id DESC LIMIT 1)
WHERE x.status = 'failed_attempt';

-- One row per error or warning a check found on an order (info findings left out).
CREATE VIEW browse_flagged_orders AS
SELECT f.id AS finding_id, x.id AS order_id, x.source_id AS order_ref, s.name AS shop, x.status,
    f.severity, f.code, f.message, f.suggestion, x.customer_name, x.phone, x.city, x.country,
    x.cod_minor, CASE WHEN x.cod_minor < 0 THEN '-' ELSE '' END || CAST(ABS(x.cod_minor) / x.d AS TEXT)
        || CASE WHEN x.d > 1 THEN '.' || SUBSTR(CAST(x.d + ABS(x.cod_minor) - ABS(x.cod_minor) / x.d * x.d AS TEXT), 2) ELSE '' END AS cod_amount, x.currency
FROM order_findings f
JOIN (SELECT t.*, COALESCE(u.divisor, 100) AS d FROM orders t
      LEFT JOIN currency_divisors u ON u.currency = t.currency) x ON x.id = f.order_id
JOIN shops s ON s.id = x.shop_id
WHERE f.severity IN ('error', 'warning');

-- One row per courier remittance (payout) read from a remittance file.
CREATE VIEW browse_remittances AS
SELECT x.id, x.courier, x.bank_reference, x.remittance_date, x.lines,
    x.total_net_minor, CASE WHEN x.total_net_minor < 0 THEN '-' ELSE '' END || CAST(ABS(x.total_net_minor) / x.d AS TEXT)
        || CASE WHEN x.d > 1 THEN '.' || SUBSTR(CAST(x.d + ABS(x.total_net_minor) - ABS(x.total_net_minor) / x.d * x.d AS TEXT), 2) ELSE '' END AS total_net_amount, x.currency,
    f.file_name AS source_file
FROM (SELECT t.*, COALESCE(u.divisor, 100) AS d FROM remittances t
      LEFT JOIN currency_divisors u ON u.currency = t.currency) x
JOIN remit_files f ON f.id = x.file_id;

-- Every reconciliation discrepancy, open or with its decision.
CREATE VIEW browse_discrepancies AS
SELECT x.id, x.kind, x.courier, x.tracking_number, x.order_ref, x.bank_reference, x.cycle,
    x.amount_minor, CASE WHEN x.amount_minor < 0 THEN '-' ELSE '' END || CAST(ABS(x.amount_minor) / x.d AS TEXT)
        || CASE WHEN x.d > 1 THEN '.' || SUBSTR(CAST(x.d + ABS(x.amount_minor) - ABS(x.amount_minor) / x.d * x.d AS TEXT), 2) ELSE '' END AS amount, x.currency, x.detail, x.first_seen_at,
    CASE WHEN d.id IS NULL THEN 'open' ELSE d.decision END AS status,
    COALESCE(d.decided_by, '') AS decided_by, COALESCE(d.decided_at, '') AS decided_at, COALESCE(d.note, '') AS note
FROM (SELECT t.*, COALESCE(u.divisor, 100) AS d FROM remit_discrepancies t
      LEFT JOIN currency_divisors u ON u.currency = t.currency) x
LEFT JOIN remit_decisions d ON d.discrepancy_id = x.id;

-- One row per shop payout statement: its items' totals and what was paid (sums cast back to integers:
-- PostgreSQL adds BIGINTs up as NUMERIC).
CREATE VIEW browse_payouts AS
SELECT x.id, x.shop, x.cycle_start, x.cycle_end, x.closed_at, x.items,
    x.cod_minor, CASE WHEN x.cod_minor < 0 THEN '-' ELSE '' END || CAST(ABS(x.cod_minor) / x.d AS TEXT)
        || CASE WHEN x.d > 1 THEN '.' || SUBSTR(CAST(x.d + ABS(x.cod_minor) - ABS(x.cod_minor) / x.d * x.d AS TEXT), 2) ELSE '' END AS cod_amount,
    x.fee_minor, CASE WHEN x.fee_minor < 0 THEN '-' ELSE '' END || CAST(ABS(x.fee_minor) / x.d AS TEXT)
        || CASE WHEN x.d > 1 THEN '.' || SUBSTR(CAST(x.d + ABS(x.fee_minor) - ABS(x.fee_minor) / x.d * x.d AS TEXT), 2) ELSE '' END AS fee_amount,
    x.net_minor, CASE WHEN x.net_minor < 0 THEN '-' ELSE '' END || CAST(ABS(x.net_minor) / x.d AS TEXT)
        || CASE WHEN x.d > 1 THEN '.' || SUBSTR(CAST(x.d + ABS(x.net_minor) - ABS(x.net_minor) / x.d * x.d AS TEXT), 2) ELSE '' END AS net_amount,
    x.paid_minor, CASE WHEN x.paid_minor < 0 THEN '-' ELSE '' END || CAST(ABS(x.paid_minor) / x.d AS TEXT)
        || CASE WHEN x.d > 1 THEN '.' || SUBSTR(CAST(x.d + ABS(x.paid_minor) - ABS(x.paid_minor) / x.d * x.d AS TEXT), 2) ELSE '' END AS paid_amount,
    x.currency
FROM (SELECT t.*, COALESCE(u.divisor, 100) AS d FROM (
          SELECT p.id, p.shop, p.cycle_start, p.cycle_end, p.closed_at, p.currency,
              (SELECT COUNT(*) FROM payout_items i WHERE i.statement_id = p.id) AS items,
              (SELECT CAST(COALESCE(SUM(i.cod_minor), 0) AS INTEGER) FROM payout_items i WHERE i.statement_id = p.id) AS cod_minor,
              (SELECT CAST(COALESCE(SUM(i.fee_minor), 0) AS INTEGER) FROM payout_items i WHERE i.statement_id = p.id) AS fee_minor,
              (SELECT CAST(COALESCE(SUM(i.net_minor), 0) AS INTEGER) FROM payout_items i WHERE i.statement_id = p.id) AS net_minor,
              (SELECT CAST(COALESCE(SUM(y.amount_minor), 0) AS INTEGER) FROM payout_payments y WHERE y.statement_id = p.id) AS paid_minor
          FROM payout_statements p) t
      LEFT JOIN currency_divisors u ON u.currency = t.currency) x;
