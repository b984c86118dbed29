"""The confirmation policy file and the risk score, as library units."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codtool.money import Money
from codtool.notify.calls import _Beside
from codtool.notify.outcomes import OutcomeError, normalise_outcome, parse_local_time
from codtool.notify.phones import Phone
from codtool.notify.policy import DEFAULT_POINTS, Policy, PolicyError, load_policy
from codtool.notify.risk import Attempts, Finding, OrderFacts, assess

CHECKED = Phone("+393331234567", True, "333 123 4567", "mobile")


def write(tmp_path, text):
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults():
    p = load_policy(None)
    assert (p.max_attempts, p.give_up, p.retry_hours, p.auto_confirm_max_score) == (3, "unreachable", (2, 4, 24), 10)
    assert p.high_amount["EUR"] == Money(10000, "EUR") and p.retry_after(1) == 2 and p.retry_after(7) == 24


def test_file_overrides_only_what_it_names(tmp_path):
    p = load_policy(write(tmp_path, '[points]\nfirst_time = 0\n[high_amount]\nEUR = "250,00"\nKWD = "50.000"\n'
                                    '[auto_confirm]\nmax_score = 20\n[unreachable]\naction = "confirm"\n'))
    assert p.points["first_time"] == 0 and p.points["duplicate"] == DEFAULT_POINTS["duplicate"]
    assert (p.high_amount["EUR"], p.high_amount["KWD"], p.high_amount["USD"]) == (
        Money(25000, "EUR"), Money(50000, "KWD"), Money(12000, "USD"))
    assert (p.auto_confirm_max_score, p.give_up, p.max_attempts) == (20, "confirm", 3)


@pytest.mark.parametrize(("text", "message"), [
    ("[pionts]\na = 1\n", "unknown key pionts (known: points, high_amount, auto_confirm, unreachable)"),
    ("[points]\nrich = 5\n", "unknown key points.rich (known: " + ", ".join(DEFAULT_POINTS) + ")"),
    ("[points]\nduplicate = -5\n", "points.duplicate: expected a whole number from 0 to 1,000, got a number -5"),
    ('[unreachable]\naction = "ship"\n',
     "unreachable.action: expected one of unreachable, cancel, confirm, got text 'ship'"),
    ("[unreachable]\nmax_attempts = 0\n", "unreachable.max_attempts: expected a whole number from 1 to 100, got a number 0"),
    ("[unreachable]\nretry_hours = 4\n", "unreachable.retry_hours: expected a list of 1 to 100 items, each a whole "
                                         "number from 0 to 8,784, got a number 4"),
    ('[high_amount]\nEUR = "lots"\n', "high_amount.EUR: no amount in 'lots'"),
    ('[high_amount]\nEUR = "USD 100"\n', "high_amount.EUR: 'USD 100': currency 'USD' differs from the row's EUR"),
    ("[high_amount]\nEUR = 100.5\n", "high_amount.EUR: expected text of at most 32 characters or a whole number "
                                      "from 0 to 1,000,000,000,000, got a number 100.5"),  # no binary floats
    ('[high_amount]\nXYZ = "100"\n', "high_amount: 'XYZ' is not an ISO 4217 currency code such as EUR"),
    ('[high_amount]\nEURO = "10"\n', "high_amount: 'EURO' is not an ISO 4217 currency code such as EUR"),
    ("[auto_confirm]\nenabled = 1\n", "auto_confirm.enabled: expected true or false, got a number 1"),
    ("points = 3\n", "points: expected a table ([points]), got a number 3"),
])
def test_bad_settings_name_the_file_and_key(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(PolicyError) as err:
        load_policy(path)
    assert str(err.value) == f"{path}: {message}"


def test_invalid_toml(tmp_path):
    path = write(tmp_path, "[points\n")
    with pytest.raises(PolicyError, match=r"policy.toml: not a valid TOML file \(.*line 1"):
        load_policy(path)


def facts(**kw) -> OrderFacts:
    base = {"order_id": 1, "cod": Money(4990, "EUR"), "phone": CHECKED, "delivered": 1}
    return OrderFacts(**(base | kw))


def test_clean_returning_customer_scores_zero_and_is_auto_confirmable():
    a = assess(facts(), Policy())
    assert (a.score, a.signals, a.clean_checks) == (0, (), True)
    assert a.auto_confirmable(Policy(), Attempts())
    assert not a.auto_confirmable(Policy(), Attempts(total=1, last_outcome="call_back"))


def test_a_warning_means_the_checks_are_not_clean_whatever_the_score():
    policy = Policy(points=DEFAULT_POINTS | {"finding_warning": 0})
    a = assess(facts(findings=[Finding("warning", "phone.landline", "landline")]), policy)
    assert a.score == 0 and not a.clean_checks and not a.auto_confirmable(policy, Attempts())


def test_unchecked_unreadable_phone():
    a = assess(facts(phone=Phone("", False), raw_phone="12"), Policy())
    assert [(s.points, s.reason) for s in a.signals] == [(20, "not checked yet"),
                                                         (40, "phone '12' cannot be read as a number")]


@given(cod=st.integers(0, 10**7), refused=st.integers(0, 10), unanswered=st.integers(0, 5),
       delivered=st.integers(0, 3), dup=st.booleans(), warnings=st.integers(0, 3))
def test_score_is_the_sum_of_its_reasons_and_grows_with_risk(cod, refused, unanswered, delivered, dup, warnings):
    f = facts(cod=Money(cod, "EUR"), refused=refused, delivered=delivered, duplicate_of=["#1"] if dup else [],
              findings=[Finding("warning", "x", "y")] * warnings,
              attempts=Attempts(total=unanswered, unanswered=unanswered, last_called_at="2026-11-23T10:00:00"))
    a = assess(f, Policy())
    assert a.score == sum(s.points for s in a.signals)
    worse = assess(facts(**(f.__dict__ | {"refused": refused + 1})), Policy())
    assert worse.score >= a.score and (refused >= 3 or worse.score > a.score)


@pytest.mark.parametrize(("text", "outcome"), [("Confermato", "confirmed"), ("no answer", "no_answer"),
                                               ("Non risponde", "no_answer"), ("CALL-BACK", "call_back"),
                                               ("numero errato", "wrong_number"), ("address corrected",
                                                                                   "address_corrected")])
def test_outcomes_in_english_or_italian(text, outcome):
    assert normalise_outcome(text) == outcome


@pytest.mark.parametrize(("text", "stored"), [("23/11/2026 9:05", "2026-11-23T09:05:00"),
                                              ("2026-11-23T09:05", "2026-11-23T09:05:00"),
                                              ("23/11/2026", "2026-11-23T00:00:00")])
def test_call_times(text, stored):
    assert parse_local_time(text, "called_at") == stored


def test_impossible_date_is_rejected():
    with pytest.raises(OutcomeError, match="called_at '31/02/2026 10:00' is not a date and time"):
        parse_local_time("31/02/2026 10:00", "called_at")


def test_fallback_phone_parsing():
    from codtool.notify.phones import parse_phone

    mobile = parse_phone("0039 345 678 9012", "IT")
    assert (mobile.e164, mobile.national, mobile.kind, mobile.can_message) == ("+393456789012", "345 678 9012",
                                                                               "mobile", True)
    landline = parse_phone("'055 2768224", "IT")
    assert (landline.e164, landline.kind, landline.can_message) == ("+390552768224", "landline", False)
    assert parse_phone("abc", "IT") == parse_phone("12", "IT") == Phone("", False)
    assert Phone("", False).kind == "invalid"


@given(st.lists(st.tuples(st.integers(0, 30), st.integers()), max_size=40),
       st.sets(st.integers(0, 30), max_size=20))
def test_items_walked_beside_the_orders_are_each_orders_own(pairs, order_ids):
    """gather holds one order's findings, attempts and suspects at a time, read beside the orders in id
    order: each order must get exactly its own, in their stored order, whoever has none or is not asked."""
    pairs.sort(key=lambda p: p[0])  # the ledger streams them by order id, keeping each order's own order
    beside = _Beside(pairs)
    for order_id in sorted(order_ids):
        assert beside.of(order_id) == [item for key, item in pairs if key == order_id]
