"""Dedupe on the hard Italian labelled set (bench/labelled_orders.py): re-submitted orders are found,
family members at one address, namesakes elsewhere and later re-orders are not merged."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from bench_dedupe_quality import codtool_pairs, prf, true_pairs  # noqa: E402
from labelled_orders import italian_orders  # noqa: E402


@pytest.mark.parametrize("phones", [True, False])
def test_resubmitted_orders_are_found_and_look_alikes_are_not(phones: bool) -> None:
    orders, labels, kinds = italian_orders(400, seed=3, phones=phones)
    truth = true_pairs(labels)
    found, _ = codtool_pairs(orders, threshold=85.0, window=7)
    wrong = {kinds[labels[a - 1]] if kinds[labels[a - 1]] != "original" else kinds[labels[b - 1]]
             for a, b in found - truth}
    assert "family" not in wrong and "namesake" not in wrong and "reorder" not in wrong
    precision, recall, _ = prf(found, truth)
    assert recall >= 0.97, f"recall {recall:.3f}"
    assert precision >= 0.99, f"precision {precision:.3f}"
    families = [label for label, kind in kinds.items() if kind == "family"]
    assert len(families) >= 40  # the set really holds families at one address
