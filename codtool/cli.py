"""The codtool command line: global options, one sub-app per stage, errors to exit codes.

Commands parse arguments, call the library and render; they hold no business logic.
Exit codes: 0 success, 1 bad input or runtime error (one line on stderr), 2 usage error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import click
import typer
from typer.core import TyperGroup

from codtool import __version__
from codtool.errors import CodtoolError
from codtool.render import Output
from codtool.state import INTERRUPTED, State

# Global options a user may also write after the command (`codtool import f.csv --json`).
GLOBAL_FLAGS = frozenset({"--json", "--quiet", "-q", "--strict"})
GLOBAL_VALUED = frozenset({"--db", "--config"})


def hoist_globals(args: list[str]) -> list[str]:
    """Move global options written anywhere before `--` to the front, where click expects them.

    No sub-command defines an option with these names, so moving them never changes what a
    sub-command sees; a value of `--db` moves with it.
    """
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        name = arg.split("=", 1)[0]
        if arg in GLOBAL_FLAGS or (name in GLOBAL_VALUED and "=" in arg):
            front.append(arg)
        elif arg in GLOBAL_VALUED and i + 1 < len(args):
            front.extend(args[i:i + 2])
            i += 1
        else:
            rest.append(arg)
        i += 1
    return front + rest


class CodtoolGroup(TyperGroup):
    """Turns domain errors anywhere below into `Error: ...` on stderr and exit 1."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_globals(list(args)))

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CodtoolError as exc:
            _fail(str(exc))
        except OSError as exc:
            _fail(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))
        except KeyboardInterrupt:
            said = ctx.obj.interrupted if isinstance(ctx.obj, State) else INTERRUPTED
            click.echo(f"Interrupted: {said}", err=True)
            raise typer.Exit(130) from None


def _fail(message: str) -> None:
    line = " ".join(message.splitlines())  # one line, whatever text the message quotes
    click.echo(f"Error: {line}", err=True)
    raise typer.Exit(1)


app = typer.Typer(
    cls=CodtoolGroup,
    help="Check, track and reconcile cash-on-delivery orders.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,  # --install-completion and --show-completion, Typer's own
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"codtool {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[str, typer.Option(envvar="CODTOOL_DB", metavar="PATH|URL", help="Ledger: a file, or postgresql://user@host/db.")
                  ] = "codtool.db",
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable result on stdout.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No tables or progress.")] = False,
    strict: Annotated[bool, typer.Option(
        "--strict", help="Any rejected input line: roll the whole command back, exit 1.")] = False,
    config: Annotated[Path | None, typer.Option("--config", envvar="CODTOOL_CONFIG", metavar="FILE",
                                                help="Configuration file (TOML).")] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version.")] = False,
) -> None:
    """Check, track and reconcile cash-on-delivery orders for logistics operators."""
    state = State(db=db, output=Output(as_json=as_json, quiet=quiet), strict=strict, config_file=config)
    ctx.obj = state
    ctx.call_on_close(state.close)


def _register() -> None:
    """Each stage adds its commands from its own module under codtool.commands."""
    from codtool.commands import helptext, register_all

    helptext.install()
    register_all(app)


_register()


def main() -> None:
    app()
