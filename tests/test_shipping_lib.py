"""Shipping library: event derivation, courier vocabularies, exports and customer history."""

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from codtool.errors import CodtoolError
from codtool.exports import write_table, write_xlsx
from codtool.ledger import open_ledger
from codtool.ledger.tracking import CustomerHistory, customer_history, has_history, unchecked_history
from codtool.tracking.couriers import Rule, load_courier
from codtool.tracking.errors import CourierMappingError
from codtool.tracking.events import STATUSES, Event, derive, in_order, is_impossible
from codtool.tracking.sources import parse_when

events = st.lists(
    st.tuples(st.integers(0, 20), st.sampled_from(STATUSES)), min_size=0, max_size=12,
).map(lambda pairs: [Event(i, f"2026-11-{10 + day:02d}T10:00:00", status, "f.csv", i + 2, f"k{i}")
                     for i, (day, status) in enumerate(pairs)])


@given(events, st.randoms())
def test_derived_status_does_not_depend_on_arrival_order(evs, rnd):
    shuffled = list(evs)
    rnd.shuffle(shuffled)
    assert derive(shuffled, "2026-11-09") == derive(evs, "2026-11-09")


@given(events)
def test_derived_status_never_follows_an_impossible_move(evs):
    state = derive(evs, "2026-11-09")
    kept = [e for e in in_order(evs) if e not in {x for x, _ in state.impossible}]
    assert all(not is_impossible(a.status, b.status) for a, b in zip(kept, kept[1:], strict=False))
    assert state.status == (kept[-1].status if kept else "shipped")


def test_delivered_after_rto_delivered_is_impossible():
    evs = [Event(1, "2026-11-26T10:00:00", "rto_delivered", "a.csv", 2, "a"),
           Event(2, "2026-11-27T10:00:00", "delivered", "a.csv", 3, "b")]
    state = derive(evs, "2026-11-24")
    assert (state.status, [e.id for e, _ in state.impossible]) == ("rto_delivered", [2])


def test_courier_rules_exact_prefix_and_reasons():
    brt = load_courier("brt")
    assert brt.rule_for("  consegnata ") == Rule("delivered")
    assert brt.rule_for("IN GIACENZA PRESSO FILIALE 160") == Rule("failed_attempt")
    assert brt.rule_for("CONSEGNATA CON RISERVA") is None  # no guessing from a shared start
    assert brt.reason_for(Rule("failed_attempt"), "destinatario assente") == "customer_absent"
    assert brt.reason_for(Rule("failed_attempt"), "mai visto") == "unknown"
    assert brt.reason_for(Rule("refused"), "") == "refused"
    assert brt.reason_for(Rule("delivered"), "anything") == ""


def test_every_builtin_mapping_loads_and_covers_the_outcomes():
    for name in ("generic", "brt", "gls", "sda"):
        courier = load_courier(name)
        mapped = {r.status for r in courier.statuses.values()} | {r.status for _, r in courier.prefixes}
        assert {"in_transit", "out_for_delivery", "delivered", "failed_attempt", "refused",
                "rto_in_transit", "rto_delivered", "lost", "damaged"} <= mapped, name


def test_mapping_errors_name_the_file(tmp_path: Path):
    bad = tmp_path / "x.toml"
    bad.write_text('[columns]\nstatus = "Stato"\n', encoding="utf-8")
    with pytest.raises(CourierMappingError, match=r"x.toml: \[columns\] needs tracking_number"):
        load_courier("newcourier", bad)
    bad.write_text('[reasons]\n"ASSENTE" = "absent"\n', encoding="utf-8")
    with pytest.raises(CourierMappingError, match="reason 'ASSENTE' maps to 'absent'"):
        load_courier("brt", bad)


def test_parse_when_reads_courier_times():
    assert parse_when("25/11/2026 07:55") == "2026-11-25T07:55:00"
    assert parse_when("2026-11-25T07:55:00+01:00") == "2026-11-25T07:55:00"
    assert parse_when("25.11.2026 07:55", ("%d.%m.%Y %H:%M",)) == "2026-11-25T07:55:00"
    assert parse_when("ieri") is None


def test_exports_neutralise_formulas(tmp_path: Path):
    rows = [["=HYPERLINK(\"http://x\")", "+39 333", "-5", "@SUM(A1)", "\tx", "Rossi", 12]]
    write_xlsx(tmp_path / "a.xlsx", ["a", "b", "c", "d", "e", "f", "g"], rows)
    values = [c.value for c in load_workbook(tmp_path / "a.xlsx").active[2]]
    assert values == ["'=HYPERLINK(\"http://x\")", "+39 333", "'-5", "'@SUM(A1)", "'\tx", "Rossi", 12]
    write_table(tmp_path / "a.csv", ["a"], [["=1+1"]])
    assert (tmp_path / "a.csv").read_text(encoding="utf-8-sig").splitlines() == ["a", "'=1+1"]
    with pytest.raises(CodtoolError, match="the folder .*nope does not exist"):
        write_table(tmp_path / "nope" / "a.xlsx", ["a"], [[1]])


def test_customer_history_counts_refusals_and_returns_by_phone(ledgers):
    ledger = open_ledger(ledgers.new())
    conn = ledger.session
    conn.execute("INSERT INTO shops (id, name, created_at) VALUES (1, 'demo', 'now')")
    conn.execute("INSERT INTO import_batches (id, shop_id, file_name, sha256, profile, encoding, delimiter, rows, "
                 "orders, imported, rejected, skipped_duplicates, imported_at) "
                 "VALUES (1, 1, 'f', 'sha', 'generic', 'utf-8', ',', 0, 0, 0, 0, 0, 'n')")
    for oid, phone in ((1, "0577 355123"), (2, "+39 0577-355123"), (3, "333 1234567")):
        conn.execute(
            "INSERT INTO orders (id, shop_id, batch_id, source_id, source_line, created_at, customer_name, phone, "
            "email, address1, address2, city, postcode, province, country, payment_method, is_cod, cod_minor, "
            "total_minor, currency, items, notes, status) VALUES (?, 1, 1, ?, 2, 'd', 'n', ?, '', 'a', '', 'c', "
            "'', '', 'IT', 'cod', 1, 100, 100, 'EUR', '[]', '', 'shipped')", (oid, f"#{oid}", phone))
    conn.execute("INSERT INTO order_normalised VALUES "
                 "(3, '+393331234567', '', 'mobile', '', '', '', '', '', 'IT', 'n')")
    for sid, oid, status in ((1, 1, "rto_delivered"), (2, 2, "delivered"), (3, 3, "rto_in_transit")):
        conn.execute("INSERT INTO shipments (id, order_id, courier, tracking_number, ship_date, cod_minor, currency, "
                     "status, status_at, source_file, source_line, created_at) "
                     "VALUES (?, ?, 'brt', ?, '2026-11-24', 100, 'EUR', ?, 'x', 'm.csv', 2, 'n')",
                     (sid, oid, f"T{sid}", status))
    conn.execute("INSERT INTO tracking_events (shipment_id, event_at, status, reason, raw_status, raw_reason, "
                 "source_file, source_sha256, source_line, event_key, imported_at) "
                 "VALUES (1, '2026-11-25', 'failed_attempt', 'refused', 'x', 'y', 'f', 's', 2, 'k1', 'n')")
    assert has_history(conn)
    assert unchecked_history(conn) == {
        "0577355123": CustomerHistory(delivered=0, refusals=1, returns=1, lost_sales=1),
        "390577355123": CustomerHistory(delivered=1),
    }
    assert customer_history(conn, ["+393331234567", "+390000000000"]) == {
        "+393331234567": CustomerHistory(returns=1, lost_sales=1),
    }
    assert customer_history(conn, []) == {}
    ledger.close()
