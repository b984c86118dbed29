"""Browsing a SQLite ledger with Datasette: the metadata codtool ships, and the server command.

The ledger is a plain SQLite file Datasette opens as it is; migration 0013 adds `browse_*`
views with amounts in currency units, and `metadata.json` (beside this file) describes the
tables and columns and holds canned queries. Datasette is an optional extra
(`pip install 'codtool[browse]'`): nothing else in codtool imports it.
"""

from __future__ import annotations

import json
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

from codtool.errors import CodtoolError
from codtool.ledger.url import LedgerUrl

INSTALL = "pip install 'codtool[browse]'"


class BrowseError(CodtoolError):
    """The ledger cannot be browsed: Datasette is not installed, or the ledger is not a SQLite file."""


def metadata_for(ledger: Path) -> dict[str, Any]:
    """The shipped metadata with its database named as Datasette names this file (its stem)."""
    data = json.loads(resources.files("codtool.browse").joinpath("metadata.json").read_text(encoding="utf-8"))
    data["databases"] = {ledger.stem: data["databases"]["ledger"]}
    return data


def require_datasette() -> None:
    try:
        import datasette  # noqa: F401
    except ImportError:
        raise BrowseError(f"codtool browse needs Datasette, an optional extra: {INSTALL}") from None


def sqlite_file(url: LedgerUrl) -> Path:
    """Datasette reads SQLite files only; a PostgreSQL ledger is refused with what to use instead."""
    if url.backend != "sqlite":
        raise BrowseError(f"codtool browse opens SQLite ledgers only, not {url}: Datasette cannot read "
                          "PostgreSQL (use a PostgreSQL client; the browse_* views are there too)")
    return url.path


def app(ledger: Path) -> Any:
    """A Datasette instance on the ledger with codtool's metadata (what tests drive via `.client`)."""
    require_datasette()
    from datasette.app import Datasette

    return Datasette([str(ledger)], metadata=metadata_for(ledger))


def serve(ledger: Path, host: str, port: int, open_browser: bool) -> int:
    """Run Datasette's own `serve` on the ledger, in this process, until Ctrl-C; its exit status."""
    require_datasette()
    with tempfile.TemporaryDirectory(prefix="codtool-browse-") as folder:
        metadata = Path(folder) / "metadata.json"
        metadata.write_text(json.dumps(metadata_for(ledger)), encoding="utf-8")
        args = ["serve", str(ledger), "--metadata", str(metadata), "--host", host, "--port", str(port)]
        return run_datasette([*args, "--open"] if open_browser else args)


def run_datasette(args: list[str]) -> int:
    """Datasette's command line with these arguments: in process, so stopping codtool stops it too."""
    from datasette.cli import cli

    try:
        cli.main(args=args, prog_name="datasette")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    return 0
