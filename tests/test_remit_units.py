"""Fee rounding, cycles by local day across daylight saving, and the posting code's balance check."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codtool.remit.cycles import cycle_of, local_day
from codtool.remit.fees import contract_fee
from codtool.remit.postings import Leg, Txn, UnbalancedTransaction, check_balanced

ROME = ZoneInfo("Europe/Rome")


@pytest.mark.parametrize(("cod", "percent", "fixed", "minimum", "fee"), [
    (1010, "1.5", 0, 0, 15),      # 15.15 cents -> 15
    (1030, "1.5", 0, 0, 15),      # 15.45 -> 15
    (1070, "1.5", 0, 0, 16),      # 16.05 -> 16
    (25, "2.0", 0, 0, 1),         # exactly half a cent goes up
    (1000, "1.25", 0, 0, 13),     # 12.5 -> 13
    (5680, "1.5", 0, 150, 150),   # 85.2 cents, below the 1.50 minimum
    (20000, "1.5", 0, 150, 300),
    (10000, "2.0", 50, 200, 250),  # 2.00 + 0.50 fixed
    (5000, "0", 300, 0, 300),     # a flat fee
])
def test_fee_rounds_half_up_with_minimum(cod, percent, fixed, minimum, fee):
    assert contract_fee(cod, Decimal(percent), fixed, minimum) == fee


@given(st.integers(0, 10**9), st.decimals(0, 100, places=3), st.integers(0, 1000), st.integers(0, 5000))
def test_fee_is_the_exact_share_rounded_half_up(cod, percent, fixed, minimum):
    exact = Fraction(cod) * Fraction(percent) / 100
    rounded = int(exact) + (1 if exact - int(exact) >= Fraction(1, 2) else 0)
    assert contract_fee(cod, percent, fixed, minimum) == max(rounded + fixed, minimum)


def test_cycles_from_the_anchor():
    anchor = date(2026, 10, 1)
    cycle = cycle_of(date(2026, 10, 5), anchor, 5, 2)
    assert (cycle.start, cycle.end, cycle.due) == (date(2026, 10, 1), date(2026, 10, 5), date(2026, 10, 7))
    assert cycle_of(date(2026, 10, 6), anchor, 5, 2).start == date(2026, 10, 6)
    assert cycle_of(date(2026, 9, 30), anchor, 5, 2).start == date(2026, 9, 26)  # before the anchor too


@pytest.mark.parametrize(("stamp", "day"), [
    ("2026-10-05T23:30:00", date(2026, 10, 5)),       # courier local time, last day of a cycle
    ("2026-10-05T21:30:00Z", date(2026, 10, 5)),      # 23:30 in Rome in summer time (UTC+2)
    ("2026-10-05T22:30:00Z", date(2026, 10, 6)),      # 00:30 the next day: the next cycle
    ("2026-10-25T22:30:00Z", date(2026, 10, 25)),     # 23:30 in Rome after the change to UTC+1 that night
    ("2026-10-25T23:30:00+00:00", date(2026, 10, 26)),
    ("2026-10-25T00:30:00Z", date(2026, 10, 25)),     # 02:30 CEST, just before the clocks go back
    ("not a time", None),
])
def test_local_day_across_daylight_saving(stamp, day):
    assert local_day(stamp, ROME) == day


def test_last_day_at_2330_stays_in_its_cycle_across_the_october_change():
    anchor = date(2026, 10, 1)
    summer = cycle_of(local_day("2026-10-05T21:30:00Z", ROME), anchor, 5, 2)
    winter = cycle_of(local_day("2026-10-25T22:30:00Z", ROME), anchor, 5, 2)
    assert summer.label == "2026-10-01/2026-10-05"
    assert winter.label == "2026-10-21/2026-10-25"


def test_posting_refuses_an_unbalanced_transaction():
    good = Txn("k", "delivery", 1, "2026-10-01", "ok", (Leg("a", 100, "EUR"), Leg("b", -100, "EUR")))
    check_balanced(good)
    bad = Txn("k", "delivery", 1, "2026-10-01", "off", (Leg("a", 100, "EUR"), Leg("b", -99, "EUR")))
    with pytest.raises(UnbalancedTransaction, match="EUR sums to 1, expected 0"):
        check_balanced(bad)
    mixed = Txn("k", "delivery", 1, "2026-10-01", "fx", (Leg("a", 100, "EUR"), Leg("b", -100, "USD")))
    with pytest.raises(UnbalancedTransaction):
        check_balanced(mixed)
    with pytest.raises(UnbalancedTransaction, match="not integer"):
        check_balanced(Txn("k", "delivery", 1, "d", "f", (Leg("a", 1.0, "EUR"), Leg("b", -1.0, "EUR"))))
