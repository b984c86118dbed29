"""Duplicate-order detection: blocking rules, per-field evidence, clusters and reviewer decisions.

Orders are compared only when they share the key of one blocking rule (phone, email, or a
name sound with a postcode, locality, street or house number) and fall inside the time
window, so the cost grows with the number of orders, not with its square. Each pair is scored
by Fellegi-Sunter weights over its fields. Results are proposals for a reviewer, never
automatic cancellations.
"""
