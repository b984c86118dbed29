"""Hostile remittance and bank files: every line is imported or rejected with a reason, never a traceback."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pytest
from backends import migrated
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from remit_world import CONFIG

from codtool.config import load_config
from codtool.errors import CodtoolError
from codtool.ledger import open_ledger
from codtool.remit.bank import import_statement
from codtool.remit.files import import_remittance

cell = st.one_of(st.text(max_size=12), st.sampled_from(["1.234,50", "-3,00", "07/10/2026", "2026-02-30", "€ 12", "1e5",
                                                         "=SUM(A1)", "", "  ", "12.345.678,90", "0,001", "NaN"]))
row = st.lists(cell, min_size=0, max_size=9)


@pytest.fixture(scope="module")
def empty(backend, tmp_path_factory):
    """A migrated empty ledger per backend; each example imports into a copy of it."""
    return migrated(backend.new(tmp_path_factory.mktemp("hostile"), "empty"))


def _csv(header: list[str], rows: list[list[str]], delimiter: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(row, max_size=8), st.sampled_from([",", ";"]))
def test_remittance_lines_are_imported_or_rejected(empty, backend, rows, delimiter):
    header = ["tracking_number", "order_id", "cod_amount", "fee", "net_amount", "remittance_date", "bank_reference"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.csv"
        path.write_text(_csv(header, rows, delimiter), encoding="utf-8")
        db = backend.copy(empty, Path(tmp), "l")
        ledger = open_ledger(db)
        try:
            result = import_remittance(ledger, path, "brt", "EUR")
        except CodtoolError:
            return  # a file-level refusal is a one-line error at the CLI
        finally:
            ledger.close()
            backend.drop(db)
        assert result.imported + len(result.rejected) == result.lines
        assert all(r.reason for r in result.rejected)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(row, max_size=8), st.lists(st.text(max_size=20), max_size=3))
def test_bank_lines_are_imported_or_rejected(empty, backend, rows, preamble):
    header = ["Data contabile", "Data valuta", "Dare", "Avere", "Descrizione"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "b.csv"
        path.write_text("\n".join(p.replace("\n", " ") for p in preamble) + "\n" + _csv(header, rows, ";"),
                        encoding="utf-8")
        (Path(tmp) / "c.toml").write_text(CONFIG, encoding="utf-8")
        db = backend.copy(empty, Path(tmp), "l")
        ledger = open_ledger(db)
        try:
            result = import_statement(ledger, path, load_config(Path(tmp) / "c.toml").currency)
        except CodtoolError:
            return
        finally:
            ledger.close()
            backend.drop(db)
        movements = result.credits + result.debits
        assert movements + len(result.rejected) <= result.lines
        assert result.imported + result.already_known == movements
