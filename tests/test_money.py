"""The one amount parser: Italian and English notation round-trip to exact minor units."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codtool.errors import AmountError
from codtool.money import Money, exponent, format_minor, parse_minor, parse_money

CENTS = st.integers(min_value=0, max_value=10**12)


def grouped(whole: int, sep: str) -> str:
    return f"{whole:,}".replace(",", sep)


def italian(minor: int, thousands: bool) -> str:
    whole, cents = divmod(minor, 100)
    return f"{grouped(whole, '.') if thousands else whole},{cents:02d}"


def english(minor: int, thousands: bool) -> str:
    whole, cents = divmod(minor, 100)
    return f"{grouped(whole, ',') if thousands else whole}.{cents:02d}"


@given(CENTS, st.booleans(), st.sampled_from(["", "€ ", "EUR "]), st.sampled_from(["", " €", " EUR"]))
def test_italian_notation_round_trips(minor, thousands, prefix, suffix):
    assert parse_minor(prefix + italian(minor, thousands) + suffix) == minor


@given(CENTS, st.booleans(), st.sampled_from(["", "$", "USD "]))
def test_english_notation_round_trips(minor, thousands, prefix):
    assert parse_minor(prefix + english(minor, thousands), "USD") == minor


@given(st.integers(min_value=-10**12, max_value=10**12), st.sampled_from(["EUR", "KWD", "JPY", "USD"]))
def test_format_then_parse_is_identity(minor, currency):
    assert parse_minor(format_minor(minor, currency), currency) == minor


@given(st.integers(min_value=1, max_value=10**9))
def test_negative_forms(minor):
    text = english(minor, False)
    assert parse_minor("-" + text) == parse_minor(f"({text})") == parse_minor(text + "-") == -minor


@pytest.mark.parametrize(("text", "currency", "minor"), [
    ("1.234", "EUR", 123400),      # a lone dot before three digits groups thousands
    ("1,234", "USD", 123400),
    ("12.345", "KWD", 12345),      # ...unless the currency has three decimals
    ("0.123", "KWD", 123),
    ("12,5", "EUR", 1250),
    ("1 234,50", "EUR", 123450),
    ("CHF 1'234.50", "CHF", 123450),
    ("1500", "JPY", 1500),
    ("12.00", "EUR", 1200),
    ("12.000", "EUR", 1200000),
])
def test_ambiguous_forms(text, currency, minor):
    assert parse_minor(text, currency) == minor


@pytest.mark.parametrize("text", ["", "abc", "12a", "1.234.50", "1,2,3", "12.5.0", "1.23.456,00", "0.123", "--"])
def test_unreadable_amounts_are_errors(text):
    with pytest.raises(AmountError):
        parse_minor(text)


def test_money_refuses_floats_and_mixed_currencies():
    with pytest.raises(TypeError):
        Money(12.5, "EUR")  # type: ignore[arg-type]
    with pytest.raises(AmountError):
        Money(1, "EUR") + Money(1, "USD")
    assert parse_money("€ 1.234,50") == Money(123450, "EUR")
    assert str(Money(-5, "EUR")) == "-0.05 EUR"
    assert exponent("kwd") == 3
