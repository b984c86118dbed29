"""The money type and the one strict amount reader: exact, one currency at a time, never a guess."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from codtool.errors import AmountError
from codtool.money import MAX_MINOR, AmountFormat, Money, exponent, format_minor, read_amount

LEDGER = AmountFormat(parentheses=True)
CURRENCIES = st.sampled_from(["EUR", "USD", "GBP", "JPY", "KWD", "CHF"])
MINOR = st.integers(min_value=-MAX_MINOR, max_value=MAX_MINOR)


# --- Money ---------------------------------------------------------------------------------------

def test_arithmetic_within_one_currency():
    a, b = Money(1050, "EUR"), Money(250, "EUR")
    assert a + b == Money(1300, "EUR")
    assert a - b == Money(800, "EUR") and b - a == Money(-800, "EUR")
    assert -a == Money(-1050, "EUR") and abs(Money(-5, "EUR")) == Money(5, "EUR")
    assert a * 3 == 3 * a == Money(3150, "EUR")
    assert b < a and a > b and a >= a and b <= a and max(a, b) == a
    assert Money.zero("JPY") == Money(0, "JPY")
    assert Money.total([a, b, -b], "EUR") == a
    assert Money.total([], "KWD") == Money(0, "KWD")


@pytest.mark.parametrize("operation", [
    lambda: Money(1, "EUR") + Money(1, "USD"),
    lambda: Money(1, "EUR") - Money(1, "USD"),
    lambda: Money(1, "EUR") < Money(2, "USD"),
    lambda: Money(1, "EUR") >= Money(2, "USD"),
    lambda: Money.total([Money(1, "EUR")], "USD"),
    lambda: Money(1, "XYZ"),
    lambda: Money(1, "eur"),
    lambda: Money(1, "XAU"),  # gold has no minor unit
])
def test_mixing_currencies_or_unknown_codes_is_an_amount_error(operation):
    with pytest.raises(AmountError):
        operation()


@pytest.mark.parametrize("operation", [
    lambda: Money(12.5, "EUR"),
    lambda: Money(Decimal("12.5"), "EUR"),
    lambda: Money(True, "EUR"),
    lambda: Money(100, "EUR") * 1.5,
    lambda: Money(100, "EUR") + 1,
    lambda: Money(100, "EUR").percent(1.5),
    lambda: format_minor(12.5, "EUR"),
    lambda: read_amount(12.5, "EUR"),
])
def test_floats_never_enter(operation):
    with pytest.raises(TypeError):
        operation()


@pytest.mark.parametrize(("minor", "rate", "expected"), [
    (1234, Decimal("1.5"), 19),     # 18.51 cents
    (150, 3, 5),                    # 4.5 cents: half up
    (50, 3, 2),                     # 1.5 cents: half up
    (-150, 3, -5),                  # half away from zero for refunds
    (51646, Decimal("3"), 1549),    # 15.4938
    (0, Decimal("99.9"), 0),
])
def test_percent_rounds_half_up_to_the_cent(minor, rate, expected):
    assert Money(minor, "EUR").percent(rate) == Money(expected, "EUR")


def test_percent_takes_another_rounding_when_a_contract_says_so():
    assert Money(150, "EUR").percent(3, rounding=ROUND_HALF_EVEN) == Money(4, "EUR")
    assert Money(1000, "KWD").percent(Decimal("0.15")) == Money(2, "KWD")  # 1.5 fils


def test_a_courier_fee_of_one_and_a_half_percent_with_a_two_euro_minimum():
    fee = lambda cod: max(cod.percent(Decimal("1.5")), Money(200, "EUR"))  # noqa: E731
    assert fee(Money(5000, "EUR")) == Money(200, "EUR")
    assert fee(Money(20000, "EUR")) == Money(300, "EUR")


@pytest.mark.parametrize(("currency", "places"), [
    ("EUR", 2), ("USD", 2), ("HUF", 2), ("JPY", 0), ("KRW", 0), ("CLP", 0), ("ISK", 0),
    ("KWD", 3), ("BHD", 3), ("OMR", 3), ("JOD", 3), ("TND", 3), ("LYD", 3), ("IQD", 3), ("kwd", 3),
])
def test_iso_4217_exponents(currency, places):
    assert exponent(currency) == places


@pytest.mark.parametrize(("money", "it", "en", "plain"), [
    (Money(123450, "EUR"), "1.234,50 €", "1,234.50 EUR", "1234.50"),
    (Money(-5, "EUR"), "-0,05 €", "-0.05 EUR", "-0.05"),
    (Money(123456789, "USD"), "1.234.567,89 USD", "1,234,567.89 USD", "1234567.89"),
    (Money(1500, "JPY"), "1.500 JPY", "1,500 JPY", "1500"),
    (Money(1234567, "KWD"), "1.234,567 KWD", "1,234.567 KWD", "1234.567"),
    (Money(0, "EUR"), "0,00 €", "0.00 EUR", "0.00"),
])
def test_display_and_machine_formats(money, it, en, plain):
    assert (money.display("it"), money.display("en"), money.plain) == (it, en, plain)
    assert str(money) == f"{plain} {money.currency}"


# --- the strict reader: literal tables -----------------------------------------------------------

@pytest.mark.parametrize(("text", "currency", "minor"), [
    ("1.234,50", "EUR", 123450),
    ("1,234.50", "EUR", 123450),
    ("€ 12,00", "EUR", 1200),
    ("12.00 EUR", "EUR", 1200),
    ("12,00€", "EUR", 1200),
    ("eur 12", "EUR", 1200),
    ("12 euro", "EUR", 1200),
    ("-5,00", "EUR", -500),
    ("−5,00", "EUR", -500),        # the Unicode minus sign
    ("-€ 5,00", "EUR", -500),
    ("€ -5,00", "EUR", -500),
    ("1234", "EUR", 123400),
    ("12,5", "EUR", 1250),
    ("0,500", "EUR", 50),          # zeros past the cent change nothing
    ("1 234,50", "EUR", 123450),
    ("1\u00a0234,50", "EUR", 123450),
    ("1.234", "EUR", 123400),      # a lone dot before three digits groups thousands
    ("12.000", "EUR", 1200000),
    ("1,234", "USD", 123400),
    ("$1,234.50", "USD", 123450),
    ("$ 12", "CAD", 1200),         # "$" is every dollar's sign
    ("12.345", "KWD", 12345),      # ...unless the currency has three decimals
    ("0.123", "KWD", 123),
    ("CHF 1'234.50", "CHF", 123450),
    ("1500", "JPY", 1500),
    ("¥1,500", "JPY", 1500),
    ("10000000000,00", "EUR", MAX_MINOR),
])
def test_accepted_notations(text, currency, minor):
    assert read_amount(text, currency) == Money(minor, currency)


@pytest.mark.parametrize(("text", "reason"), [
    ("1-2", "'1-2': unexpected character '-'"),
    ("+-3", "'+-3': more than one sign"),
    ("--5", "'--5': more than one sign"),
    ("(5", "'(5': a parenthesis must enclose the whole amount"),
    ("5,00)", "'5,00)': a parenthesis must enclose the whole amount"),
    ("(5,00)", "'(5,00)': parentheses for negative amounts are not accepted in this file"),
    ("12abc", "'12abc': unexpected text 'abc'"),
    ("12 zł", "'12 zł': unexpected text 'zł'"),
    ("abc", "no amount in 'abc'"),
    ("USD 12", "'USD 12': currency 'USD' differs from the row's EUR"),
    ("12 GBP", "'12 GBP': currency 'GBP' differs from the row's EUR"),
    ("$ 12.00", "'$ 12.00': currency '$' differs from the row's EUR"),
    ("€ 12 EUR", "'€ 12 EUR': a currency named more than once"),
    ("1²", "'1²': non-ASCII digit '²'"),
    ("١٢٣", "'١٢٣': non-ASCII digit '١'"),
    ("99999999999999999999", "'99999999999999999999': beyond the largest amount codtool accepts (1000000000000 minor units)"),
    ("10000000000,01", "'10000000000,01': beyond the largest amount codtool accepts (1000000000000 minor units)"),
    ("", "empty amount"),
    ("-", "no amount in '-'"),
    ("€", "no amount in '€'"),
    ("0.123", "'0.123': more than 2 decimals for EUR"),
    ("12,345,6", "cannot read '12,345,6' as an amount"),
    ("1.234.50", "cannot read '1.234.50' as an amount"),
    ("1,2,3", "cannot read '1,2,3' as an amount"),
    ("12 50", "cannot read '12 50' as an amount"),
    (".50", "cannot read '.50' as an amount"),
    ("12.", "cannot read '12.' as an amount"),
    ("1.234 567", "cannot read '1.234 567' as an amount"),
    ("1'234.567,00", "\"1'234.567,00\": mixed thousands separators"),
    ("5,00-", "'5,00-': unexpected character '-'"),
    ("1e5", "'1e5': unexpected character 'e'"),
    ("NaN", "no amount in 'NaN'"),
    ("  ", "empty amount"),
])
def test_refused_amounts_say_why(text, reason):
    with pytest.raises(AmountError) as caught:
        read_amount(text, "EUR")
    assert str(caught.value) == reason


def test_parentheses_and_foreign_digits_only_where_a_format_allows_them():
    assert read_amount("(5,00)", "EUR", LEDGER) == Money(-500, "EUR")
    assert read_amount("(€ 1.234,50)", "EUR", LEDGER) == Money(-123450, "EUR")
    for text in ("(-5,00)", "((5))", "-(5,00)"):
        with pytest.raises(AmountError):
            read_amount(text, "EUR", LEDGER)
    assert read_amount("١٢٣,٥٠", "EUR", AmountFormat(unicode_digits=True)) == Money(12350, "EUR")
    with pytest.raises(AmountError):
        read_amount("1²", "EUR", AmountFormat(unicode_digits=True))  # a superscript is no decimal digit
    with pytest.raises(AmountError):
        read_amount("1,5", "JPY")  # yen have no decimals


# --- the strict reader: properties ---------------------------------------------------------------

@given(MINOR, CURRENCIES, st.sampled_from(["it", "en"]))
def test_display_then_read_is_identity(minor, currency, style):
    money = Money(minor, currency)
    assert read_amount(money.display(style), currency) == money


@given(MINOR, CURRENCIES)
def test_plain_then_read_is_identity(minor, currency):
    money = Money(minor, currency)
    assert read_amount(money.plain, currency) == money


@st.composite
def human_notations(draw) -> tuple[str, Money]:
    """An amount as people type it, built from its parts, with the amount it stands for."""
    currency = draw(st.sampled_from(["EUR", "USD", "JPY", "KWD"]))
    places = {"EUR": 2, "USD": 2, "JPY": 0, "KWD": 3}[currency]
    whole = draw(st.integers(min_value=0, max_value=10**8))
    frac_digits = draw(st.sampled_from([0, places] + ([1] if places == 2 else [])))
    frac = draw(st.integers(min_value=0, max_value=10**frac_digits - 1))
    thousands, decimal = draw(st.sampled_from([(".", ","), (",", "."), (" ", ","), ("\u00a0", ",")]))
    grouped = draw(st.booleans())
    number = f"{whole:,}".replace(",", thousands) if grouped else str(whole)
    if places == 3 and not frac_digits and grouped and thousands in ".," and 1000 <= whole < 10**6:
        frac_digits, frac = 3, 0  # "1.000" in dinars is honestly ambiguous: people write "1.000,000"
    if frac_digits:
        number += f"{decimal}{frac:0{frac_digits}d}"
    negative = draw(st.booleans())
    symbol = {"EUR": "€", "USD": "$", "JPY": "¥", "KWD": "KWD"}[currency]
    marker = draw(st.sampled_from(["", currency, symbol]))
    pre, post = draw(st.sampled_from([("", ""), (marker + " ", ""), (marker, ""), ("", " " + marker), ("", marker)]))
    text = ("-" if negative else "") + pre + number + post
    minor = whole * 10**places + (frac * 10 ** (places - frac_digits) if frac_digits else 0)
    return text, Money(-minor if negative else minor, currency)


@given(human_notations())
def test_every_human_notation_reads_as_its_amount(case):
    text, money = case
    assert read_amount(text, money.currency) == money


def _person_reads(text: str, places: int) -> tuple[int, str, str]:
    """What anyone sees in an accepted string: its sign, its digits in order, and the digits that
    follow a final '.' or ',' when there are one or two of them (those are decimals to anyone)."""
    sign = -1 if "-" in text or "−" in text else 1
    digits = "".join(ch for ch in text if ch in "0123456789")
    tail = re.search(r"[.,]([0-9]{1,2})[^0-9.,]*$", text)
    return sign, digits, tail.group(1) if tail else ""


NEAR_MISS_CHARS = st.sampled_from(list("0123456789.,-+()' €$EURabcx²١") + ["\u00a0", "GBP", "USD"])


@st.composite
def near_misses(draw) -> tuple[str, str]:
    """A human notation with one edit: a character inserted, deleted or duplicated."""
    text, money = draw(human_notations())
    at = draw(st.integers(min_value=0, max_value=len(text)))
    edit = draw(st.sampled_from(["insert", "delete", "duplicate"]))
    if edit == "insert":
        text = text[:at] + draw(NEAR_MISS_CHARS) + text[at:]
    elif edit == "delete":
        text = text[:at] + text[at + 1:]
    else:
        text = text[:at] + text[at:at + 1] * 2 + text[at + 1:]
    return text, money.currency


@given(near_misses())
def test_no_accepted_string_reads_as_another_number(case):
    text, currency = case
    try:
        money = read_amount(text, currency)
    except AmountError:
        return
    places = exponent(currency)
    sign, digits, decimals = _person_reads(text, places)
    assume(digits)
    assert money.minor == 0 or (money.minor > 0) == (sign > 0), text
    shown = str(abs(money.minor)).rjust(places + 1, "0")
    assert digits.lstrip("0").rstrip("0") == shown.lstrip("0").rstrip("0"), text  # no digit invented or lost
    if decimals:
        assert shown[len(shown) - places:].startswith(decimals.rstrip("0")), text


@given(st.text(max_size=30), CURRENCIES)
def test_any_text_is_read_or_refused_never_a_crash(text, currency):
    try:
        money = read_amount(text, currency)
    except AmountError:
        return
    assert abs(money.minor) <= MAX_MINOR


_PLAINISH = st.builds(lambda sign, whole, mark, frac, tail: f"{sign}{whole}{mark}{frac}{tail}",
                      st.sampled_from(["", "", "", "-", " "]), st.from_regex(r"[0-9]{1,11}", fullmatch=True),
                      st.sampled_from(["", ".", ","]), st.from_regex(r"[0-9]{0,4}", fullmatch=True),
                      st.sampled_from(["", "", " "]))


@settings(max_examples=300)
@given(_PLAINISH, CURRENCIES)
def test_plain_amounts_read_as_the_general_reader_reads_them(text, currency):
    """The shortcut for "12.50"-like cells gives the general reader's amount, or its refusal."""
    from codtool import money

    places = money.exponent(currency)
    try:
        expected = money._read_any(text, currency, places, money.ORDERS)
    except AmountError as exc:
        with pytest.raises(AmountError, match=re.escape(str(exc))):
            read_amount(text, currency)
        return
    assert read_amount(text, currency).minor == expected


_COLUMN_CELLS = st.one_of(_PLAINISH, st.text(alphabet="0123456789.,- €\n", max_size=14), st.text(max_size=6))


@settings(max_examples=300)
@given(st.lists(st.tuples(_COLUMN_CELLS, st.sampled_from(["EUR", "JPY", "KWD", None])), max_size=25))
def test_a_column_of_plain_amounts_reads_as_read_amount_reads_each_cell(rows):
    """The column reader takes only cells `read_amount` reads, and reads them to the same minor units;
    a row without a currency (None: exponent -1) is never taken."""
    from codtool.money import read_plain_column

    texts = [text for text, _ in rows]
    read, minor = read_plain_column(texts, [exponent(cur) if cur else -1 for _, cur in rows])
    assert len(read) == len(minor) == len(rows)
    for (text, cur), taken, value in zip(rows, read.tolist(), minor.tolist(), strict=True):
        if taken:
            assert cur is not None and read_amount(text, cur).minor == value, (text, cur)


@given(st.from_regex(r"(0|[1-9][0-9]{0,8})([.,][0-9]{1,2})?", fullmatch=True), st.sampled_from(["EUR", "KWD"]))
def test_every_plain_cell_is_taken_by_the_column_reader(text, currency):
    """Cells in the plain notation never fall through to the per-value reader (which would be slow)."""
    from codtool.money import read_plain_column

    read, minor = read_plain_column(["x", text, "1.234,5"], [exponent(currency)] * 3)
    assert read.tolist() == [False, True, False]
    assert minor[1] == read_amount(text, currency).minor
