"""Courier COD remittances: the money ledger, five-day cycles, bank matching and reconciliation."""
