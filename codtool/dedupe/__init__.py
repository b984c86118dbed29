"""Duplicate-order detection: blocking keys, pair similarity, clusters and reviewer decisions.

Orders are compared only when they share a normalised key (phone, email, address or source
order) and fall inside the time window, so the cost grows with the number of orders, not
with its square. Results are proposals for a reviewer, never automatic cancellations.
"""
