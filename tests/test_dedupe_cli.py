"""`codtool dedupe` and `codtool dedupe resolve` through the CLI, on the fixtures in fixtures/dedupe."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import imported_ledger
from helpers import run as cli
from helpers import run_json as cli_json

from codtool.ledger import open_ledger
from codtool.ledger.dedupe import declared_distinct, stream_suspected_duplicates, suspected_duplicates
from codtool.ledger.orders import set_status
from codtool.ledger.tracking import insert_shipments
from codtool.money import Money

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dedupe"

# Ledger ids after importing orders_week.csv (bellezza) then orders_outlet.csv (outlet).
GIULIA, GIULIA_AGAIN = 1, 2
MARCO, MARCO_SWAPPED, MARCO_OUTLET = 3, 4, 19
NICCOLO, NICCOLO_TYPO = 7, 8
MARIA_GRAZIA, MARIA = 13, 14
ELENA_EARLY, ELENA_LATE = 17, 18


@pytest.fixture(scope="module")
def imported(backend, tmp_path_factory: pytest.TempPathFactory):
    return imported_ledger(backend, tmp_path_factory.mktemp("template"), (
        ([FIXTURES / "orders_week.csv"], "bellezza"), ([FIXTURES / "orders_outlet.csv"], "outlet")))


@pytest.fixture
def db(imported, ledgers):
    """A fresh copy of the imported ledger (the last connection closed, so the WAL is checkpointed)."""
    return ledgers.copy(imported)


def members(data: dict) -> list[list[int]]:
    return [[m["order_id"] for m in c["members"]] for c in data["clusters"]]


def test_finds_exact_and_likely_duplicates_but_not_look_alikes(db: Path) -> None:
    data = cli_json(db, "dedupe")
    # Not clustered: sisters at one address (5, 6), namesakes in two cities (9, 10), Francesco and
    # Francesca Russo (11, 12), a re-order of other products (15, 16), Elena Conti 18 days apart.
    assert members(data) == [[GIULIA, GIULIA_AGAIN], [MARCO, MARCO_SWAPPED, MARCO_OUTLET],
                             [NICCOLO, NICCOLO_TYPO], [MARIA_GRAZIA, MARIA]]
    assert data["duplicate_orders"] == [GIULIA_AGAIN, MARCO_SWAPPED, NICCOLO_TYPO, MARIA, MARCO_OUTLET]
    assert (data["orders_checked"], data["new_clusters"], data["withdrawn_clusters"]) == (20, 4, 0)
    exact, marco, niccolo, maria = data["clusters"]
    assert (exact["kind"], exact["score"], exact["keep_order_id"]) == ("exact", 100.0, GIULIA)
    assert exact["pairs"] == [{"order_a": 1, "order_b": 2, "kind": "exact", "score": 100.0,
                               "reasons": "identical customer, address and items"}]
    reasons = {(p["order_a"], p["order_b"]): p["reasons"] for p in marco["pairs"]}
    assert reasons[(MARCO, MARCO_OUTLET)] == "identical customer, address and items"
    for pair in ((MARCO, MARCO_SWAPPED), (MARCO_SWAPPED, MARCO_OUTLET)):  # every field's level and weight
        assert reasons[pair] == (
            "phone exact +393471234567 (+10.0), surname exact bianchi, words swapped (+7.0), given name exact "
            "marco (+7.0), street exact corso vittorio emanuele ii (+5.0), postcode exact (+4.0), number exact "
            "(+3.0), city exact (+3.0), items same (+3.0)")
    assert niccolo["pairs"][0]["reasons"] == (
        "phone exact +390552768224 (+10.0), given name exact niccolo (+7.0), street exact piazza della signoria "
        "(+5.0), postcode exact (+4.0), surname close mancini/mancni (+3.0), number exact (+3.0), city exact (+3.0), "
        "items overlap (+1.0)")
    assert niccolo["score"] == 99.9  # likely duplicates stay below the 100 of exact ones
    assert "given name exact maria (+7.0)" in maria["pairs"][0]["reasons"]  # the middle name is not held against


def test_the_table_shows_its_first_clusters_and_counts_them_all(db: Path, monkeypatch) -> None:
    """The human output builds only the clusters its table shows (a million-order run's 7,000 held
    31 MiB), yet counts every cluster and duplicate as --json does."""
    from codtool.commands import dedupe as command

    monkeypatch.setattr(command, "_SHOWN", 2)
    shown, show = [], command._show_run
    monkeypatch.setattr(command, "_show_run", lambda console, data: (shown.append(data), show(console, data)))
    out = cli(db, "dedupe").output
    assert [len(data["clusters"]) for data in shown] == [2]
    assert "Checked 20 open orders: 4 clusters (4 new, 0 withdrawn), 5 suspected duplicate orders." in out
    assert "... and 2 more." in out
    data = cli_json(db, "dedupe")
    assert (len(data["clusters"]), len(data["duplicate_orders"])) == (4, 5)
    assert "cluster_count" not in data


def test_rerun_changes_nothing(db: Path) -> None:
    first = cli_json(db, "dedupe")
    second = cli_json(db, "dedupe")
    assert (second["new_clusters"], second["withdrawn_clusters"]) == (0, 0)
    assert second["clusters"] == first["clusters"]


def test_window_days_reaches_older_orders(db: Path) -> None:
    data = cli_json(db, "dedupe", "--window-days", "30")
    assert [ELENA_EARLY, ELENA_LATE] in members(data)
    assert [ELENA_EARLY, ELENA_LATE] not in members(cli_json(db, "dedupe", "--window-days", "7"))


def test_threshold_drops_weaker_matches(db: Path) -> None:
    data = cli_json(db, "dedupe", "--threshold", "100")
    assert members(data) == [[GIULIA, GIULIA_AGAIN], [MARCO, MARCO_OUTLET]]  # exact duplicates only


def test_weights_file_tunes_the_score(db: Path, tmp_path: Path) -> None:
    """A weights file that makes a different given name cheap merges the sisters at one address."""
    path = tmp_path / "weights.toml"
    path.write_text("[dedupe.weights]\nname_same_gender = 0\n", encoding="utf-8")
    data = cli_json(db, "dedupe", "--weights", str(path))
    assert [5, 6] in members(data)
    path.write_text("[dedupe.weights]\nname_diferent = 0\n", encoding="utf-8")
    result = cli(db, "dedupe", "--weights", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path}: unknown weight 'name_diferent' (known: ")


def test_batch_checks_only_that_batch_against_everything(db: Path) -> None:
    data = cli_json(db, "dedupe", "--batch", "2")
    assert data["orders_checked"] == 2
    assert members(data) == [[MARCO, MARCO_SWAPPED, MARCO_OUTLET]]  # 3-4 only through 19


def test_review_shows_open_clusters(db: Path) -> None:
    cli_json(db, "dedupe")
    data = cli_json(db, "dedupe", "--review")
    assert len(data["clusters"]) == 4
    result = cli(db, "dedupe", "--review")
    assert result.exit_code == 0, result.output
    assert "Cluster 1 (exact, score 100.0, open)" in result.output
    assert "codtool dedupe resolve 1 --keep 1" in result.output


def test_review_with_nothing_found(ledgers) -> None:
    empty = ledgers.new("empty")
    result = cli(empty, "dedupe", "--review")
    assert result.exit_code == 0, result.output
    assert "No open duplicate clusters." in result.output
    result = cli(empty, "dedupe")
    assert result.exit_code == 0, result.output
    assert "Checked 0 open orders: 0 clusters" in result.output


def test_resolve_keep_takes_the_shops_order_number_as_orders_show_does(db: Path) -> None:
    cli_json(db, "dedupe")
    clusters = cli_json(db, "dedupe", "--review")["clusters"]
    cluster, member = next((c, m) for c in clusters for m in c["members"]
                           if [x["source_id"] for x in c["members"]].count(m["source_id"]) == 1)
    data = cli_json(db, "dedupe", "resolve", str(cluster["id"]), "--keep", member["source_id"])
    assert data["keep_order_id"] == member["order_id"] and data["status"] == "resolved"
    assert cli_json(db, "dedupe", "resolve", str(cluster["id"]), "--keep", member["source_id"]) == data
    result = cli(db, "dedupe", "resolve", "2", "--keep", "#nope")
    assert result.exit_code == 1 and result.stderr.startswith("Error: order '#nope' is not in cluster 2 (members: ")
    result = cli(db, "dedupe", "resolve", "2", "--keep", "D-103")  # the same number in two shops
    assert result.stderr == "Error: order 'D-103' names several members of cluster 2: use the ledger id, one of 3, 19\n"


def test_resolve_keep_drops_the_others_for_good(db: Path) -> None:
    cli_json(db, "dedupe")
    data = cli_json(db, "dedupe", "resolve", "2", "--keep", str(MARCO))
    assert data["status"] == "resolved"
    assert {m["order_id"]: (m["role"], m["status"]) for m in data["members"]} == {
        MARCO: ("keep", "new"), MARCO_SWAPPED: ("duplicate", "duplicate"), MARCO_OUTLET: ("duplicate", "duplicate"),
    }
    shown = cli_json(db, "orders", "show", str(MARCO_SWAPPED))
    assert shown["status"] == "duplicate"
    assert shown["status_history"][0]["reason"] == "duplicate of order 3 (dedupe cluster 2)"
    assert shown["duplicates"][0] | {"reasons": ""} == {
        "cluster": 2, "status": "resolved", "role": "duplicate", "kind": "likely", "score": 100.0,
        "keep": MARCO, "other_orders": "3 19", "reasons": ""}
    again = cli_json(db, "dedupe")
    assert [MARCO, MARCO_SWAPPED, MARCO_OUTLET] not in members(again)
    assert all(MARCO_SWAPPED not in ids for ids in members(again))


def test_resolve_not_duplicate_is_never_proposed_again(db: Path) -> None:
    cli_json(db, "dedupe")
    data = cli_json(db, "dedupe", "resolve", "3", "--not-duplicate")
    assert data["status"] == "not_duplicate"
    assert [m["role"] for m in data["members"]] == ["not_duplicate", "not_duplicate"]
    assert [NICCOLO, NICCOLO_TYPO] not in members(cli_json(db, "dedupe"))
    shown = cli_json(db, "orders", "show", str(NICCOLO_TYPO))
    assert shown["status"] == "new"


def test_a_run_reads_only_the_decisions_on_orders_of_its_span(db: Path) -> None:
    """Declared-distinct pairs are read for the span a run reads, not every decision the ledger holds."""
    cli_json(db, "dedupe")
    cli_json(db, "dedupe", "resolve", "3", "--not-duplicate")
    ledger = open_ledger(db)
    try:
        (created,) = ledger.session.execute("SELECT created_at FROM orders WHERE id = ?", (NICCOLO,)).fetchone()
        everything = declared_distinct(ledger.session, "0001-01-01", "9999-12-31")
        around = declared_distinct(ledger.session, created, created)
        before = declared_distinct(ledger.session, "1970-01-01", "1970-01-02")
    finally:
        ledger.close()
    assert everything == {(NICCOLO, NICCOLO_TYPO)}   # the lower order first
    assert around == everything
    assert before == set()


def test_resolve_human_output(db: Path) -> None:
    cli_json(db, "dedupe")
    result = cli(db, "dedupe", "resolve", "1", "--keep", "1")
    assert result.exit_code == 0, result.output
    assert "Kept order 1; marked duplicate: 2." in result.output


def test_suspected_duplicates_contract(db: Path) -> None:
    cli_json(db, "dedupe")
    ledger = open_ledger(db)
    try:
        suspected = suspected_duplicates(ledger.session)
        streamed = list(stream_suspected_duplicates(ledger.session))  # what the call list walks
    finally:
        ledger.close()
    assert sorted(suspected) == [GIULIA_AGAIN, MARCO_SWAPPED, NICCOLO_TYPO, MARIA, MARCO_OUTLET]
    assert streamed == sorted(suspected.items(), key=lambda item: item[0])
    assert str(suspected[GIULIA_AGAIN]) == ("suspected duplicate of order D-101 (dedupe cluster 1: "
                                            "identical customer, address and items)")


def test_a_proposal_that_no_longer_holds_is_withdrawn(db: Path) -> None:
    cli_json(db, "dedupe")
    ledger = open_ledger(db)
    try:
        with ledger.transaction() as conn:
            assert set_status(conn, GIULIA, "cancelled", "customer called", "test")
    finally:
        ledger.close()
    data = cli_json(db, "dedupe")
    assert data["withdrawn_clusters"] == 1
    assert GIULIA_AGAIN not in data["duplicate_orders"]


def test_checked_phone_is_preferred_to_the_typed_one(db: Path) -> None:
    """Order 10 (Sara Colombo in Bari) shares order 9's phone once checks normalised it."""
    ledger = open_ledger(db)
    try:
        with ledger.transaction() as conn:
            conn.execute(
                "INSERT INTO order_normalised VALUES (10, '+393209876543', '320 987 6543', 'mobile', "
                "'via sparano', '101', '70121', 'Bari', 'BA', 'IT', '2026-11-21T00:00:00Z')")
    finally:
        ledger.close()
    data = cli_json(db, "dedupe")
    assert [9, 10] in members(data)
    pair = data["clusters"][members(data).index([9, 10])]["pairs"][0]
    assert pair["reasons"].startswith("phone exact +393209876543 (+10.0), surname exact colombo (+7.0), "
                                      "given name exact sara (+7.0), street different (-3.0), city different (-3.0)")


@pytest.mark.parametrize(("args", "message"), [
    (("dedupe", "resolve", "99", "--keep", "1"), "Error: no cluster 99; see codtool dedupe --review\n"),
    (("dedupe", "resolve", "1", "--keep", "5"), "Error: order 5 is not in cluster 1 (members: 1, 2)\n"),
    (("dedupe", "--batch", "9"), "Error: no batch 9; see codtool batches list\n"),
])
def test_bad_references_are_one_line_errors(db: Path, args: tuple[str, ...], message: str) -> None:
    cli_json(db, "dedupe")
    result = cli(db, *args)
    assert result.exit_code == 1
    assert result.stderr == message


def test_deciding_twice_is_refused(db: Path) -> None:
    cli_json(db, "dedupe")
    first = cli_json(db, "dedupe", "resolve", "1", "--keep", "1")
    assert cli_json(db, "dedupe", "resolve", "1", "--keep", "1") == first  # the same decision again: a no-op
    result = cli(db, "dedupe", "resolve", "1", "--not-duplicate")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cluster 1 is already decided (resolved, by ")


def mark_shipped(db: Path, order: int) -> None:
    ledger = open_ledger(db)
    try:
        with ledger.transaction() as conn:
            cod, currency = conn.one("SELECT cod_minor, currency FROM orders WHERE id = ?", (order,))
            insert_shipments(conn, [(order, "brt", f"T{order}", "2026-11-24", Money(cod, currency), "shipped",
                                     "2026-11-24", "manifest.csv", 2, "2026-11-24T08:00:00Z")])
            set_status(conn, order, "shipped", "handed to courier", "test")
    finally:
        ledger.close()


def test_a_shipped_order_cannot_be_dropped(db: Path) -> None:
    cli_json(db, "dedupe")
    mark_shipped(db, GIULIA_AGAIN)
    result = cli(db, "dedupe", "resolve", "1", "--keep", "1")
    assert result.exit_code == 1
    assert result.stderr == ("Error: order 2 is shipped and cannot be dropped as a duplicate; "
                             "keep it too (--keep 2)\n")
    assert cli_json(db, "dedupe", "resolve", "1", "--keep", "2", "--keep", "1")["status"] == "not_duplicate"


def test_shipped_order_is_the_one_kept(db: Path) -> None:
    mark_shipped(db, GIULIA_AGAIN)
    data = cli_json(db, "dedupe")
    assert data["clusters"][0]["keep_order_id"] == GIULIA_AGAIN
    assert GIULIA in data["duplicate_orders"]


@pytest.mark.parametrize("args", [
    ("dedupe", "resolve", "1"),
    ("dedupe", "resolve", "1", "--keep", "1", "--not-duplicate"),
    ("dedupe", "--threshold", "120"),
    ("dedupe", "--window-days", "-1"),
])
def test_misuse_is_a_usage_error(db: Path, args: tuple[str, ...]) -> None:
    result = cli(db, *args)
    assert result.exit_code == 2, result.output


def test_every_dedupe_command_has_help(tmp_path: Path) -> None:
    for args in (("dedupe", "--help"), ("dedupe", "resolve", "--help")):
        result = cli(tmp_path / "x.db", *args)
        assert result.exit_code == 0, result.output
        assert "--" in result.output
    assert "Find duplicate orders" in cli(tmp_path / "x.db", "dedupe", "--help").output
