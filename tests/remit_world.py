"""A small, hand-checked remittance world for the remit tests.

BRT's contract: 1.5% of the COD rounded half-up to the cent, at least 1.50 EUR; five-day cycles
from 2026-10-01, payout two days after a cycle's last day, three days' grace. Worked by hand:
  56.80 -> 1.5% = 0.852 -> 0.85, below the minimum -> fee 1.50, net 55.30
 120.00 -> 1.80, net 118.20      200.00 -> 3.00, net 197.00      89.00 -> 1.335 -> 1.34 -> 1.50, net 87.50
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

from remit_month import seed_parcels  # noqa: E402

CONFIG = """timezone = "Europe/Rome"
currency = "EUR"

[couriers.brt]
cycle_days = 5
cycle_anchor = "2026-10-01"
payout_lag_days = 2
grace_days = 3
fee_percent = "1.5"
fee_fixed = "0.00"
fee_min = "1.50"
"""

# courier, tracking, order, shop, cod, status, status_at (local time, as the tracking stage stores it)
PARCELS = [
    ("brt", "T1", "1001", "bellezza", 5680, "delivered", "2026-10-02T10:00:00"),  # paid right, then a duplicate line
    ("brt", "T2", "1002", "bellezza", 12000, "delivered", "2026-10-02T11:00:00"),  # short by 1.20
    ("brt", "T3", "1003", "bellezza", 20000, "delivered", "2026-10-03T09:00:00"),  # fee 4.00 instead of 3.00
    ("brt", "T4", "1004", "bellezza", 8900, "delivered", "2026-10-03T12:00:00"),  # paid 90.00 instead of 87.50
    ("brt", "T5", "1005", "bellezza", 5680, "delivered", "2026-10-04T15:00:00"),  # never remitted: overdue
    ("brt", "T6", "1006", "bellezza", 12000, "delivered", "2026-10-05T23:30:00"),  # paid in two parts
    ("brt", "T7", "1007", "bellezza", 5680, "refused", "2026-10-04T10:00:00"),  # refused, yet remitted
    ("brt", "T8", "1008", "bellezza", 5680, "delivered", "2026-10-08T10:00:00"),  # next cycle: not due yet
]

REMITTANCE_A = """tracking_number,order_id,cod_amount,fee,net_amount,remittance_date,bank_reference
T1,1001,56.80,1.50,55.30,2026-10-07,12345678901
T2,1002,120.00,1.80,117.00,2026-10-07,12345678901
T3,1003,200.00,4.00,196.00,2026-10-07,12345678901
T4,1004,89.00,1.50,90.00,2026-10-07,12345678901
T6,1006,120.00,1.80,60.00,2026-10-07,12345678901
T7,1007,56.80,1.50,55.30,2026-10-07,12345678901
TX9,,10.00,0.00,10.00,2026-10-07,12345678901
T1,1001,56.80,1.50,55.30,2026-10-07,12345678901
"""
TOTAL_A = 5530 + 11700 + 19600 + 9000 + 6000 + 5530 + 1000 + 5530

# BRT's own layout: Italian headers, ';', decimal comma, day-first dates; read through a mapping.
REMITTANCE_B = """Spedizione;Rif. mittente;Importo contrassegno;Commissione;Netto;Data distinta;CRO
T6;1006;0,00;0,00;58,20;09/10/2026;22233344455
"""
MAPPING_B = """[columns]
net_amount = "Netto"
remittance_date = "Data distinta"
bank_reference = "CRO"
order_id = "Rif. mittente"
cod_amount = "Importo contrassegno"
"""

BANK = """Intestatario;Momoka Logistica S.r.l.;;;;
IBAN;IT60X0542811101000000123456;;;;
;;;;;
Data contabile;Data valuta;Dare;Avere;Descrizione;Causale
08/10/2026;08/10/2026;;638,90;BONIFICO A VOSTRO FAVORE DA BRT SPA TRN 0306909123456789011234567 DISTINTA;48
09/10/2026;09/10/2026;-45,00;;ADDEBITO SDD ENEL;50
10/10/2026;10/10/2026;;50,00;BONIFICO BRT SPA CRO 22233344455;48
10/10/2026;10/10/2026;;12,34;BONIFICO DA ROSSI MARIO;48
Saldo finale;;;1.656,24;;
"""

# What a correct reconcile reports as of 2026-10-11, computed by hand from the lines above.
EXPECTED = {
    ("short_paid", "T2", 120), ("fee_differs", "T3", 100), ("over_paid", "T4", 250), ("overdue", "T5", 5530),
    ("remitted_not_delivered", "T7", 5530), ("unknown_parcel", "TX9", 1000), ("duplicate_line", "T1", 5530),
    ("credit_differs", "22233344455", 820), ("unmatched_credit", "", 1234),
}


def key(d: dict) -> tuple[str, str, int]:
    ref = d["bank_reference"] if d["kind"] in ("not_credited", "credit_differs") else d["tracking_number"]
    return d["kind"], ref, d["amount_minor"]


def build(cli, tmp: Path, bank: bool = True, remittance_a: str = REMITTANCE_A) -> Path:
    """Seed the parcels, write the config and import both remittances (and the bank statement)."""
    seed_parcels(cli.db, PARCELS)
    config = tmp / "codtool.toml"
    config.write_text(CONFIG, encoding="utf-8")
    (tmp / "a.csv").write_text(remittance_a, encoding="utf-8")
    (tmp / "b.csv").write_bytes(REMITTANCE_B.encode("cp1252"))
    (tmp / "b.toml").write_text(MAPPING_B, encoding="utf-8")
    (tmp / "bank.csv").write_bytes(BANK.encode("cp1252"))
    assert cli("--config", config, "remit", "import", tmp / "a.csv", "--courier", "brt").exit_code == 0
    result = cli("--config", config, "remit", "import", tmp / "b.csv", "--courier", "BRT", "--mapping", tmp / "b.toml")
    assert result.exit_code == 0, result.output
    if bank:
        result = cli("--config", config, "remit", "bank", tmp / "bank.csv")
        assert result.exit_code == 0, result.output
    return config
