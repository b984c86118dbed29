"""Payout rules without a ledger: the shop fee, the target cycle of late items, and the PDF across pages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codtool.config import Terms
from codtool.payouts import reasons
from codtool.payouts.plan import OnStatements, Payable, Return, plan, shop_fee
from codtool.payouts.statements import Statement


def _terms(**values) -> Terms:
    base = {"payout_cycle_days": 5, "payout_cycle_anchor": date(2026, 10, 1), "fee_per_parcel": 120,
            "fee_percent": Decimal("2.0"), "fee_min": 0, "rto_fee": 0, "pay_on": "bank_credit"}
    return Terms("shop", base | values)


@pytest.mark.parametrize(("cod", "percent", "per_parcel", "minimum", "fee"), [
    (10000, "2.0", 120, 0, 320),      # 2.00 + 1.20
    (1025, "2.0", 0, 0, 21),          # 20.5 cents -> 21: half up
    (1075, "1.0", 0, 0, 11),          # 10.75 -> 11
    (1024, "2.0", 0, 0, 20),          # 20.48 -> 20
    (500, "2.0", 0, 150, 150),        # 0.10 below the per-parcel minimum of 1.50
    (500, "0", 120, 150, 150),        # fixed 1.20, minimum 1.50
    (100000, "2.5", 50, 150, 2550),   # 25.00 + 0.50, above the minimum
])
def test_shop_fee_rounds_half_up_with_a_per_parcel_minimum(cod, percent, per_parcel, minimum, fee):
    terms = _terms(fee_percent=Decimal(percent), fee_per_parcel=per_parcel, fee_min=minimum)
    assert shop_fee(cod, terms, "EUR") == fee


def _payable(day: date | None, sid: int = 1) -> Payable:
    return Payable(sid, "shop", "brt", f"T{sid}", f"{sid}", date(2026, 10, 2), 10000, day)


def test_a_parcel_credited_in_a_closed_cycle_goes_to_the_first_open_one_as_an_adjustment():
    shops = {"shop": _terms()}
    on_time = plan(shops, [_payable(date(2026, 10, 9))], [], {}, {}, date(2026, 10, 12), "EUR")
    assert [(i.kind, i.cycle.start.isoformat(), i.net) for i in on_time] == [("parcel", "2026-10-06", 9680)]
    late = plan(shops, [_payable(date(2026, 10, 9))], [], {}, {"shop": date(2026, 10, 10)}, date(2026, 10, 17),
                "EUR")
    assert [(i.kind, i.cycle.start.isoformat(), i.net) for i in late] == [("adjustment", "2026-10-11", 9680)]


def test_a_parcel_already_paid_is_not_added_again_and_a_lost_payment_is_taken_back():
    shops = {"shop": _terms()}
    placed = {1: OnStatements(cod=10000, fee=320, items=1)}
    assert plan(shops, [_payable(date(2026, 10, 9))], [], placed, {}, date(2026, 10, 12), "EUR") == []
    back = plan(shops, [_payable(None)], [], placed, {"shop": date(2026, 10, 10)}, date(2026, 10, 12), "EUR")
    assert [(i.kind, i.cod, i.fee, i.net, i.sequence) for i in back] == [("adjustment", -10000, -320, -9680, 2)]


def test_rto_fee_on_the_cycle_the_parcel_returned_in_once():
    shops = {"shop": _terms(rto_fee=350)}
    returned = [Return(7, "shop", "brt", "R7", "7", date(2026, 10, 4))]
    items = plan(shops, [], returned, {}, {}, date(2026, 10, 12), "EUR")
    assert [(i.kind, i.cycle.start.isoformat(), i.fee, i.net) for i in items] == [("rto", "2026-10-01", 350, -350)]
    assert plan(shops, [], returned, {7: OnStatements(rto_charged=True)}, {}, date(2026, 10, 12), "EUR") == []
    assert plan({"shop": _terms()}, [], returned, {}, {}, date(2026, 10, 12), "EUR") == []  # no RTO fee agreed


def test_the_pdf_repeats_its_header_on_every_page_and_numbers_them(tmp_path):
    from pypdf import PdfReader

    from codtool.payouts.pdf import render

    lines = [{"order_id": f"{5000 + i}", "tracking_number": f"BRT{100000 + i}", "courier": "brt",
              "delivered_at": "2026-10-07", "cod_minor": 123456, "fee_minor": 2589, "net_minor": 120867,
              "kind": "parcel", "reason": ""} for i in range(150)]
    statement = Statement(9, "Bellezza Società à r.l.", "2026-10-06", "2026-10-10", "EUR", "due", 150,
                          150 * 123456, 150 * 2589, 150 * 120867, 0, lines,
                          [{"reason": "late: parcel X credited 2026-10-04", "amount_minor": -500, "kind": "adjustment",
                            "tracking_number": "X"}])
    render(statement, tmp_path / "s.pdf", "Momoka Logistica")
    pages = [p.extract_text() for p in PdfReader(tmp_path / "s.pdf").pages]
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert "Ordine" in text and "Contrassegno" in text, number  # the header on every page
        assert f"Pagina {number} di {len(pages)}" in text
    assert "Bellezza Società à r.l." in pages[0]
    assert "1.234,56 €" in pages[0] and "185.184,00 €" in "".join(pages)  # Italian notation, to the cent


_REF = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=30)


@given(tracking=_REF, order=_REF, a=st.dates(), b=st.dates(), late_cycle=st.booleans(), ident=st.integers(1, 10**9))
def test_every_reason_a_run_writes_has_an_italian_wording(tracking, order, a, b, late_cycle, ident):
    """The PDF is Italian: no English reason a run writes may reach it untranslated, whatever the refs hold."""
    written = [reasons.delivered(a, b), reasons.late(tracking, order, a, f"{a.isoformat()}/{b.isoformat()}"),
               reasons.paid_again(tracking, order), reasons.reversal(tracking, order),
               reasons.rto_fee(tracking, a, late_cycle), reasons.carried(ident, a.isoformat(), b.isoformat())]
    for text in written:
        it = reasons.italian(text)
        words = it.replace(tracking, " ").replace(order, " ")  # the refs may hold any text, English words too
        english_left = [w for w in ("parcel ", "credited", "returned", "statement", "balance") if w in words]
        assert it != text and not english_left, (text, it)
        assert tracking in it or text in (written[0], written[5])


def test_an_operators_own_reason_stays_as_written():
    assert reasons.italian("goodwill credit agreed by phone") == "goodwill credit agreed by phone"
    assert reasons.italian("reversal: something else") == "reversal: something else"
