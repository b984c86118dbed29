"""Malformed variants of a good input file, as operators receive them: each with what is wrong."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import openpyxl


def _lines(good: bytes) -> list[bytes]:
    return good.splitlines(keepends=True)


def _xlsx(good: bytes) -> bytes:
    """The good CSV as a workbook (cells as text), to cut in half."""
    text = good.decode("utf-8", errors="replace")
    sep = ";" if text.splitlines()[0].count(";") > text.splitlines()[0].count(",") else ","
    book = openpyxl.Workbook()
    sheet = book.active
    for line in text.splitlines():
        sheet.append(line.split(sep))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sep(good: bytes) -> bytes:
    head = _lines(good)[0]
    return b";" if head.count(b";") > head.count(b",") else b","


VARIANTS: dict[str, tuple[str, Callable[[bytes], bytes]]] = {
    # name -> (suffix, make from the good file's bytes)
    "truncated": (".xlsx", lambda g: _xlsx(g)[: len(_xlsx(g)) // 2]),
    "binary": (".csv", lambda g: bytes(range(256)) * 40),
    "wrong_encoding": (".csv", lambda g: g.decode("utf-8", errors="replace").encode("utf-16-le")),  # no BOM
    "header_only": (".csv", lambda g: _lines(g)[0]),
    "huge_field": (".csv", lambda g: _lines(g)[0] + b"x" * 1_100_000 + _sep(g) + _lines(g)[1]),
    "formulas": (".csv", lambda g: _lines(g)[0] + b"".join(
        _sep(g).join(b"=cmd|' /C calc'!A0" if i == 1 else c for i, c in enumerate(ln.split(_sep(g))))
        for ln in _lines(g)[1:])),
    "duplicate_headers": (".csv", lambda g: _sep(g).join([_lines(g)[0].split(_sep(g))[0]] * 2
                                                           + _lines(g)[0].split(_sep(g))[1:]) + b"".join(
        _lines(g)[1:])),
    "missing_columns": (".csv", lambda g: b"".join(_sep(g).join(ln.rstrip(b"\r\n").split(_sep(g))[2:]) + b"\n"
                                                   for ln in _lines(g))),
}


def write_variants(folder: Path, good: Path) -> list[Path]:
    """Every variant of `good` in `folder`, named zz_bad_<variant>_<good's stem> (after the good files)."""
    data = good.read_bytes()
    made = []
    for name, (suffix, make) in VARIANTS.items():
        path = folder / f"zz_bad_{name}_{good.stem}{suffix}"
        path.write_bytes(make(data))
        made.append(path)
    return made
