"""`codtool browse`: Datasette on the ledger, with codtool's views, descriptions and canned queries."""

from __future__ import annotations

from typing import Annotated

import typer

from codtool import browse as library
from codtool.ledger.db import refuse_missing_file
from codtool.ledger.url import parse_url
from codtool.state import state_of


def register(app: typer.Typer) -> None:
    app.command("browse")(browse)


def browse(
    ctx: typer.Context,
    port: Annotated[int, typer.Option(min=1, max=65535, metavar="PORT",
                                      help="Port to listen on.")] = 8001,
    host: Annotated[str, typer.Option(metavar="HOST", help="Address to listen on; the default is this "
                                                           "computer only.")] = "127.0.0.1",
    open_browser: Annotated[bool, typer.Option("--open", help="Open the ledger in the web browser.")] = False,
) -> None:
    """Browse the ledger in Datasette (optional extra: pip install 'codtool[browse]'), until Ctrl-C.

    Example: codtool browse --open
    """
    state = state_of(ctx)
    library.require_datasette()
    url = parse_url(state.db)
    path = library.sqlite_file(url)
    refuse_missing_file(url)
    state.ledger()  # migrated, so the browse_* views exist
    state.close()
    state.output.note(f"Datasette on {path}: http://{host}:{port}/{path.stem} (Ctrl-C stops it)")
    raise typer.Exit(library.serve(path, host, port, open_browser))
