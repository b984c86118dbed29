"""Shared test set-up: run the CLI on a ledger file, and ledgers with fixture orders imported once."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from codtool.cli import app

REPO = Path(__file__).resolve().parents[1]
ORDER_FIXTURES = sorted((REPO / "fixtures" / "orders").glob("*.csv"))
CALL_FIXTURES = REPO / "fixtures" / "calls"
DAY = "2026-11-23"
NOW = "2026-11-23T08:00:00Z"

runner = CliRunner()


def run(db: Path, *args: str):
    return runner.invoke(app, ["--db", str(db), *args])


def run_json(db: Path, *args: str):
    result = run(db, "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def imported_ledger(template_dir: Path, imports: tuple[tuple[list[Path], str], ...] = ((ORDER_FIXTURES, "demo"),)
                    ) -> Path:
    """Import fixture files (each list for its shop) once; tests take a fresh_copy of the file."""
    db = template_dir / "template.db"
    if not db.exists():
        for files, shop in imports:
            result = run(db, "-q", "import", *map(str, files), "--shop", shop)
            assert result.exit_code == 0, result.output
    return db


def fresh_copy(template: Path, tmp_path: Path) -> Path:
    db = tmp_path / "ledger.db"
    shutil.copy(template, db)
    return db


def connect(db: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(db, isolation_level=None)
    conn.row_factory = sqlite3.Row
    return conn


def order_id(db: Path, source_id: str) -> int:
    with connect(db) as conn:
        return conn.execute("SELECT id FROM orders WHERE source_id = ?", (source_id,)).fetchone()[0]


def status(db: Path, source_id: str) -> str:
    with connect(db) as conn:
        return conn.execute("SELECT status FROM orders WHERE source_id = ?", (source_id,)).fetchone()[0]


def mark_checked(db: Path, *source_ids: str, findings: dict[str, list[tuple[str, str, str]]] | None = None,
                 phones: dict[str, str] | None = None) -> None:
    """What the checks stage writes: a normalised phone (or the one given), and findings for some orders."""
    import phonenumbers

    conn = connect(db)
    for sid in source_ids:
        row = conn.execute("SELECT id, phone, country FROM orders WHERE source_id = ?", (sid,)).fetchone()
        raw = (phones or {}).get(sid, row["phone"])
        number = phonenumbers.parse(raw.replace("0039", "+39", 1), row["country"])
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        kind = "mobile" if phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE else "landline"
        conn.execute("INSERT INTO order_normalised VALUES (?, ?, ?, ?, '', '', '', '', '', ?, ?)",
                     (row["id"], e164, national, kind, row["country"], NOW))
    for sid, items in (findings or {}).items():
        for severity, code, message in items:
            conn.execute("INSERT INTO order_findings (order_id, check_name, code, severity, message, suggestion, "
                         "created_at) VALUES (?, ?, ?, ?, ?, '', ?)",
                         (order_id(db, sid), code.split(".")[0], code, severity, message, NOW))
    conn.close()


def add_shipment(db: Path, source_id: str, status_: str, tracking: str, courier: str = "BRT",
                 status_at: str = "2026-11-23T08:30:00") -> None:
    conn = connect(db)
    oid = order_id(db, source_id)
    cod = conn.execute("SELECT cod_minor, currency FROM orders WHERE id = ?", (oid,)).fetchone()
    conn.execute("INSERT INTO shipments (order_id, courier, tracking_number, ship_date, cod_minor, currency, status, "
                 "status_at, source_file, source_line, created_at) VALUES (?, ?, ?, '2026-11-20', ?, ?, ?, ?, "
                 "'brt.csv', 2, ?)", (oid, courier, tracking, cod[0], cod[1], status_, status_at, NOW))
    conn.close()


def add_duplicate_cluster(db: Path, keep: str, duplicate: str, status_: str = "open") -> None:
    conn = connect(db)
    k, d = order_id(db, keep), order_id(db, duplicate)
    cur = conn.execute("INSERT INTO dedupe_clusters (cluster_key, status, keep_order_id, score, kind, created_at) "
                       "VALUES (?, ?, ?, 96.0, 'likely', ?)", (f"{k}-{d}", status_, k, NOW))
    conn.executemany("INSERT INTO dedupe_members VALUES (?, ?, ?)",
                     [(cur.lastrowid, k, "keep"), (cur.lastrowid, d, "duplicate")])
    conn.close()


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def dump(db: Path) -> dict[str, list]:
    """Every table's rows, for comparing a ledger before and after a failed command."""
    conn = sqlite3.connect(db)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {n: sorted(map(repr, conn.execute(f'SELECT * FROM "{n}"'))) for n in names}
    finally:
        conn.close()


def assert_clean(result, db: Path | None = None, before: dict | None = None) -> None:
    """No traceback: exit 0, or exit 1 with one `Error:` line and the ledger unchanged."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"traceback: {result.exception!r}\n{result.output}") from result.exception
    assert result.exit_code in (0, 1), result.output
    if result.exit_code == 1:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
        assert len(lines[0]) < 2000, "error line echoes too much input"
        if db is not None and before is not None:
            assert dump(db) == before
