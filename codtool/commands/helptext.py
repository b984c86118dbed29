"""How option types read in `--help`: FILE, ORDER, DATE instead of `<str>`, `<bool>`, `{files}...`.

Typer 0.2x prints each parameter's Python annotation (`<list[Path]>`, `<bool>` beside a
flag) and ignores `metavar` there. codtool's convention, for every command and for the
remittance commands to come: give arguments and value options a `metavar` when the type
alone does not say what to write (ORDER, CLUSTER, DATE); otherwise the type decides (Path is
FILE, int is N, str is TEXT), flags show nothing and closed sets show `[a|b|c]`.
`install()` applies it once, from cli.py.
"""

from __future__ import annotations

from typer import core

_NAMES = {"str": "TEXT", "int": "N", "float": "NUMBER", "Path": "FILE", "date": "DATE"}


def _display_type(self, ctx) -> str | None:
    """The label beside an option or argument in the help table."""
    if self.metavar:
        return self.metavar
    if getattr(self, "is_flag", False):
        return None
    desc = self.type_descriptor
    if desc.is_choice:
        choices = core.TyperArgument.display_type(self, ctx).strip("<>")
        if choices.startswith("list["):  # a repeatable closed set: `[a|b|c]...`, not `[list[a|b|c]]`
            return "[" + choices.removeprefix("list[").removesuffix("]") + "]..."
        return "[" + choices + "]"
    if desc.is_path:
        return "FILE"
    bare = self.bare_type()
    inner = bare.removeprefix("list[").removesuffix("]")
    name = _NAMES.get(inner, inner.upper())
    return f"{name}..." if bare.startswith("list[") else name


def _usage_display_name(self) -> str:
    """`FILE...` and `[ORDER]` in the usage line, not `{files}...`."""
    name = self.display_name_raw
    name = name if self.required else f"[{name}]"
    return name + "..." if self.nargs != 1 else name


def install() -> None:
    """Replace Typer's type labels in help with codtool's (idempotent)."""
    for cls in (core.TyperOption, core.TyperArgument):
        cls.display_type_rich = _display_type
    core.TyperArgument._usage_display_name = _usage_display_name
    core.TyperArgument.display_name_raw = property(lambda self: self.metavar or (self.name or "").upper())
