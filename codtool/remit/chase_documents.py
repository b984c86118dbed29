"""A reminder as files: PDF to attach, XLSX for the courier's accounts team, TXT to paste as the email.

All three say the same thing (`chase_texts.letter`) and add up the same way: the total line is the
sum of the parcels' lines. The XLSX goes through the one typed writer (`codtool.exports`), so an
order reference such as `=HYPERLINK(...)` stays text; the PDF through the shop statements'
reportlab machinery (DejaVu Sans embedded, deterministic bytes).

Files are named `reminder_COURIER_DAY_STEP.{pdf,xlsx,txt}` in the output folder, written
atomically and owner-only (`codtool.output_paths`). A file already at that name is replaced: a
reminder is written only when the ledger holds no record of it, so a file there is the leftover
of a run that was killed before it committed, and the re-run must be able to finish its work.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from codtool.exports import DATE, ID, INT, Column, write_xlsx
from codtool.output_paths import write_atomic
from codtool.remit.chase_texts import WORDS, Letter, letter

FORMATS = (".pdf", ".xlsx", ".txt")
_WIDTH = 78
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def reminder_files(reminder, out_dir: Path) -> list[Path]:
    """Where the reminder's three files go (`reminder` is a codtool.remit.chase.Reminder)."""
    return [out_dir / f"{reminder.file_stem()}{suffix}" for suffix in FORMATS]


def write_reminder(reminder, files: list[Path]) -> None:
    words = letter(reminder)
    for path in files:
        {".pdf": _pdf, ".xlsx": _xlsx, ".txt": _txt}[path.suffix](reminder, words, path)


def _txt(reminder, words: Letter, path: Path) -> None:
    write_atomic(path, lambda tmp: tmp.write_text(email_text(words), encoding="utf-8"), (".txt",), replace=True)


def email_text(words: Letter) -> str:
    """The email body: subject, greeting, the request, the parcels as a fixed-width table, the total."""
    rows = [tuple(_CONTROL.sub("", cell) for cell in row) for row in words.rows]
    table = [words.headers, *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(words.headers))]
    numeric = range(4, len(words.headers))

    def line(row: tuple[str, ...]) -> str:
        return "  ".join(c.rjust(w) if i in numeric else c.ljust(w)
                         for i, (c, w) in enumerate(zip(row, widths, strict=True))).rstrip()

    rule = "-" * len(line(words.headers))
    total = (words.total_label, "", "", "", "", words.cod_total, words.total)
    parts = [f"{words.subject_label}: {words.subject}", "", words.greeting, "",
             *textwrap.wrap(words.body, _WIDTH), "", line(words.headers), rule, *map(line, rows), rule, line(total)]
    if words.terms:
        parts += ["", *textwrap.wrap(words.terms, _WIDTH)]
    parts += ["", words.regards, words.operator, ""]
    return "\n".join(parts)


def _xlsx(reminder, words: Letter, path: Path) -> None:
    h = words.headers
    columns = [Column(h[0], ID), Column(h[1], ID), Column(h[2], DATE), Column(h[3], DATE), Column(h[4], INT),
               Column(h[5]), Column(h[6])]
    rows = [(ln.tracking_number, ln.order_ref, ln.delivered_on, ln.payout_due, ln.days_overdue, ln.cod, ln.amount)
            for ln in reminder.lines]
    rows.append((words.total_label, "", None, None, None, reminder.cod_total, reminder.total))
    sheet = f"{WORDS[reminder.language]['sheet']} {reminder.courier}"
    write_xlsx(path, columns, rows, sheet=sheet, replace=True)


def _pdf(reminder, words: Letter, path: Path) -> None:
    from codtool.remit.chase_pdf import render

    write_atomic(path, lambda tmp: render(reminder, words, tmp), (".pdf",), replace=True)
