"""Golden files: each sample export beside the orders and rejects it must produce.

Regenerate after a deliberate change with `CODTOOL_REGEN_GOLDEN=1 python -m pytest tests/test_golden.py`
and review the diff like code.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from codtool.importing import importer

ORDERS = Path(__file__).resolve().parent.parent / "fixtures" / "orders"
GOLDEN = Path(__file__).resolve().parent / "golden"
VOLATILE = {"id", "batch_id", "shop_id"}


def snapshot(cli, path: Path) -> dict:
    summary = cli.json("import", path, "--shop", "golden")[0]
    summary.pop("batch_id")
    summary["file"] = path.name
    orders = [{k: v for k, v in o.items() if k not in VOLATILE}
              for o in cli.json("orders", "list", "--limit", "1000")]
    return {"summary": summary, "orders": orders}


@pytest.mark.parametrize("reader", ["fast", "fast-every-column", "exact"])
@pytest.mark.parametrize("path", sorted(ORDERS.glob("*.csv")), ids=lambda p: p.name)
def test_import_matches_golden_file(cli, path, reader, monkeypatch):
    """Every reader (pandas' C parser on the mapped columns or on all of them, and the line-tracking
    csv reader) must agree exactly, rejected records' cells included."""
    real = importer.read_chunks
    if reader == "exact":
        monkeypatch.setattr(importer, "read_chunks", lambda src, hdr, exact, **kw: real(src, hdr, exact=True, **kw))
    elif reader == "fast-every-column":
        monkeypatch.setattr(importer, "read_chunks", lambda src, hdr, exact, **kw: real(src, hdr, exact=exact))
    actual = snapshot(cli, path)
    golden = GOLDEN / f"{path.stem}.json"
    if os.environ.get("CODTOOL_REGEN_GOLDEN"):
        golden.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert actual == json.loads(golden.read_text(encoding="utf-8"))
