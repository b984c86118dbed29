"""Shared test set-up: run the CLI on a ledger file, and ledgers with fixture orders imported once."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from backends import Backend, Location, migrated
from typer.testing import CliRunner

from codtool.cli import app
from codtool.ledger import Session, open_ledger
from codtool.ledger.db import table_contents

REPO = Path(__file__).resolve().parents[1]
ORDER_FIXTURES = sorted((REPO / "fixtures" / "orders").glob("*.csv"))
CALL_FIXTURES = REPO / "fixtures" / "calls"
DAY = "2026-11-23"
NOW = "2026-11-23T08:00:00Z"

runner = CliRunner()
CHECK_INVARIANTS = True  # conftest turns this off for tests marked broken_ledger


def invoke(args: list[str], input: str | None = None, db: Location | None = None, env: dict | None = None):
    """The one way tests run the CLI: as a user would, then the ledger's invariants must hold."""
    result = runner.invoke(app, [str(a) for a in args], input=input, env=env)
    if db is not None and CHECK_INVARIANTS:
        assert_invariants(db)
    return result


def run(db: Location, *args: str, input: str | None = None, env: dict | None = None):
    return invoke(["--db", str(db), *args], input=input, db=db, env=env)


def assert_invariants(db: Location) -> None:
    """Every ledger invariant holds at `db`; a place holding no migrated ledger has none to check."""
    from codtool.errors import CodtoolError
    from codtool.ledger.db import connect, schema_version
    from codtool.ledger.invariants import check_invariants
    from codtool.ledger.url import parse_url

    if not str(db).startswith("postgresql") and not (Path(db).is_file() and Path(db).stat().st_size):
        return
    try:
        session = connect(parse_url(str(db)))
    except CodtoolError:
        return
    try:
        if session.one(session.dialect.table_exists, ("schema_migrations",)) is None:
            return
        if schema_version(session) != _LATEST_SCHEMA:  # a test holding a ledger on an older schema on purpose
            return
        assert check_invariants(session) == [], f"ledger invariants broken after a CLI run on {db}"
    finally:
        session.close()


def _latest_schema() -> int:
    from codtool.ledger.db import _migrations

    return _migrations()[-1][0]


_LATEST_SCHEMA = _latest_schema()  # read once, before any test narrows the migrations


def run_json(db: Location, *args: str):
    result = run(db, "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def brief(records: list[dict], *keys: str) -> list[dict]:
    """Only these keys of each finding (or row), so a test states what it is about."""
    return [{k: r[k] for k in keys} for r in records]


def imported_ledger(backend: Backend, template_dir: Path,
                    imports: tuple[tuple[list[Path], str], ...] = ((ORDER_FIXTURES, "demo"),)) -> Location:
    """Import fixture files (each list for its shop) once; tests take a `ledgers.copy` of it."""
    db = migrated(backend.new(template_dir, "template"))
    for files, shop in imports:
        result = run(db, "-q", "import", *map(str, files), "--shop", shop)
        assert result.exit_code == 0, result.output
    return db


def connect(db: Location) -> Session:
    """A session on the ledger in autocommit mode, for tests that read or plant rows directly."""
    return open_ledger(db).session


def order_id(db: Location, source_id: str) -> int:
    with connect(db) as conn:
        return conn.execute("SELECT id FROM orders WHERE source_id = ?", (source_id,)).fetchone()[0]


def status(db: Location, source_id: str) -> str:
    with connect(db) as conn:
        return conn.execute("SELECT status FROM orders WHERE source_id = ?", (source_id,)).fetchone()[0]


def mark_checked(db: Location, *source_ids: str, findings: dict[str, list[tuple[str, str, str]]] | None = None,
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


def add_shipment(db: Location, source_id: str, status_: str, tracking: str, courier: str = "BRT",
                 status_at: str = "2026-11-23T08:30:00") -> None:
    conn = connect(db)
    oid = order_id(db, source_id)
    cod = conn.execute("SELECT cod_minor, currency FROM orders WHERE id = ?", (oid,)).fetchone()
    conn.execute("INSERT INTO shipments (order_id, courier, tracking_number, ship_date, cod_minor, currency, status, "
                 "status_at, source_file, source_line, created_at) VALUES (?, ?, ?, '2026-11-20', ?, ?, ?, ?, "
                 "'brt.csv', 2, ?)", (oid, courier, tracking, cod[0], cod[1], status_, status_at, NOW))
    conn.close()


def add_duplicate_cluster(db: Location, keep: str, duplicate: str, status_: str = "open") -> None:
    conn = connect(db)
    k, d = order_id(db, keep), order_id(db, duplicate)
    cluster = conn.insert_returning_id(
        "INSERT INTO dedupe_clusters (cluster_key, status, keep_order_id, score, kind, created_at) "
        "VALUES (?, ?, ?, 96.0, 'likely', ?)", (f"{k}-{d}", status_, k, NOW))
    conn.executemany("INSERT INTO dedupe_members VALUES (?, ?, ?)", [(cluster, k, "keep"), (cluster, d, "duplicate")])
    conn.close()


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def dump(db: Location, mask: Callable[[object], object] = lambda v: v) -> dict[str, list]:
    """Every table's rows (through the ledger API, so on either backend), each value passed through
    `mask`, for comparing a ledger before and after a command."""
    with connect(db) as session:
        return {name: sorted(repr(tuple(map(mask, row))) for row in rows)
                for name, rows in table_contents(session).items()}


def assert_clean(result, db: Location | None = None, before: dict | None = None) -> None:
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
