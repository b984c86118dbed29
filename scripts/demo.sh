#!/usr/bin/env bash
# Install codtool in .venv and run a COD day on the bundled sample data, in demo.db.
# Safe to run again: every step is idempotent, so a second run changes nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${CODTOOL_BIN:-}" ] && [ ! -x .venv/bin/codtool ]; then
    python3 -m venv .venv
    .venv/bin/pip install --quiet --upgrade pip
    .venv/bin/pip install --quiet -e '.[test]'
fi
export CODTOOL_DB="${CODTOOL_DB:-demo.db}"
OUT="${CODTOOL_DEMO_OUT:-.}"  # where the files for people go
codtool() { "${CODTOOL_BIN:-.venv/bin/codtool}" "$@"; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "0. Create the ledger (the only command that creates one)"
codtool init
step "1. Import the shops' order exports (Shopify, WooCommerce, PrestaShop, generic)"
codtool import fixtures/orders/*.csv --shop demo
step "2. Check phones and addresses"
codtool check
step "3. Find duplicate orders"
codtool dedupe
step "4. Confirm low-risk orders by policy, list the calls to make"
codtool calls confirm --date 2026-11-23
codtool calls list --date 2026-11-23
step "5. Record what customers said on the phone"
codtool calls record fixtures/calls/outcomes_2026-11-23.csv
step "6. Ship with BRT and follow the parcels"
codtool ship fixtures/shipping/manifest_brt.csv --courier brt --shop demo --force
codtool track fixtures/shipping/brt_status_*.csv --courier brt
codtool ndr list
step "7. Delivery report"
codtool report delivery --by courier
step "8. The money: BRT's remittance and the bank statement, reconciled; the shop's five-day payout"
codtool --config fixtures/remit/codtool.toml remit import fixtures/remit/remittance_brt_2026-11-28.csv --courier brt
codtool --config fixtures/remit/codtool.toml remit bank fixtures/remit/bank_2026-11-30.csv
codtool --config fixtures/remit/codtool.toml remit reconcile --as-of 2026-12-10
codtool --config fixtures/remit/codtool.toml payout run --as-of 2026-12-10
codtool --config fixtures/remit/codtool.toml payout list
step "9. The ledger's own check"
codtool doctor
step "10. Files for people, describing the ledger as it is now (the same files on every run)"
# Exports show the ledger's state, so they come last: a second run of the demo writes the same files.
codtool check --export "$OUT/demo-flagged.xlsx" --force  # the demo rewrites its own sheets
codtool check --export "$OUT/demo-flagged.csv" --force
codtool calls list --date 2026-11-23 --out "$OUT/demo-calls.xlsx" --force
codtool calls list --date 2026-11-23 --out "$OUT/demo-calls.csv" --force
codtool ndr list --out "$OUT/demo-ndr.xlsx" --force
codtool report delivery --by courier --out "$OUT/demo-delivery.xlsx" --force
codtool orders export --out "$OUT/demo-orders.xlsx" --force
codtool orders export --out "$OUT/demo-orders-it.csv" --csv-dialect excel-it --force
codtool --config fixtures/remit/codtool.toml remit report --as-of 2026-12-10 --out "$OUT/demo-remittances.xlsx" --force
codtool --config fixtures/remit/codtool.toml payout statement 1 --out "$OUT/demo-statement-1.pdf" --force
step "11. The same work as one nightly cron command: codtool daily over a week of input folders"
# fixtures/daily: eight days as shops, couriers and the bank leave them (scripts/daily_month.py), in their own
# ledger. Exit 3 means "done, a person should look" (open discrepancies, overdue money): expected here.
DAILY_DB="${CODTOOL_DAILY_DB:-demo-daily.db}"
nightly() { "${CODTOOL_BIN:-.venv/bin/codtool}" --db "$DAILY_DB" --config fixtures/daily/config.toml "$@"; }
nightly init
days=(fixtures/daily/in/*/)
for day in "${days[@]}"; do
    nightly daily --in "$day" --out "$OUT/demo-daily" --as-of "$(basename "$day")" --quiet || [ $? -eq 3 ]
done
last="${days[${#days[@]}-1]}"
echo "The last day's summary (run again: every file is known, nothing changes):"
nightly daily --in "$last" --out "$OUT/demo-daily" --as-of "$(basename "$last")" || [ $? -eq 3 ]
printf '\nLedger: %s. Try: .venv/bin/codtool --db %s orders show "#1001"\n' "$CODTOOL_DB" "$CODTOOL_DB"
printf 'The nightly run: ledger %s, its files in %s/demo-daily/DATE/\n' "$DAILY_DB" "$OUT"
